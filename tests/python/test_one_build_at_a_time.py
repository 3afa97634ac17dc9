"""One build at a time on a lake: a second build on a DuckDB lake that another process is writing is
refused in one line before it touches anything (src/stedi/duckdb_plugin.py), and the process that
holds the lake goes on unharmed. The holder here is this test's own connection, so nothing
depends on how fast a real build runs."""

from __future__ import annotations

from pathlib import Path

import duckdb

from conftest import PROJECT_ROOT, DbtProject
from hostile_landing import write_hostile_landing


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
