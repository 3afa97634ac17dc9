"""What the local Athena does to a statement before Trino sees it (athena_sql.plan), and only that.

No Trino here: these check the translation itself. That Trino then runs the result as Athena does
is what test_athena_local.py and test_athena_target.py check.
"""

from __future__ import annotations

import pytest
from athena_local.athena_sql import (
    AthenaRefusal,
    Context,
    GlueDdl,
    TrinoStatement,
    Vacuum,
    hive_type,
    plan,
)

CONTEXT = Context(schema="zone", output_location="s3://lake/results/", query_id="q-1")
COMMENT = '-- /* {"app": "dbt", "node_id": "model.stedi.x"} */\n'


def trino(sql: str) -> TrinoStatement:
    planned = plan(sql, CONTEXT)
    assert isinstance(planned, TrinoStatement)
    return planned


def test_a_query_goes_to_trino_as_written_without_a_trailing_semicolon() -> None:
    sql = "select '1' = 1, date_add('millisecond', 1655564444103, timestamp '1970-01-01 00:00:00')"
    assert trino(COMMENT + sql + ";").sql == sql


def test_iceberg_ctas_goes_to_the_iceberg_catalog_with_trino_properties_and_codec() -> None:
    properties = [
        "table_type='iceberg'",
        "is_external=false",
        "location='s3://lake/zone/t/1'",
        "partitioning=ARRAY['day(at)']",
        "format='parquet'",
        "write_compression='zstd'",
        "vacuum_max_snapshot_age_seconds=86400",
    ]
    planned = trino(
        COMMENT
        + 'create table "awsdatacatalog"."zone"."t"\n    with (\n      '
        + ",\n      ".join(properties)
        + "\n    )\n    as\n      select 1 as a"
    )
    assert planned.sql == (
        'create table "iceberg"."zone"."t"\n    WITH (location = \'s3://lake/zone/t/1\', '
        "partitioning = ARRAY['day(at)'], format = 'PARQUET')\n    as\n      select 1 as a"
    )
    assert planned.session == {"iceberg.compression_codec": "ZSTD"}
    assert planned.substatement_type == "CREATE_TABLE_AS_SELECT"


def test_hive_ctas_stays_in_awsdatacatalog_and_gets_a_location_when_it_has_none() -> None:
    with_location = trino(
        "create table t with (table_type='hive', is_external=true, external_location='s3://lake/t/', "
        "format='parquet', partitioned_by=ARRAY['day']) as select 1 as a, 2 as day"
    )
    assert with_location.sql.startswith(
        'create table "awsdatacatalog"."zone"."t" WITH (external_location = \'s3://lake/t/\', '
        "format = 'PARQUET', partitioned_by = ARRAY['day'])"
    )
    without = trino("create table t with (format='parquet') as select 1 as a")
    assert "external_location = 's3://lake/results/tables/q-1/'" in without.sql


def test_athena_refuses_an_external_iceberg_table_and_an_unknown_property() -> None:
    with pytest.raises(AthenaRefusal, match="is_external must be false"):
        plan(
            "create table t with (table_type='iceberg', is_external=true, location='s3://l/t') as select 1",
            CONTEXT,
        )
    with pytest.raises(AthenaRefusal, match="Unknown table property: colour"):
        plan("create table t with (colour='blue') as select 1", CONTEXT)


def test_create_external_table_is_hive_ddl_written_to_glue() -> None:
    planned = plan(
        "create external table `zone`.`seed__dbt_tmp` (`reject_reason` string, `entity` string)\n"
        "row format serde 'org.apache.hadoop.hive.serde2.OpenCSVSerde'\n"
        "location 's3://lake/seeds/reject_reasons'\ntblproperties ('skip.header.line.count'='1')",
        CONTEXT,
    )
    assert isinstance(planned, GlueDdl) and planned.action == "create_table"
    assert (planned.database, planned.table) == ("zone", "seed__dbt_tmp")
    storage = planned.table_input["StorageDescriptor"]
    assert storage["Columns"] == [
        {"Name": "reject_reason", "Type": "string"},
        {"Name": "entity", "Type": "string"},
    ]
    assert storage["SerdeInfo"]["SerializationLibrary"] == "org.apache.hadoop.hive.serde2.OpenCSVSerde"
    assert storage["Location"] == "s3://lake/seeds/reject_reasons"
    assert planned.table_input["Parameters"]["skip.header.line.count"] == "1"


def test_backtick_hive_ddl_is_quoted_for_trino_and_database_is_schema() -> None:
    assert trino("create schema if not exists `Zone`").sql == 'create schema if not exists "zone"'
    assert trino("create database `zone`").sql == 'create SCHEMA "zone"'
    renamed = trino("alter table `zone`.`t__dbt_tmp` rename to `zone`.`t`")
    assert renamed.sql == 'alter table "zone"."t__dbt_tmp" rename to "zone"."t"'


def test_optimize_and_vacuum_become_trino_table_procedures() -> None:
    assert trino("OPTIMIZE zone.t REWRITE DATA USING BIN_PACK WHERE day = 1").sql == (
        'ALTER TABLE "zone"."t" EXECUTE optimize WHERE day = 1'
    )
    # VACUUM's retention is the table's vacuum_max_snapshot_age_seconds, which only Glue knows:
    # the plan names the table and the engine reads its properties before Trino runs anything.
    assert plan("VACUUM other.t;", CONTEXT) == Vacuum("other", "t")
    assert plan(COMMENT + "VACUUM `_t`", CONTEXT) == Vacuum("zone", "_t")
    assert plan("vacuum other.`_T`", CONTEXT) == Vacuum("other", "_t")
    assert plan('VACUUM "awsdatacatalog"."other"."t"', CONTEXT) == Vacuum("other", "t")
    assert plan("VACUUM t", CONTEXT).substatement_type == "VACUUM"
    for wrong in ("VACUUM", "VACUUM t RETAIN 1", "VACUUM elsewhere.other.t"):
        with pytest.raises(AthenaRefusal):
            plan(wrong, CONTEXT)


def test_trino_types_are_written_to_glue_as_athena_spells_them() -> None:
    assert hive_type("varchar") == "string"
    assert hive_type("timestamp(6)") == "timestamp"
    assert hive_type("decimal(10, 2)") == "decimal(10,2)"
    assert hive_type("array(row(a integer, b varchar))") == "array<struct<a:int,b:string>>"
