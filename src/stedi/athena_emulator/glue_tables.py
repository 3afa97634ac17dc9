"""The Glue entries Athena writes for each kind of table, and the Presto view payload.

dbt-athena decides what a relation is from these entries alone: ``TableType`` (EXTERNAL_TABLE or
VIRTUAL_VIEW), ``Parameters.table_type`` (ICEBERG), the column list and types, the location. They
are shaped as Athena shapes them so that the relation cache, contracts, unit tests and docs see
what they would see on AWS.
"""

from __future__ import annotations

import base64
import json
import time
from dataclasses import dataclass, field
from typing import Any

from moto.glue.models import FakeTable

from stedi.athena_emulator.typemap import presto_view_type

JSON_SERDE = "org.openx.data.jsonserde.JsonSerDe"
HIVE_JSON_SERDE = "org.apache.hive.hcatalog.data.JsonSerDe"
OPEN_CSV_SERDE = "org.apache.hadoop.hive.serde2.OpenCSVSerde"
LAZY_SIMPLE_SERDE = "org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe"
PARQUET_SERDE = "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"
TEXT_INPUT = "org.apache.hadoop.mapred.TextInputFormat"
TEXT_OUTPUT = "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat"
PARQUET_INPUT = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat"
PARQUET_OUTPUT = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat"

_VIEW_PREFIX = "/* Presto View: "
_VIEW_SUFFIX = " */"


@dataclass
class Column:
    name: str
    type: str
    comment: str | None = None
    parameters: dict[str, str] = field(default_factory=dict)

    def as_glue(self) -> dict[str, Any]:
        column: dict[str, Any] = {"Name": self.name, "Type": self.type}
        if self.comment:
            column["Comment"] = self.comment
        if self.parameters:
            column["Parameters"] = dict(self.parameters)
        return column


def _storage(
    columns: list[Column],
    location: str,
    *,
    serde: str | None,
    serde_parameters: dict[str, str] | None = None,
    input_format: str | None = None,
    output_format: str | None = None,
) -> dict[str, Any]:
    storage: dict[str, Any] = {
        "Columns": [column.as_glue() for column in columns],
        "Location": location,
        "Compressed": False,
        "NumberOfBuckets": -1,
        "SerdeInfo": {"Parameters": dict(serde_parameters or {})},
        "BucketColumns": [],
        "SortColumns": [],
        "Parameters": {},
        "StoredAsSubDirectories": False,
    }
    if serde:
        storage["SerdeInfo"]["SerializationLibrary"] = serde
    if input_format:
        storage["InputFormat"] = input_format
    if output_format:
        storage["OutputFormat"] = output_format
    return storage


def external_table_input(
    name: str,
    columns: list[Column],
    partition_keys: list[Column],
    *,
    location: str,
    serde: str,
    serde_parameters: dict[str, str],
    input_format: str,
    output_format: str,
    table_properties: dict[str, str],
    comment: str | None,
) -> dict[str, Any]:
    """A CREATE EXTERNAL TABLE entry (JSON, CSV, text or Parquet files under ``location``)."""
    parameters = {"EXTERNAL": "TRUE", **table_properties}
    if comment:
        parameters["comment"] = comment
    return {
        "Name": name,
        "Owner": "hadoop",
        "Retention": 0,
        "TableType": "EXTERNAL_TABLE",
        "Parameters": parameters,
        "PartitionKeys": [key.as_glue() for key in partition_keys],
        "StorageDescriptor": _storage(
            columns,
            location,
            serde=serde,
            serde_parameters=serde_parameters,
            input_format=input_format,
            output_format=output_format,
        ),
    }


def iceberg_table_input(
    name: str, columns: list[Column], *, location: str, metadata_location: str
) -> dict[str, Any]:
    """An Iceberg table entry: Glue holds schema and pointer, the table's properties live in metadata."""
    iceberg_columns = [
        Column(
            column.name,
            column.type,
            column.comment,
            {
                "iceberg.field.current": "true",
                "iceberg.field.id": str(index),
                "iceberg.field.optional": "true",
            },
        )
        for index, column in enumerate(columns, start=1)
    ]
    return {
        "Name": name,
        "Owner": "hadoop",
        "Retention": 0,
        "TableType": "EXTERNAL_TABLE",
        "Parameters": {"table_type": "ICEBERG", "metadata_location": metadata_location},
        "PartitionKeys": [],
        "StorageDescriptor": _storage(
            iceberg_columns,
            location,
            serde="org.apache.iceberg.mr.hive.HiveIcebergSerDe",
            input_format="org.apache.iceberg.mr.hive.HiveIcebergInputFormat",
            output_format="org.apache.iceberg.mr.hive.HiveIcebergOutputFormat",
        ),
    }


