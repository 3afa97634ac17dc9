"""`stedi report`: after a build, one self-contained HTML page of what the pipeline did.

The page shows, from the lake's own tables, the funnel from landing to curated per entity, the
rejects and exclusions by reason, the readings held back by consent, consent over time and the
readings per day; and, from dbt's artifacts (run_results.json, manifest.json, sources.json), the
policy in force, the test results, the freshness of the sources and the build's time and version.

Counts only: every query aggregates, and none selects an identifier (email, name, phone,
birthday, serial number). The same SQL runs on both engines through one small interface, `Lake`:
`DuckDBLake` reads the local DuckDB file read-only, `AthenaLake` the prefixed Athena databases
through pyathena. A table or artifact that is missing is named in the page's "Missing" section;
the page is still written. Charts are plotly figures, plotly.js inlined once: no network needed.
"""

from __future__ import annotations

import html
import json
import os
import subprocess
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

import click

from stedi.errors import UsageProblem

ENTITIES = ("customer", "accelerometer", "step_trainer")
ZONES = ("staging", "trusted", "curated", "quarantine", "audit", "consent")
# The funnel's steps: each removes the landing records of one outcome of landing_reconciliation.
FUNNEL_STEPS = (
    ("landing", None),
    ("usable", "rejected"),
    ("distinct", "collapsed"),
    ("not erased", "erased"),
    ("trusted", "excluded"),
)
HELD_BACK_OUTCOMES = ("rejected", "collapsed", "excluded", "erased", "unexplained")
POLICIES = ("as_of_consent", "any_time")
FAILED_STATUSES = {"error", "fail", "warn", "runtime error", "skipped"}


class Lake(Protocol):
    """Where the report's tables are: one engine, the schema names of its zones, and queries."""

    engine: str

    def relation(self, zone: str, table: str) -> str:
        """The quoted schema.table of a zone's table, as this engine names it."""

    def existing_tables(self) -> set[tuple[str, str]]:
        """(zone, table) of every table or view of the zones."""

    def query(self, sql: str) -> list[tuple[Any, ...]]:
        """The rows the SQL answers."""


class _SqlLake:
    """What both engines share: schema names `<prefix>stedi_<zone>` and a DB-API cursor."""

    engine = "sql"

    def __init__(self, prefix: str) -> None:
        self.prefix = f"{prefix}_" if prefix else ""

    def schema(self, zone: str) -> str:
        return f"{self.prefix}stedi_{zone}"

    def relation(self, zone: str, table: str) -> str:
        return f'"{self.schema(zone)}"."{table}"'

    def cursor(self) -> Any:
        raise NotImplementedError

    def query(self, sql: str) -> list[tuple[Any, ...]]:
        cursor = self.cursor()
        cursor.execute(sql)
        return [tuple(row) for row in cursor.fetchall()]

    def existing_tables(self) -> set[tuple[str, str]]:
        zone_of = {self.schema(zone): zone for zone in ZONES}
        listed = ", ".join(f"'{schema}'" for schema in zone_of)
        rows = self.query(
            f"select table_schema, table_name from information_schema.tables where table_schema in ({listed})"
        )
        return {(zone_of[schema], table) for schema, table in rows if schema in zone_of}


class DuckDBLake(_SqlLake):
    """The local target's DuckDB file, opened read-only (unprefixed zone names)."""

    engine = "duckdb"

    def __init__(self, database: Path) -> None:
        import duckdb

        super().__init__("")
        self.database = database
        self.connection = duckdb.connect(str(database), read_only=True)

    def cursor(self) -> Any:
        return self.connection.cursor()

    def close(self) -> None:
        self.connection.close()


