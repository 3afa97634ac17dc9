"""Incremental runs of the athena target on the local Athena (real Trino, Iceberg over Glue and S3).

The deliveries of test_incremental.py land in the emulated S3 one after the other (`stedi land`
uploads only what is new); after each, `dbt build --target athena` runs incrementally. A run with
no new landing file must commit no Iceberg snapshot to the ledgers, and after the second delivery
every table equals, row for row, what the local target builds from all the files in one go.
"""

from __future__ import annotations

import subprocess
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from athena_local import AthenaLocal

from conftest import BIN, PROJECT_ROOT, DbtProject, Landing
from test_athena_target import (
    BUCKET,
    SUBJECT_KEY,
    WITHOUT_UNIT_TESTS,
    athena_env,
    athena_query,
    athena_rows,
    aws_env,
    client_settings,
    comparable_columns,
    duckdb_rows,
    model_relations,
)
from test_athena_target import local_athena as local_athena  # the module fixture, shared
from test_incremental import POLICIES, deliver_first, deliver_second, make_deliveries

LANDING_DATABASE = "ci_incremental_landing"
LEDGERS = ("stg_stedi__accelerometer_ledger", "stg_stedi__step_trainer_ledger")


def land(local_athena: AthenaLocal, root: Path, prefix: str) -> None:
    command = [str(BIN / "stedi"), "land", "--from", str(root), "--bucket", BUCKET, "--prefix", prefix]
    command += ["--database", LANDING_DATABASE]
    environment = {**DbtProject.base_env(), **aws_env(local_athena)}
    completed = subprocess.run(command, env=environment, capture_output=True, text=True, check=False)
    assert completed.returncode == 0, completed.stderr


def ledger_contents(query: Callable[[str], list[tuple]], schema: str, table: str) -> Counter[tuple]:
    """A ledger without its engine-specific row_key, withheld counts summed per customer or device:
    after a withdrawal the incremental ledger no longer knows which files held the withdrawn
    readings, a full build does."""
    key = "customer_email" if "accelerometer" in table else "serial_number"
    relation = f'"{schema}"."{table}"'
    kept = query(
        f"select row_type, landing_file, reject_reason, {key}, reading_epoch_ms, landing_record_count "
        f"from {relation} where row_type <> 'withheld'"
    )
    withheld = query(
        f"select {key}, sum(landing_record_count) from {relation} where row_type = 'withheld' group by 1"
    )
    return Counter(kept) + Counter(withheld)


def queries_sent(local_athena: AthenaLocal) -> dict[str, str]:
    """Query execution id -> the SQL, of every query the local Athena has been sent."""
    client = boto3.client("athena", **client_settings(local_athena))
    ids = [
        query_id
        for page in client.get_paginator("list_query_executions").paginate(WorkGroup="primary")
        for query_id in page["QueryExecutionIds"]
    ]
    sent = {}
    for start in range(0, len(ids), 50):
        answer = client.batch_get_query_execution(QueryExecutionIds=ids[start : start + 50])
        sent |= {execution["QueryExecutionId"]: execution["Query"] for execution in answer["QueryExecutions"]}
    return sent


def snapshots(local_athena: AthenaLocal, schema: str, table: str) -> int:
    rows = athena_rows(local_athena, schema, f"{table}$snapshots", "count(*)")
    return next(iter(rows))[0]


@pytest.fixture(scope="module", params=POLICIES)
def deliveries_on_athena(
    request: pytest.FixtureRequest,
    local_athena: AthenaLocal,
    landing_with_defects: Landing,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[dict[str, Any]]:
    policy = request.param
    work = tmp_path_factory.mktemp(f"athena-incremental-{policy}")
    deliveries = make_deliveries(landing_with_defects, work / "complete")
    root = work / "landing"
    deliver_first(deliveries, root)
    prefix = f"incremental-{policy.replace('_', '-')}"
    variables = {"consent_policy": policy, "landing_schema": LANDING_DATABASE}
    env = athena_env(local_athena, f"ci_inc_{policy}")
    athena = DbtProject(PROJECT_ROOT, work / "athena")
    land(local_athena, root, prefix)
    sent_before = queries_sent(local_athena)
    runs = [athena.dbt("build", *WITHOUT_UNIT_TESTS, variables=variables, env=env)]
    relations = model_relations(runs[0].target_path)
    before = {ledger: snapshots(local_athena, *relations[ledger]) for ledger in LEDGERS}
    runs.append(athena.dbt("build", *WITHOUT_UNIT_TESTS, variables=variables, env=env))  # nothing new
    after = {ledger: snapshots(local_athena, *relations[ledger]) for ledger in LEDGERS}
    deliver_second(deliveries, root)
    land(local_athena, root, prefix)
    runs.append(athena.dbt("build", *WITHOUT_UNIT_TESTS, variables=variables, env=env))
    sent = [sql for query_id, sql in queries_sent(local_athena).items() if query_id not in sent_before]
    local = DbtProject(PROJECT_ROOT, work / "local")
    local_run = local.dbt(
        "build",
        "--full-refresh",
        variables={"consent_policy": policy, "landing_root": str(deliveries.complete)},
        env={"STEDI_SUBJECT_KEY": SUBJECT_KEY},
    )
    yield {
        "runs": runs,
        "snapshots": (before, after),
        "local": local,
        "local_run": local_run,
        "deliveries": deliveries,
        "queries": sent,
    }


def test_every_incremental_athena_build_is_green(deliveries_on_athena: dict[str, Any]) -> None:
    for run in deliveries_on_athena["runs"]:
        assert run.returncode == 0, run.output[-6000:]


def test_a_run_with_no_new_landing_file_commits_no_iceberg_snapshot(
    deliveries_on_athena: dict[str, Any],
) -> None:
    before, after = deliveries_on_athena["snapshots"]
    assert after == before


def test_the_ledgers_learn_the_landing_files_from_the_inventory_not_by_reading_them(
    deliveries_on_athena: dict[str, Any],
) -> None:
    """On Athena, listing files with "$path" reads every landing byte; `stedi land` wrote the
    inventory, so no build may have sent that scan."""
    queries = deliveries_on_athena["queries"]
    assert queries
    assert any("landing_inventory" in sql for sql in queries)
    assert not [sql for sql in queries if 'distinct "$path"' in sql]


def test_incremental_athena_tables_equal_a_full_local_build_row_for_row(
    deliveries_on_athena: dict[str, Any],
    local_athena: AthenaLocal,
) -> None:
    local = deliveries_on_athena["local"]
    assert deliveries_on_athena["local_run"].returncode == 0, deliveries_on_athena["local_run"].output[-4000:]
    athena_relations = model_relations(deliveries_on_athena["runs"][-1].target_path)
    local_relations = model_relations(deliveries_on_athena["local_run"].target_path)
    different = []
    for model, (schema, table) in sorted(athena_relations.items()):
        if model.startswith("base_stedi__"):
            continue  # views of the landing files where they lie: compared in test_athena_target.py
        if model in LEDGERS:
            on_athena = ledger_contents(lambda sql: athena_query(local_athena, sql), schema, table)
            locally = ledger_contents(local.query, *local_relations[model])
        else:
            columns = comparable_columns(local, model, *local_relations[model])
            on_athena = athena_rows(local_athena, schema, table, columns)
            locally = duckdb_rows(local, *local_relations[model], columns)
        if on_athena != locally:
            different.append(model)
    assert not different, different
