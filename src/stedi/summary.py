"""`stedi summary`: after a local build, say where the zones are and how many rows each table holds."""

from __future__ import annotations

from pathlib import Path

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


@click.command("summary")
@click.option("--duckdb", "database", type=click.Path(path_type=Path), required=True, help="The DuckDB file.")
@click.option("--export-dir", type=click.Path(path_type=Path), required=True, help="Where Parquet went.")
@click.option("--landing-root", type=click.Path(path_type=Path), required=True, help="The landing data.")
@click.option("--consent-policy", default="as_of_consent", show_default=True)
def summary_command(database: Path, export_dir: Path, landing_root: Path, consent_policy: str) -> None:
    """Print where a local build put its outputs, with the row count of every zone table."""
    if not database.exists():
        raise UsageProblem(f"no DuckDB file at {database}: run `make run` first")
    click.echo(f"\nSTEDI lakehouse built on DuckDB (consent policy: {consent_policy})")
    click.echo(f"  landing data : {landing_root}")
    click.echo(f"  DuckDB file  : {database}")
    for parquet in sorted(export_dir.glob("*.parquet")):
        click.echo(f"  Parquet      : {parquet}")
    click.echo("")
    click.echo(f"  {'schema':<24} {'table':<56} {'rows':>10}")
    for schema, table, rows in zone_tables(database):
        click.echo(f"  {schema:<24} {table:<56} {rows:>10,}")
    click.echo(
        "\nQuery it with DuckDB, e.g.\n"
        f"  .venv/bin/python -c \"import duckdb; print(duckdb.connect('{database}', read_only=True)"
        ".sql('select * from stedi_curated.machine_learning_curated limit 5'))\""
    )