class AthenaLake(_SqlLake):
    """The athena target's databases (`<prefix>_stedi_<zone>`), queried through the Athena API
    with pyathena. `connect` makes the DB-API connection; by default pyathena's, with the
    settings of the dbt profile (STEDI_S3_STAGING_DIR, AWS_REGION, STEDI_ATHENA_WORKGROUP)."""

    engine = "athena"

    def __init__(self, prefix: str, connect: Callable[[], Any] | None = None) -> None:
        super().__init__(prefix)
        self.connection = (connect or athena_connection)()

    def cursor(self) -> Any:
        return self.connection.cursor()

    def close(self) -> None:
        self.connection.close()


def athena_connection() -> Any:
    """A pyathena connection with the athena profile's settings (profiles.example.yml)."""
    from pyathena import connect

    staging = os.environ.get("STEDI_S3_STAGING_DIR", "")
    if not staging:
        raise click.ClickException("STEDI_S3_STAGING_DIR is not set (the athena profile's s3_staging_dir)")
    region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")
    settings: dict[str, Any] = {
        "s3_staging_dir": staging,
        "work_group": os.environ.get("STEDI_ATHENA_WORKGROUP", "primary"),
    }
    if region:
        settings["region_name"] = region
    if os.environ.get("AWS_ENDPOINT_URL"):
        settings["endpoint_url"] = os.environ["AWS_ENDPOINT_URL"]
    return connect(**settings)


def athena_prefix(target: str, schema_prefix: str | None) -> str:
    """The prefix of the target's databases, as macros/schema_prefix.sql gives it: the explicit
    prefix, else none for prod, else the target's name."""
    if schema_prefix:
        return schema_prefix.strip().lower()
    return "" if target == "prod" else target.lower()


