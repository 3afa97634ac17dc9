"""The sections read from the lake's own tables: the funnel per entity, rejects and exclusions
by reason, readings held back by consent, consent over time and readings per day. Each takes
its rows from queries.py and its chart from charts.py, and adds the words and the tables."""

from __future__ import annotations

from collections import Counter, defaultdict

from stedi.report.charts import (
    consent_figure,
    funnel_figure,
    held_back_figure,
    readings_per_day_figure,
    reasons_figure,
)
from stedi.report.lake import Lake
from stedi.report.model import ENTITIES, Missing, Section
from stedi.report.queries import (
    consent_versions_per_day,
    consenting_per_day,
    quarantine_by_reason,
    reconciliation_rows,
    rows_per_day,
    withheld_per_file,
)

# The funnel's steps: each removes the landing records of one outcome of landing_reconciliation.
FUNNEL_STEPS = (
    ("landing", None),
    ("usable", "rejected"),
    ("distinct", "collapsed"),
    ("not erased", "erased"),
    ("trusted", "excluded"),
)
HELD_BACK_OUTCOMES = ("rejected", "collapsed", "excluded", "erased", "unexplained")
QUARANTINE_TABLES = (
    ("customer", "quarantined_customer_records"),
    ("accelerometer", "quarantined_accelerometer_readings"),
    ("step_trainer", "quarantined_step_trainer_readings"),
)
LEDGERS = (
    ("accelerometer", "stg_stedi__accelerometer_ledger"),
    ("step_trainer", "stg_stedi__step_trainer_ledger"),
)
READING_TABLES = (
    ("trusted", "accelerometer_trusted"),
    ("trusted", "step_trainer_trusted"),
    ("curated", "machine_learning_curated"),
)

Existing = set[tuple[str, str]]


def need(existing: Existing, lake: Lake, *tables: tuple[str, str]) -> None:
    absent = [lake.relation(zone, table) for zone, table in tables if (zone, table) not in existing]
    if absent:
        raise Missing(", ".join(absent))


def funnel_section(lake: Lake, existing: Existing) -> Section:
    section = Section(
        "Funnel: landing to curated, per entity",
        "Every landing record of each entity, and how many are left after each rule "
        "(stedi_audit.landing_reconciliation: where every landing record went): usable = the "
        "rejects removed (quarantine), distinct = exact duplicates and older customer versions "
        "collapsed, not erased = records of customers with an erasure request removed, trusted = "
        "the consent policy's exclusions removed, curated = in a curated table.",
    )
    need(existing, lake, ("audit", "landing_reconciliation"))
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
        if outcomes["curated"]:
            stages.append("curated")
            values.append(outcomes["curated"])
        section.figures.append(("funnel-" + entity, funnel_figure(entity, stages, values)))
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


def reasons_section(lake: Lake, existing: Existing) -> Section:
    section = Section(
        "Rejects and exclusions by reason",
        "Landing records that did not reach a trusted table, by the rule that kept them out "
        "(landing_reconciliation), and the quarantine tables' rows by reject_reason.",
    )
    need(existing, lake, ("audit", "landing_reconciliation"))
    rows = [row for row in reconciliation_rows(lake) if row[1] in HELD_BACK_OUTCOMES]
    section.figures.append(("reasons", reasons_figure(rows)))
    section.tables.append(
        (
            "Landing records kept out of the trusted zone",
            ("entity", "outcome", "reason", "landing records"),
            rows,
        )
    )
    quarantine_rows = []
    for entity, table in QUARANTINE_TABLES:
        if ("quarantine", table) not in existing:
            section.notes.append(f"missing: {lake.relation('quarantine', table)}")
            continue
        for reason, count, records in quarantine_by_reason(lake, table):
            quarantine_rows.append([entity, reason, count, records])
    section.tables.append(
        (
            "Quarantine tables by reject_reason",
            ("entity", "reject_reason", "rows", "landing records"),
            quarantine_rows,
        )
    )
    return section


def consent_held_back_section(lake: Lake, existing: Existing) -> Section:
    section = Section(
        "Readings held back by consent",
        "Readings of customers without research consent are counted in the ledgers (row_type "
        "'withheld') and stay in the landing zone; per landing file. Readings taken before a "
        "customer's consent are excluded under the as_of_consent policy (landing_reconciliation).",
    )
    withheld = []
    table = []
    for entity, ledger in LEDGERS:
        if ("staging", ledger) not in existing:
            section.notes.append(f"missing: {lake.relation('staging', ledger)}")
            continue
        rows = withheld_per_file(lake, ledger)
        withheld.append((entity, rows))
        table.extend([entity, "withheld (no research consent)", name, count] for name, count in rows)
    if ("audit", "landing_reconciliation") in existing:
        for entity, outcome, reason, records in reconciliation_rows(lake):
            if outcome == "excluded" and reason == "before_research_consent":
                table.append([entity, "excluded (before research consent)", "(all files)", records])
    else:
        section.notes.append(f"missing: {lake.relation('audit', 'landing_reconciliation')}")
    if not withheld:
        raise Missing(", ".join(note.removeprefix("missing: ") for note in section.notes))
    section.figures.append(("held-back", held_back_figure(withheld)))
    section.tables.append(("Held back", ("entity", "why", "landing file", "landing records"), table))
    return section


def consent_over_time_section(lake: Lake, existing: Existing) -> Section:
    section = Section(
        "Consent over time",
        "Customers whose current consent state is 'consenting', cumulated by the day they consented "
        "(research_consented_at), and the versions the snapshot customer_consent_history recorded per "
        "build day (dbt_valid_from).",
    )
    need(existing, lake, ("consent", "customer_consent_history"))
    section.figures.append(("consent", consent_figure(consenting_per_day(lake))))
    section.tables.append(
        (
            "Snapshot versions by the build day that recorded them",
            ("dbt_valid_from (day)", "consenting", "not consenting", "still current"),
            [list(row) for row in consent_versions_per_day(lake)],
        )
    )
    return section


def readings_per_day_section(lake: Lake, existing: Existing) -> Section:
    section = Section(
        "Readings per day", "Rows of the trusted and curated reading tables per day of reading_at."
    )
    series = []
    table: dict[str, dict[str, int]] = defaultdict(dict)
    for zone, name in READING_TABLES:
        if (zone, name) not in existing:
            section.notes.append(f"missing: {lake.relation(zone, name)}")
            continue
        rows = rows_per_day(lake, zone, name)
        series.append((name, rows))
        for day, count in rows:
            table[day][name] = count
    if not series:
        raise Missing(", ".join(note.removeprefix("missing: ") for note in section.notes))
    names = [name for name, _ in series]
    section.figures.append(("readings-per-day", readings_per_day_figure(series)))
    section.tables.append(
        (
            "Rows per day",
            ("day", *names),
            [[day, *[table[day].get(n, 0) for n in names]] for day in sorted(table)],
        )
    )
    return section


# In the page's order; build_report titles each after its name ("consent held back", ...).
LAKE_SECTIONS = (
    funnel_section,
    reasons_section,
    consent_held_back_section,
    consent_over_time_section,
    readings_per_day_section,
)
