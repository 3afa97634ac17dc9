"""Where the report's tables are: one small interface, `Lake`, and its two engines.

The same SQL runs on both: `DuckDBLake` reads the local DuckDB file read-only, `AthenaLake` the
prefixed Athena databases through pyathena. Each zone is the schema `<prefix>stedi_<zone>`.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

import click

ZONES = ("staging", "trusted", "curated", "quarantine", "audit", "consent")


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
