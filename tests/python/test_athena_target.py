"""The athena target, proven offline on Athena's own engine, incrementally as production runs it.

Under each consent policy, the deliveries of test_incremental.py land in the local Athena on
127.0.0.1 one after the other (`stedi land` uploads only what is new; the second delivery holds a
late file, withdrawals and late consents). After the first, `dbt build --target athena` runs
(models, data tests, unit tests, contracts, seed), then again with nothing new (no Iceberg
snapshot may be committed to the ledgers), then after the second delivery. Its every table and
view must then equal, row for row and to the millisecond, what the local DuckDB target builds from
all the files in one go, subject_id included: both engines read the same subject key from their
restricted table, and no query sent to Athena, no compiled file and no log holds it.

The local Athena (harness/, package athena_local) serves S3, Glue and STS with moto and hands every
query dbt-athena sends to Trino 476, whose Hive and Iceberg connectors use that Glue and S3. What
it cannot prove (IAM, Lake Formation, Athena's own patches to Trino, cost) is in docs/local-athena.md.
"""

from __future__ import annotations

import gzip
import json
import random
import re
import shutil
import subprocess
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import boto3
import duckdb
import pytest
from athena_local import AthenaLocal, glue_extras
from pyathena import connect as pyathena_connect

from conftest import BIN, PROJECT_ROOT, DbtProject, IamPolicy, Landing, copy_project, pii_registry
from test_incremental import deliver_first, deliver_second, erased_identifiers, make_deliveries

REGION = "us-east-1"
BUCKET = "stedi-lake"
SUBJECT_KEY = "offline-harness-key-not-a-secret-0123456789"
# The builds of a scenario on the local Athena (a run with nothing new, a switch of policy, a
# retired landing file, a failing build and its publication): the models, snapshot
# and seed, and the singular tests (tests/privacy/, tests/audit/), which decide publication;
# not the generic data tests of the models' YAML. Those run on Athena in the first build of the
# history below and in the hostile landing's build (test_hostile_landing.py), and in every local
# build; a scenario asserts what it is about. (The history's later builds are scenarios too: that
# their merges keep every row right is what comparing each table with a full local build proves,
# row for row, and more strictly than the data tests would.)
# They are about 90 of an Athena build's 98 test queries and over a third of its time. (No unit
# test runs unless a test asks: conftest.without_unit_tests.)
SCENARIO_BUILD = ("--exclude", "test_type:generic")
# The policy of the Athena history (athena_builds), whose first build also runs the unit tests
# and tags the PII columns in Lake Formation. One policy, not both: each history costs about
# six minutes of the suite, and what the other adds is covered elsewhere: Athena under any_time
# equals the local build after a switch of policy (test_consent_policy_switch.py), and an
# incremental history equals a full build under both policies locally (test_incremental.py),
# from the same SQL.
LAKE_FORMATION_POLICY = "as_of_consent"
POLICIES = (LAKE_FORMATION_POLICY,)
LEDGERS = ("stg_stedi__accelerometer_ledger", "stg_stedi__step_trainer_ledger")
# The tables a run merges into, rather than rebuilds: a run with nothing new must commit nothing.
MERGED = (*LEDGERS, "accelerometer_trusted", "step_trainer_trusted")


def aws_env(local_athena: AthenaLocal) -> dict[str, str]:
    return {
        "AWS_ENDPOINT_URL": local_athena.endpoint_url,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_REGION": REGION,
        "AWS_DEFAULT_REGION": REGION,
        "AWS_EC2_METADATA_DISABLED": "true",
    }


def client_settings(local_athena: AthenaLocal) -> dict[str, str]:
    return {
        "endpoint_url": local_athena.endpoint_url,
        "region_name": REGION,
        "aws_access_key_id": "testing",
        "aws_secret_access_key": "testing",
    }


def glue_tables(local_athena: AthenaLocal, database: str) -> set[str]:
    """The names of the Glue tables of `database` (none when it does not exist)."""
    glue = boto3.client("glue", **client_settings(local_athena))
    try:
        return {table["Name"] for table in glue.get_tables(DatabaseName=database)["TableList"]}
    except glue.exceptions.EntityNotFoundException:
        return set()


def athena_env(local_athena: AthenaLocal, schema_prefix: str) -> dict[str, str]:
    return {
        **aws_env(local_athena),
        # One botocore loader per dbt process: see athena_client/sitecustomize.py.
        "PYTHONPATH": str(Path(__file__).parent / "athena_client"),
        "STEDI_TARGET": "athena",
        "STEDI_S3_STAGING_DIR": f"s3://{BUCKET}/athena-results/",
        "STEDI_S3_DATA_DIR": f"s3://{BUCKET}/lakehouse/",
        "STEDI_SCHEMA_PREFIX": schema_prefix,
    }


