"""The Athena emulator: what it answers through boto3 and PyAthena, and a dbt-athena build on it.

The end-to-end test builds tests/python/athena_toy_project twice on the emulator (target athena)
and twice on DuckDB (target local), changing the landing data in between, and compares every
model row for row. Everything runs on 127.0.0.1 with dummy credentials; no AWS account is used.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import boto3
import duckdb
import pytest
from pyathena import connect as pyathena_connect
from pyathena.error import OperationalError

from stedi.athena_emulator import AthenaEmulator
from stedi.athena_emulator.server import ObservedRequest

TOY_PROJECT = Path(__file__).parent / "athena_toy_project"
BUCKET = "toy-lake"
REGION = "us-east-1"
LANDING_DATABASE = "toy_landing"
OPENX = "org.openx.data.jsonserde.JsonSerDe"
SERDE_PARAMETERS = {
    "ignore.malformed.json": "true",
    "use.null.for.invalid.data": "true",
    "case.insensitive": "true",
}
CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing", "region_name": REGION}

CUSTOMER_COLUMNS = [
    ("customername", "string"),
    ("email", "string"),
    ("serialnumber", "string"),
    ("registrationdate", "bigint"),
    ("lastupdatedate", "bigint"),
    ("sharewithresearchasofdate", "bigint"),
]
READING_COLUMNS = [
    ("user", "string"),
    ("timestamp", "bigint"),
    ("x", "double"),
    ("y", "double"),
    ("z", "double"),
]

DAY_MS = 86_400_000
T0 = 1_700_000_000_123  # 2023-11-14 22:13:20.123 UTC


def _customer(name: str, email: str, registered: int, updated: int, consent: int | None) -> str:
    record: dict[str, Any] = {
        "customerName": name,
        "email": email,
        "serialNumber": f"serial-{email[0]}",
        "registrationDate": registered,
        "lastUpdateDate": updated,
    }
    if consent is not None:
        record["shareWithResearchAsOfDate"] = consent
    return json.dumps(record)


FIRST_CUSTOMERS = "\n".join(
    [
        _customer("Ann Lee", "ann@x.com", T0, T0, T0),
        _customer("Ann Lee-Park", "ann@x.com", T0, T0 + DAY_MS, T0),  # a newer version of Ann
        _customer("Bob Ray", "bob@x.com", T0 + 2 * DAY_MS, T0 + 2 * DAY_MS, None),  # never consented
        '{"customerName": "Cut Off", "email": "cut@x.com", "registrationDa',  # an upload cut mid-line
        # a value of the wrong type
        '{"customerName": "Typo", "email": "typo@x.com", "registrationDate": "soon", "lastUpdateDate": 1}',
        "",
    ]
)


def _readings(rows: list[tuple[str, int, float]]) -> str:
    return "\n".join(
        json.dumps({"user": user, "timestamp": ts, "x": x, "y": -1.0, "z": 0.5}) for user, ts, x in rows
    )


FIRST_READINGS = [
    ("ann@x.com", T0 + 1000, 1.0),
    ("ann@x.com", T0 + 2000, 0.0),
    ("bob@x.com", T0 + 3 * DAY_MS, -1.0),
    ("nobody@x.com", T0 + 5000, 1.0),  # a reading of no known customer
]
# The second delivery corrects Bob's reading (same user and timestamp: the merge updates it) and
# adds a reading of a new customer.
CORRECTED_READINGS = [*FIRST_READINGS[:2], ("bob@x.com", T0 + 3 * DAY_MS, 9.0), FIRST_READINGS[3]]
SECOND_CUSTOMERS = _customer("Cy Ng", "cy@x.com", T0 + 4 * DAY_MS, T0 + 4 * DAY_MS, T0 + 5 * DAY_MS)
SECOND_READINGS = [("cy@x.com", T0 + 6 * DAY_MS, 3.0)]


@pytest.fixture(scope="module")
def emulator() -> Iterator[AthenaEmulator]:
    with AthenaEmulator() as running:
        boto3.client("s3", endpoint_url=running.endpoint_url, **CREDENTIALS).create_bucket(Bucket=BUCKET)
        yield running


def _client(emulator: AthenaEmulator, service: str) -> Any:
    return boto3.client(service, endpoint_url=emulator.endpoint_url, **CREDENTIALS)


def _run(emulator: AthenaEmulator, sql: str, database: str = "default") -> dict[str, Any]:
    """Run a query through boto3 the way dbt-athena does; return its GetQueryExecution."""
    athena = _client(emulator, "athena")
    query_id = athena.start_query_execution(
        QueryString=sql,
        QueryExecutionContext={"Catalog": "awsdatacatalog", "Database": database},
        ResultConfiguration={"OutputLocation": f"s3://{BUCKET}/athena-results/"},
        WorkGroup="primary",
    )["QueryExecutionId"]
    return athena.get_query_execution(QueryExecutionId=query_id)["QueryExecution"]


def _pyathena(emulator: AthenaEmulator, schema: str = "default") -> Any:
    return pyathena_connect(
        s3_staging_dir=f"s3://{BUCKET}/athena-results/",
        schema_name=schema,
        work_group="primary",
        endpoint_url=emulator.endpoint_url,
        poll_interval=0.01,
        **CREDENTIALS,
    )


def _register_json_table(
    emulator: AthenaEmulator, name: str, prefix: str, columns: list[tuple[str, str]]
) -> None:
    """Create a Glue table over JSON Lines files with the OpenX SerDe, as `stedi land` does."""
    glue = _client(emulator, "glue")
    if LANDING_DATABASE not in [d["Name"] for d in glue.get_databases()["DatabaseList"]]:
        glue.create_database(DatabaseInput={"Name": LANDING_DATABASE})
    glue.create_table(
        DatabaseName=LANDING_DATABASE,
        TableInput={
            "Name": name,
            "TableType": "EXTERNAL_TABLE",
            "Parameters": {"EXTERNAL": "TRUE", "classification": "json"},
            "StorageDescriptor": {
                "Columns": [{"Name": column, "Type": kind} for column, kind in columns],
                "Location": f"s3://{BUCKET}/{prefix}/",
                "InputFormat": "org.apache.hadoop.mapred.TextInputFormat",
                "OutputFormat": "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat",
                "SerdeInfo": {"SerializationLibrary": OPENX, "Parameters": SERDE_PARAMETERS},
            },
        },
    )


def _land(emulator: AthenaEmulator, landing_dir: Path, relative: str, body: str) -> None:
    """Put one landing file into S3 and into the local landing folder the DuckDB target reads."""
    local = landing_dir / relative
    local.parent.mkdir(parents=True, exist_ok=True)
    local.write_text(body)
    _client(emulator, "s3").put_object(Bucket=BUCKET, Key=relative, Body=body.encode())


# --- the endpoint --------------------------------------------------------------------------------


def test_emulator_serves_on_a_free_loopback_port_and_stops() -> None:
    emulator = AthenaEmulator()
    url = emulator.start()
    try:
        assert url.startswith("http://127.0.0.1:")
        assert _client(emulator, "sts").get_caller_identity()["Account"] == "123456789012"
    finally:
        emulator.stop()
    with pytest.raises(RuntimeError):
        _ = emulator.endpoint_url


# --- failures ------------------------------------------------------------------------------------


def test_failing_query_is_failed_with_athena_reason_through_boto3(emulator: AthenaEmulator) -> None:
    execution = _run(emulator, "select * from default.no_such_table")
    assert execution["Status"]["State"] == "FAILED"
    assert execution["Status"]["StateChangeReason"].startswith("TABLE_NOT_FOUND:")
    assert "awsdatacatalog.default.no_such_table" in execution["Status"]["AthenaError"]["ErrorMessage"]
    with pytest.raises(_client(emulator, "athena").exceptions.InvalidRequestException):
        _client(emulator, "athena").get_query_results(QueryExecutionId=execution["QueryExecutionId"])


def test_failing_query_raises_its_reason_through_pyathena(emulator: AthenaEmulator) -> None:
    cursor = _pyathena(emulator).cursor()
    with pytest.raises(OperationalError, match="DIVISION_BY_ZERO"):
        cursor.execute("select 1 / 0")


@pytest.mark.parametrize(
    "call", ["epoch_ms(1700000000000)", "list_sum(array[1, 2])", "regexp_matches('a', 'a')"]
)
def test_function_athena_lacks_fails_with_function_not_found_even_if_duckdb_has_it(
    emulator: AthenaEmulator, call: str
) -> None:
    execution = _run(emulator, f"select\n  {call}")
    name = call.split("(")[0]
    assert execution["Status"]["StateChangeReason"] == (
        f"FUNCTION_NOT_FOUND: line 2:3: Function '{name}' not registered"
    )


def test_duckdb_cast_syntax_is_a_syntax_error(emulator: AthenaEmulator) -> None:
    execution = _run(emulator, "select '1'::integer")
    assert execution["Status"]["StateChangeReason"].startswith("SYNTAX_ERROR:")


def test_several_statements_in_one_query_fail(emulator: AthenaEmulator) -> None:
    assert _run(emulator, "select 1; select 2")["Status"]["State"] == "FAILED"


def test_ctas_of_a_timestamp_with_time_zone_fails_like_athena(emulator: AthenaEmulator) -> None:
    _run(emulator, "create schema if not exists tz_check")
    execution = _run(
        emulator,
        "create table tz_check.t with (table_type='iceberg', location='s3://toy-lake/data/tz/') "
        "as select current_timestamp as loaded_at",
    )
    assert execution["Status"]["StateChangeReason"] == (
        "NOT_SUPPORTED: Unsupported Hive type: timestamp(3) with time zone"
    )


def test_merge_with_two_source_rows_for_one_target_row_fails(emulator: AthenaEmulator) -> None:
    _run(emulator, "create schema if not exists merge_check")
    created = _run(
        emulator,
        "create table merge_check.t with (table_type='iceberg', location='s3://toy-lake/data/merge/') "
        "as select 1 as id, 'a' as v",
    )
    assert created["Status"]["State"] == "SUCCEEDED"
    execution = _run(
        emulator,
        "merge into merge_check.t as target using (select 1 as id, 'b' as v union all select 1, 'c') as src "
        "on target.id = src.id when matched then update set v = src.v",
    )
    assert execution["Status"]["StateChangeReason"].startswith("MERGE_TARGET_ROW_MULTIPLE_MATCHES")


def test_insert_with_types_trino_would_not_coerce_fails(emulator: AthenaEmulator) -> None:
    _run(emulator, "create schema if not exists insert_check")
    _run(
        emulator,
        "create table insert_check.t (id bigint, name string) location 's3://toy-lake/data/insert/' "
        "tblproperties ('table_type'='ICEBERG')",
    )
    assert _run(emulator, "insert into insert_check.t values (1, 'a')")["Status"]["State"] == "SUCCEEDED"
    execution = _run(emulator, "insert into insert_check.t select 'x', 'y'")
    assert execution["Status"]["StateChangeReason"] == (
        "TYPE_MISMATCH: Insert query has mismatched column types: "
        "Table: [bigint, varchar], Query: [varchar, varchar]"
    )


def test_row_changes_are_refused_on_tables_that_are_not_iceberg(emulator: AthenaEmulator) -> None:
    _run(emulator, "create schema if not exists hive_check")
    created = _run(
        emulator,
        "create table hive_check.t with (format='parquet', external_location='s3://toy-lake/data/hive/') "
        "as select 1 as id",
    )
    assert created["Status"]["State"] == "SUCCEEDED"
    for statement in (
        "delete from hive_check.t where id = 1",
        "alter table hive_check.t rename to hive_check.u",
    ):
        assert _run(emulator, statement)["Status"]["StateChangeReason"].startswith("NOT_SUPPORTED:")


def test_view_is_expanded_at_query_time_and_fails_once_its_table_is_gone(emulator: AthenaEmulator) -> None:
    _run(emulator, "create schema if not exists view_check")
    _run(
        emulator,
        "create table view_check.t with (table_type='iceberg', location='s3://toy-lake/data/view/') "
        "as select 1 as id",
    )
    assert _run(emulator, "create view view_check.v as select id from view_check.t")["Status"]["State"] == (
        "SUCCEEDED"
    )
    assert _rows(emulator, "select id from view_check.v") == [(1,)]
    _run(emulator, "drop table view_check.t")
    assert _run(emulator, "select * from view_check.v")["Status"]["StateChangeReason"].startswith(
        "TABLE_NOT_FOUND"
    )


def test_views_follow_the_tables_and_views_they_read_when_those_change(emulator: AthenaEmulator) -> None:
    """Views are kept as DuckDB views between statements; every change below one must show."""
    _run(emulator, "create schema if not exists view_cache")
    _run(
        emulator,
        "create table view_cache.t with (table_type='iceberg', location='s3://toy-lake/data/view_cache/a/') "
        "as select 1 as id",
    )
    _run(emulator, "create view view_cache.inner_v as select id from view_cache.t")
    _run(emulator, "create view view_cache.outer_v as select id * 10 as id10 from view_cache.inner_v")
    assert _rows(emulator, "select id10 from view_cache.outer_v") == [(10,)]
    # the table replaced the way dbt-athena replaces one: Glue DeleteTable, then a new CTAS
    _client(emulator, "glue").delete_table(DatabaseName="view_cache", Name="t")
    _run(
        emulator,
        "create table view_cache.t with (table_type='iceberg', location='s3://toy-lake/data/view_cache/b/') "
        "as select 2 as id union all select 3 as id",
    )
    assert _rows(emulator, "select id10 from view_cache.outer_v order by 1") == [(20,), (30,)]
    # rows written into the table, and a new body for the inner view
    _run(emulator, "insert into view_cache.t values (4)")
    _run(emulator, "create or replace view view_cache.inner_v as select id + 1 as id from view_cache.t")
    assert _rows(emulator, "select id10 from view_cache.outer_v order by 1") == [(30,), (40,), (50,)]
    # gone: every view over it fails as on Athena
    _run(emulator, "drop table view_cache.t")
    for view in ("inner_v", "outer_v"):
        execution = _run(emulator, f"select * from view_cache.{view}")
        assert execution["Status"]["StateChangeReason"].startswith("TABLE_NOT_FOUND"), view


# --- results -------------------------------------------------------------------------------------


def test_results_carry_athena_type_names_and_values(emulator: AthenaEmulator) -> None:
    cursor = _pyathena(emulator).cursor()
    cursor.execute(
        "select 1 as i, cast(2 as bigint) as b, 1.5e0 as d, cast(1.25 as decimal(5, 2)) as dec, 'x' as s, "
        "true as flag, date '2024-01-02' as day, timestamp '2024-01-02 03:04:05.123' as ts, "
        "array[1, 2] as arr, null as nothing"
    )
    assert [(column[0], column[1]) for column in cursor.description] == [
        ("i", "integer"),
        ("b", "bigint"),
        ("d", "double"),
        ("dec", "decimal"),
        ("s", "varchar"),
        ("flag", "boolean"),
        ("day", "date"),
        ("ts", "timestamp"),
        ("arr", "array"),
        ("nothing", "unknown"),
    ]
    row = cursor.fetchone()
    assert row[:8] == (
        1,
        2,
        1.5,
        Decimal("1.25"),
        "x",
        True,
        datetime(2024, 1, 2).date(),
        datetime(2024, 1, 2, 3, 4, 5, 123000),
    )
    assert row[9] is None


def test_unnamed_result_columns_are_named_like_trino(emulator: AthenaEmulator) -> None:
    cursor = _pyathena(emulator).cursor()
    cursor.execute("select 1, count(*) from (values 1, 2) as t(x)")
    assert [column[0] for column in cursor.description] == ["_col0", "_col1"]


def test_results_page_by_max_results_with_the_label_row_first(emulator: AthenaEmulator) -> None:
    execution = _run(emulator, "select x from unnest(sequence(1, 2500)) as t(x) order by x")
    athena = _client(emulator, "athena")
    first = athena.get_query_results(QueryExecutionId=execution["QueryExecutionId"])
    rows = first["ResultSet"]["Rows"]
    assert len(rows) == 1000 and rows[0]["Data"][0]["VarCharValue"] == "x"
    values = [int(r["Data"][0]["VarCharValue"]) for r in rows[1:]]
    token = first.get("NextToken")
    while token:
        following = athena.get_query_results(QueryExecutionId=execution["QueryExecutionId"], NextToken=token)
        values += [int(r["Data"][0]["VarCharValue"]) for r in following["ResultSet"]["Rows"]]
        token = following.get("NextToken")
    assert values == list(range(1, 2501))
    cursor = _pyathena(emulator).cursor()
    cursor.execute("select x from unnest(sequence(1, 2500)) as t(x) order by x")
    assert [row[0] for row in cursor.fetchall()] == list(range(1, 2501))


def test_statistics_report_scanned_bytes_and_times(emulator: AthenaEmulator) -> None:
    statistics = _run(emulator, "select 1")["Statistics"]
    assert statistics["TotalExecutionTimeInMillis"] >= statistics["EngineExecutionTimeInMillis"] > 0
    assert statistics["DataScannedInBytes"] >= 0


# --- Athena semantics where DuckDB differs ---------------------------------------------------------


@pytest.mark.parametrize(
    ("expression", "athena_value"),
    [
        ("7 / 2", "3"),  # integer division truncates
        ("-7 / 2", "-3"),
        ("cast(7 as double) / 2", "3.5"),
        ("cast(2.5e0 as bigint)", "3"),  # rounds half away from zero, DuckDB rounds to even
        ("cast(-2.5e0 as integer)", "-3"),
        ("cast(1.5e0 as varchar)", "1.5E0"),  # SQL-standard text for doubles
        ("cast(100e0 as varchar)", "1.0E2"),
        ("cast(timestamp '2024-01-02 03:04:05.123' as varchar)", "2024-01-02 03:04:05.123"),
        ("cast(cast('2024-01-02 03:04:05.123456' as timestamp) as varchar)", "2024-01-02 03:04:05.123"),
        ("cast(cast('2024-01-02 03:04:05.123456' as timestamp(6)) as varchar)", "2024-01-02 03:04:05.123456"),
        ("to_hex(to_utf8('ab'))", "6162"),
        ("to_hex(sha256(to_utf8('a')))", "CA978112CA1BBDCAFAC231B39A23DC4DA786EFF8147C4E72B9807785AFEE48BB"),
        ("lower(to_hex(md5(to_utf8(cast(42 as varchar)))))", "a1d0c6e83f027327d8461063f4ac58a6"),
        ("from_unixtime(1700000000123 / 1000e0)", "2023-11-14 22:13:20.123 UTC"),
        ("cast(from_unixtime(1700000000123 / 1000e0) as timestamp)", "2023-11-14 22:13:20.123"),
        ("date_trunc('month', date '2024-01-15')", "2024-01-01"),  # stays a date
        ("date_trunc('day', timestamp '2024-01-15 10:11:12.000')", "2024-01-15 00:00:00.000"),  # keeps (3)
        ("day(timestamp '2024-01-15 10:11:12')", "15"),
        ("date_add('day', 1, date '2024-01-31')", "2024-02-01"),
        ("regexp_extract('abc', '[0-9]+')", None),  # null, not ''
        ("split_part('a,b', ',', 3)", None),
        ("typeof(1)", "integer"),
        ("concat('a', null)", None),
        ("substr('hello', 2, 3)", "ell"),
    ],
)
def test_expression_computes_what_athena_computes(
    emulator: AthenaEmulator, expression: str, athena_value: str
) -> None:
    execution = _run(emulator, f"select {expression}")
    assert execution["Status"]["State"] == "SUCCEEDED", execution["Status"].get("StateChangeReason")
    rows = _client(emulator, "athena").get_query_results(QueryExecutionId=execution["QueryExecutionId"])
    assert rows["ResultSet"]["Rows"][1]["Data"][0].get("VarCharValue") == athena_value


def test_current_timestamp_is_a_millisecond_timestamp_with_time_zone(emulator: AthenaEmulator) -> None:
    cursor = _pyathena(emulator).cursor()
    cursor.execute("select current_timestamp as now_at, typeof(current_timestamp) as kind")
    now_at, kind = cursor.fetchone()
    assert kind == "timestamp(3) with time zone"
    assert now_at.microsecond % 1000 == 0 and now_at.utcoffset().total_seconds() == 0


def test_nulls_sort_last_in_both_directions(emulator: AthenaEmulator) -> None:
    cursor = _pyathena(emulator).cursor()
    cursor.execute("select x from (values 1, null, 2) as t(x) order by x desc")
    assert [row[0] for row in cursor.fetchall()] == [2, 1, None]


# --- external JSON tables --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def json_table(emulator: AthenaEmulator, tmp_path_factory: pytest.TempPathFactory) -> str:
    body = "\n".join(
        [
            '{"serialNumber": "s-1", "Distance": 5, "sensorReadingTime": 1700000000000}',
            "",
            '{"serialNumber": "s-2", "Distance": "far", "sensorReadingTime": 1700000000001}',
            '{"serialNumber": "s-3", "Distance": 7, "sensorRead',
            "[1, 2]",
        ]
    )
    _land(emulator, tmp_path_factory.mktemp("json"), "semantics/step_trainer-1.json", body + "\n")
    _register_json_table(
        emulator,
        "semantics_landing",
        "semantics",
        [("serialnumber", "string"), ("distance", "int"), ("sensorreadingtime", "bigint")],
    )
    return f"{LANDING_DATABASE}.semantics_landing"


def _rows(emulator: AthenaEmulator, sql: str) -> list[tuple[Any, ...]]:
    cursor = _pyathena(emulator).cursor()
    cursor.execute(sql)
    return list(cursor.fetchall())


def test_json_keys_match_glue_columns_case_insensitively(emulator: AthenaEmulator, json_table: str) -> None:
    rows = _rows(
        emulator, f"select serialnumber, sensorreadingtime from {json_table} where serialnumber = 's-1'"
    )
    assert rows == [("s-1", 1700000000000)]


def test_json_value_of_the_wrong_type_reads_as_null(emulator: AthenaEmulator, json_table: str) -> None:
    rows = _rows(emulator, f"select serialnumber, distance from {json_table} where serialnumber = 's-2'")
    assert rows == [("s-2", None)]


def test_malformed_json_line_is_a_row_of_nulls_and_blank_lines_are_skipped(
    emulator: AthenaEmulator, json_table: str
) -> None:
    rows = _rows(emulator, f"select serialnumber, distance, sensorreadingtime from {json_table}")
    assert len(rows) == 4
    assert rows.count((None, None, None)) == 2


def test_json_table_exposes_path_without_listing_it_in_star(
    emulator: AthenaEmulator, json_table: str
) -> None:
    cursor = _pyathena(emulator).cursor()
    cursor.execute(f'select *, "$path" from {json_table} limit 1')
    assert [column[0] for column in cursor.description] == [
        "serialnumber",
        "distance",
        "sensorreadingtime",
        "$path",
    ]
    assert cursor.fetchone()[-1] == f"s3://{BUCKET}/semantics/step_trainer-1.json"


def test_json_table_sees_new_s3_objects_on_the_next_query(emulator: AthenaEmulator, json_table: str) -> None:
    before = _rows(emulator, f"select count(*) from {json_table}")[0][0]
    _client(emulator, "s3").put_object(
        Bucket=BUCKET, Key="semantics/step_trainer-2.json", Body=b'{"serialNumber": "s-9", "Distance": 1}\n'
    )
    assert _rows(emulator, f"select count(*) from {json_table}")[0][0] == before + 1


def test_view_over_a_json_table_sees_s3_objects_added_and_removed(emulator: AthenaEmulator) -> None:
    s3 = _client(emulator, "s3")
    s3.put_object(Bucket=BUCKET, Key="view_json/a.json", Body=b'{"n": 1}\n')
    _register_json_table(emulator, "view_json", "view_json", [("n", "int")])
    view = f"{LANDING_DATABASE}.view_json_v"
    _run(emulator, f"create view {view} as select n from {LANDING_DATABASE}.view_json")
    assert _rows(emulator, f"select n from {view}") == [(1,)]
    s3.put_object(Bucket=BUCKET, Key="view_json/b.json", Body=b'{"n": 2}\n')
    assert _rows(emulator, f"select n from {view} order by n") == [(1,), (2,)]
    s3.delete_object(Bucket=BUCKET, Key="view_json/a.json")
    assert _rows(emulator, f"select n from {view}") == [(2,)]


def test_glue_delete_table_drops_the_rows_the_emulator_held(emulator: AthenaEmulator) -> None:
    _run(emulator, "create schema if not exists drop_check")
    _run(
        emulator,
        "create table drop_check.t with (table_type='iceberg', location='s3://toy-lake/data/drop/') "
        "as select 1 as id",
    )
    _client(emulator, "glue").delete_table(DatabaseName="drop_check", Name="t")
    _client(emulator, "s3").delete_object(Bucket=BUCKET, Key="data/drop/")
    recreated = _run(
        emulator,
        "create table drop_check.t with (table_type='iceberg', location='s3://toy-lake/data/drop2/') "
        "as select 2 as id",
    )
    assert recreated["Status"]["State"] == "SUCCEEDED"
    assert _rows(emulator, "select id from drop_check.t") == [(2,)]


def test_csv_table_reads_like_the_open_csv_serde(emulator: AthenaEmulator) -> None:
    _client(emulator, "s3").put_object(
        Bucket=BUCKET, Key="csv/kinds.csv", Body=b'"kind","rank"\n"a, quoted",1\n"",2\n'
    )
    _run(emulator, "create schema if not exists csv_check")
    created = _run(
        emulator,
        "create external table csv_check.kinds (`kind` string, `rank` string) "
        "row format serde 'org.apache.hadoop.hive.serde2.OpenCSVSerde' "
        "location 's3://toy-lake/csv/' tblproperties ('skip.header.line.count'='1')",
    )
    assert created["Status"]["State"] == "SUCCEEDED"
    assert _rows(emulator, "select kind, rank from csv_check.kinds order by rank") == [
        ("a, quoted", "1"),
        ("", "2"),
    ]


def test_command_line_runs_the_emulator_until_interrupted() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "stedi.athena_emulator", "--port", "0"],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
    )
    try:
        assert process.stdout is not None
        url = process.stdout.readline().split()[-1]
        assert url.startswith("http://127.0.0.1:")
        sts = boto3.client("sts", endpoint_url=url, **CREDENTIALS)
        assert sts.get_caller_identity()["Account"] == "123456789012"
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=30) == 0
    finally:
        process.kill()


# --- dbt build, end to end -----------------------------------------------------------------------


def _dbt(target: str, workdir: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    command = [
        str(Path(sys.executable).with_name("dbt")),
        *args,
        "--target",
        target,
        "--project-dir",
        str(TOY_PROJECT),
        "--profiles-dir",
        str(workdir),
        "--target-path",
        str(workdir / f"target-{target}"),
        "--log-path",
        str(workdir / f"logs-{target}"),
    ]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=600, check=False)


def _dbt_env(emulator: AthenaEmulator, workdir: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("AWS_")}
    env.update(
        AWS_ENDPOINT_URL=emulator.endpoint_url,
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWS_REGION=REGION,
        AWS_DEFAULT_REGION=REGION,
        STEDI_S3_STAGING_DIR=f"s3://{BUCKET}/athena-results/",
        STEDI_S3_DATA_DIR=f"s3://{BUCKET}/data/",
        STEDI_ATHENA_WORKGROUP="primary",
        TOY_DUCKDB_PATH=str(workdir / "toy.duckdb"),
        TOY_LANDING_DIR=str(workdir / "landing"),
        DBT_SEND_ANONYMOUS_USAGE_STATS="false",
    )
    return env


TOY_RELATIONS = [
    ("toy_seeds", "consent_kinds"),
    ("toy_staging", "stg_toy__customers"),
    ("toy_staging", "stg_toy__readings"),
    ("toy_trusted", "customer_trusted"),
    ("toy_trusted", "readings_trusted"),
]


def _normalized(rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    return sorted(rows, key=lambda row: tuple((value is None, str(value)) for value in row))


@pytest.fixture(scope="module")
def toy_builds(emulator: AthenaEmulator, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Build the toy project twice on each target, with new landing data between the builds."""
    workdir = tmp_path_factory.mktemp("toy")
    shutil.copy(TOY_PROJECT / "profiles.example.yml", workdir / "profiles.yml")
    env = _dbt_env(emulator, workdir)
    landing = workdir / "landing"
    _register_json_table(emulator, "customer_landing", "customer/landing", CUSTOMER_COLUMNS)
    _register_json_table(emulator, "reading_landing", "reading/landing", READING_COLUMNS)
    _land(emulator, landing, "customer/landing/customer-1.json", FIRST_CUSTOMERS)
    _land(emulator, landing, "reading/landing/reading-1.json", _readings(FIRST_READINGS))
    emulator.requests.clear()
    started = time.monotonic()
    builds = {"athena-1": _dbt("athena", workdir, env, "build")}
    builds["athena-1-seconds"] = time.monotonic() - started
    builds["requests"] = list(emulator.requests)
    builds["local-1"] = _dbt("local", workdir, env, "build")
    _land(emulator, landing, "customer/landing/customer-2.json", SECOND_CUSTOMERS)
    _land(emulator, landing, "reading/landing/reading-1.json", _readings(CORRECTED_READINGS))
    _land(emulator, landing, "reading/landing/reading-2.json", _readings(SECOND_READINGS))
    builds["athena-2"] = _dbt("athena", workdir, env, "build")
    builds["local-2"] = _dbt("local", workdir, env, "build")
    builds["duckdb"] = workdir / "toy.duckdb"
    return builds


