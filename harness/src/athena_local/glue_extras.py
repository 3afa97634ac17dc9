"""The Glue calls Trino's Glue metastore makes that moto 5.2.5 does not implement.

Trino's Hive connector reads and writes column statistics, and lists user-defined functions,
through Glue. moto answers those operations with an HTTP 400 (unknown operation), which fails a
Hive CTAS ("Failed updating column statistics"). The harness keeps no statistics: reads find
none, writes are accepted and forgotten, and there are no user-defined functions, which is what
an account that never ran ANALYZE or CREATE FUNCTION answers.
"""

from __future__ import annotations

import json
from typing import Any

_EMPTY_ANSWERS: dict[str, dict[str, Any]] = {
    "GetColumnStatisticsForTable": {"ColumnStatisticsList": [], "Errors": []},
    "GetColumnStatisticsForPartition": {"ColumnStatisticsList": [], "Errors": []},
    "UpdateColumnStatisticsForTable": {"Errors": []},
    "UpdateColumnStatisticsForPartition": {"Errors": []},
    "DeleteColumnStatisticsForTable": {},
    "DeleteColumnStatisticsForPartition": {},
    "GetUserDefinedFunctions": {"UserDefinedFunctions": []},
}

OPERATIONS = frozenset(_EMPTY_ANSWERS)


def answer(operation: str) -> dict[str, Any]:
    """The body for one of OPERATIONS."""
    return dict(_EMPTY_ANSWERS[operation])


# --- views as Athena's engine sees them --------------------------------------------------------------
#
# Athena reads a Glue VIRTUAL_VIEW whatever its description: dbt-athena's persist_docs writes the
# model's description into the view's Description and ``comment`` parameter, and Athena still
# reads the view. Open-source Trino recognises its views only while the comment is "Presto View"
# (otherwise: TABLE_NOT_FOUND). So Glue answers to Trino's own client (the AWS SDK for Java) show
# each Presto view with that comment and no description; every other client sees the entry as
# stored.

VIEW_READS = frozenset({"GetTable", "GetTables"})
_PRESTO_VIEW_COMMENT = "Presto View"


def is_trino_client(user_agent: str) -> bool:
    return "aws-sdk-java" in user_agent


def _as_trino_reads(table: dict[str, Any]) -> None:
    parameters = table.get("Parameters") or {}
    if table.get("TableType") == "VIRTUAL_VIEW" and parameters.get("presto_view") == "true":
        parameters["comment"] = _PRESTO_VIEW_COMMENT
        table.pop("Description", None)


def views_as_athena_reads_them(operation: str, body: dict[str, Any]) -> dict[str, Any]:
    if operation == "GetTable" and "Table" in body:
        _as_trino_reads(body["Table"])
    for table in body.get("TableList", []) if operation == "GetTables" else []:
        _as_trino_reads(table)
    return body


# --- tables as Athena writes them --------------------------------------------------------------------
#
# Athena gives every table it writes a PartitionKeys list, empty when the table has no Hive
# partitions (the Glue API reference, Table structure: "When you create a table used by Amazon
# Athena, and you do not specify any partitionKeys, you must at least set the value of
# partitionKeys to an empty list"). Trino's Glue catalog leaves the key out of the Iceberg tables
# it writes, and a tool that copies a table's Glue entry (dbt-athena's swap_table) reads it. So
# the engine's CreateTable and UpdateTable reach Glue with the list, as Athena's would.

TABLE_WRITES = frozenset({"CreateTable", "UpdateTable"})


def as_athena_writes_it(body: bytes) -> bytes:
    request = json.loads(body)
    table_input = request.get("TableInput")
    if isinstance(table_input, dict):
        table_input.setdefault("PartitionKeys", [])
    return json.dumps(request).encode()
