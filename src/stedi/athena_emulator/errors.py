"""The one way a query fails: with an Athena error name and message, as GetQueryExecution reports it.

Athena reports a failed query as State FAILED with a StateChangeReason such as
``FUNCTION_NOT_FOUND: line 1:8: Function 'epoch_ms' not registered`` and an AthenaError block
(ErrorCategory 1 system / 2 user, ErrorType, Retryable). dbt-athena raises the message to the user,
so the emulator words it the way Athena does wherever practical. Failures that come from the
emulator's own limits (a construct it cannot translate) say so with the EMULATOR_UNSUPPORTED name,
so nobody mistakes them for an Athena verdict.
"""

from __future__ import annotations

from dataclasses import dataclass

USER_ERROR = 2

# Trino error codes for the names used here (io.trino.spi.StandardErrorCode and the Hive/Iceberg
# connectors); Athena passes them through as AthenaError.ErrorType.
_ERROR_TYPES = {
    "SYNTAX_ERROR": 1,
    "NOT_SUPPORTED": 13,
    "FUNCTION_NOT_FOUND": 44,
    "TYPE_MISMATCH": 58,
    "INVALID_CAST_ARGUMENT": 38,
    "DIVISION_BY_ZERO": 8,
    "NUMERIC_VALUE_OUT_OF_RANGE": 19,
    "COLUMN_NOT_FOUND": 47,
    "TABLE_NOT_FOUND": 46,
    "SCHEMA_NOT_FOUND": 45,
    "TABLE_ALREADY_EXISTS": 50,
    "SCHEMA_ALREADY_EXISTS": 49,
    "AMBIGUOUS_NAME": 55,
    "INVALID_TABLE_PROPERTY": 65,
    "GENERIC_USER_ERROR": 2,
    "GENERIC_INTERNAL_ERROR": 65536,
}


@dataclass
class QueryFailed(Exception):
    """A query that Athena would fail; ``reason`` is the StateChangeReason without the name prefix."""

    name: str
    reason: str
    category: int = USER_ERROR

    def __str__(self) -> str:
        return f"{self.name}: {self.reason}"

    @property
    def error_type(self) -> int:
        return _ERROR_TYPES.get(self.name, 1)


def not_supported(reason: str) -> QueryFailed:
    return QueryFailed("NOT_SUPPORTED", reason)


def emulator_unsupported(reason: str) -> QueryFailed:
    """A construct Athena may accept but the emulator cannot run faithfully: fail rather than guess."""
    return QueryFailed("EMULATOR_UNSUPPORTED", reason)