@pytest.mark.slow
@pytest.mark.parametrize("build", ["athena-1", "local-1", "athena-2", "local-2"])
def test_toy_project_builds_green(toy_builds: dict[str, Any], build: str) -> None:
    result = toy_builds[build]
    assert result.returncode == 0, result.stdout[-6000:]
    assert "Completed successfully" in result.stdout


@pytest.mark.slow
@pytest.mark.parametrize(("schema", "table"), TOY_RELATIONS)
def test_toy_model_on_emulator_equals_toy_model_on_duckdb(
    emulator: AthenaEmulator, toy_builds: dict[str, Any], schema: str, table: str
) -> None:
    cursor = _pyathena(emulator, schema).cursor()
    cursor.execute(f'select * from "{schema}"."{table}"')
    athena_columns = [column[0] for column in cursor.description]
    athena_rows = list(cursor.fetchall())
    with duckdb.connect(str(toy_builds["duckdb"]), read_only=True) as local:
        relation = local.sql(f'select * from "{schema}"."{table}"')
        local_columns = [column.lower() for column in relation.columns]
        local_rows = relation.fetchall()
    assert athena_columns == local_columns
    assert athena_rows, f"{schema}.{table} is empty"
    assert _normalized(athena_rows) == _normalized(local_rows)


@pytest.mark.slow
def test_incremental_merge_updated_and_inserted_rows(
    emulator: AthenaEmulator, toy_builds: dict[str, Any]
) -> None:
    rows = _rows(emulator, "select email, x from toy_trusted.readings_trusted order by read_at")
    assert ("bob@x.com", 9.0) in rows and ("cy@x.com", 3.0) in rows
    assert ("bob@x.com", -1.0) not in rows