def built_relations(run_target: Path) -> dict[str, tuple[str, str, str]]:
    """model or snapshot name -> (schema, identifier, materialization), from the run's manifest;
    not the ephemeral models (models/privacy/), which have no relation."""
    manifest = json.loads((run_target / "manifest.json").read_text())
    return {
        node["name"]: (node["schema"], node["alias"], node["config"]["materialized"])
        for node in manifest["nodes"].values()
        if node["resource_type"] in ("model", "snapshot") and node["config"]["materialized"] != "ephemeral"
    }


def model_relations(run_target: Path) -> dict[str, tuple[str, str]]:
    """model name -> (schema, identifier) of every model the run built, from its manifest."""
    return {
        name: (schema, table)
        for name, (schema, table, materialized) in built_relations(run_target).items()
        if materialized != "snapshot"
    }


def athena_connection(local_athena: AthenaLocal) -> Any:
    """A connection to the local Athena, through the Athena API as a data tool (pyathena) opens one."""
    return pyathena_connect(
        s3_staging_dir=f"s3://{BUCKET}/athena-results/",
        region_name=REGION,
        work_group="primary",
        endpoint_url=local_athena.endpoint_url,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        poll_interval=0.01,
    )


def athena_cursor(local_athena: AthenaLocal) -> Any:
    return athena_connection(local_athena).cursor()


def athena_query(local_athena: AthenaLocal, sql: str) -> list[tuple[Any, ...]]:
    """The rows a query answers, sent through the Athena API as a data tool (pyathena) sends it."""
    cursor = athena_cursor(local_athena)
    cursor.execute(sql)
    return [tuple(row) for row in cursor.fetchall()]


def athena_rows(
    local_athena: AthenaLocal, schema: str, table: str, columns: str = "*"
) -> Counter[tuple[Any, ...]]:
    return Counter(athena_query(local_athena, f'select {columns} from "{schema}"."{table}"'))


def duckdb_rows(project: DbtProject, schema: str, table: str, columns: str = "*") -> Counter[tuple[Any, ...]]:
    return Counter(project.query(f'select {columns} from "{schema}"."{table}"'))


# Columns each engine fills in its own words: where it found a landing file (a local path, an
# s3:// key), a ledger's row key, which holds the engine's text of a double ('1.0', '1.0E0'), and
# when the run that wrote a row started (a ledger row read, an erasure request first applied).
ENGINE_SPECIFIC_COLUMNS = {
    "base_stedi__customer_records": ("landing_file",),
    "base_stedi__accelerometer_records": ("landing_file",),
    "base_stedi__step_trainer_records": ("landing_file",),
    "stg_stedi__accelerometer_ledger": ("row_key", "read_at"),
    "stg_stedi__step_trainer_ledger": ("row_key", "read_at"),
    "stg_stedi__accelerometer_readings": ("read_at",),
    "stg_stedi__step_trainer_readings": ("read_at",),
    "int_accelerometer_readings_attributed": ("read_at",),
    "int_step_trainer_readings_attributed": ("read_at",),
    "accelerometer_trusted": ("read_at",),
    "step_trainer_trusted": ("read_at",),
    "erasure_log": ("first_applied_at",),
}


def comparable_columns(project: DbtProject, model: str, schema: str, table: str) -> str:
    """The model's columns but the engine-specific ones, as a select list."""
    if model not in ENGINE_SPECIFIC_COLUMNS:
        return "*"
    rows = project.query(
        "select column_name from information_schema.columns where table_schema = ? and table_name = ? "
        "order by ordinal_position",
        [schema, table],
    )
    return ", ".join(f'"{name}"' for (name,) in rows if name not in ENGINE_SPECIFIC_COLUMNS[model])


@pytest.fixture(scope="module")
def local_athena(athena: AthenaLocal) -> Iterator[AthenaLocal]:
    """The local Athena with the lake's bucket and its subject key (`stedi subject-key`)."""
    yield with_lake_bucket_and_key(athena)


def with_lake_bucket_and_key(athena: AthenaLocal) -> AthenaLocal:
    """`athena` with the lake's bucket and its subject key, as `stedi subject-key` writes it (again
    the same key, when another module made it before)."""
    session = boto3.session.Session(
        aws_access_key_id="testing", aws_secret_access_key="testing", region_name=REGION
    )
    session.client("s3", endpoint_url=athena.endpoint_url).create_bucket(Bucket=BUCKET)
    command = [str(BIN / "stedi"), "subject-key", "--bucket", BUCKET, "--from-stdin"]
    environment = {**DbtProject.base_env(), **aws_env(athena)}
    keyed = subprocess.run(
        command, input=SUBJECT_KEY, env=environment, capture_output=True, text=True, check=False
    )
    assert keyed.returncode == 0, keyed.stderr
    assert SUBJECT_KEY not in keyed.stdout + keyed.stderr
    return athena


