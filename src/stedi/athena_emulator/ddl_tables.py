"""CREATE TABLE in its three Athena forms, each leaving the Glue entry Athena would leave.

- ``CREATE TABLE ... WITH (table_type='ICEBERG' | 'HIVE', ...) AS SELECT`` (dbt-athena's CTAS):
  rows go to DuckDB, Glue gets the Iceberg (or Hive/Parquet) entry with Athena's column types, and
  an Iceberg CTAS writes its metadata file under ``location`` (schema, partition spec, format and
  compression) after checking the location is empty, as Athena does.
- ``CREATE TABLE (cols) ... TBLPROPERTIES ('table_type'='ICEBERG')``: an empty Iceberg table.
- ``CREATE EXTERNAL TABLE (cols) ROW FORMAT SERDE ... LOCATION ...``: Glue only; rows are read from
  the files under the location on each query (external.py). dbt-athena seeds use this with the
  OpenCSVSerde, ``stedi land`` registers the landing tables with the OpenX JSON SerDe.
"""

from __future__ import annotations

import json
import re
import uuid
from typing import Any

from duckdb.sqltypes import DuckDBPyType
from sqlglot import exp

from stedi.athena_emulator.context import Outcome, ddl
from stedi.athena_emulator.dml import output_select
from stedi.athena_emulator.errors import QueryFailed, not_supported
from stedi.athena_emulator.glue_tables import (
    LAZY_SIMPLE_SERDE,
    PARQUET_INPUT,
    PARQUET_OUTPUT,
    PARQUET_SERDE,
    TEXT_INPUT,
    TEXT_OUTPUT,
    Column,
    external_table_input,
    hive_ctas_input,
    iceberg_metadata,
    iceberg_table_input,
)
from stedi.athena_emulator.runtime import StatementRun
from stedi.athena_emulator.typemap import glue_to_duckdb, hive_type, normalize_hive_type

_FORMATS = {"parquet", "orc", "avro", "textfile", "json"}
_COMPRESSIONS = {"zstd", "snappy", "gzip", "lz4", "lzo", "deflate", "brotli", "none", "uncompressed"}
_TRANSFORM = re.compile(r"^\s*(year|month|day|hour)\s*\(\s*(\w+)\s*\)\s*$", re.IGNORECASE)
_PARAMETRIC = re.compile(r"^\s*(bucket|truncate)\s*\(\s*(\d+)\s*,\s*(\w+)\s*\)\s*$", re.IGNORECASE)
_IDENTITY = re.compile(r"^\s*(\w+)\s*$")
_DATE_TRANSFORMS = {"year", "month", "day"}


def _value(node: exp.Expr) -> Any:
    if isinstance(node, exp.Array):
        return [_value(item) for item in node.expressions]
    if isinstance(node, exp.Boolean):
        return bool(node.this)
    if isinstance(node, exp.Literal):
        return node.this
    return node.name or node.sql()


def with_properties(statement: exp.Create) -> dict[str, Any]:
    """The WITH (...) properties of a CTAS, by Athena's names, lowercased."""
    found: dict[str, Any] = {}
    properties = statement.args.get("properties")
    for prop in properties.expressions if properties else []:
        if isinstance(prop, exp.LocationProperty):
            found["location"] = _value(prop.this)
        elif isinstance(prop, exp.FileFormatProperty):
            found["format"] = str(_value(prop.this)).lower()
        elif isinstance(prop, exp.PartitionedByProperty):
            found["partitioned_by"] = _value(prop.this)
        elif isinstance(prop, exp.Property):
            found[str(prop.name).lower()] = _value(prop.args["value"])
        else:
            raise not_supported(f"Unsupported table property: {prop.sql(dialect='trino')}")
    return found


