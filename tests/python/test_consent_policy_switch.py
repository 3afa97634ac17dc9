"""Switching the consent policy as docs/privacy.md shows it (`--vars '{consent_policy: any_time}'` after a
default build, `make run CONSENT_POLICY=any_time` after `make run`) switches the whole lake in the
next build: every trusted and curated table then equals a fresh build under the new policy, and
the export of each policy holds that policy's rows, side by side. Switching back works the same.
It once failed the build, wrote an any_time export of as_of_consent rows and left readings from
before consent in step_trainer_trusted until an undocumented --full-refresh."""

from __future__ import annotations

from pathlib import Path

import pytest
from athena_local import AthenaLocal

from conftest import PROJECT_ROOT, DbtProject, Landing
from test_athena_target import (
    SCENARIO_BUILD,
    SUBJECT_KEY,
    athena_env,
    athena_query,
    land,
    local_athena,
    model_relations,
)

__all__ = ["local_athena"]  # the fixture: the local Athena with the lake's bucket and subject key

COMPARED = {
    "stedi_trusted.customer_trusted": "email, research_consent_epoch_ms",
    "stedi_trusted.accelerometer_trusted": "customer_email, reading_epoch_ms, x, y, z, consent_policy",
    "stedi_trusted.step_trainer_trusted": (
        "serial_number, customer_email, reading_epoch_ms, distance_from_object, consent_policy"
    ),
    "stedi_curated.customers_curated": "email",
    "stedi_curated.machine_learning_curated": "subject_id, split, reading_at, x, y, z, distance_from_object",
}


def contents(project: DbtProject) -> dict[str, list[tuple]]:
    return {
        table: sorted(project.query(f"select {columns} from {table}"), key=repr)
        for table, columns in COMPARED.items()
    }


@pytest.fixture(scope="module")
def landing(tmp_path_factory: pytest.TempPathFactory) -> Landing:
    out = tmp_path_factory.mktemp("switch")
    return Landing.generate(out, "--customers", "120", "--seed", "11", "--defects", "all", "--force")


def fresh_lake(landing: Landing, policy: str, work: Path) -> dict[str, list[tuple]]:
    """The lake of `policy` built from nothing, with the same subject key as the switched lake."""
    project = DbtProject(PROJECT_ROOT, work)
    project.write_subject_key(SUBJECT_KEY)
    run = project.dbt("build", variables={"landing_root": str(landing.root), "consent_policy": policy})
    assert run.returncode == 0, run.output[-6000:]
    return contents(project)


@pytest.fixture(scope="module")
def fresh(landing: Landing, tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, list[tuple]]]:
    """Each policy's lake built from nothing."""
    return {
        policy: fresh_lake(landing, policy, tmp_path_factory.mktemp(f"fresh-{policy}"))
        for policy in ("as_of_consent", "any_time")
    }


def test_each_switch_of_policy_rebuilds_every_zone_and_export_in_the_next_build(
    landing: Landing, fresh: dict[str, dict[str, list[tuple]]], tmp_path: Path
) -> None:
    project = DbtProject(PROJECT_ROOT, tmp_path / "lake")
    project.write_subject_key(SUBJECT_KEY)
    for policy in ("as_of_consent", "any_time", "as_of_consent"):
        variables = {"landing_root": str(landing.root), "consent_policy": policy}
        run = project.dbt("build", variables=variables)  # no --full-refresh: as docs/privacy.md shows it
        assert run.returncode == 0, run.output[-6000:]
        assert contents(project) == fresh[policy], policy
        parquet = project.export_dir / f"machine_learning_curated__{policy}.parquet"
        columns = COMPARED["stedi_curated.machine_learning_curated"]
        exported = project.query(f"select {columns} from read_parquet('{parquet}')")
        assert sorted(exported, key=repr) == fresh[policy]["stedi_curated.machine_learning_curated"]
        metadata = dict(
            project.query(
                "select decode(key), decode(value) from parquet_kv_metadata(?) "
                "where decode(key) = 'stedi.consent_policy'",
                [str(parquet)],
            )
        )
        assert metadata == {"stedi.consent_policy": policy}
    assert sorted(path.name for path in project.export_dir.glob("*.parquet")) == [
        "machine_learning_curated__any_time.parquet",
        "machine_learning_curated__as_of_consent.parquet",
    ]


def test_on_athena_a_switch_of_policy_rebuilds_every_zone_in_the_next_build(
    landing: Landing, local_athena: AthenaLocal, tmp_path: Path
) -> None:
    """The same switch on Trino: the merge over every row of the Iceberg table, one way (the
    other is the same statement). It runs on the worker of the Athena tests, so it builds the one
    fresh lake it compares with rather than both (`fresh`, for the local test)."""
    database = "ci_switch_landing"
    land(local_athena, landing.root, "switch", database)
    athena = DbtProject(PROJECT_ROOT, tmp_path / "athena")
    env = athena_env(local_athena, "ci_switch")
    for policy in ("as_of_consent", "any_time"):
        variables = {"landing_schema": database, "consent_policy": policy}
        run = athena.dbt("build", *SCENARIO_BUILD, variables=variables, env=env)
        assert run.returncode == 0, run.output[-6000:]
    relations = model_relations(run.target_path)
    switched = {}
    for table, columns in COMPARED.items():
        schema, identifier = relations[table.split(".")[1]]
        rows = athena_query(local_athena, f'select {columns} from "{schema}"."{identifier}"')
        switched[table] = sorted((tuple(row) for row in rows), key=repr)
    assert switched == fresh_lake(landing, "any_time", tmp_path / "fresh-any_time")
