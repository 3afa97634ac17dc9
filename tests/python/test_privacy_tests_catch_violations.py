"""Each privacy test fails when the rule it guards is removed from the models, and the
reconciliation fails the build when a model silently loses records.

A private copy of the project gets one rule taken out (a small, exact text edit of the model or
macro that holds it); its models are built on generated data with every defect, and the privacy
test guarding that rule must then fail. The same tests pass on the real project in the end-to-end
build, so a failure here can only come from the removed rule.

Each privacy test then stores its failing rows in the audit schema for whoever investigates;
those tables must hold no identifier the landing data holds: no value of a landing field the PII
registry declares `pii: direct` (the audit zone is where a leak would otherwise be copied).

A silent loss is a filter or join no rule asks for: the build still succeeds, every table still
has its columns and keys, and only fewer records arrive. The reconciliation derives each landing
record's fate from the rules and looks for it there, so `dbt build` fails on each loss below.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import PROJECT_ROOT, DbtProject, Landing, copy_project, identifying_landing_fields, pii_registry


@pytest.fixture(scope="module")
def identifying_fields(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[str, ...]]:
    """landing folder -> the fields of its records that identify a person: the landing source
    columns declared `pii: direct` in the PII registry (models/staging/stedi/_stedi__sources.yml)."""
    registry = pii_registry(DbtProject(PROJECT_ROOT, tmp_path_factory.mktemp("pii-registry")))
    fields = identifying_landing_fields(registry)
    assert "customer/landing" in fields, fields
    return fields


@dataclass(frozen=True)
class Edit:
    """Replace `old` (which must occur exactly once) by `new` in the project file `path`."""

    path: str
    old: str
    new: str

    def apply(self, project_dir: Path) -> None:
        file = project_dir / self.path
        code = file.read_text()
        assert code.count(self.old) == 1, f"{self.old!r} is no longer in {self.path}: update this test"
        file.write_text(code.replace(self.old, self.new))


@dataclass(frozen=True)
class RuleRemoval:
    """The project minus one privacy rule (every place that enforces it), and the test guarding it."""

    edits: tuple[Edit, ...]
    guarding_test: str

    def apply(self, project_dir: Path) -> None:
        for edit in self.edits:
            edit.apply(project_dir)


CUSTOMER_TRUSTED_CONSENT_CONSTRAINT = """      - name: research_consent_epoch_ms
        data_type: bigint
        description: '{{ doc("col_research_consent_epoch_ms") }}'
        constraints:
          - type: not_null
