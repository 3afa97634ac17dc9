"""External tables: the files under a Glue table's S3 location, read with the table's SerDe semantics.

The S3 objects live in moto's memory; DuckDB reads files, so each table's objects are mirrored to a
local folder (only the ones whose ETag changed) and a DuckDB view reads them. Nothing is cached
across a change: every statement re-lists the location and rebuilds the view when an object was
added, replaced or removed, so a second build sees the new landing data.

The OpenX JSON SerDe (the STEDI landing tables) is read exactly as the project's local DuckDB
target reads the same files::

    read_json(files, format='newline_delimited', columns={<json key>: <type>}, ignore_errors=true)

so a malformed line is a row of nulls, a value of the wrong type is null, blank lines are skipped.
OpenX matches JSON keys case-insensitively (``case.insensitive``, on by default) while DuckDB does
not, so each Glue column's key is looked up in the data: the spelling present there (the most
frequent one if several occur) is read and renamed to the Glue column name. ``records=true`` is
passed too: it changes nothing for tables of two or more columns and keeps a one-column table a
table of records. The hidden ``$path`` column is the object's ``s3://`` URI.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from stedi.athena_emulator.catalog import Lake, S3Object
from stedi.athena_emulator.errors import QueryFailed, emulator_unsupported
from stedi.athena_emulator.glue_tables import (
    HIVE_JSON_SERDE,
    JSON_SERDE,
    LAZY_SIMPLE_SERDE,
    OPEN_CSV_SERDE,
    PARQUET_SERDE,
    Column,
    glue_columns,
)
from stedi.athena_emulator.typemap import glue_to_duckdb

PATH_COLUMN = "$path"
_FILE_COLUMN = "__emulator_file"


@dataclass(frozen=True)
class ExternalRelation:
    """The DuckDB view standing for an external table, and the bytes a scan of it reads."""

    view: str
    scanned_bytes: int


@dataclass
class _Mirrored:
    signature: str
    view: str
    files: dict[str, str]  # local path -> etag


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


class ExternalTables:
    """Keeps one DuckDB view per external table in step with the table's S3 objects."""

    def __init__(self, duck: duckdb.DuckDBPyConnection, root: Path) -> None:
        self._duck = duck
        self._root = root
        self._tables: dict[tuple[str, str, str, str], _Mirrored] = {}
        duck.execute("CREATE SCHEMA IF NOT EXISTS external")

    def relation(self, lake: Lake, table: dict[str, Any], *, with_path: bool) -> ExternalRelation:
        if table.get("PartitionKeys"):
            raise emulator_unsupported(
                f"partitioned external table {table['DatabaseName']}.{table['Name']} (partition discovery "
                "is not emulated)"
            )
        location = table.get("StorageDescriptor", {}).get("Location") or ""
        objects = lake.objects(location) if location else []
        key = (lake.account_id, lake.region, table["DatabaseName"], table["Name"])
        definition = json.dumps(
            [table.get("StorageDescriptor"), table.get("Parameters"), [(o.key, o.etag) for o in objects]],
            sort_keys=True,
            default=str,
        )
        signature = hashlib.sha256(definition.encode()).hexdigest()
        mirrored = self._tables.get(key)
        if mirrored is None or mirrored.signature != signature:
            mirrored = self._rebuild(lake, table, objects, key, mirrored, signature)
        view = f"{mirrored.view}_path" if with_path else mirrored.view
        return ExternalRelation(view, sum(obj.size for obj in objects))

    def _rebuild(
        self,
        lake: Lake,
        table: dict[str, Any],
        objects: list[S3Object],
        key: tuple[str, str, str, str],
        previous: _Mirrored | None,
        signature: str,
    ) -> _Mirrored:
        files = self._sync_files(lake, objects, previous.files if previous else {})
        view = previous.view if previous else f"external.x{len(self._tables) + 1}"
        select = self._select(table, sorted(files))
        columns = ", ".join(_quote(column.name) for column in glue_columns(table))
        self._duck.execute(f"CREATE OR REPLACE VIEW {view}_path AS {select}")
        self._duck.execute(f"CREATE OR REPLACE VIEW {view} AS SELECT {columns} FROM {view}_path")
        mirrored = _Mirrored(signature, view, files)
        self._tables[key] = mirrored
        return mirrored

    def _sync_files(self, lake: Lake, objects: list[S3Object], previous: dict[str, str]) -> dict[str, str]:
        files: dict[str, str] = {}
        for obj in objects:
            local = self._root / lake.account_id / obj.bucket / obj.key
            if previous.get(str(local)) != obj.etag or not local.exists():
                local.parent.mkdir(parents=True, exist_ok=True)
                local.write_bytes(lake.read(obj))
            files[str(local)] = obj.etag
        for stale in set(previous) - set(files):
            Path(stale).unlink(missing_ok=True)
        return files

    def _path_expression(self) -> str:
        root = str(self._root) + "/"
        # local file <root>/<account>/<bucket>/<key>  ->  s3://<bucket>/<key>
        return (
            f"'s3://' || regexp_replace(substr({_FILE_COLUMN}, {len(root) + 1}), '^[^/]+/', '') "
            f"AS {_quote(PATH_COLUMN)}"
        )

    def _select(self, table: dict[str, Any], files: list[str]) -> str:
        columns = glue_columns(table)
        types = {column.name: glue_to_duckdb(column.type, iceberg=False) for column in columns}
        if not files:
            projection = ", ".join(f"CAST(NULL AS {types[c.name]}) AS {_quote(c.name)}" for c in columns)
            return f"SELECT {projection}, CAST(NULL AS VARCHAR) AS {_quote(PATH_COLUMN)} WHERE false"
        storage = table.get("StorageDescriptor", {})
        serde_info = storage.get("SerdeInfo", {})
        serde = serde_info.get("SerializationLibrary", "")
        serde_parameters = serde_info.get("Parameters", {}) or {}
        properties = table.get("Parameters", {}) or {}
        file_list = "[" + ", ".join(_literal(path) for path in files) + "]"
        if serde in (JSON_SERDE, HIVE_JSON_SERDE):
            body = self._json(columns, types, file_list, serde, serde_parameters)
        elif serde == OPEN_CSV_SERDE:
            body = self._csv(columns, types, file_list, serde_parameters, properties)
        elif serde == LAZY_SIMPLE_SERDE:
            body = self._text(columns, types, file_list, serde_parameters, properties)
        elif serde == PARQUET_SERDE:
            projection = ", ".join(
                f"CAST({_quote(c.name)} AS {types[c.name]}) AS {_quote(c.name)}" for c in columns
            )
            body = (
                f"SELECT {projection}, {_FILE_COLUMN} FROM read_parquet({file_list}, "
                f"union_by_name=true, filename={_literal(_FILE_COLUMN)})"
            )
        else:
            raise emulator_unsupported(f"SerDe {serde or '(none)'} of table {table['Name']}")
        names = ", ".join(_quote(c.name) for c in columns)
        return f"SELECT {names}, {self._path_expression()} FROM ({body})"

    def _json(
        self,
        columns: list[Column],
        types: dict[str, str],
        file_list: str,
        serde: str,
        serde_parameters: dict[str, str],
    ) -> str:
        openx = serde == JSON_SERDE
        ignore_errors = openx and serde_parameters.get("ignore.malformed.json", "false").lower() == "true"
        case_insensitive = openx and serde_parameters.get("case.insensitive", "true").lower() == "true"
        spellings = self._key_spellings(file_list) if case_insensitive else {}
        keys = {
            column.name: serde_parameters.get(f"mapping.{column.name}")
            or spellings.get(column.name, column.name)
            for column in columns
        }
        wanted = ", ".join(f"{_literal(keys[c.name])}: {_literal(types[c.name])}" for c in columns)
        projection = ", ".join(f"{_quote(keys[c.name])} AS {_quote(c.name)}" for c in columns)
        return (
            f"SELECT {projection}, {_FILE_COLUMN} FROM read_json({file_list}, format='newline_delimited', "
            f"columns={{{wanted}}}, ignore_errors={str(ignore_errors).lower()}, records=true, "
            f"filename={_literal(_FILE_COLUMN)})"
        )

    def _key_spellings(self, file_list: str) -> dict[str, str]:
        """lowercase key -> the spelling the data uses most, over every object in the files."""
        rows = self._duck.execute(
            "SELECT k, count(*) AS n FROM (SELECT unnest(json_keys(json)) AS k FROM "
            f"read_json_objects({file_list}, format='newline_delimited', ignore_errors=true) "
            "WHERE json_type(json) = 'OBJECT') GROUP BY k ORDER BY n DESC, k"
        ).fetchall()
        spellings: dict[str, str] = {}
        for spelling, _count in rows:
            spellings.setdefault(str(spelling).lower(), str(spelling))
        return spellings

    def _delimited(
        self,
        columns: list[Column],
        file_list: str,
        *,
        delimiter: str,
        quote: str,
        escape: str,
        null: str | None,
        skip: int,
    ) -> str:
        positional = ", ".join(f"{_literal(f'c{i}')}: 'VARCHAR'" for i in range(len(columns)))
        null_option = f", nullstr={_literal(null)}" if null is not None else ""
        return (
            f"read_csv({file_list}, columns={{{positional}}}, header=false, skip={skip}, "
            f"delim={_literal(delimiter)}, quote={_literal(quote)}, escape={_literal(escape)}, "
            f"auto_detect=false, null_padding=true, strict_mode=false{null_option}, "
            f"filename={_literal(_FILE_COLUMN)})"
        )

    def _csv(
        self,
        columns: list[Column],
        types: dict[str, str],
        file_list: str,
        serde_parameters: dict[str, str],
        properties: dict[str, str],
    ) -> str:
        """OpenCSVSerDe: quoted fields, every value text; an empty field is '' for strings, else null."""
        source = self._delimited(
            columns,
            file_list,
            delimiter=serde_parameters.get("separatorChar", ","),
            quote=serde_parameters.get("quoteChar", '"'),
            escape=serde_parameters.get("escapeChar", "\\"),
            null=None,
            skip=int(properties.get("skip.header.line.count", "0")),
        )
        projection = ", ".join(
            f"coalesce(c{i}, '') AS {_quote(c.name)}"
            if types[c.name] == "VARCHAR"
            else f"TRY_CAST(nullif(c{i}, '') AS {types[c.name]}) AS {_quote(c.name)}"
            for i, c in enumerate(columns)
        )
        return f"SELECT {projection}, {_FILE_COLUMN} FROM {source}"

    def _text(
        self,
        columns: list[Column],
        types: dict[str, str],
        file_list: str,
        serde_parameters: dict[str, str],
        properties: dict[str, str],
    ) -> str:
        """LazySimpleSerDe (TEXTFILE): ``field.delim`` separated, ``\\N`` is null, bad values are null."""
        delimiter = serde_parameters.get("field.delim", "\x01")
        if len(delimiter) != 1:
            raise QueryFailed("HIVE_INVALID_METADATA", f"field.delim must be one character: {delimiter!r}")
        source = self._delimited(
            columns,
            file_list,
            delimiter=delimiter,
            quote="",
            escape="",
            null="\\N",
            skip=int(properties.get("skip.header.line.count", "0")),
        )
        projection = ", ".join(
            f"c{i} AS {_quote(c.name)}"
            if types[c.name] == "VARCHAR"
            else f"TRY_CAST(c{i} AS {types[c.name]}) AS {_quote(c.name)}"
            for i, c in enumerate(columns)
        )
        return f"SELECT {projection}, {_FILE_COLUMN} FROM {source}"