# -- what the report holds -------------------------------------------------------------------
@dataclass
class Section:
    title: str
    intro: str = ""
    figures: list[Any] = field(default_factory=list)
    tables: list[tuple[str, Sequence[str], list[Sequence[Any]]]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass
class Report:
    engine: str
    sections: list[Section] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    facts: dict[str, str] = field(default_factory=dict)


class _Missing(Exception):
    """A table a section needs is not in the lake."""


def _need(existing: set[tuple[str, str]], lake: Lake, *tables: tuple[str, str]) -> None:
    absent = [lake.relation(zone, table) for zone, table in tables if (zone, table) not in existing]
    if absent:
        raise _Missing(", ".join(absent))


def _number(value: Any) -> int:
    return int(value or 0)


# -- the lake's sections ---------------------------------------------------------------------
def reconciliation_rows(lake: Lake) -> list[tuple[str, str, str, int]]:
    rows = lake.query(
        "select entity, outcome, reason, sum(landing_record_count) as records "
        f"from {lake.relation('audit', 'landing_reconciliation')} "
        "group by entity, outcome, reason order by entity, outcome, reason"
    )
    return [
        (str(entity), str(outcome), str(reason), _number(records))
        for entity, outcome, reason, records in rows
    ]


def funnel_section(lake: Lake, existing: set[tuple[str, str]]) -> Section:
    import plotly.graph_objects as go

    section = Section(
        "Funnel: landing to curated, per entity",
        "Every landing record of each entity, and how many are left after each rule "
        "(stedi_audit.landing_reconciliation: where every landing record went): usable = the "
        "rejects removed (quarantine), distinct = exact duplicates and older customer versions "
        "collapsed, not erased = records of customers with an erasure request removed, trusted = "
        "the consent policy's exclusions removed, curated = in a curated table.",
    )
    _need(existing, lake, ("audit", "landing_reconciliation"))
    rows = reconciliation_rows(lake)
    by_outcome: dict[str, Counter[str]] = defaultdict(Counter)
    for entity, outcome, _, records in rows:
        by_outcome[entity][outcome] += records
    table = []
    for entity in [e for e in ENTITIES if e in by_outcome] + sorted(set(by_outcome) - set(ENTITIES)):
        outcomes = by_outcome[entity]
        left = sum(outcomes.values())
        stages, values = [], []
        for label, removed in FUNNEL_STEPS:
            if removed:
                left -= outcomes[removed]
            stages.append(label)
            values.append(left)
        left -= outcomes["unexplained"]
        if outcomes["curated"]:
            stages.append("curated")
            values.append(outcomes["curated"])
        figure = go.Figure(go.Funnel(y=stages, x=values, textinfo="value+percent initial"))
        figure.update_layout(title=f"{entity}", height=360, margin={"l": 10, "r": 10, "t": 40, "b": 10})
        section.figures.append(("funnel-" + entity, figure))
        table.append(
            [
                entity,
                *[outcomes[o] for o in ("rejected", "collapsed", "erased", "excluded")],
                outcomes["trusted"],
                outcomes["curated"],
                outcomes["unexplained"],
                sum(outcomes.values()),
            ]
        )
    section.tables.append(
        (
            "Landing records by outcome",
            (
                "entity",
                "rejected",
                "collapsed",
                "erased",
                "excluded",
                "trusted only",
                "curated",
                "unexplained",
                "landing records",
            ),
            table,
        )
    )
    if any(row[-2] for row in table):
        section.notes.append("Some landing records are unexplained: the reconciliation test fails on them.")
    return section


def reasons_section(lake: Lake, existing: set[tuple[str, str]]) -> Section:
    import plotly.graph_objects as go

    section = Section(
        "Rejects and exclusions by reason",
        "Landing records that did not reach a trusted table, by the rule that kept them out "
        "(landing_reconciliation), and the quarantine tables' rows by reject_reason.",
    )
    _need(existing, lake, ("audit", "landing_reconciliation"))
    rows = [row for row in reconciliation_rows(lake) if row[1] in HELD_BACK_OUTCOMES]
    figure = go.Figure()
    for entity in ENTITIES:
        mine = [row for row in rows if row[0] == entity]
        if mine:
            figure.add_trace(
                go.Bar(
                    name=entity,
                    orientation="h",
                    y=[f"{outcome}: {reason}" for _, outcome, reason, _ in mine],
                    x=[records for *_, records in mine],
                )
            )
    figure.update_layout(
        barmode="group",
        height=max(320, 28 * len(rows) + 120),
        xaxis={"type": "log", "title": "landing records"},
        yaxis={"automargin": True},
        margin={"t": 30},
    )
    section.figures.append(("reasons", figure))
    section.tables.append(
        (
            "Landing records kept out of the trusted zone",
            ("entity", "outcome", "reason", "landing records"),
            rows,
        )
    )
    quarantine_rows = []
    for entity, table in (
        ("customer", "quarantined_customer_records"),
        ("accelerometer", "quarantined_accelerometer_readings"),
        ("step_trainer", "quarantined_step_trainer_readings"),
    ):
        if ("quarantine", table) not in existing:
            section.notes.append(f"missing: {lake.relation('quarantine', table)}")
            continue
        for reason, count, records in lake.query(
            "select reject_reason, count(*), sum(landing_record_count) "
            f"from {lake.relation('quarantine', table)} group by reject_reason order by reject_reason"
        ):
            quarantine_rows.append([entity, str(reason), _number(count), _number(records)])
    section.tables.append(
        (
            "Quarantine tables by reject_reason",
            ("entity", "reject_reason", "rows", "landing records"),
            quarantine_rows,
        )
    )
    return section


def consent_held_back_section(lake: Lake, existing: set[tuple[str, str]]) -> Section:
    import plotly.graph_objects as go

    section = Section(
        "Readings held back by consent",
        "Readings of customers without research consent are counted in the ledgers (row_type "
        "'withheld') and stay in the landing zone; per landing file. Readings taken before a "
        "customer's consent are excluded under the as_of_consent policy (landing_reconciliation).",
    )
    figure = go.Figure()
    table = []
    for entity, ledger in (
        ("accelerometer", "stg_stedi__accelerometer_ledger"),
        ("step_trainer", "stg_stedi__step_trainer_ledger"),
    ):
        if ("staging", ledger) not in existing:
            section.notes.append(f"missing: {lake.relation('staging', ledger)}")
            continue
        rows = lake.query(
            "select coalesce(landing_file, '(file not known)') as landing_file, sum(landing_record_count) "
            f"from {lake.relation('staging', ledger)} where row_type = 'withheld' "
            "group by coalesce(landing_file, '(file not known)') order by 1"
        )
        files = [str(name) for name, _ in rows]
        counts = [_number(records) for _, records in rows]
        figure.add_trace(go.Bar(name=entity, x=files, y=counts))
        table.extend(
            [entity, "withheld (no research consent)", name, count]
            for name, count in zip(files, counts, strict=True)
        )
    if ("audit", "landing_reconciliation") in existing:
        for entity, outcome, reason, records in reconciliation_rows(lake):
            if outcome == "excluded" and reason == "before_research_consent":
                table.append([entity, "excluded (before research consent)", "(all files)", records])
    else:
        section.notes.append(f"missing: {lake.relation('audit', 'landing_reconciliation')}")
    if not figure.data:
        raise _Missing(", ".join(note.removeprefix("missing: ") for note in section.notes))
    figure.update_layout(
        barmode="group",
        height=380,
        yaxis={"title": "withheld landing records"},
        xaxis={"title": "landing file"},
        margin={"t": 30},
    )
    section.figures.append(("held-back", figure))
    section.tables.append(("Held back", ("entity", "why", "landing file", "landing records"), table))
    return section


def consent_over_time_section(lake: Lake, existing: set[tuple[str, str]]) -> Section:
    import plotly.graph_objects as go

    section = Section(
        "Consent over time",
        "Customers whose current consent state is 'consenting', cumulated by the day they consented "
        "(research_consented_at), and the versions the snapshot customer_consent_history recorded per "
        "build day (dbt_valid_from).",
    )
    _need(existing, lake, ("consent", "customer_consent_history"))
    history = lake.relation("consent", "customer_consent_history")
    daily = lake.query(
        "select cast(research_consented_at as date) as day, count(*) "
        f"from {history} where dbt_valid_to is null and has_research_consent "
        "group by cast(research_consented_at as date) order by 1"
    )
    days, total, cumulated = [], 0, []
    for day, count in daily:
        total += _number(count)
        days.append(str(day))
        cumulated.append(total)
    figure = go.Figure(go.Scatter(x=days, y=cumulated, mode="lines+markers", name="consenting customers"))
    figure.update_layout(height=360, yaxis={"title": "consenting customers"}, margin={"t": 30})
    section.figures.append(("consent", figure))
    versions = lake.query(
        "select cast(dbt_valid_from as date) as day, "
        "sum(case when has_research_consent then 1 else 0 end), "
        "sum(case when has_research_consent then 0 else 1 end), "
        "sum(case when dbt_valid_to is null then 1 else 0 end) "
        f"from {history} group by cast(dbt_valid_from as date) order by 1"
    )
    section.tables.append(
        (
            "Snapshot versions by the build day that recorded them",
            ("dbt_valid_from (day)", "consenting", "not consenting", "still current"),
            [[str(day), _number(a), _number(b), _number(c)] for day, a, b, c in versions],
        )
    )
    return section


def readings_per_day_section(lake: Lake, existing: set[tuple[str, str]]) -> Section:
    import plotly.graph_objects as go

    section = Section(
        "Readings per day", "Rows of the trusted and curated reading tables per day of reading_at."
    )
    figure = go.Figure()
    table: dict[str, dict[str, int]] = defaultdict(dict)
    names = []
    for zone, name in (
        ("trusted", "accelerometer_trusted"),
        ("trusted", "step_trainer_trusted"),
        ("curated", "machine_learning_curated"),
    ):
        if (zone, name) not in existing:
            section.notes.append(f"missing: {lake.relation(zone, name)}")
            continue
        rows = lake.query(
            f"select cast(reading_at as date) as day, count(*) from {lake.relation(zone, name)} "
            "group by cast(reading_at as date) order by 1"
        )
        figure.add_trace(
            go.Scatter(
                name=name,
                mode="lines+markers",
                x=[str(day) for day, _ in rows],
                y=[_number(n) for _, n in rows],
            )
        )
        names.append(name)
        for day, count in rows:
            table[str(day)][name] = _number(count)
    if not figure.data:
        raise _Missing(", ".join(note.removeprefix("missing: ") for note in section.notes))
    figure.update_layout(height=380, yaxis={"title": "rows"}, margin={"t": 30})
    section.figures.append(("readings-per-day", figure))
    section.tables.append(
        (
            "Rows per day",
            ("day", *names),
            [[day, *[table[day].get(n, 0) for n in names]] for day in sorted(table)],
        )
    )
    return section


LAKE_SECTIONS = (
    funnel_section,
    reasons_section,
    consent_held_back_section,
    consent_over_time_section,
    readings_per_day_section,
)


# -- dbt's artifacts -------------------------------------------------------------------------
def read_json(path: Path, report: Report) -> dict | None:
    if not path.exists():
        report.missing.append(f"artifact {path} (not found)")
        return None
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError) as error:
        report.missing.append(f"artifact {path} (unreadable: {error})")
        return None


