"""GetQueryResults pages: Trino's result set as Athena hands it to clients.

Athena returns every value as text (``Data: [{"VarCharValue": "..."}]``, no key for null) with a
ColumnInfo per column whose ``Type`` is the type's base name (``varchar``, ``timestamp``,
``decimal`` with Precision and Scale, ``array``, ``row``, ...); clients such as PyAthena and
dbt-athena parse values back by that name. Trino's client protocol already sends temporal and
decimal values as Athena's text; doubles are written as Java writes them (``1.0E10``), varbinary
as spaced hex, arrays as ``[a, b]``, maps and rows as ``{k=v}``. The first row of a query's first
page holds the column labels; a page holds at most MaxResults rows (1000), chained by NextToken.
"""

from __future__ import annotations

import base64
import decimal
import math
import re
from dataclasses import dataclass, field
from typing import Any

MAX_RESULTS = 1000
_PARAMETERS = re.compile(r"^([a-z ]+?)\s*(?:\((.*)\))?(\s+with time zone)?$", re.DOTALL)


@dataclass
class Outcome:
    """A finished statement: Athena's statement types, the columns (name, Trino type) and rows."""

    statement_type: str
    substatement_type: str
    columns: list[tuple[str, str]] = field(default_factory=list)
    rows: list[list[Any]] = field(default_factory=list)
    update_count: int | None = None
    scanned_bytes: int = 0
    header: bool = True  # DML results start with a row of column labels; DDL/UTILITY ones do not


@dataclass(frozen=True)
class AthenaType:
    name: str
    precision: int
    scale: int


def _split_parameters(text: str) -> list[str]:
    parts, depth, current = [], 0, []
    for char in text:
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        if char == "," and depth == 0:
            parts.append("".join(current).strip())
            current = []
        else:
            current.append(char)
    if current:
        parts.append("".join(current).strip())
    return parts


def athena_type(trino_type: str) -> AthenaType:
    """``decimal(10, 2)`` -> decimal 10/2, ``timestamp(3) with time zone`` -> that name, precision 3."""
    match = _PARAMETERS.match(trino_type.strip())
    if match is None:
        return AthenaType(trino_type, 0, 0)
    base, parameters, zoned = match.group(1), match.group(2), match.group(3)
    numbers = [int(part) for part in _split_parameters(parameters or "") if part.isdigit()]
    if base == "decimal":
        return AthenaType("decimal", numbers[0] if numbers else 38, numbers[1] if len(numbers) > 1 else 0)
    if base in ("timestamp", "time"):
        return AthenaType(base + (" with time zone" if zoned else ""), numbers[0] if numbers else 3, 0)
    if base in ("varchar", "char"):
        return AthenaType(base, numbers[0] if numbers else 2147483647, 0)
    precision = {"bigint": 19, "integer": 10, "smallint": 5, "tinyint": 3, "double": 17, "real": 9}
    return AthenaType(base, precision.get(base, 0), 0)


def _row_fields(trino_type: str) -> list[tuple[str, str]]:
    inner = trino_type.strip()[4:-1]
    fields = []
    for part in _split_parameters(inner):
        name, _, kind = part.strip().partition(" ")
        fields.append((name.strip('"'), kind.strip()))
    return fields


def _element_types(trino_type: str) -> list[str]:
    inner = trino_type.strip()
    return _split_parameters(inner[inner.index("(") + 1 : -1])


def java_double(value: float) -> str:
    """Java's Double.toString, which Athena's results use: 1.5, 100.0, 1.0E10, 1.0E-4."""
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


def render(value: Any, trino_type: str) -> str:
    """One non-null value as Athena's text."""
    kind = trino_type.split("(", 1)[0].strip()
    if isinstance(value, bool):
        return "true" if value else "false"
    if kind in ("double", "real"):
        return java_double(float(value))
    if kind == "varbinary":
        return " ".join(f"{byte:02x}" for byte in base64.b64decode(value))
    if kind == "array":
        (element,) = _element_types(trino_type)
        return "[" + ", ".join(_nested(item, element) for item in value) + "]"
    if kind == "map":
        key_type, value_type = _element_types(trino_type)
        return (
            "{"
            + ", ".join(f"{_nested(k, key_type)}={_nested(v, value_type)}" for k, v in value.items())
            + "}"
        )
    if kind == "row":
        fields = _row_fields(trino_type)
        return (
            "{"
            + ", ".join(f"{name}={_nested(item, t)}" for (name, t), item in zip(fields, value, strict=False))
            + "}"
        )
    return str(value)


def _nested(value: Any, trino_type: str) -> str:
    return "null" if value is None else render(value, trino_type)


def column_info(outcome: Outcome) -> list[dict[str, Any]]:
    infos = []
    for name, trino_type in outcome.columns:
        athena = athena_type(trino_type)
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


def result_rows(outcome: Outcome) -> list[dict[str, Any]]:
    """Every row of the result set as Athena's Rows, the label row first for DML."""
    rows = []
    if outcome.header and outcome.columns:
        rows.append({"Data": [{"VarCharValue": name} for name, _ in outcome.columns]})
    types = [trino_type for _, trino_type in outcome.columns]
    simple = [
        t.startswith(("varchar", "char", "bigint", "integer", "timestamp", "date", "decimal")) for t in types
    ]
    for row in outcome.rows:
        data = []
        for value, trino_type, plain in zip(row, types, simple, strict=True):
            if value is None:
                data.append({})
            elif plain and not isinstance(value, bool):
                data.append({"VarCharValue": str(value)})
            else:
                data.append({"VarCharValue": render(value, trino_type)})
        rows.append({"Data": data})
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
