"""dbt-athena's temporary tables hold what a model writes before it lands, emails too
(macros/athena/sweep_temporary_tables.sql): a merge's source is built in the restricted temporary
schema, and what a failed or killed build left, there or in a zone schema, is swept by the next
build's first hook and by every build's last one, Glue entry and S3 data; a __bkp table, which may
be the only copy after a failed swap, is left alone."""

from __future__ import annotations

from pathlib import Path

import boto3
from athena_local import AthenaLocal

from conftest import PROJECT_ROOT, DbtProject
from hostile_landing import write_hostile_landing
from test_athena_target import (
    BUCKET,
    athena_env,
    athena_query,
    client_settings,
    glue_tables,
    land,
    local_athena,
    queries_sent,
)

__all__ = ["local_athena"]  # the fixture: the local Athena with the lake's bucket and subject key

PREFIX = "ci_tmp"
LEAK = "left.behind@example.com"


def s3_keys(local_athena: AthenaLocal, prefix: str) -> list[str]:
    s3 = boto3.client("s3", **client_settings(local_athena))
    return [item["Key"] for item in s3.list_objects_v2(Bucket=BUCKET, Prefix=prefix).get("Contents", [])]


def plant(local_athena: AthenaLocal, schema: str, table: str) -> str:
    """A table as a failed materialization leaves it: holding an email, data under the lake."""
    folder = f"lakehouse/{PREFIX}/left-behind/{table}"
    athena_query(local_athena, f"create schema if not exists {schema}")
    athena_query(
        local_athena,
        f"create table {schema}.{table} with (table_type = 'ICEBERG', is_external = false, "
        f"location = 's3://{BUCKET}/{folder}/') as select '{LEAK}' as customer_email",
    )
    assert s3_keys(local_athena, folder)
    return folder


def test_temporary_tables_are_restricted_and_swept_with_their_data(
    local_athena: AthenaLocal, tmp_path: Path
) -> None:
    root = write_hostile_landing(tmp_path / "landing").root
    database = f"{PREFIX}_landing"
    land(local_athena, root, "tmp-landing", database)
    project = DbtProject(PROJECT_ROOT, tmp_path / "athena")
    variables = {"landing_schema": database}
    env = athena_env(local_athena, PREFIX)
    left = {
        (f"{PREFIX}_stedi_tmp", "accelerometer_trusted__dbt_tmp"): None,
        (f"{PREFIX}_stedi_trusted", "customer_trusted__ha"): None,
        (f"{PREFIX}_stedi_staging", "stg_stedi__accelerometer_ledger__tmp_not_partitioned"): None,
    }
    for schema, table in left:
        left[(schema, table)] = plant(local_athena, schema, table)
    backup = plant(local_athena, f"{PREFIX}_stedi_trusted", "customer_trusted__bkp")

    ledger = ("--select", "+stg_stedi__accelerometer_ledger")
    first = project.dbt("run", *ledger, variables=variables, env=env)
    assert first.returncode == 0, first.output[-3000:]
    assert "Swept temporary tables a build left" in first.output
    for (schema, table), folder in left.items():
        assert table not in glue_tables(local_athena, schema), (schema, table)
        assert s3_keys(local_athena, folder) == [], folder
    assert "customer_trusted__bkp" in glue_tables(local_athena, f"{PREFIX}_stedi_trusted")
    assert s3_keys(local_athena, backup)

    # An incremental run merges from a source table built in the temporary schema, which the
    # build's last hook leaves empty.
    before = set(queries_sent(local_athena))
    second = project.dbt("run", *ledger, variables=variables, env=env)
    assert second.returncode == 0, second.output[-3000:]
    sent = [sql for query_id, sql in queries_sent(local_athena).items() if query_id not in before]
    assert any(
        "create table" in sql.lower()
        and f"{PREFIX}_stedi_tmp" in sql
        and "stg_stedi__accelerometer_ledger__dbt_tmp" in sql
        for sql in sent
    ), [sql[:200] for sql in sent if "create table" in sql.lower()]
    assert glue_tables(local_athena, f"{PREFIX}_stedi_tmp") == set()
    for schema in (f"{PREFIX}_stedi_staging", f"{PREFIX}_stedi_trusted"):
        assert not [
            name for name in glue_tables(local_athena, schema) if name.endswith(("__dbt_tmp", "__ha"))
        ]