def land(local_athena: AthenaLocal, root: Path, prefix: str, database: str) -> None:
    command = [str(BIN / "stedi"), "land", "--from", str(root), "--bucket", BUCKET, "--prefix", prefix]
    environment = {**DbtProject.base_env(), **aws_env(local_athena)}
    completed = subprocess.run(
        [*command, "--database", database], env=environment, capture_output=True, text=True, check=False
    )
    assert completed.returncode == 0, completed.stderr


@pytest.fixture(scope="module")
def landed(local_athena: AthenaLocal, landing_with_defects: Landing) -> Landing:
    """The generated landing data in the emulated S3, with its Glue tables (`stedi land`)."""
    land(local_athena, landing_with_defects.root, "landing", "stedi_landing")
    return landing_with_defects


def ledger_contents(query: Callable[[str], list[tuple]], schema: str, table: str) -> Counter[tuple]:
    """A ledger without its engine-specific row_key, withheld counts summed per customer or device
    and erased counts summed: after a withdrawal or an erasure the incremental ledger no longer
    knows which files held the readings it let go, a full build does."""
    key = "customer_email" if "accelerometer" in table else "serial_number"
    relation = f'"{schema}"."{table}"'
    kept = query(
        f"select row_type, landing_file, reject_reason, {key}, reading_epoch_ms, landing_record_count "
        f"from {relation} where row_type not in ('withheld', 'erased')"
    )
    withheld = query(
        f"select {key}, sum(landing_record_count) from {relation} where row_type = 'withheld' group by 1"
    )
    erased = query(f"select 'erased', sum(landing_record_count) from {relation} where row_type = 'erased'")
    return Counter(kept) + Counter(withheld) + Counter(erased)


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


def create_lake_formation_tag(local_athena: AthenaLocal) -> None:
    client = boto3.client("lakeformation", **client_settings(local_athena))
    if not any(tag["TagKey"] == "data_classification" for tag in client.list_lf_tags().get("LFTags", [])):
        client.create_lf_tag(TagKey="data_classification", TagValues=["pii"])


# Readings over more days than Athena writes partitions in one statement (100): the builds below
# prove that a first build and a late consent at production age are still one statement a table.
# Not many more: a build's time grows with the readings.
READING_DAYS = 110


@pytest.fixture(scope="module")
def landing_at_production_age(tmp_path_factory: pytest.TempPathFactory) -> Landing:
    """The generated landing data with every defect, its readings spread over READING_DAYS days."""
    out = tmp_path_factory.mktemp("landing-production-age")
    return Landing.generate(
        out,
        "--customers",
        "150",
        "--seed",
        "7",
        "--defects",
        "all",
        "--reading-days",
        str(READING_DAYS),
        "--force",
    )


@pytest.fixture(scope="module", params=POLICIES)
def athena_builds(
    request: pytest.FixtureRequest,
    local_athena: AthenaLocal,
    landing_at_production_age: Landing,
    tmp_path_factory: pytest.TempPathFactory,
) -> dict[str, Any]:
    """Two deliveries built incrementally on Athena under one policy, and all of it locally at once."""
    policy = request.param
    work = tmp_path_factory.mktemp(f"athena-{policy}")
    deliveries = make_deliveries(landing_at_production_age, work / "complete")
    root = work / "landing"
    deliver_first(deliveries, root)
    prefix, database = f"landing-{policy.replace('_', '-')}", f"ci_landing_{policy}"
    lake_formation = policy == LAKE_FORMATION_POLICY
    if lake_formation:
        create_lake_formation_tag(local_athena)
    variables = {"consent_policy": policy, "landing_schema": database}
    env = athena_env(local_athena, f"ci_{policy}")
    athena = DbtProject(PROJECT_ROOT, work / "athena")
    land(local_athena, root, prefix, database)
    sent_before = queries_sent(local_athena)
    requests_before = len(local_athena.requests)  # from here: the builds' calls (and snapshot counts)
    # Under LAKE_FORMATION_POLICY the first build also runs the unit tests (independent of the
    # data and of the build's policy: each sets its own consent_policy; a few Trino queries each,
    # so once is enough) and tags the PII columns. Only the first: moto's
    # RemoveLFTagsFromResource, which a rebuild sends, fails with a 500 (list.remove of a tag it
    # stores in another form).
    first_variables = {**variables, "lake_formation_tags": lake_formation}
    runs = [athena.dbt("build", variables=first_variables, env=env, unit_tests=lake_formation)]
    relations = model_relations(runs[0].target_path)
    requests_untagged = len(local_athena.requests)  # from here: builds with lake_formation_tags off
    before = {table: snapshots(local_athena, *relations[table]) for table in MERGED}
    runs.append(athena.dbt("build", *SCENARIO_BUILD, variables=variables, env=env))  # nothing new
    after = {table: snapshots(local_athena, *relations[table]) for table in MERGED}
    deliver_second(deliveries, root)
    land(local_athena, root, prefix, database)
    runs.append(athena.dbt("build", *SCENARIO_BUILD, variables=variables, env=env))
    aws_requests = local_athena.requests[requests_before:]
    sent = [sql for query_id, sql in queries_sent(local_athena).items() if query_id not in sent_before]
    local = DbtProject(PROJECT_ROOT, work / "local")
    local.write_subject_key(SUBJECT_KEY)
    local_run = local.dbt(
        "build",
        "--full-refresh",
        variables={"consent_policy": policy, "landing_root": str(deliveries.complete)},
    )
    return {
        "policy": policy,
        "deliveries": deliveries,
        "athena": athena,
        "runs": runs,
        "snapshots": (before, after),
        "aws_requests": aws_requests,
        "aws_requests_untagged": local_athena.requests[requests_untagged:],
        "queries": sent,
        "local": local,
        "local_run": local_run,
    }