@pytest.mark.slow
def test_docs_contracts_and_iceberg_settings_reach_glue_and_s3(
    emulator: AthenaEmulator, toy_builds: dict[str, Any]
) -> None:
    table = _client(emulator, "glue").get_table(DatabaseName="toy_trusted", Name="customer_trusted")["Table"]
    assert table["Parameters"]["table_type"] == "ICEBERG"
    assert table["Description"].startswith("One row per customer")
    columns = {c["Name"]: c for c in table["StorageDescriptor"]["Columns"]}
    assert columns["registered_at"]["Type"] == "timestamp"
    assert columns["is_shareable"]["Type"] == "boolean"
    assert columns["email"]["Comment"] == "The customer's identity."
    bucket, key = table["Parameters"]["metadata_location"].removeprefix("s3://").split("/", 1)
    metadata = json.loads(_client(emulator, "s3").get_object(Bucket=bucket, Key=key)["Body"].read())
    assert metadata["properties"]["write.parquet.compression-codec"] == "zstd"
    assert metadata["partition-specs"][0]["fields"][0]["transform"] == "day"
    view = _client(emulator, "glue").get_table(DatabaseName="toy_staging", Name="stg_toy__customers")["Table"]
    assert view["TableType"] == "VIRTUAL_VIEW"