def hive_ctas_input(
    name: str,
    columns: list[Column],
    partition_keys: list[Column],
    *,
    location: str,
    properties: dict[str, str],
) -> dict[str, Any]:
    """A Hive CTAS entry: Parquet files (held by the emulator in DuckDB) under ``location``."""
    return external_table_input(
        name,
        columns,
        partition_keys,
        location=location,
        serde=PARQUET_SERDE,
        serde_parameters={"serialization.format": "1"},
        input_format=PARQUET_INPUT,
        output_format=PARQUET_OUTPUT,
        table_properties=properties,
        comment=None,
    )


def view_input(
    name: str, columns: list[Column], *, original_sql: str, catalog: str, schema: str
) -> dict[str, Any]:
    """A VIRTUAL_VIEW entry carrying the Presto view payload Athena and Trino's Hive connector read."""
    payload = {
        "originalSql": original_sql,
        "catalog": catalog,
        "schema": schema,
        "columns": [{"name": column.name, "type": presto_view_type(column.type)} for column in columns],
        "owner": "emulator",
        "runAsInvoker": False,
        "properties": {},
    }
    encoded = base64.b64encode(json.dumps(payload).encode()).decode()
    return {
        "Name": name,
        "Owner": "emulator",
        "Retention": 0,
        "TableType": "VIRTUAL_VIEW",
        "Parameters": {"presto_view": "true", "comment": "Presto View"},
        "PartitionKeys": [],
        "ViewOriginalText": f"{_VIEW_PREFIX}{encoded}{_VIEW_SUFFIX}",
        "ViewExpandedText": "/* Presto View */",
        "StorageDescriptor": _storage(columns, "", serde=None),
    }


@dataclass(frozen=True)
class ViewDefinition:
    original_sql: str
    catalog: str
    schema: str


def view_definition(table: dict[str, Any]) -> ViewDefinition | None:
    """Decode the Presto view payload of a VIRTUAL_VIEW entry, if it carries one."""
    text = table.get("ViewOriginalText") or ""
    if not (text.startswith(_VIEW_PREFIX) and text.endswith(_VIEW_SUFFIX)):
        return None
    payload = json.loads(base64.b64decode(text[len(_VIEW_PREFIX) : -len(_VIEW_SUFFIX)]))
    return ViewDefinition(payload["originalSql"], payload.get("catalog", "awsdatacatalog"), payload["schema"])


def table_dict(table: FakeTable) -> dict[str, Any]:
    return table.as_dict()


def is_iceberg(table: dict[str, Any]) -> bool:
    return str(table.get("Parameters", {}).get("table_type", "")).lower() == "iceberg"


def is_view(table: dict[str, Any]) -> bool:
    return table.get("TableType") == "VIRTUAL_VIEW"


def glue_columns(table: dict[str, Any]) -> list[Column]:
    storage = table.get("StorageDescriptor", {})
    columns = [
        Column(column["Name"], column["Type"])
        for column in storage.get("Columns", [])
        if column.get("Parameters", {}).get("iceberg.field.current") != "false"
    ]
    return columns + [Column(key["Name"], key["Type"]) for key in table.get("PartitionKeys", [])]


def iceberg_metadata(
    *,
    location: str,
    columns: list[Column],
    partition_fields: list[dict[str, Any]],
    properties: dict[str, str],
) -> dict[str, Any]:
    """The table metadata an Iceberg CTAS writes: schema, partition spec, write properties, no snapshots.

    The emulator keeps the rows in DuckDB; this file records what the table was asked to be
    (Parquet, zstd, day(...) partitioning) where Iceberg keeps it, and makes the location non-empty,
    as a real CTAS does.
    """
    now_ms = int(time.time() * 1000)
    return {
        "format-version": 2,
        "location": location,
        "last-updated-ms": now_ms,
        "last-column-id": len(columns),
        "current-schema-id": 0,
        "schemas": [
            {
                "type": "struct",
                "schema-id": 0,
                "fields": [
                    {"id": index, "name": column.name, "required": False, "type": _iceberg_type(column.type)}
                    for index, column in enumerate(columns, start=1)
                ],
            }
        ],
        "default-spec-id": 0,
        "partition-specs": [{"spec-id": 0, "fields": partition_fields}],
        "last-partition-id": 999 + len(partition_fields),
        "properties": properties,
        "current-snapshot-id": -1,
        "snapshots": [],
    }


def _iceberg_type(hive: str) -> str:
    return {"bigint": "long", "int": "int", "string": "string", "float": "float"}.get(hive, hive)