def project_default_policy(project_dir: Path) -> str | None:
    try:
        import yaml

        return (
            (yaml.safe_load((project_dir / "dbt_project.yml").read_text()) or {})
            .get("vars", {})
            .get("consent_policy")
        )
    except Exception:  # the report must still write
        return None


def project_version(project_dir: Path) -> str:
    try:
        import yaml

        return str(
            (yaml.safe_load((project_dir / "dbt_project.yml").read_text()) or {}).get("version", "unknown")
        )
    except Exception:
        return "unknown (dbt_project.yml unreadable)"


def git_commit(project_dir: Path) -> str:
    """The checkout's commit (with ' + uncommitted changes'), or why there is none; never fails."""
    try:
        commit = subprocess.run(
            ["git", "-C", str(project_dir), "rev-parse", "HEAD"], capture_output=True, text=True, timeout=10
        )
        if commit.returncode != 0:
            return "unknown (not a git checkout)"
        dirty = subprocess.run(
            ["git", "-C", str(project_dir), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            timeout=10,
        )
        return commit.stdout.strip() + (" + uncommitted changes" if dirty.stdout.strip() else "")
    except (OSError, subprocess.SubprocessError):
        return "unknown (git not available)"


def policy_section(run_results: dict | None, project_dir: Path, report: Report) -> Section:
    section = Section("Consent policy in force")
    default = project_default_policy(project_dir)
    passed = ((run_results or {}).get("args") or {}).get("vars") or {}
    if run_results is None:
        policy, source = "unknown", "run_results.json is missing"
    elif "consent_policy" in passed:
        policy, source = str(passed["consent_policy"]), "--vars of the build (run_results.json args.vars)"
    else:
        policy, source = str(default), "the project's default (dbt_project.yml vars; the build set none)"
    report.facts["consent policy"] = policy
    explained = {
        "as_of_consent": "a reading counts only if taken at or after the customer's research consent",
        "any_time": "every reading of a customer who consents counts, whenever it was taken",
    }
    section.intro = f"{explained.get(policy, 'not a policy the project knows')}."
    section.tables.append(
        ("Policy", ("consent policy", "from", "project default"), [[policy, source, str(default)]])
    )
    return section


def resource_type(unique_id: str) -> str:
    return unique_id.split(".", 1)[0]


def tests_section(run_results: dict | None) -> Section:
    section = Section(
        "Test results", "Status of every node of the build, per resource type (run_results.json)."
    )
    if run_results is None:
        raise _Missing("run_results.json")
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    problems = []
    for result in run_results.get("results", []):
        kind = resource_type(result.get("unique_id", "?"))
        status = str(result.get("status"))
        counts[kind][status] += 1
        if status in FAILED_STATUSES:
            message = " ".join(str(result.get("message") or "").split())[:300]
            problems.append([result.get("unique_id", "?"), status, _number(result.get("failures")), message])
    statuses = sorted({status for kinds in counts.values() for status in kinds})
    rows = [
        [kind, *[counts[kind][s] for s in statuses], sum(counts[kind].values())] for kind in sorted(counts)
    ]
    section.tables.append(("Nodes by resource type and status", ("resource type", *statuses, "total"), rows))
    section.tables.append(
        (
            "Failures, errors, warnings and skips"
            if problems
            else "Failures, errors, warnings and skips: none",
            ("node", "status", "failures", "message"),
            problems,
        )
    )
    return section


def freshness_section(sources: dict | None, sources_path: Path) -> Section:
    section = Section("Source freshness", "`dbt source freshness` (sources.json).")
    if sources is None:
        section.notes.append(f"not run: {sources_path} is not there (run `dbt source freshness` to write it)")
        return section
    rows = [
        [
            result.get("unique_id", "?").removeprefix("source."),
            result.get("status"),
            result.get("max_loaded_at"),
            f"{float(result.get('max_loaded_at_time_ago_in_s') or 0) / 86400:.1f}",
        ]
        for result in sources.get("results", [])
    ]
    section.intro += f" Checked {sources.get('metadata', {}).get('generated_at', '?')}."
    section.tables.append(("Freshness per source", ("source", "status", "newest record", "age (days)"), rows))
    return section


def build_section(
    run_results: dict | None, manifest: dict | None, project_dir: Path, report: Report
) -> Section:
    section = Section("Build")
    metadata = (run_results or {}).get("metadata") or (manifest or {}).get("metadata") or {}
    args = (run_results or {}).get("args") or {}
    facts = [
        ("command", args.get("invocation_command", "unknown")),
        ("started", metadata.get("invocation_started_at", "unknown")),
        ("finished", (run_results or {}).get("metadata", {}).get("generated_at", "unknown")),
        ("elapsed (s)", f"{float(run_results['elapsed_time']):.1f}" if run_results else "unknown"),
        ("dbt version", metadata.get("dbt_version", "unknown")),
        ("adapter", (manifest or {}).get("metadata", {}).get("adapter_type", "unknown")),
        ("project version", project_version(project_dir)),
        ("git commit", git_commit(project_dir)),
        ("invocation id", metadata.get("invocation_id", "unknown")),
    ]
    report.facts.update({name: str(value) for name, value in facts if name in ("finished", "git commit")})
    section.tables.append(("Build", ("", ""), [[name, str(value)] for name, value in facts]))
    return section


# -- assembling ------------------------------------------------------------------------------
def build_report(lake: Lake | None, target_path: Path, project_dir: Path, lake_problem: str = "") -> Report:
    """Every section; a missing table or artifact becomes a line of `report.missing`."""
    report = Report(engine=lake.engine if lake else "none")
    run_results = read_json(target_path / "run_results.json", report)
    manifest = read_json(target_path / "manifest.json", report)
    sources_path = target_path / "sources.json"
    sources = json.loads(sources_path.read_text()) if sources_path.exists() else None

    def add(make: Callable[[], Section], title: str) -> None:
        try:
            report.sections.append(make())
        except _Missing as missing:
            report.missing.append(f"{title}: needs {missing}")
        except Exception as error:  # a query that fails is reported, the page still written
            first_line = (str(error).strip().splitlines() or [type(error).__name__])[0][:300]
            report.missing.append(f"{title}: {type(error).__name__}: {first_line}")

    report.sections.append(policy_section(run_results, project_dir, report))
    if lake is None:
        report.missing.append(f"the lake: {lake_problem}")
    else:
        try:
            existing = lake.existing_tables()
        except Exception as error:
            existing = set()
            report.missing.append(f"the lake's table list: {type(error).__name__}: {str(error)[:300]}")
        for make in LAKE_SECTIONS:
            title = make.__name__.removesuffix("_section").replace("_", " ")
            add(lambda make=make: make(lake, existing), title)
    add(lambda: tests_section(run_results), "test results")
    add(lambda: freshness_section(sources, sources_path), "freshness")
    add(lambda: build_section(run_results, manifest, project_dir, report), "build")
    return report


STYLE = """
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 1250px; color: #222; }
h1 { margin-bottom: .2rem; } h2 { border-bottom: 1px solid #ccc; padding-bottom: .2rem; margin-top: 2.2rem; }
.facts span { margin-right: 1.5rem; } .charts { display: flex; flex-wrap: wrap; gap: 1rem; }
.charts > div { flex: 1 1 380px; min-width: 380px; }
table { border-collapse: collapse; margin: .6rem 0 1rem; font-size: .9rem; }
th, td { border: 1px solid #ddd; padding: .25rem .6rem; text-align: left; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
caption { text-align: left; font-weight: 600; }
.missing { background: #fff4e5; border-left: 4px solid #f0a030; padding: .5rem 1rem; }
.note { color: #8a4b00; }
"""


def _cell(value: Any) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        return f'<td class="n">{value:,}</td>'
    return f"<td>{html.escape(str(value))}</td>"


def render_html(report: Report, generated_at: datetime) -> str:
    import plotly.io
    import plotly.offline

    parts = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        "<title>STEDI pipeline report</title>",
        f"<style>{STYLE}</style>",
        # plotly.js itself, once, inline: the page needs no network.
        f"<script type='text/javascript'>{plotly.offline.get_plotlyjs()}</script>",
        "</head><body>",
        "<h1>STEDI pipeline report</h1>",
        "<p class='facts'>",
        f"<span>engine: <b>{html.escape(report.engine)}</b></span>",
        *[f"<span>{html.escape(k)}: <b>{html.escape(v)}</b></span>" for k, v in report.facts.items()],
        f"<span>report written: {generated_at.isoformat(timespec='seconds')}</span></p>",
        "<p>Aggregate counts only: no email, name, phone, birthday or serial number appears here.</p>",
    ]
    if report.missing:
        parts.append("<section id='missing' class='missing'><h2>Missing</h2><ul>")
        parts += [f"<li>{html.escape(line)}</li>" for line in report.missing]
        parts.append("</ul></section>")
    for section in report.sections:
        slug = section.title.lower().split(":")[0].replace(" ", "-")
        parts.append(f"<section id='{html.escape(slug)}'><h2>{html.escape(section.title)}</h2>")
        if section.intro:
            parts.append(f"<p>{html.escape(section.intro)}</p>")
        parts += [f"<p class='note'>{html.escape(note)}</p>" for note in section.notes]
        if section.figures:
            parts.append("<div class='charts'>")
            for name, figure in section.figures:
                parts.append(
                    plotly.io.to_html(
                        figure,
                        full_html=False,
                        include_plotlyjs=False,
                        div_id=f"chart-{name}",
                        config={"displaylogo": False, "responsive": True},
                    )
                )
            parts.append("</div>")
        for caption, header, rows in section.tables:
            long = len(rows) > 12
            if long:
                parts.append(f"<details><summary>{html.escape(caption)} ({len(rows)} rows)</summary>")
            parts.append(f"<table><caption>{html.escape(caption)}</caption><tr>")
            parts += [f"<th>{html.escape(str(column))}</th>" for column in header]
            parts.append("</tr>")
            parts += ["<tr>" + "".join(_cell(value) for value in row) + "</tr>" for row in rows]
            parts.append("</table>" + ("</details>" if long else ""))
        parts.append("</section>")
    # Each chart is drawn as its div is parsed, before the charts beside it exist, so it takes the
    # whole row; once the page is laid out, every chart is fitted to its own box.
    parts.append(
        "<script>window.addEventListener('load', () => document.querySelectorAll('.js-plotly-plot')"
        ".forEach((plot) => Plotly.Plots.resize(plot)));</script>"
    )
    parts.append("</body></html>")
    return "\n".join(parts)


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
