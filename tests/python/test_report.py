"""`stedi report`: the pipeline report of a build, opened in headless Chromium with no network.

One small build (the session's landing_with_defects, consent policy any_time: not the project's
default, so the page must show the build's own policy) and its `dbt source freshness`; then
`stedi report` on its DuckDB file and artifacts. The page must draw every chart, need nothing off
the machine, show the policy, list exactly the node counts of run_results.json, and hold no
identifier of the landing customers. Without dbt: a report of a lake that lacks tables and
artifacts still writes and names them, and the Athena implementation sends the same SQL to
prefixed databases (a DuckDB connection stands in for pyathena's; the local Athena is not started).
"""

from __future__ import annotations

import contextlib
import json
import re
import subprocess
from collections import Counter
from pathlib import Path

import duckdb
import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from browser import chromium_page, screenshot
from conftest import BIN, PROJECT_ROOT, DbtProject, Landing, json_lines
from stedi.report import ZONES, AthenaLake, DuckDBLake, athena_prefix, build_report

POLICY = "any_time"
CHARTS = (
    "chart-funnel-customer",
    "chart-funnel-accelerometer",
    "chart-funnel-step_trainer",
    "chart-reasons",
    "chart-held-back",
    "chart-consent",
    "chart-readings-per-day",
)
# The inline plotly.js (megabytes of minified code) is left out of the identifier check.
PLOTLY_JS = re.compile(r"<script type='text/javascript'>.*?</script>", re.DOTALL)


def stedi_report(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(BIN / "stedi"), "report", *args],
        capture_output=True,
        text=True,
        check=False,
        env=DbtProject.base_env(),
    )


@pytest.fixture(scope="module")
def built(landing_with_defects: Landing, tmp_path_factory: pytest.TempPathFactory):
    work = tmp_path_factory.mktemp("report")
    project = DbtProject(PROJECT_ROOT, work)
    variables = {"landing_root": str(landing_with_defects.root), "consent_policy": POLICY}
    run = project.dbt("build", variables=variables)
    assert run.returncode == 0, run.output[-4000:]
    # Freshness writes sources.json into its own target folder; the report reads one folder.
    freshness = project.dbt("source", "freshness", variables=variables)
    assert (freshness.target_path / "sources.json").exists(), freshness.output[-3000:]
    (run.target_path / "sources.json").write_bytes((freshness.target_path / "sources.json").read_bytes())
    output = work / "report.html"
    args = ("--duckdb", str(project.duckdb_path), "--target-path", str(run.target_path))
    completed = stedi_report(*args, "--project-dir", str(PROJECT_ROOT), "--output", str(output))
    assert completed.returncode == 0, completed.stderr
    assert str(output) in completed.stdout
    return project, run, landing_with_defects, output


@pytest.fixture(scope="module")
def opened(built):
    """The page's charts (id -> svg count, drawn marks, marks expected from its data), its
    sections' text and tables, and the requests it tried to send off the machine."""
    _, _, _, output = built
    with chromium_page() as page:
        page.goto(output.as_uri())
        # On a timeout the tests say which chart did not draw, and which request left the machine.
        with contextlib.suppress(PlaywrightTimeout):
            page.wait_for_function(
                "ids => ids.every(id => document.querySelector(`#${id} svg.main-svg`))",
                arg=list(CHARTS),
                timeout=20_000,
            )
        charts = page.evaluate(
            """() => Object.fromEntries([...document.querySelectorAll('.js-plotly-plot')].map(d => [d.id, {
                svgs: d.querySelectorAll('svg.main-svg').length,
                marks: d.querySelectorAll('.trace .point').length,
                expected: (d.data || []).reduce((n, t) => n + (t.x || []).filter(v => v !== null).length, 0),
            }]))"""
        )
        tables = page.evaluate(
            """() => Object.fromEntries([...document.querySelectorAll('section')].map(s => [s.id,
                [...s.querySelectorAll('table')].map(t =>
                    [...t.rows].map(r => [...r.cells].map(c => c.innerText)))
            ]))"""
        )
        texts = page.evaluate(
            "() => Object.fromEntries([...document.querySelectorAll('section')]"
            ".map(s => [s.id, s.innerText]))"
        )
        path = screenshot(page, "report")
        violations = list(page.offline_violations)
        return {"charts": charts, "tables": tables, "texts": texts, "violations": violations, "png": path}


@pytest.mark.slow
def test_every_chart_draws_offline(opened) -> None:
    assert opened["violations"] == []
    charts = opened["charts"]
    assert set(CHARTS) <= set(charts), charts
    for chart in CHARTS:
        drawn = charts[chart]
        assert drawn["svgs"] > 0, (chart, drawn)
        assert drawn["marks"] > 0, (chart, drawn)
        assert drawn["marks"] == drawn["expected"], (chart, drawn)
    assert opened["png"].stat().st_size > 0


@pytest.mark.slow
def test_the_policy_in_force_is_the_builds(opened) -> None:
    policy = opened["tables"]["consent-policy-in-force"][0]
    assert policy[0] == ["consent policy", "from", "project default"]
    assert policy[1][0] == POLICY
    assert "--vars" in policy[1][1]
    assert policy[1][2] != POLICY, "the test should build under a policy other than the default"


