"""`stedi summary`: after a local build, say where the zones are, how many rows each table holds,
how fresh the landing data is, and whether the build is healthy, in one line."""

from __future__ import annotations

import json
from collections import Counter
from itertools import groupby
from pathlib import Path
from typing import Any

import click
import duckdb

from stedi.errors import UsageProblem

ZONE_ORDER = ("trusted", "curated", "quarantine", "audit", "consent", "reference")


def zone_tables(database: Path) -> list[tuple[str, str, int]]:
    """(schema, table, rows) of every table the build wrote, zone by zone (views are left out)."""
    with duckdb.connect(str(database), read_only=True) as connection:
        tables = connection.execute(
            """
            select table_schema, table_name
            from information_schema.tables
            where table_type = 'BASE TABLE' and table_schema like '%stedi\\_%' escape '\\'
            """
        ).fetchall()
        counted = [
            (schema, table, connection.execute(f'select count(*) from "{schema}"."{table}"').fetchall()[0][0])
            for schema, table in tables
        ]

    def order(row: tuple[str, str, int]) -> tuple[int, str, str]:
        zone = row[0].rsplit("stedi_", 1)[-1]
        rank = ZONE_ORDER.index(zone) if zone in ZONE_ORDER else len(ZONE_ORDER)
        return rank, row[0], row[1]

    return sorted(counted, key=order)


def read_artifact(target_path: Path | None, name: str) -> dict[str, Any]:
    """One of dbt's JSON artifacts of the last command ({} when there is none or it is unreadable)."""
    if target_path is None or not (target_path / name).is_file():
        return {}
    try:
        return json.loads((target_path / name).read_text())
    except (OSError, ValueError):
        return {}


def stored_test_results(manifest: dict[str, Any]) -> set[tuple[str, str]]:
    """(schema, table) of the tables dbt stores a test's failing rows in."""
    return {
        (node["schema"], node.get("alias") or node["name"])
        for node in manifest.get("nodes", {}).values()
        if node.get("resource_type") == "test"
    }


def freshness_lines(sources: dict[str, Any]) -> list[str]:
    """One line per landing source that is not fresh, with its newest record and the threshold."""
    lines = []
    for result in sources.get("results", []):
        if result.get("status") == "pass":
            continue
        name = result.get("unique_id", "").rsplit(".", 1)[-1]
        newest = result.get("max_loaded_at") or "no plausible instant"
        criteria = result.get("criteria", {})
        limit = criteria.get("error_after" if result.get("status") == "error" else "warn_after") or {}
        over = f"older than {limit.get('count')} {limit.get('period')}(s)" if limit else "not checked"
        state = {"warn": "getting stale", "error": "stale"}.get(result.get("status"), "not checked")
        lines.append(f"{name}: {state}, newest record {newest[:19]}, {over}")
    return lines


def health_verdict(run_results: dict[str, Any], stale: int, published: bool) -> str:
    """The build in one line: its command, how its nodes ended, freshness and publication."""
    if not run_results:
        return "Health: unknown (no run_results.json of the last dbt command)"
    counts = Counter(result.get("status") for result in run_results.get("results", []))
    bad = sum(counts[status] for status in ("error", "fail", "runtime error", "skipped"))
    command = run_results.get("args", {}).get("which", "dbt")
    verdict = "OK" if bad == 0 and published else "NOT OK"
    parts = [
        f"dbt {command}: {counts['success'] + counts['pass']} passed",
        f"{counts['warn']} warned",
        f"{bad} failed or skipped",
        "published" if published else "not published",
        f"{stale} landing source(s) not fresh" if stale else "landing fresh",
    ]
    return f"Health: {verdict} ({', '.join(parts)})"


@click.command("summary")
@click.option("--duckdb", "database", type=click.Path(path_type=Path), required=True, help="The DuckDB file.")
@click.option("--export-dir", type=click.Path(path_type=Path), required=True, help="Where Parquet went.")
@click.option("--landing-root", type=click.Path(path_type=Path), required=True, help="The landing data.")
@click.option("--consent-policy", default="as_of_consent", show_default=True)
@click.option(
    "--target-path",
    type=click.Path(path_type=Path),
    default=None,
    help="dbt's target folder of the build: its stored test results are counted, not listed.",
)
def summary_command(
    database: Path, export_dir: Path, landing_root: Path, consent_policy: str, target_path: Path | None
) -> None:
    """Print where a local build put its outputs, with the row count of every zone table."""
    if not database.exists():
        raise UsageProblem(f"no DuckDB file at {database}: run `make run` first")
    click.echo(f"\nSTEDI lakehouse built on DuckDB (consent policy: {consent_policy})")
    click.echo(f"  landing data : {landing_root}")
    click.echo(f"  DuckDB file  : {database}")
    for parquet in sorted(export_dir.glob("*.parquet")):
        click.echo(f"  Parquet      : {parquet}")
    click.echo("")
    tests = stored_test_results(read_artifact(target_path, "manifest.json"))
    click.echo(f"  {'schema':<24} {'table':<56} {'rows':>10}")
    for schema, group in groupby(zone_tables(database), key=lambda row: row[0]):
        stored = []
        for _, table, rows in group:
            if (schema, table) in tests:
                stored.append((table, rows))
            else:
                click.echo(f"  {schema:<24} {table:<56} {rows:>10,}")
        if stored:
            failing = [table for table, rows in stored if rows]
            what = f"failing rows in {', '.join(failing)}" if failing else "none has a failing row"
            click.echo(f"  {schema:<24} ({len(stored)} stored test results: {what})")
    stale = freshness_lines(read_artifact(target_path, "sources.json"))
    for line in stale:
        click.echo(f"\n  freshness: {line}")
    published = (database.parent / (database.name + ".json")).is_file()
    click.echo("\n" + health_verdict(read_artifact(target_path, "run_results.json"), len(stale), published))
    click.echo(
        "\nQuery it with DuckDB, e.g.\n"
        f"  .venv/bin/python -c \"import duckdb; print(duckdb.connect('{database}', read_only=True)"
        ".sql('select * from stedi_curated.machine_learning_curated limit 5'))\""
    )