def test_first_athena_build_passes_models_tests_unit_tests_and_contracts(
    athena_builds: dict[str, Any],
) -> None:
    first_build = athena_builds["runs"][0]
    assert first_build.returncode == 0, first_build.output[-6000:]
    statuses = {node: status for node, status in first_build.results().items()}
    assert set(statuses.values()) <= {"success", "pass", "no-op"}, statuses
    kinds = {node.split(".")[0] for node in statuses}
    unit_tests = {"unit_test"} if athena_builds["policy"] == LAKE_FORMATION_POLICY else set()
    assert {"model", "test", "seed", "snapshot"} | unit_tests <= kinds


def test_the_ledger_tests_of_an_athena_build_read_the_rows_it_stamped(
    athena_builds: dict[str, Any], local_athena: AthenaLocal
) -> None:
    """The build's own instant, written into a `where: written_by_latest_run` test's SQL, selects
    the rows that build stamped on Athena too (timestamp(6) literal against the stored read_at):
    a mismatch would leave the ledger tests reading nothing and passing."""
    filters = athena_builds["runs"][0].latest_run_filters()
    assert len(filters) >= 4, sorted(filters)
    for test, subquery in filters.items():
        assert "read_at = cast('" in subquery, (test, subquery)
        assert athena_query(local_athena, f"select count(*) from {subquery} as stamped")[0][0] > 0, test


def test_every_incremental_athena_build_is_green(athena_builds: dict[str, Any]) -> None:
    for run in athena_builds["runs"]:
        assert run.returncode == 0, run.output[-6000:]


def test_a_run_with_no_new_landing_file_commits_no_iceberg_snapshot(athena_builds: dict[str, Any]) -> None:
    before, after = athena_builds["snapshots"]
    assert after == before


def test_the_ledgers_learn_the_landing_files_from_the_inventory_not_by_reading_them(
    athena_builds: dict[str, Any],
) -> None:
    """On Athena, listing files with "$path" reads every landing byte; `stedi land` wrote the
    inventory, so no build may have sent that scan."""
    queries = athena_builds["queries"]
    assert queries
    assert any("landing_inventory" in sql for sql in queries)
    assert not [sql for sql in queries if 'distinct "$path"' in sql]


def test_the_reading_tables_are_partitioned_by_month_over_more_days_than_one_statement_may_write(
    athena_builds: dict[str, Any], local_athena: AthenaLocal
) -> None:
    """Athena writes at most 100 partitions a statement (the local Athena too: a probe in
    harness/tests/test_athena_local.py), and a lake's readings span years: the ledgers and the
    trusted reading tables are partitioned by month (of ledger_day, of reading_at), so a first
    build and a late consent over READING_DAYS days are each one statement a table (the builds
    are green, equal the local build, and a run with nothing new commits nothing). A reading's
    ledger_day is its instant's day, every other ledger row's 1970-01-01."""
    relations = model_relations(athena_builds["runs"][0].target_path)
    for table, column in [(ledger, "ledger_day") for ledger in LEDGERS] + [
        ("accelerometer_trusted", "reading_at"),
        ("step_trainer_trusted", "reading_at"),
    ]:
        schema, name = relations[table]
        relation = f'"{schema}"."{name}"'
        # $partitions counts the rows of data files, deleted ones too (a merge's deletes are
        # delete files), so the months are compared, not their counts.
        partition_months = athena_query(
            local_athena, f'select partition.{column}_month from "{schema}"."{name}$partitions"'
        )
        months = athena_query(
            local_athena,
            f"select distinct (year({column}) - 1970) * 12 + month({column}) - 1 from {relation}",
        )
        assert set(months) <= set(partition_months) and len(months) >= 4, table
        span = athena_query(
            local_athena,
            f"select date_diff('day', min({column}), max({column})) from {relation} "
            f"where {column} > date '2000-01-01'",
        )
        assert span[0][0] > 100, (table, span)
    for ledger in LEDGERS:
        schema, name = relations[ledger]
        misplaced = athena_query(
            local_athena,
            f'select count(*) from "{schema}"."{name}" where ledger_day != case when row_type = \'reading\' '
            "then cast(reading_at as date) else date '1970-01-01' end",
        )
        assert misplaced == [(0,)], ledger


