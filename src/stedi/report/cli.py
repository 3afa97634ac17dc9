"""`stedi report`: its options, the checks of its paths, and the page written into place."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import click

from stedi.errors import UsageProblem
from stedi.report.assemble import build_report
from stedi.report.lake import AthenaLake, DuckDBLake, Lake, athena_prefix
from stedi.report.model import Report
from stedi.report.page import render_html


def write_report(
    lake: Lake | None, target_path: Path, project_dir: Path, output: Path, lake_problem: str = ""
) -> Report:
    report = build_report(lake, target_path, project_dir, lake_problem)
    # Written beside, then renamed into place: a reader, or a failure half-way, never sees a
    # half-written page, and the previous report stays until the new one is whole.
    partial = output.with_name(f".{output.name}.partial")
    partial.write_text(render_html(report, datetime.now(UTC)), encoding="utf-8")
    partial.replace(output)
    return report


def check_output(output: Path) -> None:
    """Refuse, before any work, an --output the report cannot be written to."""
    if output.is_dir():
        raise UsageProblem(
            f"--output {output} is a folder: give the HTML file to write, e.g. {output / 'report.html'}"
        )
    parent = output.parent if str(output.parent) else Path(".")
    try:
        parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise UsageProblem(f"--output {output}: cannot make its folder ({error.strerror})") from error
    if not os.access(parent, os.W_OK):
        raise UsageProblem(f"--output {output}: its folder {parent} is not writable")


@click.command("report")
@click.option(
    "--target",
    "target",
    type=click.Choice(["local", "athena", "prod"]),
    default="local",
    show_default=True,
    help="Which build to read: local (the DuckDB file) or an Athena target (athena: prefixed databases).",
)
@click.option(
    "--duckdb",
    "database",
    type=click.Path(path_type=Path),
    default=Path("lake/stedi.duckdb"),
    show_default=True,
    help="The DuckDB file (local target).",
)
@click.option(
    "--schema-prefix",
    default=None,
    envvar="STEDI_SCHEMA_PREFIX",
    help="Athena: the databases' prefix (default: the target's name; none for prod), as the build's.",
)
@click.option(
    "--target-path",
    type=click.Path(path_type=Path),
    default=Path("target"),
    show_default=True,
    help="dbt's artifacts of the build (run_results.json, manifest.json, sources.json).",
)
@click.option(
    "--project-dir",
    type=click.Path(path_type=Path),
    default=Path("."),
    show_default=True,
    help="The dbt project (dbt_project.yml: its version and default consent policy; its git commit).",
)
@click.option(
    "--output",
    type=click.Path(path_type=Path),
    default=Path("lake/report.html"),
    show_default=True,
    help="The HTML file to write.",
)
def report_command(
    target: str, database: Path, schema_prefix: str | None, target_path: Path, project_dir: Path, output: Path
) -> None:
    """Write one self-contained HTML page (plotly charts, no network) of what a build did: the
    funnel from landing to curated per entity, rejects and exclusions by reason, readings held
    back by consent, consent over time, readings per day, the consent policy in force, the test
    results and source freshness from dbt's artifacts, and the build's time and version.

    \b
    Local (what `make run` does):
      stedi report --duckdb lake/stedi.duckdb --target-path target --output lake/report.html
    Athena (the athena profile's environment: STEDI_S3_STAGING_DIR, AWS_REGION, ...):
      dbt build --target athena && stedi report --target athena --output target/report-athena.html

    A missing table or artifact is named in the page's "Missing" section; the page is still written.
    A lake that does not exist, or an --output that cannot be written, is refused (exit status 2)
    and the previous report is left as it was; the page is written beside and renamed into place.
    """
    check_output(output)
    lake: Lake | None = None
    problem = ""
    try:
        if target == "local":
            if not database.is_file():
                # A typo must not replace a good report with an empty one.
                raise UsageProblem(f"--duckdb {database}: no DuckDB file there (run `make run` first)")
            lake = DuckDBLake(database)
        else:
            lake = AthenaLake(athena_prefix(target, schema_prefix))
    except click.ClickException:
        raise
    except Exception as error:  # e.g. a locked or corrupt file: still write the page
        problem = f"{type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}"
    try:
        report = write_report(lake, target_path, project_dir, output, problem)
    finally:
        if lake is not None:
            lake.close()  # type: ignore[attr-defined]
    click.echo(f"Pipeline report: {output.resolve()}")
    if report.missing:
        click.echo(f"  ({len(report.missing)} missing: see its 'Missing' section)")