@pytest.mark.slow
def test_dbt_athena_build_uses_only_the_expected_aws_calls(toy_builds: dict[str, Any]) -> None:
    used = {(request.service, request.operation) for request in toy_builds["requests"]}
    assert ObservedRequest("athena", "StartQueryExecution") in toy_builds["requests"]
    assert ("glue", "GetTable") in used and ("sts", "GetCallerIdentity") in used
    assert {service for service, _ in used} <= {"athena", "glue", "s3", "sts"}


def test_lake_formation_tags_of_an_untagged_table_are_empty_then_include_its_columns(
    emulator: AthenaEmulator,
) -> None:
    lake_formation = _client(emulator, "lakeformation")
    lake_formation.create_lf_tag(TagKey="sensitivity", TagValues=["high"])
    table = {"DatabaseName": "lf_db", "Name": "people"}
    untagged = lake_formation.get_resource_lf_tags(Resource={"Table": table})
    assert untagged.get("LFTagsOnTable", []) == [] and untagged.get("LFTagsOnColumns", []) == []

    lake_formation.add_lf_tags_to_resource(
        Resource={"TableWithColumns": {**table, "ColumnNames": ["email"]}},
        LFTags=[{"TagKey": "sensitivity", "TagValues": ["high"]}],
    )
    tagged = lake_formation.get_resource_lf_tags(Resource={"Table": table})
    assert [column["Name"] for column in tagged["LFTagsOnColumns"]] == ["email"]