def test_every_model_on_athena_equals_a_full_local_build_row_for_row(
    athena_builds: dict[str, Any], local_athena: AthenaLocal
) -> None:
    local = athena_builds["local"]
    assert athena_builds["local_run"].returncode == 0, athena_builds["local_run"].output[-4000:]
    athena_relations = model_relations(athena_builds["runs"][-1].target_path)
    local_relations = model_relations(athena_builds["local_run"].target_path)
    assert athena_relations.keys() == local_relations.keys()
    different = []
    for model, (schema, table) in sorted(athena_relations.items()):
        if model in LEDGERS:
            on_athena = ledger_contents(lambda sql: athena_query(local_athena, sql), schema, table)
            locally = ledger_contents(local.query, *local_relations[model])
        else:
            columns = comparable_columns(local, model, *local_relations[model])
            on_athena = athena_rows(local_athena, schema, table, columns)
            locally = duckdb_rows(local, *local_relations[model], columns)
        if on_athena != locally:
            different.append((model, sum(on_athena.values()), sum(locally.values())))
    assert not different, different


def athena_text_columns(local_athena: AthenaLocal, schemas: set[str]) -> dict[tuple[str, str], list[str]]:
    """(schema, table) -> its varchar columns, for every table and view of `schemas` (each one a
    key, with or without text columns): one query of the information schema, not one a relation."""
    listed = ", ".join(f"'{schema}'" for schema in sorted(schemas))
    rows = athena_query(
        local_athena,
        "select table_schema, table_name, column_name, data_type from information_schema.columns "
        f"where table_schema in ({listed}) order by ordinal_position",
    )
    columns: dict[tuple[str, str], list[str]] = {}
    for schema, table, column, data_type in rows:
        text = columns.setdefault((schema, table), [])
        if data_type.startswith("varchar"):
            text.append(column)
    return columns


def athena_text_values(
    local_athena: AthenaLocal,
    relation: str,
    text_columns: list[str],
    values: set[str],
    version: int | None = None,
) -> dict[str, int]:
    """column -> how many rows of `relation` (at Iceberg snapshot `version`, if given) hold one of
    `values` (trimmed, lower case), for each of its varchar columns `text_columns`."""
    if not text_columns:
        return {}
    at = f" for version as of {version}" if version is not None else ""
    listed = ", ".join("'" + value.replace("'", "''") + "'" for value in sorted(values))
    counts = ", ".join(f'count_if(lower(trim("{column}")) in ({listed}))' for column in text_columns)
    [row] = athena_query(local_athena, f"select {counts} from {relation}{at}")
    return {column: count for column, count in zip(text_columns, row, strict=True) if count}


def parquet_text_values(path: Path, values: list[str]) -> dict[str, int]:
    """column -> how many rows of the Parquet file hold one of `values`, for its text columns."""
    with duckdb.connect() as connection:
        relation = connection.execute("select * from read_parquet(?) limit 0", [str(path)])
        columns = [column[0] for column in relation.description if column[1] == "VARCHAR"]
        if not columns:
            return {}
        counts = ", ".join(f'count_if(lower(trim("{column}")) in $values)' for column in columns)
        row = connection.execute(
            f"select {counts} from read_parquet($path)", {"path": str(path), "values": values}
        ).fetchone()
    return {column: count for column, count in zip(columns, row, strict=True) if count}


