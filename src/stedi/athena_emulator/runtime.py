"""What every statement handler works with: DuckDB, the account's Glue and S3, the query context."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import duckdb
from moto.glue.models import FakeTable
from sqlglot import exp

from stedi.athena_emulator.catalog import Lake
from stedi.athena_emulator.context import QueryContext
from stedi.athena_emulator.external import ExternalTables
from stedi.athena_emulator.resolve import Resolution, Resolver, ViewTables, missing_table, table_parts
from stedi.athena_emulator.store import ManagedStore
from stedi.athena_emulator.translate import to_duckdb


@dataclass
class StatementRun:
    duck: duckdb.DuckDBPyConnection
    lake: Lake
    store: ManagedStore
    externals: ExternalTables
    views: ViewTables
    context: QueryContext

    def resolve(self, node: exp.Expr, resolution: Resolution | None = None) -> Resolution:
        """Point every table ``node`` reads at DuckDB (in place)."""
        resolver = Resolver(self.duck, self.lake, self.store, self.externals, self.views)
        return resolver.resolve(node, self.context.schema, resolution)

    def first_row(self, sql: str) -> tuple[Any, ...] | None:
        """The first row of a statement's result, reading the result to its end as DuckDB requires."""
        rows = self.duck.execute(sql).fetchall()
        return rows[0] if rows else None

    def count(self, sql: str) -> int:
        """The single number a statement returns (rows written by INSERT/MERGE/DELETE, a count)."""
        row = self.first_row(sql)
        return int(row[0]) if row and row[0] is not None else 0

    def translate(self, node: exp.Expr, resolution: Resolution) -> str:
        return to_duckdb(node, resolution.column_types)

    def name(self, table: exp.Table) -> tuple[str, str]:
        """(schema, table) a DDL or DML target names, defaulting the schema like Athena."""
        return table_parts(table, self.context.schema)

    def existing(self, table: exp.Table) -> tuple[str, str, FakeTable]:
        """The Glue table a statement targets; TABLE_NOT_FOUND / SCHEMA_NOT_FOUND if there is none."""
        schema, name = self.name(table)
        owner = self.lake.table(schema, name)
        if owner is None:
            raise missing_table(self.lake, table, schema, name)
        return schema, name, owner
