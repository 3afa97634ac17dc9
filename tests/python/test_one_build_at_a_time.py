"""One build at a time on a lake: a second build on a DuckDB lake that another process is writing, or
on an Athena deployment whose build lock another build holds, is refused in one line before it
touches anything (src/stedi/duckdb_plugin.py, macros/athena/take_build_lock.sql), and the build that
holds it goes on unharmed. The holder here is this test's own connection, or a lock planted as a
build takes it, so nothing depends on how fast a real build runs."""

from __future__ import annotations

from pathlib import Path

import duckdb
from athena_local import AthenaLocal

from conftest import PROJECT_ROOT, DbtProject
from hostile_landing import write_hostile_landing
from test_athena_target import (
    BUCKET,
    athena_env,
    athena_query,
    glue_tables,
    land,
    local_athena,
    queries_sent,
)

__all__ = ["local_athena"]  # the fixture: the local Athena with the lake's bucket and subject key


def test_a_second_build_on_a_lake_in_use_is_refused_in_one_line_and_touches_nothing(tmp_path: Path) -> None:
    root = write_hostile_landing(tmp_path / "landing").root
    project = DbtProject(PROJECT_ROOT, tmp_path / "work")
    variables = {"landing_root": str(root)}
    first = project.dbt("build", "--exclude", "resource_type:test", variables=variables)
    assert first.returncode == 0, first.output
    before = project.query("select count(*) from stedi_trusted.accelerometer_trusted")

    with duckdb.connect(str(project.duckdb_path)) as holder:  # another build, mid-way
        second = project.dbt("build", "--full-refresh", variables=variables)
        holder.execute("create table stedi_trusted.written_meanwhile as select 1 as x")

    assert second.returncode == 2, second.output
    assert "Another build holds the lake" in second.output
    assert "touched nothing" in second.output
    assert "Traceback" not in second.output
    assert project.query("select count(*) from stedi_trusted.accelerometer_trusted") == before
    assert project.query("select x from stedi_trusted.written_meanwhile") == [(1,)]
    third = project.dbt("build", variables=variables)
    assert third.returncode == 0, third.output


def test_on_athena_a_second_build_is_refused_in_one_line_while_another_holds_the_deployment(
    local_athena: AthenaLocal, tmp_path: Path
) -> None:
    root = write_hostile_landing(tmp_path / "landing").root
    database, prefix = "ci_lock_landing", "ci_lock"
    land(local_athena, root, "lock-landing", database)
    project = DbtProject(PROJECT_ROOT, tmp_path / "athena")
    variables = {"landing_schema": database}
    env = athena_env(local_athena, prefix)
    lock_location = f"s3://{BUCKET}/lakehouse/{prefix}/_build_lock/another-build/"
    athena_query(local_athena, f"create schema if not exists {prefix}_stedi_audit")
    athena_query(  # another build, mid-way: the lock as take_build_lock writes it
        local_athena,
        f"create table {prefix}_stedi_audit.build_lock with (external_location = '{lock_location}', "
        "format = 'parquet') as select 'alice' as owner, 'build' as command, "
        "cast(date_format(current_timestamp at time zone 'UTC', '%Y-%m-%d %H:%i:%s') as varchar) "
        "as started_at, 'another-build' as invocation_id",
    )

    second = project.dbt("build", variables=variables, env=env)

    assert second.returncode != 0, second.output
    assert (
        "Another build holds this deployment (ci_lock_stedi_audit.build_lock): alice's `dbt build`"
        in second.output
    )
    assert "Run again once it has ended. This run touched nothing." in second.output
    assert "Traceback" not in second.output
    assert glue_tables(local_athena, f"{prefix}_stedi_trusted") == set()  # no model ran
    assert glue_tables(local_athena, f"{prefix}_stedi_audit") == {"build_lock"}  # the holder's lock stays
    assert athena_query(local_athena, f"select invocation_id from {prefix}_stedi_audit.build_lock") == [
        ("another-build",)
    ]

    # A lock older than build_lock_stale_hours is called stale, with the command that removes it.
    stale = project.dbt("seed", variables={**variables, "build_lock_stale_hours": "0"}, env=env)
    assert stale.returncode != 0, stale.output
    assert "It is stale (older than 0 h" in stale.output
    assert "dbt run-operation release_build_lock --args '{force: true}' --target athena" in stale.output
    released = project.dbt(
        "run-operation", "release_build_lock", "--args", "{force: true}", variables=variables, env=env
    )
    assert released.returncode == 0, released.output
    assert "build_lock" not in glue_tables(local_athena, f"{prefix}_stedi_audit")

    # With the deployment free, a build takes the lock, writes, and gives the lock back.
    before = set(queries_sent(local_athena))
    third = project.dbt("seed", variables=variables, env=env)
    assert third.returncode == 0, third.output
    sent = [sql for query_id, sql in queries_sent(local_athena).items() if query_id not in before]
    assert any("ci_lock_stedi_audit" in sql and "build_lock" in sql and "create table" in sql for sql in sent)
    assert glue_tables(local_athena, f"{prefix}_stedi_reference")  # the seeds were written
    assert "build_lock" not in glue_tables(local_athena, f"{prefix}_stedi_audit")
