"""Every `stedi` command answers a bad argument or path with one line and exit status 2, never a
traceback, and writes nothing in its place: a typo never replaces a good report with an empty one."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import duckdb
import pytest

from conftest import BIN, DbtProject


def stedi(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / "stedi"), *args],
        capture_output=True,
        text=True,
        check=False,
        env=DbtProject.base_env(),
        cwd=cwd,
    )


def assert_refused_in_one_line(completed: subprocess.CompletedProcess[str], *words: str) -> None:
    output = completed.stdout + completed.stderr
    assert completed.returncode == 2, output
    assert "Traceback" not in output
    errors = [line for line in output.splitlines() if line.startswith("Error:") or ": error:" in line]
    assert len(errors) == 1, output
    for word in words:
        assert word in errors[0], output


@pytest.fixture
def a_lake(tmp_path: Path) -> Path:
    database = tmp_path / "stedi.duckdb"
    duckdb.connect(str(database)).close()
    return database


def test_report_of_a_lake_that_does_not_exist_is_refused_and_the_good_report_kept(
    a_lake: Path, tmp_path: Path
) -> None:
    output = tmp_path / "report.html"
    written = stedi(
        "report", "--duckdb", str(a_lake), "--target-path", str(tmp_path), "--output", str(output)
    )
    assert written.returncode == 0, written.stderr
    good = output.read_bytes()

    typo = stedi("report", "--duckdb", str(tmp_path / "stedi.duckbd"), "--output", str(output))

    assert_refused_in_one_line(typo, "stedi.duckbd")
    assert output.read_bytes() == good
    assert sorted(path.name for path in tmp_path.iterdir() if "report" in path.name) == ["report.html"]


def test_report_into_a_folder_is_refused(a_lake: Path, tmp_path: Path) -> None:
    completed = stedi("report", "--duckdb", str(a_lake), "--output", str(tmp_path))
    assert_refused_in_one_line(completed, "--output", "is a folder")


def test_report_into_a_path_under_a_file_is_refused(a_lake: Path, tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("")
    completed = stedi("report", "--duckdb", str(a_lake), "--output", str(tmp_path / "a-file" / "report.html"))
    assert_refused_in_one_line(completed, "--output")


def test_generate_into_a_path_it_cannot_make_is_refused(tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("")
    completed = stedi("generate", "--out", str(tmp_path / "a-file" / "landing"), "--customers", "100")
    assert_refused_in_one_line(completed, "a-file")


def test_generate_into_a_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("")
    completed = stedi("generate", "--out", str(tmp_path / "a-file"))
    assert_refused_in_one_line(completed, "a-file")


def test_summary_of_a_lake_that_does_not_exist_is_refused(tmp_path: Path) -> None:
    completed = stedi(
        "summary",
        "--duckdb",
        str(tmp_path / "none.duckdb"),
        "--export-dir",
        str(tmp_path),
        "--landing-root",
        str(tmp_path),
    )
    assert_refused_in_one_line(completed, "none.duckdb")


def test_land_from_a_folder_that_does_not_exist_is_refused(tmp_path: Path) -> None:
    completed = stedi("land", "--from", str(tmp_path / "none"), "--bucket", "b")
    assert_refused_in_one_line(completed, "none")


def test_an_unknown_option_is_a_usage_error(tmp_path: Path) -> None:
    completed = stedi("report", "--duckbd", "x")
    assert completed.returncode == 2
    assert "Traceback" not in completed.stderr


def test_summary_counts_stored_test_results_names_a_stale_source_and_ends_with_a_health_verdict(
    tmp_path: Path,
) -> None:
    """`make run`'s summary: model tables one a line; a zone's stored test results (hash-named
    tables) as one line saying which have failing rows; each landing source that is not fresh
    with its newest record; and a one-line verdict from dbt's run_results.json."""
    published = tmp_path / "published" / "stedi.duckdb"
    published.parent.mkdir()
    with duckdb.connect(str(published)) as lake:
        lake.execute("create schema stedi_trusted; create schema stedi_audit")
        lake.execute("create table stedi_trusted.customer_trusted as select 1 as a")
        lake.execute("create table stedi_audit.unique_combination_of_columns__5654b7 as select 1 as a")
        lake.execute(
            "create table stedi_audit.assert_landing_reconciliation_closes as select 1 as a where false"
        )
    (published.parent / "stedi.duckdb.json").write_text("{}")
    target = tmp_path / "target"
    target.mkdir()
    tests = ("unique_combination_of_columns__5654b7", "assert_landing_reconciliation_closes")
    (target / "manifest.json").write_text(
        json.dumps(
            {
                "nodes": {
                    f"test.stedi.{name}": {
                        "resource_type": "test",
                        "schema": "stedi_audit",
                        "alias": name,
                        "name": name,
                    }
                    for name in tests
                }
            }
        )
    )
    (target / "sources.json").write_text(
        json.dumps(
            {
                "results": [
                    {"unique_id": "source.stedi.stedi_landing.customer_landing", "status": "pass"},
                    {
                        "unique_id": "source.stedi.stedi_landing.accelerometer_landing",
                        "status": "error",
                        "max_loaded_at": "2022-08-01T10:00:00+00:00",
                        "criteria": {
                            "warn_after": {"count": 1, "period": "day"},
                            "error_after": {"count": 7, "period": "day"},
                        },
                    },
                ]
            }
        )
    )
    statuses = ["success", "pass", "pass", "warn"]
    (target / "run_results.json").write_text(
        json.dumps({"args": {"which": "build"}, "results": [{"status": status} for status in statuses]})
    )

    completed = stedi(
        "summary",
        "--duckdb",
        str(published),
        "--export-dir",
        str(tmp_path),
        "--landing-root",
        str(tmp_path),
        "--target-path",
        str(target),
    )

    assert completed.returncode == 0, completed.stderr
    lines = [line.split() for line in completed.stdout.splitlines()]
    assert ["stedi_trusted", "customer_trusted", "1"] in lines
    assert not any("unique_combination_of_columns__5654b7" in line for line in lines)
    stored = "(2 stored test results: failing rows in unique_combination_of_columns__5654b7)"
    assert any(
        line.split()[:1] == ["stedi_audit"] and stored in line for line in completed.stdout.splitlines()
    )
    assert (
        "freshness: accelerometer_landing: stale, newest record 2022-08-01T10:00:00, older than 7 day(s)"
        in completed.stdout
    )
    assert (
        "Health: NOT OK" not in completed.stdout
        and "Health: OK (dbt build: 3 passed, 1 warned, 0 failed or skipped, published, "
        "1 landing source(s) not fresh)"
        in completed.stdout
    )