"""

REMOVALS = [
    pytest.param(
        RuleRemoval(
            (
                # The filter, and the contract's not-null constraint that would also stop it.
                Edit("models/trusted/customer_trusted.sql", "    where has_research_consent\n", ""),
                Edit(
                    "models/trusted/_trusted__models.yml",
                    CUSTOMER_TRUSTED_CONSENT_CONSTRAINT,
                    CUSTOMER_TRUSTED_CONSENT_CONSTRAINT.replace(
                        "        constraints:\n          - type: not_null\n", ""
                    ),
                ),
            ),
            "assert_only_consenting_customers_in_trusted_and_curated",
        ),
        id="customers-without-consent-reach-trusted",
    ),
    pytest.param(
        RuleRemoval(
            (
                Edit(
                    "models/staging/stedi/stg_stedi__customers.sql",
                    "last_update_epoch_ms desc,",
                    "last_update_epoch_ms asc,",
                ),
            ),
            "assert_only_consenting_customers_in_trusted_and_curated",
        ),
        id="oldest-customer-version-wins",
    ),
    pytest.param(
        RuleRemoval(
            (
                Edit(
                    "macros/privacy/consent.sql",
                    "and {{ reading_epoch_ms }} >= {{ research_consent_epoch_ms }}",
                    "",
                ),
            ),
            "assert_no_reading_before_research_consent",
        ),
        id="readings-before-consent-reach-trusted",
    ),
    pytest.param(
        RuleRemoval(
            (
                Edit(
                    "models/intermediate/int_step_trainer_readings_attributed.sql",
                    "when device_owners.owner_count = 1 then device_owners.owner_email",
                    "when device_owners.owner_count >= 1 then device_owners.owner_email",
                ),
                Edit(
                    "models/intermediate/int_step_trainer_readings_attributed.sql",
                    "            when device_owners.owner_count > 1 then 'ambiguous_serial_number'\n",
                    "",
                ),
            ),
            "assert_only_consenting_customers_in_trusted_and_curated",
        ),
        id="shared-devices-attributed-to-one-owner",
    ),
    pytest.param(
        RuleRemoval(
            (
                Edit(
                    "models/curated/machine_learning_curated.sql",
                    "{{ subject_id('customer_email') }} as subject_id",
                    "{{ sha256_hex('customer_email') }} as subject_id",
                ),
            ),
            "assert_no_direct_identifiers_in_machine_learning_curated",
        ),
        id="subject-id-without-a-key",
    ),
    pytest.param(
        RuleRemoval(
            (
                Edit(
                    "models/curated/machine_learning_curated.sql",
                    "{{ subject_id('customer_email') }} as subject_id",
                    "customer_email as subject_id",
                ),
            ),
            "assert_no_direct_identifiers_in_machine_learning_curated",
        ),
        id="email-in-the-training-set",
    ),
    pytest.param(
        RuleRemoval(
            (
                Edit(
                    "models/curated/machine_learning_curated.sql",
                    "accelerometer.customer_email = step_trainer.customer_email\n            and ",
                    "",
                ),
            ),
            "assert_machine_learning_pairs_share_one_customer",
        ),
        id="readings-paired-on-the-timestamp-alone",
    ),
]


def landing_identifiers(landing: Landing, identifying_fields: dict[str, tuple[str, ...]]) -> set[str]:
    """Every identifying value of every landing record, normalised: the text values of the fields
    the PII registry declares (a value of another JSON type reads as null in the warehouse)."""
    found = set()
    for folder, fields in identifying_fields.items():
        for path in sorted((landing.root / folder).glob("*.json")):
            for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
                try:
                    record = json.loads(line)
                except json.JSONDecodeError:
                    continue
                if isinstance(record, dict):
                    values = (record.get(field) for field in fields)
                    found |= {normal(value) for value in values if isinstance(value, str) and normal(value)}
    return found


def normal(value: object) -> str:
    """Text as staging compares it (trimmed, lower case), so a cleaned copy still matches."""
    return str(value).strip().lower()


def audit_values(project: DbtProject) -> dict[str, set[str]]:
    """audit table -> every value it holds, as text."""
    tables = project.query(
        "select table_schema, table_name from information_schema.tables "
        "where table_schema like '%audit' and table_type = 'BASE TABLE'"
    )
    rows = {table: project.query(f'select * from "{schema}"."{table}"') for schema, table in tables}
    return {table: {normal(value) for row in found for value in row} for table, found in rows.items()}


@pytest.mark.parametrize("removal", REMOVALS)
def test_privacy_test_fails_without_its_rule(
    removal: RuleRemoval,
    project_copy: Path,
    tmp_path: Path,
    landing_with_defects: Landing,
    identifying_fields: dict[str, tuple[str, ...]],
) -> None:
    removal.apply(project_copy)
    project = DbtProject(project_copy, tmp_path / "work")
    variables = {"landing_root": str(landing_with_defects.root), "consent_policy": "as_of_consent"}

    built = project.dbt("run", "--select", f"+{removal.guarding_test}", variables=variables)
    assert built.returncode == 0, built.output[-4000:]
    tested = project.dbt("test", "--select", "path:tests/privacy", variables=variables)

    statuses = tested.results()
    assert [status for node, status in statuses.items() if removal.guarding_test in node] == ["fail"]
    stored = audit_values(project)
    assert stored.get(removal.guarding_test), f"nothing stored for {removal.guarding_test}: {sorted(stored)}"
    identifiers = landing_identifiers(landing_with_defects, identifying_fields)
    assert len(identifiers) > 100
    leaked = {table: sorted(values & identifiers)[:5] for table, values in stored.items()}
    leaked = {table: values for table, values in leaked.items() if values}
    assert not leaked, f"audit tables copy identifiers: {leaked}"
    assert not {table for table, values in stored.items() if any("@" in value for value in values)}


# -- Silent losses -------------------------------------------------------------------------------

CONSENT_FILTER_END = "    ) }}\n\n)"

SILENT_LOSSES = [
    pytest.param(
        Edit(
            "models/trusted/accelerometer_trusted.sql",
            CONSENT_FILTER_END,
            "    ) }}\n    and readings.x >= 0\n\n)",
        ),
        id="accelerometer-trusted-drops-negative-x",
    ),
    pytest.param(
        Edit(
            "models/trusted/step_trainer_trusted.sql",
            CONSENT_FILTER_END,
            "    ) }}\n    and readings.distance_from_object < 400\n\n)",
        ),
        id="step-trainer-trusted-drops-far-distances",
    ),
    pytest.param(
        Edit(
            "models/curated/customers_curated.sql",
            "        on customers.email = customers_with_readings.customer_email\n",
            "        on customers.email = customers_with_readings.customer_email\n"
            "        and coalesce(customers.birth_date, current_date) > date '1950-01-01'\n",
        ),
        id="customers-curated-joins-only-customers-born-after-1950",
    ),
    pytest.param(
        Edit(
            "models/curated/machine_learning_curated.sql",
            "            and accelerometer.reading_epoch_ms = step_trainer.reading_epoch_ms\n",
            "            and accelerometer.reading_epoch_ms = step_trainer.reading_epoch_ms\n"
            "            and step_trainer.distance_from_object < 450\n",
        ),
        id="machine-learning-pairs-drop-far-distances",
    ),
]

RECONCILIATION_TEST = "assert_no_unexplained_landing_records"


@pytest.fixture(scope="module")
def built_lakehouse(tmp_path_factory: pytest.TempPathFactory, landing_with_defects: Landing) -> DbtProject:
    """The real project built once on the defects landing set: every test passes on it."""
    project_dir = copy_project(tmp_path_factory.mktemp("baseline") / "project")
    project = DbtProject(project_dir, tmp_path_factory.mktemp("work"))
    built = project.dbt("build", variables={"landing_root": str(landing_with_defects.root)})
    assert built.returncode == 0, built.output[-4000:]
    assert built.results()[f"test.stedi.{RECONCILIATION_TEST}"] == "pass"
    return project


@pytest.mark.parametrize("loss", SILENT_LOSSES)
def test_a_silent_loss_fails_the_build(
    loss: Edit, built_lakehouse: DbtProject, project_copy: Path, tmp_path: Path, landing_with_defects: Landing
) -> None:
    loss.apply(project_copy)
    project = DbtProject(project_copy, tmp_path / "work")
    shutil.copy(built_lakehouse.duckdb_path, project.duckdb_path)
    model = Path(loss.path).stem

    # The lakehouse as built, with the changed model and everything downstream of it rebuilt.
    variables = {"landing_root": str(landing_with_defects.root)}
    built = project.dbt("build", "--select", f"{model}+", variables=variables)

    assert built.returncode != 0
    statuses = built.results()
    assert statuses[f"model.stedi.{model}"] == "success", built.output[-4000:]
    assert statuses[f"test.stedi.{RECONCILIATION_TEST}"] == "fail"
    unexplained = project.query(
        "select entity, reason, found_in, landing_record_count from stedi_audit.landing_reconciliation "
        "where outcome = 'unexplained'"
    )
    assert unexplained, "the test failed but landing_reconciliation names no unexplained record"
