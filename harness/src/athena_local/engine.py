"""Runs one Athena statement: Athena's own DDL against Glue, everything else on Trino.

A failure is a ``QueryFailed`` carrying what Athena reports in GetQueryExecution: the error name
Trino raised (``TYPE_MISMATCH``, ``FUNCTION_NOT_FOUND``, ``INVALID_FUNCTION_ARGUMENT``, ...), its
message as Trino words it, Athena's error category (1 system, 2 user) and Trino's error code.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import botocore.session
import trino
from moto.glue.exceptions import TableAlreadyExistsException, TableNotFoundException
from moto.glue.models import glue_backends

from athena_local.athena_sql import (
    AthenaRefusal,
    Context,
    GlueDdl,
    TrinoStatement,
    created_view,
    hive_type,
    plan,
)
from athena_local.results import Outcome
from athena_local.trino_server import HIVE_CATALOG

USER_ERROR, SYSTEM_ERROR = 2, 1
# The fields of GetTable's answer that UpdateTable's TableInput accepts, from botocore's Glue model.
_TABLE_INPUT_KEYS = frozenset(
    botocore.session.get_session().get_service_model("glue").shape_for("TableInput").members
)


def _table_input(current: dict[str, Any]) -> dict[str, Any]:
    """A table's Glue entry (``FakeTable.as_dict()``) as the TableInput that writes it back."""
    return {key: value for key, value in current.items() if key in _TABLE_INPUT_KEYS}


@dataclass
class QueryFailed(Exception):
    name: str
    reason: str
    category: int = USER_ERROR
    code: int = 1

    def __str__(self) -> str:
        return f"{self.name}: {self.reason}"


def _statement_types(update_type: str | None, substatement: str | None) -> tuple[str, str]:
    if update_type is None:
        return "DML", substatement or "SELECT"
    kind = substatement or update_type.upper().replace(" ", "_")
    if kind == "CREATE_SCHEMA":
        kind = "CREATE_DATABASE"
    if kind in ("INSERT", "MERGE", "DELETE", "UPDATE"):
        return "DML", kind
    if kind.startswith(("SHOW", "DESCRIBE")):
        return "UTILITY", kind
    return "DDL", kind


class Engine:
    """Athena's two front doors over one Trino server and moto's Glue."""

    def __init__(self, trino_port: int, host: str = "127.0.0.1") -> None:
        self._host = host
        self._port = trino_port

    def run(
        self,
        sql: str,
        *,
        account_id: str,
        region: str,
        context: Context,
        on_start: Callable[[Callable[[], None]], None] | None = None,
    ) -> Outcome:
        """Run one statement; ``on_start`` receives a function that cancels it on Trino."""
        try:
            planned = plan(sql, context)
        except AthenaRefusal as refused:
            raise QueryFailed(refused.name, refused.message) from None
        if isinstance(planned, GlueDdl):
            return self._glue(planned, account_id, region)
        outcome = self._trino(planned, context.schema, on_start)
        if outcome.substatement_type == "CREATE_VIEW":
            view = created_view(planned.sql, context.schema)
            if view is not None:
                self._view_columns_into_glue(*view, account_id, region)
        return outcome

    @staticmethod
    def _view_columns_into_glue(database: str, name: str, account_id: str, region: str) -> None:
        """Athena's CREATE VIEW stores the view's columns in Glue (Trino's stores one 'dummy')."""
        glue = glue_backends[account_id][region]
        try:
            table = glue.get_table(database, name)
        except TableNotFoundException:
            return
        current = table.as_dict()
        original = current.get("ViewOriginalText") or ""
        if not original.startswith("/* Presto View: "):
            return
        payload = json.loads(base64.b64decode(original.removeprefix("/* Presto View: ").removesuffix(" */")))
        columns = [
            {"Name": column["name"], "Type": hive_type(column["type"])} for column in payload["columns"]
        ]
        table_input = _table_input(current)
        table_input["StorageDescriptor"] = {**current["StorageDescriptor"], "Columns": columns}
        glue.update_table(database, name, table_input)

    # --- Trino ---------------------------------------------------------------------------------

    def _trino(
        self,
        statement: TrinoStatement,
        schema: str,
        on_start: Callable[[Callable[[], None]], None] | None = None,
    ) -> Outcome:
        connection = trino.dbapi.connect(
            host=self._host,
            port=self._port,
            user="athena",
            catalog=HIVE_CATALOG,
            schema=schema,
            session_properties=dict(statement.session),
            legacy_primitive_types=True,
            timezone="UTC",
            http_scheme="http",
            source="athena-local",
        )
        cursor = connection.cursor()
        if on_start is not None:
            on_start(cursor.cancel)
        try:
            cursor.execute(statement.sql)
            rows: list[list[Any]] = cursor.fetchall()
        except trino.exceptions.TrinoQueryError as failure:
            category = USER_ERROR if failure.error_type == "USER_ERROR" else SYSTEM_ERROR
            raise QueryFailed(
                failure.error_name, failure.message, category, failure.error_code or 1
            ) from None
        finally:
            connection.close()
        update_type = cursor.update_type
        columns = [(column.name, column.type_code) for column in cursor.description or []]
        statement_type, substatement_type = _statement_types(update_type, statement.substatement_type)
        scanned = int((cursor.stats or {}).get("physicalInputBytes") or 0)
        if update_type is not None and statement_type != "UTILITY":
            count = rows[0][0] if columns == [("rows", "bigint")] and rows else None
            return Outcome(
                statement_type, substatement_type, update_count=count, scanned_bytes=scanned, header=False
            )
        header = statement_type != "UTILITY"
        return Outcome(statement_type, substatement_type, columns, rows, scanned_bytes=scanned, header=header)

    # --- Athena's DDL service: Glue ---------------------------------------------------------------

    def _glue(self, ddl: GlueDdl, account_id: str, region: str) -> Outcome:
        glue = glue_backends[account_id][region]
        if ddl.database not in glue.databases:
            raise QueryFailed("SCHEMA_NOT_FOUND", f"Database {ddl.database} not found.")
        if ddl.action == "create_table":
            try:
                glue.create_table(ddl.database, ddl.table, ddl.table_input)
            except TableAlreadyExistsException:
                if not ddl.if_not_exists:
                    raise QueryFailed(
                        "ALREADY_EXISTS", f"Table {ddl.database}.{ddl.table} already exists"
                    ) from None
            return Outcome("DDL", ddl.substatement_type, header=False)
        try:
            table = glue.get_table(ddl.database, ddl.table)
        except TableNotFoundException:
            raise QueryFailed("TABLE_NOT_FOUND", f"Table {ddl.database}.{ddl.table} not found") from None
        current = table.as_dict()
        if ddl.action == "show_table_properties":
            lines = [f"{key}\t{value}" for key, value in sorted((current.get("Parameters") or {}).items())]
            return Outcome(
                "UTILITY",
                ddl.substatement_type,
                [("prpt_name", "varchar")],
                [[line] for line in lines],
                header=False,
            )
        table_input = _table_input(current)
        table_input["Parameters"] = {**(current.get("Parameters") or {}), **ddl.table_input["Parameters"]}
        glue.update_table(ddl.database, ddl.table, table_input)
        return Outcome("DDL", ddl.substatement_type, header=False)