@pytest.mark.slow
def test_test_results_list_the_counts_of_run_results(built, opened) -> None:
    _, run, _, _ = built
    results = json.loads((run.target_path / "run_results.json").read_text())["results"]
    expected = Counter((result["unique_id"].split(".")[0], result["status"]) for result in results)
    header, *rows = opened["tables"]["test-results"][0]
    shown = Counter()
    for row in rows:
        for status, cell in zip(header[1:-1], row[1:-1], strict=True):
            if int(cell.replace(",", "")):
                shown[(row[0], status)] = int(cell.replace(",", ""))
        assert int(row[-1].replace(",", "")) == sum(n for (kind, _), n in expected.items() if kind == row[0])
    assert shown == expected
    failures = opened["tables"]["test-results"][1]
    assert failures[1:] == [], failures


@pytest.mark.slow
def test_freshness_build_and_missing(built, opened) -> None:
    freshness = opened["tables"]["source-freshness"][0]
    assert {row[0] for row in freshness[1:]} >= {"stedi.stedi_landing.accelerometer_landing"}, freshness
    build = dict(opened["tables"]["build"][0][1:])
    assert build["dbt version"].startswith("1.11"), build
    assert build["project version"] == "1.0.0"
    assert build["git commit"], build
    assert "missing" not in opened["texts"], opened["texts"].get("missing")


@pytest.mark.slow
def test_no_identifier_of_a_landing_customer_appears(built) -> None:
    _, _, landing, output = built
    page = PLOTLY_JS.sub("", output.read_text()).lower()
    identifiers = set()
    for file in sorted((landing.root / "customer" / "landing").glob("*")):
        for record in json_lines(file):
            for key in ("email", "customerName", "serialNumber"):
                value = record.get(key)
                if isinstance(value, str) and len(value.strip()) >= 6:
                    identifiers.add(value.strip().lower())
    assert len(identifiers) > 100
    assert sorted(value for value in identifiers if value in page) == []


def test_missing_tables_and_artifacts_are_named_and_the_page_still_writes(tmp_path: Path) -> None:
    database = tmp_path / "partial.duckdb"
    with duckdb.connect(str(database)) as connection:
        connection.execute("create schema stedi_audit")
        connection.execute(
            "create table stedi_audit.landing_reconciliation as select 'customer' as entity, "
            "'trusted' as outcome, 'customer_trusted' as reason, 'customer_trusted' as found_in, "
            "3::bigint as landing_record_count"
        )
    output = tmp_path / "report.html"
    completed = stedi_report(
        "--duckdb", str(database), "--target-path", str(tmp_path / "no-target"), "--output", str(output)
    )
    assert completed.returncode == 0, completed.stderr
    assert "Traceback" not in completed.stdout + completed.stderr
    page = output.read_text()
    missing = page[page.index("<section id='missing'") : page.index("</section>", page.index("id='missing'"))]
    for absent in (
        "run_results.json",
        "manifest.json",
        '"stedi_consent"."customer_consent_history"',
        '"stedi_staging"."stg_stedi__accelerometer_ledger"',
        '"stedi_trusted"."accelerometer_trusted"',
    ):
        assert absent.replace('"', "&quot;") in missing, absent
    assert "id='chart-funnel-customer'" in page or 'id="chart-funnel-customer"' in page

    no_file = stedi_report("--duckdb", str(tmp_path / "none.duckdb"), "--output", str(tmp_path / "r2.html"))
    assert no_file.returncode == 2, no_file.stderr  # refused: tests/python/test_commands.py
    assert not (tmp_path / "r2.html").exists()


class RecordingConnection:
    """Stands in for pyathena's connection: a DuckDB one whose cursors record what they execute."""

    def __init__(self, connection: duckdb.DuckDBPyConnection, sent: list[str]) -> None:
        self.connection = connection
        self.sent = sent

    def cursor(self):  # type: ignore[no-untyped-def]
        sent, cursor = self.sent, self.connection.cursor()

        class Cursor:
            def execute(self, sql: str) -> None:
                sent.append(sql)
                cursor.execute(sql)

            def fetchall(self) -> list[tuple]:
                return cursor.fetchall()

        return Cursor()

    def close(self) -> None:
        self.connection.close()


@pytest.mark.slow
def test_athena_lake_sends_the_same_sql_to_the_prefixed_databases(built) -> None:
    project, run, _, _ = built
    local = DuckDBLake(project.duckdb_path)
    try:
        expected = build_report(local, run.target_path, PROJECT_ROOT)
    finally:
        local.close()
    # The lake's tables as views in databases named as the athena target names them.
    connection = duckdb.connect()
    connection.execute(f"attach '{project.duckdb_path}' as lake (read_only)")
    for zone in ZONES:
        connection.execute(f"create schema athena_stedi_{zone}")
        for (table,) in connection.execute(
            "select table_name from information_schema.tables "
            "where table_catalog = 'lake' and table_schema = ?",
            [f"stedi_{zone}"],
        ).fetchall():
            connection.execute(
                f'create view athena_stedi_{zone}."{table}" as select * from lake.stedi_{zone}."{table}"'
            )
    sent: list[str] = []
    athena = AthenaLake(athena_prefix("athena", None), connect=lambda: RecordingConnection(connection, sent))
    try:
        report = build_report(athena, run.target_path, PROJECT_ROOT)
    finally:
        athena.close()
    assert report.missing == expected.missing == []
    assert [(s.title, s.tables) for s in report.sections] == [(s.title, s.tables) for s in expected.sections]
    assert len(sent) > 5
    for sql in sent:
        assert '"stedi_' not in sql and "'stedi_" not in sql, sql
    assert athena_prefix("prod", None) == ""
    assert athena_prefix("athena", "Dev_Alice") == "dev_alice"