def test_an_erasure_leaves_no_trace_in_any_athena_table_its_history_or_the_lake_files(
    athena_builds: dict[str, Any], local_athena: AthenaLocal, tmp_path: Path
) -> None:
    """The second delivery erases two customers. After the build that applies it:
    - no table or view the build made holds their emails, their devices' serial numbers or their
      subject_ids;
    - each Iceberg table that keeps history has one snapshot left (the run's end VACUUMed the rest),
      and it holds none of them either (time travel, FOR VERSION AS OF);
    - no Parquet file left under the lake's S3 prefixes holds them (delete files hide rows from
      queries, not from the files: the run's end OPTIMIZEd the tables first, and the files only
      expired snapshots used, and those of dropped tables, are gone);
    - erasure_log has both requests, applied."""
    deliveries = athena_builds["deliveries"]
    identifiers, counts = erased_identifiers(athena_builds["local"], deliveries)
    assert counts["customer"] and counts["accelerometer"] and counts["step_trainer"], counts
    relations = built_relations(athena_builds["runs"][-1].target_path)
    found: dict[str, int] = {}
    text_columns = athena_text_columns(local_athena, {schema for schema, _, _ in relations.values()})
    for name, (schema, table, materialized) in relations.items():
        relation = f'"{schema}"."{table}"'
        assert (schema, table) in text_columns, f"{relation} is not in the information schema"
        columns = text_columns[(schema, table)]
        now = athena_text_values(local_athena, relation, columns, identifiers)
        found |= {f"{name}.{column}": count for column, count in now.items()}
        if materialized not in ("incremental", "snapshot"):
            continue
        history = athena_query(local_athena, f'select snapshot_id from "{schema}"."{table}$snapshots"')
        if len(history) != 1:
            found[f"{name}: readable snapshots"] = len(history)
        for (snapshot_id,) in history:
            then = athena_text_values(local_athena, relation, columns, identifiers, snapshot_id)
            found |= {f"{name}@{snapshot_id}.{column}": count for column, count in then.items()}

    s3 = boto3.client("s3", **client_settings(local_athena))
    # Every zone's files: lakehouse/ci_<policy>/..., lakehouse/ci_<policy>_stedi_staging/..., ...
    prefix = f"lakehouse/ci_{athena_builds['policy']}"
    keys = [
        item["Key"]
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=BUCKET, Prefix=prefix)
        for item in page.get("Contents", [])
        if item["Key"].endswith(".parquet")
    ]
    assert keys, f"no Parquet file under s3://{BUCKET}/{prefix}"
    for number, key in enumerate(keys):
        local_copy = tmp_path / f"{number}.parquet"
        s3.download_file(BUCKET, key, str(local_copy))
        in_file = parquet_text_values(local_copy, sorted(identifiers))
        found |= {f"s3://{BUCKET}/{key}:{column}": count for column, count in in_file.items()}
    assert not found, found

    schema, table, _ = relations["erasure_log"]
    logged = f'select request_id from "{schema}"."{table}" where status = \'applied\' and customer_found'
    assert len(athena_query(local_athena, logged)) == len(deliveries.erased)


def test_the_subject_key_is_in_no_query_sent_to_athena_and_no_file_dbt_wrote(
    athena_builds: dict[str, Any],
) -> None:
    """The models name the restricted key table; the engine reads the key. The ids still equal the
    local build's (the row-for-row test above compares subject_id)."""
    queries = athena_builds["queries"]
    assert any("subject_key" in sql for sql in queries)
    assert not [sql for sql in queries if SUBJECT_KEY in sql]
    athena = athena_builds["athena"]
    written = [path for path in athena.work_dir.rglob("*") if path.is_file() and path.suffix != ".duckdb"]
    assert any(path.suffix == ".log" for path in written)
    assert not [path for path in written if SUBJECT_KEY.encode() in path.read_bytes()]


def test_the_pipeline_report_reads_the_athena_tables(
    athena_builds: dict[str, Any], local_athena: AthenaLocal, tmp_path: Path
) -> None:
    """`stedi report --target athena` (make report-athena) after the last Athena build: the page is
    written from the prefixed Athena databases with nothing missing, and the same SQL gives the
    same funnel on Trino as on the local build of the same landing data."""
    from stedi.report import AthenaLake, DuckDBLake, reconciliation_rows

    policy = athena_builds["policy"]
    output = tmp_path / "report-athena.html"
    command = [str(BIN / "stedi"), "report", "--target", "athena", "--output", str(output)]
    command += [
        "--target-path",
        str(athena_builds["runs"][-1].target_path),
        "--project-dir",
        str(PROJECT_ROOT),
    ]
    env = DbtProject.base_env() | athena_env(local_athena, f"ci_{policy}")
    run = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    assert run.returncode == 0 and "missing" not in run.stdout, run.stdout + run.stderr
    page = output.read_text()
    assert "id='missing'" not in page and f"<b>{policy}</b>" in page
    athena_lake = AthenaLake(f"ci_{policy}", connect=lambda: athena_connection(local_athena))
    local_lake = DuckDBLake(athena_builds["local"].duckdb_path)
    try:
        assert reconciliation_rows(athena_lake) == reconciliation_rows(local_lake)
    finally:
        athena_lake.close()
        local_lake.close()


def test_zones_are_in_prefixed_glue_databases_as_iceberg_at_stedi_s3_layout(
    athena_builds: dict[str, Any], local_athena: AthenaLocal
) -> None:
    glue = boto3.client("glue", **client_settings(local_athena))
    prefix = f"ci_{athena_builds['policy']}"
    expected = {
        "stedi_trusted": {
            "customer_trusted": "customer/trusted",
            "accelerometer_trusted": "accelerometer/trusted",
            "step_trainer_trusted": "step_trainer/trusted",
        },
        "stedi_curated": {
            "customers_curated": "customer/curated",
            "machine_learning_curated": "step_trainer/curated",
        },
    }
    for zone, tables in expected.items():
        for table, layout in tables.items():
            entry = glue.get_table(DatabaseName=f"{prefix}_{zone}", Name=table)["Table"]
            assert entry["Parameters"]["table_type"].upper() == "ICEBERG"
            location = entry["StorageDescriptor"]["Location"]
            assert location.startswith(f"s3://{BUCKET}/lakehouse/{prefix}/{layout}/"), location
            assert entry.get("Description"), f"{table}: persist_docs did not reach Glue"
    # The tables that keep history were OPTIMIZEd and VACUUMed at the end of the erasure's run:
    # their docs are still in Glue after those commits.
    relations = model_relations(athena_builds["runs"][-1].target_path)
    for table in MERGED:
        schema, name = relations[table]
        entry = glue.get_table(DatabaseName=schema, Name=name)["Table"]
        assert entry.get("Description"), f"{table}: its docs left Glue with the erasure's commits"


