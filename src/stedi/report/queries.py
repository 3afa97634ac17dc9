"""The report's SQL: every query it sends to the lake, each answering plain rows.

Counts only: every query aggregates, and none selects an identifier (email, name, phone,
birthday, serial number). Tables are named through `Lake.relation`, so the same SQL runs on
DuckDB and on Athena.
"""

from __future__ import annotations

from stedi.report.lake import Lake
from stedi.report.model import number


def reconciliation_rows(lake: Lake) -> list[tuple[str, str, str, int]]:
    """(entity, outcome, reason, landing records) of landing_reconciliation."""
    rows = lake.query(
        "select entity, outcome, reason, sum(landing_record_count) as records "
        f"from {lake.relation('audit', 'landing_reconciliation')} "
        "group by entity, outcome, reason order by entity, outcome, reason"
    )
    return [
        (str(entity), str(outcome), str(reason), number(records)) for entity, outcome, reason, records in rows
    ]


def quarantine_by_reason(lake: Lake, table: str) -> list[tuple[str, int, int]]:
    """(reject_reason, rows, landing records) of a quarantine table."""
    return [
        (str(reason), number(count), number(records))
        for reason, count, records in lake.query(
            "select reject_reason, count(*), sum(landing_record_count) "
            f"from {lake.relation('quarantine', table)} group by reject_reason order by reject_reason"
        )
    ]


def withheld_per_file(lake: Lake, ledger: str) -> list[tuple[str, int]]:
    """(landing file, landing records) a reading ledger withheld for want of research consent."""
    rows = lake.query(
        "select coalesce(landing_file, '(file not known)') as landing_file, sum(landing_record_count) "
        f"from {lake.relation('staging', ledger)} where row_type = 'withheld' "
        "group by coalesce(landing_file, '(file not known)') order by 1"
    )
    return [(str(name), number(records)) for name, records in rows]


def consenting_per_day(lake: Lake) -> list[tuple[str, int]]:
    """(day, customers) of the customers consenting now, by the day they consented."""
    return [
        (str(day), number(count))
        for day, count in lake.query(
            "select cast(research_consented_at as date) as day, count(*) "
            f"from {lake.relation('consent', 'customer_consent_history')} "
            "where dbt_valid_to is null and has_research_consent "
            "group by cast(research_consented_at as date) order by 1"
        )
    ]


def consent_versions_per_day(lake: Lake) -> list[tuple[str, int, int, int]]:
    """(build day, consenting, not consenting, still current) of the snapshot's versions."""
    versions = lake.query(
        "select cast(dbt_valid_from as date) as day, "
        "sum(case when has_research_consent then 1 else 0 end), "
        "sum(case when has_research_consent then 0 else 1 end), "
        "sum(case when dbt_valid_to is null then 1 else 0 end) "
        f"from {lake.relation('consent', 'customer_consent_history')} "
        "group by cast(dbt_valid_from as date) order by 1"
    )
    return [(str(day), number(a), number(b), number(c)) for day, a, b, c in versions]


def rows_per_day(lake: Lake, zone: str, table: str) -> list[tuple[str, int]]:
    """(day, rows) of a reading table, by the day of reading_at."""
    return [
        (str(day), number(count))
        for day, count in lake.query(
            f"select cast(reading_at as date) as day, count(*) from {lake.relation(zone, table)} "
            "group by cast(reading_at as date) order by 1"
        )
    ]
