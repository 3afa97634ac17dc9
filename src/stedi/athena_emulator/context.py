"""What one query runs with (account, region, default schema) and what it produces."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import duckdb
from duckdb.sqltypes import DuckDBPyType


@dataclass(frozen=True)
class QueryContext:
    """StartQueryExecution's context: signer account and region, QueryExecutionContext, output."""

    account_id: str
    region: str
    catalog: str
    schema: str
    output_location: str | None
    query_id: str


@dataclass
class Outcome:
    """A succeeded statement: Athena's statement types, the result set, rows written, bytes read."""

    statement_type: str
    substatement_type: str
    names: list[str] = field(default_factory=list)
    types: list[DuckDBPyType] = field(default_factory=list)
    rows: list[tuple[Any, ...]] = field(default_factory=list)
    update_count: int | None = None
    scanned_bytes: int = 0
    header: bool = True  # DML results start with a row of column labels; DDL/UTILITY ones do not


def ddl(substatement_type: str, rows: list[str] | None = None, column: str = "result") -> Outcome:
    """A DDL or utility outcome: plain text lines, no header row."""
    statement_type = "UTILITY" if substatement_type.startswith(("SHOW", "DESCRIBE")) else "DDL"
    lines = rows or []
    return Outcome(
        statement_type,
        substatement_type,
        names=[column] if lines else [],
        types=[duckdb.sqltype("VARCHAR")] if lines else [],
        rows=[(line,) for line in lines],
        header=False,
    )
