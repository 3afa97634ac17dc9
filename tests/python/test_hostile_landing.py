"""A hostile landing zone (tests/python/hostile_landing.py) builds green on both engines, and each of
its cases ends where the landing contract says: quarantined with its reason, a customer kept
without consent, or admitted; the zones hold exactly what the consenting customers' usable
readings make. The Athena build (local Athena, real Trino) must make the same of every case.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from athena_local import AthenaLocal

from conftest import PROJECT_ROOT, DbtProject
from hostile_landing import HostileLanding, write_hostile_landing
from reference_pipeline import evaluate
from test_athena_target import athena_env, athena_query, land, local_athena, model_relations

__all__ = ["local_athena"]  # the fixture: the local Athena with the lake's bucket and subject key

QUARANTINES = {
    "customer": "quarantined_customer_records",
    "accelerometer": "quarantined_accelerometer_readings",
    "step_trainer": "quarantined_step_trainer_readings",
}
ZONES = ("customer_trusted", "accelerometer_trusted", "step_trainer_trusted", "machine_learning_curated")

Query = Callable[[str], list[tuple]]


def outcomes(query: Query, relation: Callable[[str], str]) -> dict[str, Any]:
    """What a build made of the landing set, in the terms HostileLanding states them."""
    quarantined = {}
    for entity, model in QUARANTINES.items():
        rows = query(f"select reject_reason, sum(landing_record_count) from {relation(model)} group by 1")
        quarantined[entity] = Counter({reason: int(count) for reason, count in rows})
    staged = {email for (email,) in query(f"select email from {relation('stg_stedi__customers')}")}
    trusted = {email for (email,) in query(f"select email from {relation('customer_trusted')}")}
    return {
        "quarantined": quarantined,
        "consenting": trusted,
        "kept_without_consent": staged - trusted,
        "zones": {model: int(query(f"select count(*) from {relation(model)}")[0][0]) for model in ZONES},
    }


def expected(hostile: HostileLanding) -> dict[str, Any]:
    return {
        "quarantined": hostile.quarantined,
        "consenting": hostile.consenting,
        "kept_without_consent": hostile.kept_without_consent,
        "zones": hostile.zones,
    }


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> HostileLanding:
    return write_hostile_landing(tmp_path_factory.mktemp("hostile") / "landing")


@pytest.fixture(scope="module")
def local_build(hostile: HostileLanding, tmp_path_factory: pytest.TempPathFactory) -> DbtProject:
    project = DbtProject(PROJECT_ROOT, tmp_path_factory.mktemp("hostile-local"))
    run = project.dbt("build", "--full-refresh", variables={"landing_root": str(hostile.root)})
    assert run.returncode == 0, run.output
    return project


def test_the_hostile_set_has_at_least_thirty_cases(hostile: HostileLanding) -> None:
    assert len(hostile.cases) >= 30, hostile.cases


def test_an_independent_reader_of_the_files_agrees_with_the_expectations(hostile: HostileLanding) -> None:
    """reference_pipeline.py reads the same files with plain Python and the contract's rules."""
    reference = evaluate(hostile.root)
    rejects = {
        entity: Counter({reason: count for reason, count in counts.items() if count})
        for entity, counts in reference["rejects"].items()
    }
    assert rejects == hostile.quarantined
    for policy in ("as_of_consent", "any_time"):
        zones = reference["zones"][policy]
        assert {model: zones[model] for model in hostile.zones} == hostile.zones, policy


def test_every_hostile_case_ends_where_the_landing_contract_says_locally(
    hostile: HostileLanding, local_build: DbtProject
) -> None:
    relations = model_relations(local_build.work_dir / "target-1")

    def relation(model: str) -> str:
        schema, table = relations[model]
        return f'"{schema}"."{table}"'

    assert outcomes(local_build.query, relation) == expected(hostile)


def test_a_consenting_customer_keeps_a_name_beyond_ascii_and_loses_only_a_mistyped_phone(
    local_build: DbtProject,
) -> None:
    relations = model_relations(local_build.work_dir / "target-1")
    schema, table = relations["customer_trusted"]
    rows = local_build.query(
        f'select customer_name, phone from "{schema}"."{table}" where email = \'ok.two@example.com\''
    )
    assert rows == [("Zoë Ångström", None)]


def test_freshness_ignores_readings_dated_in_the_future(
    hostile: HostileLanding, local_build: DbtProject
) -> None:
    """The set's newest plausible reading is from 2022: a reading dated 2100 must not make the
    sources look fresh."""
    run = local_build.dbt("source", "freshness", variables={"landing_root": str(hostile.root)})
    results = json.loads((run.target_path / "sources.json").read_text())["results"]
    assert {result["unique_id"].rsplit(".", 1)[-1]: result["status"] for result in results} == {
        "accelerometer_landing": "error",
        "step_trainer_landing": "error",
    }


def test_every_hostile_case_ends_the_same_on_athena(
    hostile: HostileLanding, local_athena: AthenaLocal, tmp_path: Path
) -> None:
    database = "ci_hostile_landing"
    land(local_athena, hostile.root, "hostile", database)
    athena = DbtProject(PROJECT_ROOT, tmp_path / "athena")
    env = athena_env(local_athena, "ci_hostile")
    run = athena.dbt(
        "build", "--exclude", "resource_type:unit_test", variables={"landing_schema": database}, env=env
    )
    assert run.returncode == 0, run.output
    relations = model_relations(run.target_path)

    def relation(model: str) -> str:
        schema, table = relations[model]
        return f'"{schema}"."{table}"'

    def query(sql: str) -> list[tuple]:
        return [tuple(row) for row in athena_query(local_athena, sql)]

    assert outcomes(query, relation) == expected(hostile)