def test_a_model_using_a_function_athena_lacks_fails_the_athena_build(
    local_athena: AthenaLocal, landed: Landing, tmp_path: Path
) -> None:
    """DuckDB's epoch_ms() is not Athena's: a model using it builds locally and fails on Trino,
    as it would on Athena, so nothing that only DuckDB understands can pass the harness."""
    project_dir = copy_project(tmp_path / "project")
    probe = project_dir / "models/staging/stedi/stg_stedi__duckdb_only_probe.sql"
    probe.write_text("select epoch_ms(cast(1656700000000 as bigint)) as reading_at\n")
    project = DbtProject(project_dir, tmp_path / "work")
    selection = ("--select", "stg_stedi__duckdb_only_probe")
    local = project.dbt(
        "run", *selection, variables={"landing_root": str(landed.root)}, env={"STEDI_TARGET": "local"}
    )
    assert local.returncode == 0, local.output[-3000:]
    athena = project.dbt("run", *selection, variables={}, env=athena_env(local_athena, "ci_lacking"))
    assert athena.returncode != 0
    assert "FUNCTION_NOT_FOUND" in athena.output and "epoch_ms" in athena.output


def test_on_athena_gzip_and_jsonl_files_are_read_and_a_binary_file_stops_its_ledger(
    local_athena: AthenaLocal, tmp_path: Path
) -> None:
    """What tests/python/test_landing_files.py proves locally, on Trino's Hive table: a .json.gz,
    .jsonl.gz or .jsonl file is read whole, and a file whose lines are mostly malformed (binary)
    stops the ledger that would read it, naming the file; the other ledger goes on."""
    generated = Landing.generate(
        tmp_path / "generated", "--customers", "100", "--seed", "5", "--defects", "all"
    )
    root = tmp_path / "landing"
    shutil.copytree(generated.root, root, ignore=shutil.ignore_patterns("ground_truth.json"))
    customers = next((root / "customer/landing").glob("*.json"))
    customers.with_suffix(".jsonl.gz").write_bytes(gzip.compress(customers.read_bytes()))
    customers.unlink()
    steps = sorted((root / "step_trainer/landing").glob("*.json"))
    steps[0].with_suffix(".json.gz").write_bytes(gzip.compress(steps[0].read_bytes()))
    steps[0].unlink()
    steps[1].rename(steps[1].with_suffix(".jsonl"))
    binary = root / "accelerometer/landing/accelerometer-1656700000000.json"
    binary.write_bytes(random.Random(5).randbytes(4000))
    database = "ci_files_landing"
    command = [str(BIN / "stedi"), "land", "--from", str(root), "--bucket", BUCKET, "--prefix", "files"]
    environment = {**DbtProject.base_env(), **aws_env(local_athena)}
    landed = subprocess.run(
        [*command, "--database", database], env=environment, capture_output=True, text=True, check=False
    )
    assert landed.returncode == 0, landed.stderr

    athena = DbtProject(PROJECT_ROOT, tmp_path / "athena")
    selection = ("--select", "+stg_stedi__accelerometer_ledger", "+stg_stedi__step_trainer_readings")
    env = athena_env(local_athena, "ci_files")
    run = athena.dbt("run", *selection, variables={"landing_schema": database}, env=env)

    assert run.returncode != 0
    statuses = run.results()
    assert statuses["model.stedi.stg_stedi__accelerometer_ledger"] == "error"
    assert statuses["model.stedi.stg_stedi__step_trainer_ledger"] == "success"
    # Athena has no documented function that raises an error: a cast of the message does.
    assert "INVALID_CAST_ARGUMENT: Cannot cast 'STEDI landing files whose lines are mostly malformed" in (
        run.output
    )
    assert re.search(rf"accelerometer/landing/{binary.name} \(\d+ of \d+ lines, 100%\)", run.output)
    relations = model_relations(run.target_path)
    staged = {
        model: next(iter(athena_rows(local_athena, *relations[model], "count(*)")))[0]
        for model in ("stg_stedi__customers", "stg_stedi__step_trainer_readings")
    }
    assert staged == {model: generated.truth["staging"][model] for model in staged}
    schema, ledger = relations["stg_stedi__step_trainer_ledger"]
    read = f'select landing_file, landing_record_count from "{schema}"."{ledger}" where row_type = \'file\''
    files = dict(athena_query(local_athena, read))
    assert sum(files.values()) == generated.truth["landing_records"]["step_trainer"]
    assert {steps[0].with_suffix(".json.gz").name, steps[1].with_suffix(".jsonl").name} <= files.keys()