def _partition_fields(specs: list[str], columns: list[Column]) -> list[dict[str, Any]]:
    """Iceberg partition fields for ``partitioning=ARRAY['day(ts)', ...]``, checked as Iceberg does."""
    by_name = {column.name: (index, column.type) for index, column in enumerate(columns, start=1)}
    fields = []
    for field_id, spec in enumerate(specs, start=1000):
        if match := _TRANSFORM.match(spec):
            transform, source = match.group(1).lower(), match.group(2).lower()
        elif match := _PARAMETRIC.match(spec):
            transform, source = f"{match.group(1).lower()}[{match.group(2)}]", match.group(3).lower()
        elif match := _IDENTITY.match(spec):
            transform, source = "identity", match.group(1).lower()
        else:
            raise QueryFailed("INVALID_TABLE_PROPERTY", f"Unable to parse partitioning value: {spec}")
        if source not in by_name:
            raise QueryFailed(
                "INVALID_TABLE_PROPERTY",
                f"Unable to parse partitioning value: Cannot find source column: {source}",
            )
        source_id, source_type = by_name[source]
        allowed = {"timestamp"} if transform == "hour" else {"date", "timestamp"}
        if (transform == "hour" or transform in _DATE_TRANSFORMS) and source_type not in allowed:
            raise QueryFailed(
                "INVALID_TABLE_PROPERTY",
                "Unable to parse partitioning value: "
                f"Invalid source type {source_type} for transform: {transform}",
            )
        name = source if transform == "identity" else f"{source}_{transform.split('[')[0]}"
        fields.append({"name": name, "transform": transform, "source-id": source_id, "field-id": field_id})
    return fields


def _check_iceberg_types(columns: list[Column]) -> None:
    for column in columns:
        if column.type in ("tinyint", "smallint"):
            raise not_supported(f"Type not supported for Iceberg: {column.type}")


def _write_iceberg_metadata(
    run: StatementRun,
    location: str,
    columns: list[Column],
    partitioning: list[str],
    properties: dict[str, str],
) -> str:
    if run.lake.has_objects(location):
        raise QueryFailed(
            "ICEBERG_FILESYSTEM_ERROR",
            f"Cannot create a table on a non-empty location: {location.rstrip('/')}",
        )
    metadata = iceberg_metadata(
        location=location.rstrip("/"),
        columns=columns,
        partition_fields=_partition_fields(partitioning, columns),
        properties=properties,
    )
    metadata_location = f"{location.rstrip('/')}/metadata/00000-{uuid.uuid4()}.metadata.json"
    run.lake.put(metadata_location, json.dumps(metadata, indent=2).encode())
    return metadata_location


def _storage_type(duck: DuckDBPyType, iceberg: bool) -> str:
    text = str(duck)
    if text == "HUGEINT":
        return "BIGINT"
    if text.startswith("TIMESTAMP") and "TIME ZONE" not in text:
        return "TIMESTAMP" if iceberg else "TIMESTAMP(3)"
    return text


def _check_names(statement: exp.Expr, names: list[str]) -> None:
    select = output_select(statement)
    if select is not None and not any(p.is_star for p in select.expressions):
        for index, projection in enumerate(select.expressions, start=1):
            if not isinstance(projection, (exp.Alias, exp.Column)):
                raise QueryFailed("MISSING_COLUMN_NAME", f"Column name not specified at position {index}")
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise QueryFailed("DUPLICATE_COLUMN_NAME", f"Column name '{name}' specified more than once")
        seen.add(name)


def create_table_as(run: StatementRun, statement: exp.Create) -> Outcome:
    schema, name = run.name(statement.this)
    run.lake.require_database(schema)
    if run.lake.table(schema, name) is not None:
        if statement.args.get("exists"):
            return ddl("CREATE_TABLE_AS_SELECT")
        raise QueryFailed("TABLE_ALREADY_EXISTS", f"Table 'awsdatacatalog.{schema}.{name}' already exists")
    props = with_properties(statement)
    iceberg = str(props.get("table_type", "hive")).lower() == "iceberg"
    file_format = str(props.get("format", "parquet")).lower()
    compression = props.get("write_compression")
    if file_format not in _FORMATS:
        raise QueryFailed("INVALID_TABLE_PROPERTY", f"Unsupported format: {file_format}")
    if compression is not None and str(compression).lower() not in _COMPRESSIONS:
        raise QueryFailed("INVALID_TABLE_PROPERTY", f"Unsupported compression codec: {compression}")

    query = statement.expression
    resolution = run.resolve(query)
    query_sql = run.translate(query, resolution)
    relation_types = run.duck.sql(query_sql)
    names = [column.lower() for column in relation_types.columns]
    _check_names(query, names)
    columns = [Column(n, hive_type(t, column=n)) for n, t in zip(names, relation_types.types, strict=True)]
    if iceberg:
        _check_iceberg_types(columns)
        location = props.get("location")
        if not location:
            raise QueryFailed(
                "INVALID_TABLE_PROPERTY", "The 'location' property is required for Iceberg tables"
            )
    else:
        location = (
            props.get("external_location") or f"{run.context.output_location or ''}tables/{uuid.uuid4()}"
        )
        if run.lake.has_objects(location):
            raise QueryFailed(
                "HIVE_PATH_ALREADY_EXISTS",
                f"Target directory for table '{schema}.{name}' already exists: {location}",
            )

    relation = run.store.new_relation()
    positions = [f"c{index}" for index in range(len(names))]
    casts = ", ".join(
        f'CAST({p} AS {_storage_type(t, iceberg)}) AS "{n}"'
        for p, t, n in zip(positions, relation_types.types, names, strict=True)
    )
    run.duck.execute(
        f"CREATE TABLE {relation} AS SELECT {casts} FROM ({query_sql}) AS q({', '.join(positions)})"
    )
    try:
        table_input = _ctas_table_input(
            run, name, columns, props, iceberg, str(location), file_format, compression
        )
        owner = run.lake.create_table(schema, table_input)
    except Exception:
        run.duck.execute(f"DROP TABLE {relation}")
        raise
    run.store.adopt(run.lake, owner, relation)
    return Outcome(
        "DDL",
        "CREATE_TABLE_AS_SELECT",
        update_count=run.count(f"SELECT count(*) FROM {relation}"),
        scanned_bytes=resolution.scanned_bytes,
        header=False,
    )


