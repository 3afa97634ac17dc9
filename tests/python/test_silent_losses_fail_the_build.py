"""A silent loss fails `dbt build`: the reconciliation finds the records a model dropped.

A silent loss is a filter or join no rule asks for: the build still succeeds, every table still
has its columns and keys, and only fewer records arrive. The reconciliation derives each landing
record's fate from the rules and looks for it where the rules put it, so each loss below makes
assert_no_unexplained_landing_records fail. The lakehouse is built once, unchanged (every test
passes on it); each test changes one model of a copy and rebuilds that model and what depends
on it.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import DbtProject, DbtRun, Edit, Landing, copy_project

# The end of each trusted reading table's consent filter: a loss added after it drops readings
# the rules admit.
CONSENT_FILTER_END = "research_consent_epoch_ms'\n    ) }}"

SILENT_LOSSES = [
    pytest.param(
        Edit(
            "models/trusted/accelerometer_trusted.sql",
            "'consenting_customers." + CONSENT_FILTER_END,
            "'consenting_customers." + CONSENT_FILTER_END + "\n    and readings.x >= 0",
        ),
        id="accelerometer-trusted-drops-negative-x",
    ),
    pytest.param(
        Edit(
            "models/trusted/step_trainer_trusted.sql",
            "'curated_owners." + CONSENT_FILTER_END,
            "'curated_owners." + CONSENT_FILTER_END + "\n    and readings.distance_from_object < 400",
        ),
        id="step-trainer-trusted-drops-far-distances",
    ),
    pytest.param(
        Edit(
            "models/trusted/customers_with_trusted_readings.sql",
            "        on customers.email = customers_with_readings.customer_email\n",
            "        on customers.email = customers_with_readings.customer_email\n"
            "        and coalesce(customers.birth_date, current_date) > date '1950-01-01'\n",
        ),
        id="customers-curated-keeps-only-customers-born-after-1950",
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


def lakehouse_with(edit: Edit, built_lakehouse: DbtProject, project_copy: Path, tmp_path: Path) -> DbtProject:
    """A copy of the project with `edit` applied, over a copy of the built lakehouse."""
    edit.apply(project_copy)
    project = DbtProject(project_copy, tmp_path / "work")
    shutil.copy(built_lakehouse.duckdb_path, project.duckdb_path)
    return project


def data_test_statuses(run: DbtRun) -> dict[str, str]:
    """Each data test of a run by its name (without dbt's hash suffix) -> its status."""
    return {node.split(".")[2]: status for node, status in run.results().items() if node.startswith("test.")}


@pytest.mark.parametrize("loss", SILENT_LOSSES)
def test_a_silent_loss_fails_the_build(
    loss: Edit, built_lakehouse: DbtProject, project_copy: Path, tmp_path: Path, landing_with_defects: Landing
) -> None:
    project = lakehouse_with(loss, built_lakehouse, project_copy, tmp_path)
    model = Path(loss.path).stem
    # An ephemeral model has no status of its own: its first table reader's stands for it.
    built_model = {"customers_with_trusted_readings": "customers_curated"}.get(model, model)

    # The lakehouse as built, with the changed model and everything downstream of it rebuilt, as
    # a change of a model's logic is deployed: an incremental model (accelerometer_trusted) would
    # otherwise apply the change only to the rows a run merges, none here.
    variables = {"landing_root": str(landing_with_defects.root)}
    built = project.dbt("build", "--full-refresh", "--select", f"{model}+", variables=variables)

    assert built.returncode != 0
    statuses = built.results()
    assert statuses[f"model.stedi.{built_model}"] == "success", built.output[-4000:]
    assert statuses[f"test.stedi.{RECONCILIATION_TEST}"] == "fail"
    unexplained = project.query(
        "select entity, reason, found_in, landing_record_count from stedi_audit.landing_reconciliation "
        "where outcome = 'unexplained'"
    )
    assert unexplained, "the test failed but landing_reconciliation names no unexplained record"


GRAIN_TEST = "reconciliation_ledger_records__grain"


def test_a_reconciliation_part_counting_a_reason_twice_fails_its_grain_test_in_the_full_checks_only(
    built_lakehouse: DbtProject, project_copy: Path, tmp_path: Path, landing_with_defects: Landing
) -> None:
    """reconciliation_ledger_records has one row per entity and reason by construction: its grain
    test (`where: full_checks_only`) reads both ledgers on --full-refresh and with full_checks
    (nightly), and nothing on a daily run."""
    counted_twice = Edit(
        "models/audit/reconciliation_ledger_records.sql",
        "    from totals\n    where duplicates is not null\n",
        "    from totals\n    where duplicates is not null\n\n    union all\n\n"
        "    select entity, 'collapsed', 'exact_duplicate', 'nowhere', 'nowhere', duplicates\n"
        "    from totals\n    where duplicates is not null\n",
    )
    project = lakehouse_with(counted_twice, built_lakehouse, project_copy, tmp_path)
    variables = {"landing_root": str(landing_with_defects.root)}

    daily = project.dbt("test", "--select", GRAIN_TEST, variables=variables)
    assert daily.returncode == 0, daily.output[-4000:]
    (compiled,) = (daily.target_path / "compiled").rglob(f"{GRAIN_TEST}.sql")
    assert "where false) dbt_subquery" in compiled.read_text()

    nightly = project.dbt("test", "--select", GRAIN_TEST, variables={**variables, "full_checks": True})
    assert nightly.returncode != 0
    assert data_test_statuses(nightly) == {GRAIN_TEST: "fail"}, nightly.output[-4000:]


def test_a_readings_view_that_repeats_its_readings_fails_its_tests_in_the_full_checks_only(
    built_lakehouse: DbtProject, project_copy: Path, tmp_path: Path, landing_with_defects: Landing
) -> None:
    """The tests of the attribution views hold by construction given the tests of what they read
    (`where: full_checks_only`): a view that repeats each reading passes a daily `dbt test`, whose
    tests read nothing (equal_row_count leaves its compared model out too), and fails the grain
    and the row count in the full checks."""
    repeated = Edit(
        "models/intermediate/int_accelerometer_readings_attributed.sql",
        "select * from final",
        "select * from final\nunion all\nselect * from final",
    )
    project = lakehouse_with(repeated, built_lakehouse, project_copy, tmp_path)
    variables = {"landing_root": str(landing_with_defects.root)}
    view = "int_accelerometer_readings_attributed"

    daily = project.dbt("run", "--select", view, variables=variables)
    assert daily.returncode == 0, daily.output[-4000:]
    daily = project.dbt("test", "--select", view, variables=variables)
    assert daily.returncode == 0, daily.output[-4000:]
    compiled = {
        path.stem: path.read_text() for path in (daily.target_path / "compiled").rglob(f"{view}__*.sql")
    }
    assert len(compiled) == 3 and all("where false) dbt_subquery" in sql for sql in compiled.values())
    assert compiled[f"{view}__row_count_equals_stg_stedi__accelerometer_readings"].count("where false") == 2

    nightly = project.dbt("test", "--select", view, variables={**variables, "full_checks": True})
    assert nightly.returncode != 0
    assert data_test_statuses(nightly) == {
        f"{view}__grain": "fail",
        f"{view}__row_count_equals_stg_stedi__accelerometer_readings": "fail",
        f"{view}__attribution_issue_is_known": "pass",
    }, nightly.output[-4000:]


def test_a_ledger_missing_a_subject_row_fails_its_subject_test_in_the_full_checks_only(
    built_lakehouse: DbtProject, project_copy: Path, tmp_path: Path, landing_with_defects: Landing
) -> None:
    """A withdrawal finds whose readings leave a ledger by its `subject` rows alone: a customer
    with readings and no subject row would keep them. The test that each subject with readings
    has its row, counting what they count, reads every reading: full checks only."""
    project = DbtProject(project_copy, tmp_path / "work")
    shutil.copy(built_lakehouse.duckdb_path, project.duckdb_path)
    ledger = "stedi_staging.stg_stedi__accelerometer_ledger"
    (subject,) = project.query(f"select min(customer_email) from {ledger} where row_type = 'subject'")[0]
    project.execute(f"delete from {ledger} where row_type = 'subject' and customer_email = ?", [subject])
    variables = {"landing_root": str(landing_with_defects.root)}
    subject_test = "stg_stedi__accelerometer_ledger__subject_rows_count_their_readings"

    daily = project.dbt("test", "--select", subject_test, variables=variables)
    assert daily.returncode == 0, daily.output[-4000:]
    nightly = project.dbt("test", "--select", subject_test, variables={**variables, "full_checks": True})
    assert nightly.returncode != 0
    assert data_test_statuses(nightly) == {subject_test: "fail"}, nightly.output[-4000:]
