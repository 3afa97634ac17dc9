"""Runs one Athena statement: Athena's own DDL against Glue, everything else on Trino.

VACUUM takes both: the table's properties from Glue (``vacuum_max_snapshot_age_seconds``, 5 days
when absent), then Trino's ``expire_snapshots`` and ``remove_orphan_files`` with that age.

A failure is a ``QueryFailed`` carrying what Athena reports in GetQueryExecution: the error name
Trino raised (``TYPE_MISMATCH``, ``FUNCTION_NOT_FOUND``, ``INVALID_FUNCTION_ARGUMENT``, ...), its
message as Trino words it, Athena's error category (1 system, 2 user) and Trino's error code.
"""

from __future__ import annotations

import base64
import dataclasses
import json
import re
import time
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
    Vacuum,
    created_view,
    hive_type,
    plan,
)
from athena_local.results import Outcome
from athena_local.trino_server import HIVE_CATALOG, ICEBERG_CATALOG

USER_ERROR, SYSTEM_ERROR = 2, 1
# For a few seconds after Trino starts (longer on a busy machine) its coordinator knows itself as
# a node but not yet as one that serves the catalogs: a query that reads a table fails with
# NO_NODES_AVAILABLE before it runs anything. Athena never says that to a user, so the engine
# sends such a query again, for up to this long.
NO_NODES_RETRY_SECONDS = 60.0
# Athena's defaults for the VACUUM properties of an Iceberg table.
VACUUM_MAX_SNAPSHOT_AGE_SECONDS = 432_000  # 5 days
VACUUM_MIN_SNAPSHOTS_TO_KEEP = 1  # the current snapshot, which Trino's expire_snapshots always keeps
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
        if isinstance(planned, Vacuum):
            return self._vacuum(planned, account_id, region, on_start)
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
        deadline = time.monotonic() + NO_NODES_RETRY_SECONDS
        try:
            while True:
                cursor = connection.cursor()
                if on_start is not None:
                    on_start(cursor.cancel)
                try:
                    cursor.execute(statement.sql)
                    rows: list[list[Any]] = cursor.fetchall()
                    break
                except trino.exceptions.TrinoQueryError as failure:
                    if failure.error_name == "NO_NODES_AVAILABLE" and time.monotonic() < deadline:
                        time.sleep(0.5)  # nothing ran: the catalogs have no node yet
                        continue
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

    # --- VACUUM: Glue's table properties, then Trino's procedures ----------------------------------

    def _vacuum(
        self,
        vacuum: Vacuum,
        account_id: str,
        region: str,
        on_start: Callable[[Callable[[], None]], None] | None = None,
    ) -> Outcome:
        """Athena's VACUUM: expire the snapshots older than the table's
        ``vacuum_max_snapshot_age_seconds`` (the current one always stays), then remove the
        orphan files older than that same age."""
        glue = glue_backends[account_id][region]
        if vacuum.database not in glue.databases:
            raise QueryFailed("SCHEMA_NOT_FOUND", f"Database {vacuum.database} not found.")
        try:
            table = glue.get_table(vacuum.database, vacuum.table)
        except TableNotFoundException:
            raise QueryFailed(
                "TABLE_NOT_FOUND", f"Table {vacuum.database}.{vacuum.table} not found"
            ) from None
        parameters = table.as_dict().get("Parameters") or {}
        if str(parameters.get("table_type", "")).upper() != "ICEBERG":
            raise QueryFailed(
                "NOT_SUPPORTED",
                f"VACUUM is supported only for Iceberg tables; {vacuum.database}.{vacuum.table} is not one",
            )
        age = _whole_number(parameters, "vacuum_max_snapshot_age_seconds", VACUUM_MAX_SNAPSHOT_AGE_SECONDS)
        keep = _whole_number(parameters, "vacuum_min_snapshots_to_keep", VACUUM_MIN_SNAPSHOTS_TO_KEEP)
        if keep != VACUUM_MIN_SNAPSHOTS_TO_KEEP:
            # Trino's expire_snapshots has no count to keep beyond the current snapshot.
            raise QueryFailed(
                "NOT_SUPPORTED",
                f"vacuum_min_snapshots_to_keep={keep}: this harness keeps only the current snapshot "
                "(Trino's expire_snapshots has no count to keep)",
            )
        name = ".".join(
            '"' + part.replace('"', '""') + '"' for part in (ICEBERG_CATALOG, vacuum.database, vacuum.table)
        )
        threshold = f"retention_threshold => '{age}s'"
        expired = self._trino(
            TrinoStatement(
                f"ALTER TABLE {name} EXECUTE expire_snapshots({threshold})", substatement_type="VACUUM"
            ),
            vacuum.database,
            on_start,
        )
        removed = self._trino(
            TrinoStatement(
                f"ALTER TABLE {name} EXECUTE remove_orphan_files({threshold})", substatement_type="VACUUM"
            ),
            vacuum.database,
            on_start,
        )
        return dataclasses.replace(removed, scanned_bytes=expired.scanned_bytes + removed.scanned_bytes)


def _whole_number(parameters: dict[str, Any], key: str, default: int) -> int:
    """A VACUUM property of the table as a whole number (0 or more); INVALID_INPUT when it is not."""
    text = parameters.get(key)
    if text is None:
        return default
    if not re.fullmatch(r"[0-9]+", str(text).strip()):
        raise QueryFailed(
            "INVALID_INPUT", f"Invalid value for table property {key}: '{text}' (a whole number >= 0)"
        )
    return int(str(text).strip())
