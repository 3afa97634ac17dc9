"""Type names across the three vocabularies the emulator speaks.

- Glue / Hive DDL names (``string``, ``int``, ``bigint``, ``timestamp``, ``decimal(10,2)``,
  ``array<string>``): what Athena writes into the Glue catalog and what dbt-athena reads back for
  relation caches, contracts and unit tests.
- Athena result names (``varchar``, ``integer``, ``bigint``, ``timestamp``, ``decimal``): what
  GetQueryResults puts in ResultSetMetadata.ColumnInfo.Type, with Precision and Scale beside it.
- DuckDB names: what the embedded engine stores and reports.

Precision matters for timestamps: Athena's DML ``timestamp`` is ``timestamp(3)`` (DuckDB
TIMESTAMP_MS) while Iceberg stores ``timestamp(6)`` (DuckDB TIMESTAMP); ``timestamp(0)`` literals are
DuckDB TIMESTAMP_S. Keeping them apart keeps casts to varchar and result rendering Athena's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from duckdb.sqltypes import DuckDBPyType
from sqlglot import exp

from stedi.athena_emulator.errors import QueryFailed, not_supported

_SCALAR_HIVE = {
    "VARCHAR": "string",
    "TINYINT": "tinyint",
    "SMALLINT": "smallint",
    "INTEGER": "int",
    "BIGINT": "bigint",
    "HUGEINT": "bigint",
    "UBIGINT": "bigint",
    "UINTEGER": "bigint",
    "USMALLINT": "int",
    "UTINYINT": "smallint",
    "FLOAT": "float",
    "DOUBLE": "double",
    "BOOLEAN": "boolean",
    "DATE": "date",
    "TIMESTAMP": "timestamp",
    "TIMESTAMP_MS": "timestamp",
    "TIMESTAMP_S": "timestamp",
    "TIMESTAMP_NS": "timestamp",
    "BLOB": "binary",
    "UUID": "string",
}

_SCALAR_ATHENA = {
    "VARCHAR": ("varchar", 2147483647, 0),
    "TINYINT": ("tinyint", 3, 0),
    "SMALLINT": ("smallint", 5, 0),
    "INTEGER": ("integer", 10, 0),
    "BIGINT": ("bigint", 19, 0),
    "HUGEINT": ("bigint", 19, 0),
    "UBIGINT": ("bigint", 19, 0),
    "UINTEGER": ("bigint", 19, 0),
    "USMALLINT": ("integer", 10, 0),
    "UTINYINT": ("smallint", 5, 0),
    "FLOAT": ("real", 7, 0),
    "DOUBLE": ("double", 17, 0),
    "BOOLEAN": ("boolean", 0, 0),
    "DATE": ("date", 0, 0),
    "TIME": ("time", 3, 0),
    "TIMESTAMP_S": ("timestamp", 0, 0),
    "TIMESTAMP_MS": ("timestamp", 3, 0),
    "TIMESTAMP": ("timestamp", 6, 0),
    "TIMESTAMP_NS": ("timestamp", 9, 0),
    "TIMESTAMP WITH TIME ZONE": ("timestamp with time zone", 3, 0),
    "BLOB": ("varbinary", 1073741824, 0),
    "UUID": ("uuid", 0, 0),
    "INTERVAL": ("interval day to second", 0, 0),
    "JSON": ("json", 0, 0),
    '"NULL"': ("unknown", 0, 0),
    "NULL": ("unknown", 0, 0),
}

_DECIMAL = re.compile(r"DECIMAL\((\d+),\s*(\d+)\)")


@dataclass(frozen=True)
class AthenaType:
    """One ColumnInfo type: the name Athena reports and its precision and scale."""

    name: str
    precision: int
    scale: int


def athena_result_type(duck: DuckDBPyType) -> AthenaType:
    """The ResultSetMetadata type Athena reports for a value of DuckDB type ``duck``."""
    text = str(duck)
    if decimal := _DECIMAL.fullmatch(text):
        return AthenaType("decimal", int(decimal.group(1)), int(decimal.group(2)))
    if text in _SCALAR_ATHENA:
        return AthenaType(*_SCALAR_ATHENA[text])
    if duck.id == "list" or duck.id == "array":
        return AthenaType("array", 0, 0)
    if duck.id == "struct":
        return AthenaType("row", 0, 0)
    if duck.id == "map":
        return AthenaType("map", 0, 0)
    return AthenaType(text.lower(), 0, 0)


def hive_type(duck: DuckDBPyType, *, column: str) -> str:
    """The Glue column type Athena writes for a CTAS column of DuckDB type ``duck``.

    Types no Hive or Iceberg table can hold fail the way Athena's CTAS fails.
    """
    text = str(duck)
    if decimal := _DECIMAL.fullmatch(text):
        return f"decimal({decimal.group(1)},{decimal.group(2)})"
    if text in _SCALAR_HIVE:
        return _SCALAR_HIVE[text]
    children = dict(duck.children) if duck.id in ("list", "array", "map") else {}
    if duck.id in ("list", "array"):
        return f"array<{hive_type(children['child'], column=column)}>"
    if duck.id == "map":
        key, value = (hive_type(children[part], column=column) for part in ("key", "value"))
        return f"map<{key},{value}>"
    if duck.id == "struct":
        fields = ",".join(f"{name}:{hive_type(child, column=column)}" for name, child in duck.children)
        return f"struct<{fields}>"
    athena = athena_result_type(duck)
    if athena.name == "unknown":
        raise QueryFailed("NOT_SUPPORTED", f"Unsupported Hive type: unknown (column '{column}')")
    if athena.name == "timestamp with time zone":
        raise not_supported(f"Unsupported Hive type: timestamp({athena.precision}) with time zone")
    raise not_supported(f"Unsupported Hive type: {athena.name}")


def glue_to_duckdb(glue_type: str, *, iceberg: bool) -> str:
    """The DuckDB type that holds a Glue column: ``timestamp`` is (6) in Iceberg, (3) elsewhere."""
    data_type = exp.DataType.build(glue_type, dialect="hive")
    for node in data_type.find_all(exp.DataType):
        if node.this == exp.DataType.Type.TIMESTAMP and not node.expressions:
            precision = "6" if iceberg else "3"
            node.set("expressions", [exp.DataTypeParam(this=exp.Literal.number(precision))])
    text = data_type.sql(dialect="duckdb")
    return "VARCHAR" if text == "TEXT" else text


def normalize_hive_type(data_type: exp.DataType) -> str:
    """A DDL column type as Glue stores it: lowercase Hive spelling, no spaces (``decimal(10,2)``)."""
    return data_type.sql(dialect="hive").lower().replace(" ", "")


def presto_view_type(hive: str) -> str:
    """The Trino type name the Presto view payload uses for a Glue column type."""
    data_type = exp.DataType.build(hive, dialect="hive")
    return data_type.sql(dialect="trino").lower()