def _ctas_table_input(
    run: StatementRun,
    name: str,
    columns: list[Column],
    props: dict[str, Any],
    iceberg: bool,
    location: str,
    file_format: str,
    compression: Any,
) -> dict[str, Any]:
    if iceberg:
        properties = {"write.format.default": file_format}
        if compression is not None:
            properties[f"write.{file_format}.compression-codec"] = str(compression).lower()
        metadata_location = _write_iceberg_metadata(
            run, location, columns, list(props.get("partitioning") or []), properties
        )
        return iceberg_table_input(name, columns, location=location, metadata_location=metadata_location)
    partition_names = [str(p).lower() for p in props.get("partitioned_by") or []]
    if partition_names and [c.name for c in columns[-len(partition_names) :]] != partition_names:
        raise QueryFailed(
            "HIVE_COLUMN_ORDER_MISMATCH",
            "Partition keys must be the last columns in the table and in the same order as the table "
            f"properties: {partition_names}",
        )
    data_columns = columns[: len(columns) - len(partition_names)]
    keys = columns[len(columns) - len(partition_names) :]
    properties = {"has_encrypted_data": "false"}
    if compression is not None:
        properties[f"{file_format}.compression"] = str(compression).upper()
    return hive_ctas_input(name, data_columns, keys, location=location, properties=properties)


def _column_defs(columns: list[exp.Expr]) -> list[Column]:
    found = []
    for definition in columns:
        if not isinstance(definition, exp.ColumnDef):
            raise not_supported(f"Unsupported column definition: {definition.sql(dialect='hive')}")
        comment = definition.find(exp.CommentColumnConstraint)
        found.append(
            Column(
                definition.name.lower(),
                normalize_hive_type(definition.args["kind"]),
                str(comment.this.name) if comment is not None else None,
            )
        )
    return found


def create_table(run: StatementRun, statement: exp.Create) -> Outcome:
    """CREATE [EXTERNAL] TABLE with a column list (Hive DDL)."""
    schema_node = statement.this
    if not isinstance(schema_node, exp.Schema):
        raise not_supported("CREATE TABLE needs a column list or AS SELECT")
    schema, name = run.name(schema_node.this)
    run.lake.require_database(schema)
    if run.lake.table(schema, name) is not None:
        if statement.args.get("exists"):
            return ddl("CREATE_TABLE")
        raise QueryFailed("TABLE_ALREADY_EXISTS", f"Table 'awsdatacatalog.{schema}.{name}' already exists")
    columns = _column_defs(schema_node.expressions)
    hive = _hive_properties(statement)
    if hive["external"]:
        table_input = external_table_input(
            name,
            columns,
            hive["partition_keys"],
            location=hive["location"] or "",
            serde=hive["serde"],
            serde_parameters=hive["serde_parameters"],
            input_format=hive["input_format"],
            output_format=hive["output_format"],
            table_properties=hive["table_properties"],
            comment=hive["comment"],
        )
        run.lake.create_table(schema, table_input)
        return ddl("CREATE_TABLE")
    if str(hive["table_properties"].get("table_type", "")).lower() != "iceberg":
        raise not_supported("Non-external Hive tables are not supported; use CREATE EXTERNAL TABLE")
    return _create_iceberg(run, schema, name, columns, hive)