def test_lake_formation_tags_the_registry_pii_columns_only_when_switched_on(
    athena_builds: dict[str, Any], local_athena: AthenaLocal
) -> None:
    """The first build has var lake_formation_tags on: every model it built has exactly the PII
    columns of the registry (column meta `pii: direct`) tagged. The later builds have the default,
    off: they make no Lake Formation call at all."""
    services = {request.service for request in athena_builds["aws_requests"]}
    assert {"athena", "glue", "s3", "sts", "lakeformation"} <= services
    untagged = {request.service for request in athena_builds["aws_requests_untagged"]}
    assert {"athena", "glue", "s3"} <= untagged
    assert "lakeformation" not in untagged
    client = boto3.client("lakeformation", **client_settings(local_athena))
    plan = pii_registry(athena_builds["local"])["lake_formation_tags"]
    assert plan["model.stedi.customer_trusted"]["tags_columns"]["data_classification"]["pii"] == sorted(
        ["email", "customer_name", "phone", "birth_day", "birth_date", "serial_number"]
    )
    first_build = athena_builds["runs"][0]
    relations = model_relations(first_build.target_path)
    built = [unique_id for unique_id in first_build.results() if unique_id.startswith("model.")]
    checked = set()
    for unique_id in built:
        schema, table = relations[unique_id.split(".")[-1]]
        tags = client.get_resource_lf_tags(Resource={"Table": {"DatabaseName": schema, "Name": table}})
        tagged = {
            column["Name"]
            for column in tags.get("LFTagsOnColumns", [])
            for tag in column["LFTags"]
            if (tag["TagKey"], tag["TagValues"]) == ("data_classification", ["pii"])
        }
        lf_tags_config = plan.get(unique_id) or {"tags_columns": {"data_classification": {"pii": []}}}
        assert tagged == set(lf_tags_config["tags_columns"]["data_classification"]["pii"]), unique_id
        checked.add(unique_id.split(".")[-1])
    assert {"customer_trusted", "stg_stedi__customers", "machine_learning_curated"} <= checked


# The IAM action each API operation of an athena build needs, where it is not service:Operation.
IAM_ACTION = {
    ("s3", "ListObjects"): "s3:ListBucket",
    ("s3", "ListObjectsV2"): "s3:ListBucket",
    ("s3", "HeadBucket"): "s3:ListBucket",
    ("s3", "HeadObject"): "s3:GetObject",
    ("s3", "DeleteObjects"): "s3:DeleteObject",
    ("s3", "CreateMultipartUpload"): "s3:PutObject",
    ("s3", "UploadPart"): "s3:PutObject",
    ("s3", "CompleteMultipartUpload"): "s3:PutObject",
}
NO_PERMISSION_NEEDED = {
    ("sts", "GetCallerIdentity"),
    # Trino's own column-statistics bookkeeping, which the local Athena answers itself (Athena
    # keeps its statistics in its own service): not a call Athena makes on the user's behalf.
    *{("glue", operation) for operation in glue_extras.OPERATIONS},
}


def test_iam_policy_grants_every_call_an_athena_build_makes(athena_builds: dict[str, Any]) -> None:
    """Both builds: with Lake Formation tagging on and off."""
    calls = {(request.service, request.operation) for request in athena_builds["aws_requests"]}
    needed = {
        IAM_ACTION.get(call, f"{call[0]}:{call[1]}") for call in calls if call not in NO_PERMISSION_NEEDED
    }
    assert needed - IamPolicy.read("stedi-lakehouse-policy.json").allowed == set()


def contracted_not_null_columns_without_a_test() -> list[str]:
    """Models whose contract declares not_null columns but which lack the test that checks them."""
    import yaml

    missing = []
    for path in sorted((PROJECT_ROOT / "models").rglob("*.yml")):
        for model in (yaml.safe_load(path.read_text()) or {}).get("models", []):
            declared = [
                column["name"]
                for column in model.get("columns", [])
                if any(c.get("type") == "not_null" for c in column.get("constraints") or [])
            ]
            tests = [
                test if isinstance(test, str) else next(iter(test)) for test in model.get("data_tests") or []
            ]

            if declared and "not_null_contracted_columns" not in tests:
                missing.append(model["name"])
    return missing


def test_every_not_null_constraint_is_also_a_data_test_because_athena_ignores_constraints() -> None:
    assert contracted_not_null_columns_without_a_test() == []
