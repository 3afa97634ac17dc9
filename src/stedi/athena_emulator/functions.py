"""The allowlist check: a query may only call functions Athena has, whatever DuckDB would accept.

Without it the emulator would pass a model that calls ``epoch_ms`` or ``strftime`` (DuckDB
functions sqlglot passes through untouched) and the real Athena run would fail. The check runs on
the parsed statement before any translation, against the names as the query wrote them.
"""

from __future__ import annotations

from sqlglot import exp
from sqlglot.tokens import Token, TokenType

from stedi.athena_emulator.athena_functions import ATHENA_FUNCTIONS
from stedi.athena_emulator.dialect import position, written_name
from stedi.athena_emulator.errors import QueryFailed


def check_functions(statement: exp.Expr) -> None:
    """Raise FUNCTION_NOT_FOUND for the first call of a name Athena does not know."""
    for func in statement.find_all(exp.Func):
        name = written_name(func)
        if name is not None and name.lower() not in ATHENA_FUNCTIONS:
            raise QueryFailed(
                "FUNCTION_NOT_FOUND", f"{position(func)}: Function '{name.lower()}' not registered"
            )


def check_syntax(tokens: list[Token]) -> None:
    """Reject DuckDB/PostgreSQL-only syntax that sqlglot's Trino parser quietly accepts (``x::int``)."""
    for token in tokens:
        if token.token_type == TokenType.DCOLON:
            raise QueryFailed(
                "SYNTAX_ERROR",
                f"line {token.line}:{token.col - 1}: mismatched input '::'. Expecting: <expression>",
            )
