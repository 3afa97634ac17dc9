"""A hostile landing zone (tests/python/hostile_landing.py) builds green on both engines, and each of
its cases ends where the landing contract says: quarantined with its reason, a customer kept
without consent, or admitted; the zones hold exactly what the consenting customers' usable
readings make. The Athena build (local Athena, real Trino) must make the same of every case.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

import pytest

from conftest import PROJECT_ROOT, DbtProject, HostileLakeOnAthena
from hostile_landing import HostileLanding, outcomes, write_hostile_landing
from reference_pipeline import evaluate
from test_athena_target import model_relations


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


def test_every_hostile_case_ends_the_same_on_athena(hostile_lake_on_athena: HostileLakeOnAthena) -> None:
    """The Athena build of the same set (every model and data test, on the local Athena; the build
    the publication history goes on from: conftest.hostile_lake_on_athena) makes the same of it."""
    lake = hostile_lake_on_athena
    assert lake.run.returncode == 0, lake.run.output
    assert lake.outcomes == expected(lake.landing)
