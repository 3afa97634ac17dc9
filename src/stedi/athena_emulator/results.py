"""GetQueryResults pages: Athena's ColumnInfo metadata and every value as Athena's text.

Athena returns every value as a string (``Data: [{"VarCharValue": "..."}]``, no key for null) and
clients parse it back by the column type: PyAthena and dbt-athena's own cursor both do. The first
row of a DML result's first page holds the column labels; pages hold at most MaxResults rows
(1000 by default and at most), the label row included, and chain with NextToken.
"""

from __future__ import annotations

import datetime as dt
import decimal
import math
import uuid
from collections.abc import Callable
from typing import Any

from duckdb.sqltypes import DuckDBPyType

from stedi.athena_emulator.context import Outcome
from stedi.athena_emulator.typemap import athena_result_type

MAX_RESULTS = 1000


def column_info(outcome: Outcome) -> list[dict[str, Any]]:
    infos = []
    for name, duck in zip(outcome.names, outcome.types, strict=True):
        athena = athena_result_type(duck)
        infos.append(
            {
                "CatalogName": "hive",
                "SchemaName": "",
                "TableName": "",
                "Name": name,
                "Label": name,
                "Type": athena.name,
                "Precision": athena.precision,
                "Scale": athena.scale,
                "Nullable": "UNKNOWN",
                "CaseSensitive": athena.name in ("varchar", "char"),
            }
        )
    return infos


def _java_double(value: float) -> str:
    """Java's Double.toString, which Athena's result files use: 1.5, 100.0, 1.0E10, 1.0E-4."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    if value == 0:
        return "-0.0" if math.copysign(1.0, value) < 0 else "0.0"
    if 1e-3 <= abs(value) < 1e7:
        text = repr(value)
        return text if "e" not in text else f"{decimal.Decimal(text):f}"
    sign, digits, exponent = decimal.Decimal(repr(value)).normalize().as_tuple()
    first, rest = str(digits[0]), "".join(map(str, digits[1:])) or "0"
    return f"{'-' if sign else ''}{first}.{rest}E{len(digits) - 1 + int(exponent)}"


def _timestamp(value: dt.datetime, precision: int) -> str:
    text = value.strftime("%Y-%m-%d %H:%M:%S")
    return f"{text}.{value.microsecond:06d}"[: len(text) + 1 + precision] if precision else text


def render(value: Any, duck: DuckDBPyType) -> str:
    """A value as Athena writes it into a result set."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return _java_double(value)
    if isinstance(value, decimal.Decimal):
        return f"{value:f}"
    if isinstance(value, dt.datetime):
        athena = athena_result_type(duck)
        if value.tzinfo is not None:
            return _timestamp(value.astimezone(dt.UTC), 3) + " UTC"
        return _timestamp(value, athena.precision)
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, (bytes, bytearray, memoryview)):
        return " ".join(f"{byte:02x}" for byte in bytes(value))
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, list):
        child = dict(duck.children).get("child", duck)
        return "[" + ", ".join("null" if item is None else render(item, child) for item in value) + "]"
    if isinstance(value, dict):
        children = dict(duck.children) if duck.id == "struct" else {}
        return "{" + ", ".join(f"{k}={_nested(v, children.get(k, duck))}" for k, v in value.items()) + "}"
    return str(value)


def _nested(value: Any, duck: DuckDBPyType) -> str:
    return "null" if value is None else render(value, duck)


def _column_renderer(duck: DuckDBPyType) -> Callable[[Any], str]:
    """``render`` for the values of one column: the same text, with the branches of the common
    scalar types picked by exact Python type (so ``bool`` never passes for ``int``) and the Athena
    type of a timestamp column looked up once, not per value."""
    precision = athena_result_type(duck).precision

    def render_value(value: Any) -> str:
        kind = type(value)
        if kind is str:
            return value  # type: ignore[no-any-return]
        if kind is int:
            return str(value)
        if kind is float:
            return _java_double(value)
        if kind is dt.datetime:
            if value.tzinfo is not None:
                return _timestamp(value.astimezone(dt.UTC), 3) + " UTC"
            return _timestamp(value, precision)
        return render(value, duck)

    return render_value


def result_rows(outcome: Outcome) -> list[dict[str, Any]]:
    """Every row of the result set as Athena's Rows, the label row first for DML."""
    rows = []
    if outcome.header and outcome.names:
        rows.append({"Data": [{"VarCharValue": name} for name in outcome.names]})
    renderers = [_column_renderer(duck) for duck in outcome.types]
    for row in outcome.rows:
        rows.append(
            {
                "Data": [
                    {} if value is None else {"VarCharValue": render_value(value)}
                    for value, render_value in zip(row, renderers, strict=True)
                ]
            }
        )
    return rows


def page(
    rows: list[dict[str, Any]], outcome: Outcome, offset: int, max_results: int
) -> tuple[dict[str, Any], int | None]:
    """One GetQueryResults body from ``offset`` of the rendered ``rows``, and the next page's offset."""
    size = min(max(max_results, 1), MAX_RESULTS)
    body: dict[str, Any] = {
        "ResultSet": {
            "Rows": rows[offset : offset + size],
            "ResultSetMetadata": {"ColumnInfo": column_info(outcome)},
        }
    }
    if outcome.update_count is not None:
        body["UpdateCount"] = outcome.update_count
    following = offset + size
    return body, following if following < len(rows) else None
