"""`stedi report`: after a build, one self-contained HTML page of what the pipeline did.

The page shows, from the lake's own tables, the funnel from landing to curated per entity, the
rejects and exclusions by reason, the readings held back by consent, consent over time and the
readings per day; and, from dbt's artifacts (run_results.json, manifest.json, sources.json), the
policy in force, the test results, the freshness of the sources and the build's time and version.

One module each:
  lake.py           the engines: `Lake`, `DuckDBLake` (the local file, read-only), `AthenaLake`
  queries.py        the SQL against the lake: counts only, no identifier selected
  charts.py         the plotly figures of those counts
  lake_sections.py  the sections of the lake's tables: their words, charts and tables
  artifacts.py      the sections of dbt's artifacts and the project
  model.py          what a report holds (`Report`, `Section`)
  assemble.py       `build_report`: every section; what is missing is named, not fatal
  page.py           the HTML page (plotly.js inlined once: no network needed)
  cli.py            the command: its options, its path checks, the page written into place
"""

from stedi.report.assemble import build_report
from stedi.report.cli import report_command, write_report
from stedi.report.lake import ZONES, AthenaLake, DuckDBLake, Lake, athena_prefix
from stedi.report.model import Report, Section
from stedi.report.page import render_html
from stedi.report.queries import reconciliation_rows

__all__ = [
    "ZONES",
    "AthenaLake",
    "DuckDBLake",
    "Lake",
    "Report",
    "Section",
    "athena_prefix",
    "build_report",
    "reconciliation_rows",
    "render_html",
    "report_command",
    "write_report",
]
