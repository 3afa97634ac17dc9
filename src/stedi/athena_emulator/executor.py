"""Runs one Athena statement: parse, check, dispatch, and word DuckDB's failures as Athena's.

One DuckDB connection serves every query, behind a lock: dbt runs several threads and each sends
statements through its own cursor, but DuckDB connections are not safe to share across threads
and Glue/S3 changes must not interleave with the reads that depend on them. Parsing and the
syntax/function checks need neither, so they happen before the lock is taken.
"""

from __future__ import annotations

import re
import threading
from pathlib import Path

import duckdb
from sqlglot import exp

from stedi.athena_emulator import ddl_catalog, ddl_tables, dml
from stedi.athena_emulator.catalog import Lake
from stedi.athena_emulator.context import Outcome, QueryContext
from stedi.athena_emulator.dialect import parse_statement, tokenize
from stedi.athena_emulator.engine import open_engine
from stedi.athena_emulator.errors import QueryFailed, emulator_unsupported
from stedi.athena_emulator.external import ExternalTables
from stedi.athena_emulator.functions import check_functions, check_syntax
from stedi.athena_emulator.resolve import ViewTables
from stedi.athena_emulator.runtime import StatementRun
from stedi.athena_emulator.store import ManagedStore

_MISSING_FUNCTION = re.compile(r"(?:Scalar|Aggregate|Table) Function with name (\w+) does not exist")
_MISSING_COLUMN = re.compile(r'Referenced column "([^"]+)" not found')


def _dispatch(run: StatementRun, statement: exp.Expr, sql: str) -> Outcome:
    if isinstance(statement, (exp.Query, exp.Values)):
        return dml.select(run, statement)
    if isinstance(statement, exp.Insert):
        return dml.insert(run, statement)
    if isinstance(statement, exp.Merge):
        return dml.merge(run, statement)
    if isinstance(statement, (exp.Delete, exp.Update)):
        return dml.delete_or_update(run, statement)
    if isinstance(statement, exp.Create):
        kind = str(statement.args.get("kind", "")).upper()
        if kind == "TABLE":
            if statement.expression is not None:
                return ddl_tables.create_table_as(run, statement)
            return ddl_tables.create_table(run, statement)
        if kind == "VIEW":
            return ddl_catalog.create_view(run, statement, sql)
        if kind in ("SCHEMA", "DATABASE"):
            return ddl_catalog.create_schema(run, statement)
        raise emulator_unsupported(f"CREATE {kind}")
    if isinstance(statement, exp.Drop):
        return ddl_catalog.drop(run, statement)
    if isinstance(statement, exp.Alter):
        return ddl_catalog.alter(run, statement)
    if isinstance(statement, exp.Describe):
        return ddl_catalog.describe(run, statement)
    if isinstance(statement, exp.Command):
        return ddl_catalog.command(run, statement)
    raise emulator_unsupported(f"{statement.key.upper()} statements")


def duckdb_failure(error: duckdb.Error) -> QueryFailed:
    """An Athena-style failure for an error DuckDB raised while running a translated statement."""
    message = str(error).strip().splitlines()[0]
    if missing := _MISSING_FUNCTION.search(message):
        return emulator_unsupported(
            f"function '{missing.group(1).lower()}' has no DuckDB translation in the emulator ({message})"
        )
    if missing := _MISSING_COLUMN.search(message):
        return QueryFailed("COLUMN_NOT_FOUND", f"line 1:1: Column '{missing.group(1)}' cannot be resolved")
    if "Division by zero" in message:
        return QueryFailed("DIVISION_BY_ZERO", "Division by zero")
    if isinstance(error, duckdb.ConversionException):
        return QueryFailed("INVALID_CAST_ARGUMENT", message)
    if isinstance(error, duckdb.OutOfRangeException):
        return QueryFailed("NUMERIC_VALUE_OUT_OF_RANGE", message)
    if isinstance(error, duckdb.BinderException):
        return QueryFailed("TYPE_MISMATCH", message)
    if isinstance(error, duckdb.ParserException):
        return emulator_unsupported(f"the DuckDB translation does not parse ({message})")
    return QueryFailed("GENERIC_INTERNAL_ERROR", message)


class Executor:
    """Executes Athena SQL over the Glue/S3 state of moto's backends, in one embedded DuckDB."""

    def __init__(self, workdir: Path) -> None:
        self._lock = threading.Lock()
        self._duck = open_engine()
        self._store = ManagedStore(self._duck)
        self._externals = ExternalTables(self._duck, workdir / "s3")
        self._views = ViewTables(self._duck)

    def run(self, sql: str, context: QueryContext) -> Outcome:
        """Run one statement; raises QueryFailed the way Athena would fail it."""
        # Parsing and the checks depend on the text alone: they run before taking the lock, so one
        # thread's statement parses while another's runs in DuckDB.
        tokens = tokenize(sql)
        check_syntax(tokens)
        statement = parse_statement(sql, tokens)
        check_functions(statement)
        with self._lock:
            self._store.collect()
            run = StatementRun(
                self._duck,
                Lake(context.account_id, context.region),
                self._store,
                self._externals,
                self._views,
                context,
            )
            try:
                return _dispatch(run, statement, sql)
            except duckdb.Error as error:
                raise duckdb_failure(error) from error

    def close(self) -> None:
        with self._lock:
            self._duck.close()