def _create_iceberg(
    run: StatementRun, schema: str, name: str, columns: list[Column], hive: dict[str, Any]
) -> Outcome:
    _check_iceberg_types(columns)
    location = hive["location"]
    if not location:
        raise QueryFailed("INVALID_TABLE_PROPERTY", "The 'location' property is required for Iceberg tables")
    properties = {k: v for k, v in hive["table_properties"].items() if k not in ("table_type",)}
    file_format = str(properties.pop("format", "parquet")).lower()
    compression = properties.pop("write_compression", None)
    write_properties = {"write.format.default": file_format, **properties}
    if compression:
        write_properties[f"write.{file_format}.compression-codec"] = str(compression).lower()
    metadata_location = _write_iceberg_metadata(
        run, location, columns, hive["partitioning"], write_properties
    )
    relation = run.store.new_relation()
    definition = ", ".join(f'"{c.name}" {glue_to_duckdb(c.type, iceberg=True)}' for c in columns)
    run.duck.execute(f"CREATE TABLE {relation} ({definition})")
    owner = run.lake.create_table(
        schema, iceberg_table_input(name, columns, location=location, metadata_location=metadata_location)
    )
    run.store.adopt(run.lake, owner, relation)
    return ddl("CREATE_TABLE")


def _partition_spec(node: exp.Expr) -> str:
    """``day(ts)`` for the sqlglot node of a PARTITIONED BY transform (Day(TsOrDsToDate(ts)))."""
    if isinstance(node, exp.Column):
        return node.name
    source = node.find(exp.Column)
    if isinstance(node, (exp.Year, exp.Month, exp.Day, exp.Hour)) and source is not None:
        return f"{type(node).__name__.lower()}({source.name})"
    if isinstance(node, exp.Anonymous) and len(node.expressions) == 2:
        return f"{node.name.lower()}({node.expressions[0].sql()}, {node.expressions[1].sql()})"
    return node.sql(dialect="hive")


def _hive_properties(statement: exp.Create) -> dict[str, Any]:
    found: dict[str, Any] = {
        "external": False,
        "location": None,
        "serde": LAZY_SIMPLE_SERDE,
        "serde_parameters": {"serialization.format": "1"},
        "input_format": TEXT_INPUT,
        "output_format": TEXT_OUTPUT,
        "table_properties": {},
        "comment": None,
        "partition_keys": [],
        "partitioning": [],
    }
    properties = statement.args.get("properties")
    for prop in properties.expressions if properties else []:
        if isinstance(prop, exp.ExternalProperty):
            found["external"] = True
        elif isinstance(prop, exp.LocationProperty):
            found["location"] = str(_value(prop.this))
        elif isinstance(prop, exp.SchemaCommentProperty):
            found["comment"] = str(_value(prop.this))
        elif isinstance(prop, exp.RowFormatSerdeProperty):
            found["serde"] = str(_value(prop.this))
            serde_properties = prop.args.get("serde_properties")
            found["serde_parameters"] = {
                str(p.name): str(_value(p.args["value"]))
                for p in (serde_properties.expressions if serde_properties else [])
            }
        elif isinstance(prop, exp.RowFormatDelimitedProperty):
            fields = prop.args.get("fields")
            if fields is not None:
                found["serde_parameters"] = {
                    "field.delim": str(_value(fields)),
                    "serialization.format": str(_value(fields)),
                }
        elif isinstance(prop, exp.FileFormatProperty):
            _file_format(found, prop)
        elif isinstance(prop, exp.PartitionedByProperty):
            keys = prop.this.expressions if isinstance(prop.this, exp.Schema) else []
            if keys and all(isinstance(key, exp.ColumnDef) for key in keys):
                found["partition_keys"] = _column_defs(keys)
            else:
                found["partitioning"] = [_partition_spec(key) for key in keys]
        elif isinstance(prop, exp.Property):
            found["table_properties"][str(prop.name)] = str(_value(prop.args["value"]))
        else:
            raise not_supported(f"Unsupported table property: {prop.sql(dialect='hive')}")
    return found


def _file_format(found: dict[str, Any], prop: exp.FileFormatProperty) -> None:
    if isinstance(prop.this, exp.InputOutputFormat):
        found["input_format"] = str(_value(prop.this.args["input_format"]))
        found["output_format"] = str(_value(prop.this.args["output_format"]))
        return
    stored_as = str(_value(prop.this)).lower()
    if stored_as == "parquet":
        found.update(
            serde=PARQUET_SERDE,
            input_format=PARQUET_INPUT,
            output_format=PARQUET_OUTPUT,
            serde_parameters={"serialization.format": "1"},
        )
    elif stored_as != "textfile":
        raise not_supported(f"STORED AS {stored_as.upper()} is not emulated")
