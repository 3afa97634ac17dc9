"""Athena (Trino) SQL to DuckDB SQL: sqlglot's transpiler plus the fixes where it is not enough.

sqlglot already maps most of Trino's surface (``to_hex`` -> ``hex``, ``to_utf8`` -> ``encode``,
``regexp_like`` -> ``regexp_matches``, ``date_diff``, ``arbitrary``, ``if``, typed literals ...).
It does not change what a function *computes*; where DuckDB computes something else the node is
rewritten here to a macro of engine.py or to a cast, one targeted rule per difference:

- ``CAST(x AS varchar)``            -> ``athena_varchar(x)`` (Trino's text for doubles, timestamps)
- ``CAST(x AS <integer type>)``     -> ``athena_cast_<type>(x)`` (doubles round half away from zero)
- ``CAST(x AS timestamp)``          -> ``CAST(x AS TIMESTAMP(3))`` (Trino's default precision)
- ``from_unixtime(x)``              -> ``athena_from_unixtime(x)`` (millisecond rounding, UTC)
- ``current_timestamp``/``now()``   -> ``athena_now()`` (millisecond precision)
- ``localtimestamp``                -> ``CAST(athena_now() AS TIMESTAMP(3))``
- ``regexp_extract``, ``split_part``-> null-returning macros
- ``typeof``                        -> ``athena_typeof``
- ``date_trunc``/``date_add`` on a value known to be a ``date`` stay ``date`` (DuckDB widens to
  timestamp); "known" means a date literal or cast, ``current_date``, or a column whose Glue type
  is ``date`` in the tables the statement reads. ``date_trunc`` of a timestamp literal or cast
  keeps its precision (DuckDB returns microseconds); of a column it does not (values are equal,
  only the rendered fraction is longer).

Integer division is a session setting (engine.py), not a rewrite.
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlglot import exp

from stedi.athena_emulator.errors import emulator_unsupported

_T = exp.DataType.Type
_VARCHAR_TYPES = {_T.VARCHAR, _T.TEXT, _T.CHAR, _T.NCHAR, _T.NVARCHAR}
_INTEGRAL_TYPES = {_T.TINYINT: "tinyint", _T.SMALLINT: "smallint", _T.INT: "integer", _T.BIGINT: "bigint"}
_DATE_UNITS = {"day", "week", "month", "quarter", "year"}


def _call(name: str, *args: exp.Expr) -> exp.Anonymous:
    return exp.Anonymous(this=name, expressions=list(args))


def _is_text_or_null(node: exp.Expr) -> bool:
    return isinstance(node, exp.Null) or (isinstance(node, exp.Literal) and node.is_string)


def _unit(node: exp.Expr) -> str:
    unit = node.args.get("unit")
    return str(unit.name if isinstance(unit, exp.Expr) else unit or "").lower()


def _timestamp_precision(node: exp.Expr) -> str | None:
    """The precision of a timestamp the query casts or writes as a literal (DuckDB's date_trunc
    returns microseconds whatever it was given; Trino keeps the precision)."""
    if isinstance(node, (exp.Cast, exp.TryCast)) and node.to.this == _T.TIMESTAMP:
        params = node.to.expressions
        return params[0].name if params else "3"
    return None


class _Translator:
    def __init__(self, column_types: Mapping[str, str]) -> None:
        self._column_types = column_types

    def is_date(self, node: exp.Expr) -> bool:
        if isinstance(node, (exp.Cast, exp.TryCast)):
            return node.to.this == _T.DATE
        if isinstance(node, (exp.CurrentDate, exp.Date, exp.TsOrDsToDate, exp.StrToDate)):
            return True
        if isinstance(node, exp.Column):
            return self._column_types.get(node.name.lower()) == "date"
        if isinstance(node, exp.Paren):
            return self.is_date(node.this)
        return False

    def rewrite(self, node: exp.Expr) -> exp.Expr:
        if isinstance(node, (exp.Cast, exp.TryCast)):
            return self._cast(node)
        if isinstance(node, exp.UnixToTime):
            if node.args.get("zone") or node.args.get("hours") or node.args.get("minutes"):
                raise emulator_unsupported("from_unixtime with a time zone argument")
            return _call("athena_from_unixtime", node.this)
        if isinstance(node, exp.CurrentTimestamp):
            return _call("athena_now")
        if isinstance(node, exp.Localtimestamp):
            return exp.cast(_call("athena_now"), exp.DataType.build("TIMESTAMP(3)", dialect="duckdb"))
        if isinstance(node, exp.RegexpExtract):
            group = node.args.get("group") or exp.Literal.number(0)
            return _call("athena_regexp_extract", node.this, node.expression, group)
        if isinstance(node, exp.SplitPart):
            return _call("athena_split_part", node.this, node.args["delimiter"], node.args["part_index"])
        if isinstance(node, exp.Typeof):
            return _call("athena_typeof", node.this)
        if isinstance(node, (exp.TimestampTrunc, exp.DateTrunc)):
            if self.is_date(node.this):
                return exp.cast(node, _T.DATE)
            if (precision := _timestamp_precision(node.this)) is not None:
                return exp.cast(node, exp.DataType.build(f"TIMESTAMP({precision})", dialect="duckdb"))
        if isinstance(node, exp.DateAdd) and _unit(node) in _DATE_UNITS and self.is_date(node.this):
            return exp.cast(node, _T.DATE)
        return node

    def _cast(self, node: exp.Cast) -> exp.Expr:
        target = node.to
        safe = isinstance(node, exp.TryCast)
        if target.this == _T.TIMESTAMP and not target.expressions:
            node.set("to", exp.DataType.build("TIMESTAMP(3)", dialect="duckdb"))
            return node
        if _is_text_or_null(node.this) or target.args.get("nested"):
            return node
        if target.this in _VARCHAR_TYPES:
            return _call("athena_varchar", node.this)
        if target.this in _INTEGRAL_TYPES:
            prefix = "athena_try_cast_" if safe else "athena_cast_"
            return _call(prefix + _INTEGRAL_TYPES[target.this], node.this)
        return node


def to_duckdb(statement: exp.Expr, column_types: Mapping[str, str], *, copy: bool = True) -> str:
    """DuckDB SQL for a statement whose table references already name DuckDB relations.

    ``statement`` is left as it is unless ``copy=False``, for a tree the caller no longer needs.
    """
    translator = _Translator(column_types)
    root = statement.copy() if copy else statement
    # Children before parents, so a rewritten node's arguments are already rewritten
    # (sqlglot's transform() does not descend into the nodes it replaced).
    for node in reversed(list(root.walk(bfs=False))):
        new = translator.rewrite(node)
        if new is not node:
            if node is root:
                root = new
            else:
                node.replace(new)
    return root.sql(dialect="duckdb", copy=False)  # root is this function's own tree
