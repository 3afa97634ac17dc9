"""Parsing Athena SQL with sqlglot, keeping the name and position of every function call as written.

sqlglot's Athena dialect routes Hive-style DDL (backticks, CREATE EXTERNAL TABLE, ALTER, DROP) to
its Hive parser and everything else to Trino's, as Athena itself does. Its parser turns known
function names into typed nodes (``from_unixtime`` becomes ``UnixToTime``) and unknown ones into
``Anonymous``, which loses what the query actually called: ``datediff(...)`` and ``date_diff(...)``
both become ``DateDiff``. The allowlist check needs the written name, so the Trino parser here
records it (and its line and column) on every function node it builds.
"""

from __future__ import annotations

from typing import Any

from sqlglot import exp
from sqlglot.dialects.athena import Athena
from sqlglot.dialects.trino import Trino
from sqlglot.errors import ParseError, TokenError
from sqlglot.parsers.athena import AthenaParser, AthenaTrinoParser
from sqlglot.tokens import Token

from stedi.athena_emulator.errors import QueryFailed

WRITTEN_NAME = "athena_written_name"

# Wrappers sqlglot puts around a function call: the call itself is their ``this``.
_CALL_WRAPPERS = (exp.Window, exp.Filter, exp.WithinGroup, exp.IgnoreNulls, exp.RespectNulls)


class _NamingTrinoParser(AthenaTrinoParser):
    def _parse_function_call(self, *args: Any, **kwargs: Any) -> exp.Expr | None:
        token = self._curr
        result = super()._parse_function_call(*args, **kwargs)
        node = result
        while isinstance(node, _CALL_WRAPPERS):
            node = node.this
        if token is not None and isinstance(node, exp.Func) and WRITTEN_NAME not in node.meta:
            node.meta[WRITTEN_NAME] = token.text
            node.meta.setdefault("line", token.line)
            node.meta.setdefault("col", token.col)
        return result


class _NamingAthenaParser(AthenaParser):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        options = {key: kwargs[key] for key in ("error_level", "max_errors") if key in kwargs}
        self._trino_parser = _NamingTrinoParser(dialect=Trino(), **options)


class EmulatedAthena(Athena):
    """Athena's dialect with a parser that remembers written function names."""

    Parser = _NamingAthenaParser


def written_name(func: exp.Func) -> str | None:
    """The function name as the query spelled it, or None for nodes built from other syntax."""
    if isinstance(func, exp.Anonymous):
        return str(func.name)
    name = func.meta.get(WRITTEN_NAME)
    return str(name) if name is not None else None


def position(node: exp.Expr) -> str:
    """``line L:C`` of a node's first character, the way Trino prefixes its messages."""
    line = node.meta.get("line")
    end_col = node.meta.get("col")
    if line is None or end_col is None:
        return "line 1:1"
    name = written_name(node) if isinstance(node, exp.Func) else None
    start = end_col - len(name) + 1 if name else end_col
    return f"line {line}:{max(start, 1)}"


def tokenize(sql: str) -> list[Token]:
    """``sql`` as the Athena dialect's tokens (Trino's, or Hive's for Hive DDL); SYNTAX_ERROR if it
    does not tokenize."""
    try:
        return EmulatedAthena().tokenize(sql)
    except TokenError as error:
        raise QueryFailed("SYNTAX_ERROR", _first_line(str(error))) from error


def parse_statement(sql: str, tokens: list[Token] | None = None) -> exp.Expr:
    """The one statement in ``sql``; Athena refuses several statements in one query.

    ``tokens`` are ``tokenize(sql)`` when the caller already has them (the text is tokenized once).
    """
    dialect = EmulatedAthena()
    try:
        if tokens is None:
            tokens = dialect.tokenize(sql)
        statements = [s for s in dialect.parser().parse(tokens, sql) if s is not None]
    except (ParseError, TokenError) as error:
        raise QueryFailed("SYNTAX_ERROR", _first_line(str(error))) from error
    if not statements:
        raise QueryFailed("SYNTAX_ERROR", "line 1:1: mismatched input '<EOF>'. Expecting a statement")
    if len(statements) > 1:
        raise QueryFailed("SYNTAX_ERROR", "Only one sql statement is allowed")
    return statements[0]


def _first_line(message: str) -> str:
    return message.strip().splitlines()[0] if message.strip() else message
