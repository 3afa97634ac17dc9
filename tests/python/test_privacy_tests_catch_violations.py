"""Each privacy test fails when the rule it guards is removed from the models.

A private copy of the project gets one rule taken out (a small edit of the model or macro that
holds it, found by its words, not its layout: conftest.Edit, checked by test_mutations.py); its
models are built on generated data with every defect, and the privacy test guarding that rule
must then fail. The same tests pass on the real project in the end-to-end
build, so a failure here can only come from the removed rule.

Each privacy test then stores its failing rows in the audit schema for whoever investigates;
those tables must hold no identifier the landing data holds: no value of a landing field the PII
registry declares `pii: direct` (the audit zone is where a leak would otherwise be copied).
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import boto3
import pytest
from athena_local import AthenaLocal

from conftest import (
    PROJECT_ROOT,
    DbtProject,
    Edit,
    Landing,
    identifying_landing_fields,
    json_lines,
    pii_registry,
)
from hostile_landing import write_hostile_landing
from test_athena_target import (
    BUCKET,
    athena_env,
    athena_query,
    client_settings,
    glue_tables,
    land,
    local_athena,
)

__all__ = ["local_athena"]  # the fixture: the local Athena with the lake's bucket and subject key


@pytest.fixture(scope="module")
def identifying_fields(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[str, ...]]:
    """landing folder -> the fields of its records that identify a person: the landing source
    columns declared `pii: direct` in the PII registry (models/staging/stedi/_stedi__sources.yml)."""
    registry = pii_registry(DbtProject(PROJECT_ROOT, tmp_path_factory.mktemp("pii-registry")))
    fields = identifying_landing_fields(registry)
    assert "customer/landing" in fields, fields
    return fields


@dataclass(frozen=True)
class RuleRemoval:
    """The project minus one privacy rule (every place that enforces it), and the test guarding it."""

    edits: tuple[Edit, ...]
    guarding_test: str
    # Whether the landing data gets an erasure request for a consenting customer with readings.
    erasure_request: bool = False

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
                    "macros/privacy/reading_counts_under_consent.sql",
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
    pytest.param(
        RuleRemoval(
            (
                Edit(
                    "models/staging/stedi/base/base_stedi__accelerometer_records.sql",
                    "not is_malformed and not is_erased as keeps_values",
                    "not is_malformed as keeps_values",
                ),
                Edit(
                    "models/staging/stedi/base/base_stedi__accelerometer_records.sql",
                    "            when is_erased then 'erased'\n",
                    "",
                ),
            ),
            "assert_no_erased_customer_anywhere",
            erasure_request=True,
        ),
        id="readings-of-an-erased-customer-kept",
    ),
]


def with_erasure_request(landing: Landing, root: Path) -> Path:
    """A copy of the landing data at `root` with a request to erase a consenting customer who has
    accelerometer readings."""
    shutil.copytree(landing.root, root, ignore=shutil.ignore_patterns("ground_truth.json"))
    users = {
        normal(r["user"])
        for path in (root / "accelerometer" / "landing").glob("*.json")
        for r in json_lines(path)
        if isinstance(r.get("user"), str)
    }
    consenting = {
        normal(r["email"])
        for path in (root / "customer" / "landing").glob("*.json")
        for r in json_lines(path)
        if isinstance(r.get("email"), str) and isinstance(r.get("shareWithResearchAsOfDate"), int)
    }
    email = min(consenting & users)
    folder = root / "erasure" / "landing"
    folder.mkdir(parents=True)
    request = {"email": email, "requestId": "ER-MUTATION", "requestedAt": 1_700_000_000_000}
    (folder / "erasure-1700000000000.json").write_text(json.dumps(request) + "\n", encoding="utf-8")
    return root


def landing_identifiers(landing: Landing, identifying_fields: dict[str, tuple[str, ...]]) -> set[str]:
    """Every identifying value of every landing record, normalised: the text values of the fields
    the PII registry declares (a value of another JSON type reads as null in the warehouse)."""
    found = set()
    for folder, fields in identifying_fields.items():
        for path in sorted((landing.root / folder).glob("*.json")):
            for record in json_lines(path):
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
    root = landing_with_defects.root
    if removal.erasure_request:
        root = with_erasure_request(landing_with_defects, tmp_path / "landing")
    variables = {"landing_root": str(root), "consent_policy": "as_of_consent"}

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


def lake_identifiers(project: DbtProject, manifest: dict, registry: dict) -> set[str]:
    """Every value, normalised, of every column the PII registry declares `pii: direct`, in every
    table or view the build made (and the landing sources' fields, read from the files)."""
    found = set()
    for unique_id, columns in registry["columns"].items():
        node = manifest["nodes"].get(unique_id)
        direct = [name for name, pii in columns.items() if pii == "direct"]
        if node is None or not direct:
            continue
        schema, table = node["schema"], node["alias"]
        if not project.query(
            "select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
            [schema, table],
        )[0][0]:
            continue
        for column in direct:
            rows = project.query(f'select distinct "{column}" from "{schema}"."{table}"')
            found |= {normal(value) for (value,) in rows if value is not None and normal(value)}
    return found


def test_no_audit_table_holds_an_identifier_after_a_build_whose_privacy_test_fails(
    project_copy: Path,
    tmp_path: Path,
    landing_with_defects: Landing,
    identifying_fields: dict[str, tuple[str, ...]],
) -> None:
    """The audit zone holds no identifier of anyone, whatever the build: after a whole `dbt build
    --store-failures` (models, the consent register, every test storing its failing rows) in
    which a privacy rule is broken, no table of the audit zone, models and stored failures alike,
    holds any value of a column the PII registry declares `pii: direct`, in any table of the lake
    or field of the landing data. Before the consent register had a zone of its own, it sat in
    the audit zone with every customer's email."""
    removal = {param.id: param.values[0] for param in REMOVALS}["customers-without-consent-reach-trusted"]
    removal.apply(project_copy)
    project = DbtProject(project_copy, tmp_path / "work")
    root = with_erasure_request(landing_with_defects, tmp_path / "landing")
    variables = {"landing_root": str(root), "consent_policy": "as_of_consent"}

    # A build's steps one by one: in a `dbt build` the failing tests of the broken rule (its unit
    # test, a not_null of customer_trusted) would skip everything after them.
    for step in ("run", "snapshot"):
        built = project.dbt(step, variables=variables)
        assert built.returncode == 0, built.output[-4000:]
    tested = project.dbt(
        "test", "--store-failures", "--exclude-resource-type", "unit_test", variables=variables
    )
    statuses = tested.results()
    assert [status for node, status in statuses.items() if removal.guarding_test in node] == ["fail"]

    stored = audit_values(project)
    assert stored.get(removal.guarding_test), f"nothing stored for {removal.guarding_test}: {sorted(stored)}"
    assert stored.get("erasure_log"), "the erasure request was not logged"
    manifest = json.loads((tested.target_path / "manifest.json").read_text())
    identifiers = lake_identifiers(project, manifest, pii_registry(project))
    identifiers |= landing_identifiers(landing_with_defects, identifying_fields)
    assert len(identifiers) > 1000
    leaked = {table: sorted(values & identifiers)[:5] for table, values in stored.items()}
    leaked = {table: values for table, values in leaked.items() if values}
    assert not leaked, f"audit tables hold identifiers: {leaked}"


def test_the_upgrade_moves_the_consent_register_out_of_the_audit_zone_with_its_history(
    tmp_path: Path, clean_landing: Landing
) -> None:
    """A lake built when the consent register sat in the audit zone (put back there by hand), with
    a test's failing rows of a trusted model stored there too: `dbt run-operation
    move_identifiers_out_of_audit` moves the register, every version kept, to the consent zone and
    drops the stale failures; run again it does nothing; the next build carries on the register.
    A register a build started in the consent zone before the move is never overwritten."""
    project = DbtProject(PROJECT_ROOT, tmp_path / "work")
    variables = {"landing_root": str(clean_landing.root)}
    assert project.dbt("build", variables=variables).returncode == 0
    register = "customer_consent_history"
    versions = sorted(project.query(f"select * from stedi_consent.{register}"), key=repr)
    stale = "not_null_customer_trusted_research_consented_at"
    project.execute(
        f"create table stedi_audit.{register} as select * from stedi_consent.{register}; "
        f"drop table stedi_consent.{register}; "
        f"create table stedi_audit.{stale} as select * from stedi_trusted.customer_trusted limit 3"
    )

    def tables(schema: str) -> set[str]:
        rows = project.query(
            "select table_name from information_schema.tables where table_schema = ?", [schema]
        )
        return {name for (name,) in rows}

    # Until the upgrade has run, a build is refused in one line, before any model.
    refused_build = project.dbt("build", variables=variables)
    assert refused_build.returncode != 0
    assert "holds the consent register where an older version kept it" in refused_build.output
    assert "dbt run-operation move_identifiers_out_of_audit" in refused_build.output
    assert "START sql" not in refused_build.output and "Traceback" not in refused_build.output
    assert register not in tables("stedi_consent")

    moved = project.dbt("run-operation", "move_identifiers_out_of_audit", variables=variables)
    assert moved.returncode == 0, moved.output[-3000:]
    assert not {register, stale} & tables("stedi_audit")
    assert sorted(project.query(f"select * from stedi_consent.{register}"), key=repr) == versions
    again = project.dbt("run-operation", "move_identifiers_out_of_audit", variables=variables)
    assert again.returncode == 0 and "holds neither" in again.output, again.output[-3000:]
    assert project.dbt("build", variables=variables).returncode == 0
    assert sorted(project.query(f"select * from stedi_consent.{register}"), key=repr) == versions

    project.execute(f"create table stedi_audit.{register} as select * from stedi_consent.{register} limit 1")
    refused = project.dbt("run-operation", "move_identifiers_out_of_audit", variables=variables)
    assert refused.returncode != 0 and "Both" in refused.output, refused.output[-3000:]
    assert project.scalar(f"select count(*) from stedi_consent.{register}") == len(versions)


def test_on_athena_the_upgrade_moves_the_consent_register_out_of_the_audit_zone_with_its_history(
    local_athena: AthenaLocal, tmp_path: Path
) -> None:
    """The same upgrade on the local Athena: the register, put back in the audit zone as an older
    version left it, moves to the consent zone by an Iceberg rename (every version, files where
    they are), a trusted test's failures stored in the audit zone are dropped with their files,
    run again it does nothing, and the next build carries on the moved register."""
    landing = write_hostile_landing(tmp_path / "landing")
    prefix, database = "ci_upgrade", "ci_upgrade_landing"
    land(local_athena, landing.root, prefix, database)
    project = DbtProject(PROJECT_ROOT, tmp_path / "athena")
    variables = {"landing_schema": database}
    env = athena_env(local_athena, prefix)
    # The register and the trusted table whose stale failures are planted: what the upgrade
    # touches (the rest of the lake is a minute of Athena builds that proves nothing here).
    register_and_customers = (
        "--select",
        "+customer_consent_history",
        "+customer_trusted",
        "--exclude",
        "resource_type:test",
    )
    built = project.dbt("build", *register_and_customers, variables=variables, env=env)
    assert built.returncode == 0, built.output[-4000:]
    audit, consent, register = f"{prefix}_stedi_audit", f"{prefix}_stedi_consent", "customer_consent_history"
    versions = sorted(athena_query(local_athena, f"select * from {consent}.{register}"), key=repr)
    assert versions
    stale, stale_folder = (
        "not_null_customer_trusted_research_consented_at",
        f"lakehouse/{prefix}/stale_failures/",
    )
    athena_query(local_athena, f"alter table `{consent}`.`{register}` rename to `{audit}`.`{register}`")
    athena_query(
        local_athena,
        f"create table {audit}.{stale} with (table_type = 'iceberg', is_external = false, "
        f"location = 's3://{BUCKET}/{stale_folder}') "
        f"as select * from {prefix}_stedi_trusted.customer_trusted",
    )
    assert {register, stale} <= glue_tables(local_athena, audit)

    moved = project.dbt("run-operation", "move_identifiers_out_of_audit", variables=variables, env=env)
    assert moved.returncode == 0, moved.output[-3000:]
    assert not {register, stale} & glue_tables(local_athena, audit)
    assert sorted(athena_query(local_athena, f"select * from {consent}.{register}"), key=repr) == versions
    s3 = boto3.client("s3", **client_settings(local_athena))
    assert s3.list_objects_v2(Bucket=BUCKET, Prefix=stale_folder)["KeyCount"] == 0
    again = project.dbt("run-operation", "move_identifiers_out_of_audit", variables=variables, env=env)
    assert again.returncode == 0 and "holds neither" in again.output, again.output[-3000:]
    rebuilt = project.dbt("build", *register_and_customers, variables=variables, env=env)
    assert rebuilt.returncode == 0, rebuilt.output[-4000:]
    assert sorted(athena_query(local_athena, f"select * from {consent}.{register}"), key=repr) == versions
