"""What Athena does to a statement before its engine sees it, and nothing more.

Athena has two front doors. Hive DDL (``CREATE EXTERNAL TABLE``, backtick-quoted names, ``ALTER
TABLE ... SET TBLPROPERTIES``, ``MSCK REPAIR TABLE``) goes to Athena's DDL service, which writes the
Glue catalog; everything else goes to engine v3, which is Trino, with Athena's own table
properties and statement forms mapped onto Trino's connectors. This module makes that split:

- ``plan`` returns a ``GlueDdl`` for the statements Athena's DDL service answers by writing Glue
  (the caller applies it to the emulated Glue), a ``Vacuum`` (below), or a ``TrinoStatement``
  with the text Trino runs.
- CREATE TABLE with Athena's properties (``table_type``, ``is_external``, ``format``,
  ``write_compression``, ``partitioned_by``, ``partitioning``, ``location``/``external_location``)
  is sent to the Iceberg or the Hive catalog with the matching Trino properties; the compression
  becomes the connector's session property, as Athena's engine configures it.
- ``OPTIMIZE ... REWRITE DATA USING BIN_PACK`` becomes Trino's ``optimize`` table procedure.
- ``VACUUM [db.]table`` returns a ``Vacuum``: what it runs depends on the table's properties in
  Glue (``vacuum_max_snapshot_age_seconds``), which the caller reads before it runs Trino's
  ``expire_snapshots`` and ``remove_orphan_files`` procedures with that age.
- Backtick-quoted Hive DDL that Trino also has (CREATE/DROP SCHEMA|DATABASE, DROP TABLE, ALTER
  TABLE RENAME, SHOW) is passed on with its names quoted as Trino quotes them.

No expression is rewritten: a query Trino refuses fails as it fails on Athena.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from athena_local.trino_server import HIVE_CATALOG, ICEBERG_CATALOG

OPEN_CSV_SERDE = "org.apache.hadoop.hive.serde2.OpenCSVSerde"
LAZY_SIMPLE_SERDE = "org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe"
OPENX_JSON_SERDE = "org.openx.data.jsonserde.JsonSerDe"
HIVE_JSON_SERDE = "org.apache.hive.hcatalog.data.JsonSerDe"
PARQUET_SERDE = "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"
TEXT_INPUT = "org.apache.hadoop.mapred.TextInputFormat"
TEXT_OUTPUT = "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat"
PARQUET_INPUT = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat"
PARQUET_OUTPUT = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat"
_STORED_AS = {
    "PARQUET": (PARQUET_SERDE, PARQUET_INPUT, PARQUET_OUTPUT),
    "TEXTFILE": (LAZY_SIMPLE_SERDE, TEXT_INPUT, TEXT_OUTPUT),
    "ORC": (
        "org.apache.hadoop.hive.ql.io.orc.OrcSerde",
        "org.apache.hadoop.hive.ql.io.orc.OrcInputFormat",
        "org.apache.hadoop.hive.ql.io.orc.OrcOutputFormat",
    ),
    "JSON": (HIVE_JSON_SERDE, TEXT_INPUT, TEXT_OUTPUT),
}


class AthenaRefusal(Exception):
    """Athena refuses the statement before any engine runs it: ``name`` is Athena's error name."""

    def __init__(self, name: str, message: str) -> None:
        super().__init__(message)
        self.name = name
        self.message = message


@dataclass(frozen=True)
class TrinoStatement:
    sql: str
    session: dict[str, str] = field(default_factory=dict)
    substatement_type: str | None = None


@dataclass(frozen=True)
class GlueDdl:
    """A Hive DDL statement that Athena's DDL service answers by writing Glue."""

    action: str  # create_table | set_table_properties | show_table_properties
    database: str
    table: str
    table_input: dict[str, Any] = field(default_factory=dict)
    if_not_exists: bool = False
    substatement_type: str = "CREATE_TABLE"


@dataclass(frozen=True)
class Vacuum:
    """Athena's VACUUM of an Iceberg table: snapshot expiry and orphan-file removal by the age the
    table's ``vacuum_max_snapshot_age_seconds`` property gives, which only Glue knows."""

    database: str
    table: str
    substatement_type: str = "VACUUM"


Plan = TrinoStatement | GlueDdl | Vacuum

_LEADING = re.compile(r"\A(?:\s+|--[^\n]*(?:\n|\Z)|/\*.*?\*/)*", re.DOTALL)


def strip_leading_comments(sql: str) -> str:
    """The statement without the comments dbt puts before it (its query comment) or after it."""
    return _LEADING.sub("", sql, count=1).rstrip().rstrip(";").rstrip()


# --- a small tokenizer: enough to find clauses, never to rewrite expressions ------------------------

_TOKEN = re.compile(
    r"""
    (?P<space>\s+|--[^\n]*|/\*.*?\*/)
  | (?P<string>'(?:[^']|'')*')
  | (?P<quoted>"(?:[^"]|"")*")
  | (?P<backtick>`[^`]*`)
  | (?P<word>[A-Za-z_][A-Za-z0-9_$]*)
  | (?P<number>\d+(?:\.\d+)?)
  | (?P<symbol>.)
    """,
    re.VERBOSE | re.DOTALL,
)


@dataclass(frozen=True)
class Token:
    kind: str
    text: str
    start: int
    end: int

    @property
    def upper(self) -> str:
        return self.text.upper() if self.kind == "word" else self.text


def tokens(sql: str) -> list[Token]:
    found = []
    for match in _TOKEN.finditer(sql):
        kind = match.lastgroup or "symbol"
        if kind != "space":
            found.append(Token(kind, match.group(), match.start(), match.end()))
    return found


def _words(toks: list[Token], count: int) -> list[str]:
    return [token.upper for token in toks[:count]]


def _identifier(token: Token) -> str:
    """An identifier's name as Glue stores it: unquoted, lower case."""
    if token.kind == "quoted":
        return token.text[1:-1].replace('""', '"').lower()
    if token.kind == "backtick":
        return token.text[1:-1].lower()
    return token.text.lower()


def _string(token: Token) -> str:
    if token.kind != "string":
        raise AthenaRefusal("SYNTAX_ERROR", f"expected a quoted string, found {token.text}")
    return token.text[1:-1].replace("''", "'")


def _qualified_name(toks: list[Token], at: int) -> tuple[list[str], int]:
    """Parts of a dotted name starting at ``toks[at]``, and the index after it."""
    parts = [_identifier(toks[at])]
    at += 1
    while at + 1 < len(toks) and toks[at].text == ".":
        parts.append(_identifier(toks[at + 1]))
        at += 2
    return parts, at


def _matching(toks: list[Token], open_at: int) -> int:
    """Index of the parenthesis closing ``toks[open_at]``."""
    depth = 0
    for index in range(open_at, len(toks)):
        if toks[index].text in "([":
            depth += 1
        elif toks[index].text in ")]":
            depth -= 1
            if depth == 0:
                return index
    raise AthenaRefusal("SYNTAX_ERROR", "unbalanced parentheses")


def _split_top_level(toks: list[Token]) -> list[list[Token]]:
    """Split on commas outside parentheses, brackets and angle brackets (Hive's struct<...>)."""
    groups: list[list[Token]] = [[]]
    depth = 0
    for token in toks:
        if token.text in "([<":
            depth += 1
        elif token.text in ")]>":
            depth -= 1
        if token.text == "," and depth == 0:
            groups.append([])
        else:
            groups[-1].append(token)
    return [group for group in groups if group]


def _backticks_to_trino(sql: str) -> str:
    """Hive's `name` quoting as Trino's "name"; string literals are left as they are."""
    out, last = [], 0
    for token in tokens(sql):
        if token.kind == "backtick":
            out.append(sql[last : token.start])
            out.append('"' + token.text[1:-1].lower().replace('"', '""') + '"')
            last = token.end
    out.append(sql[last:])
    return "".join(out)


# --- planning ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Context:
    schema: str
    output_location: str  # ends with '/'
    query_id: str


def plan(sql: str, context: Context) -> Plan:
    statement = strip_leading_comments(sql)
    toks = tokens(statement)
    if not toks:
        raise AthenaRefusal("SYNTAX_ERROR", "line 1:1: empty statement")
    head = _words(toks, 4)
    if head[:3] == ["CREATE", "EXTERNAL", "TABLE"]:
        return _create_external_table(statement, toks, context)
    if head[:2] == ["ALTER", "TABLE"]:
        name, at = _qualified_name(toks, 2)
        rest = _words(toks[at:], 2)
        if rest == ["SET", "TBLPROPERTIES"]:
            database, table = _database_table(name, context)
            properties = _key_values(toks, at + 2)
            return GlueDdl(
                "set_table_properties",
                database,
                table,
                {"Parameters": properties},
                substatement_type="ALTER_TABLE_SET_TBLPROPERTIES",
            )
    if head[:2] == ["SHOW", "TBLPROPERTIES"]:
        name, _ = _qualified_name(toks, 2)
        database, table = _database_table(name, context)
        return GlueDdl("show_table_properties", database, table, substatement_type="SHOW_TBLPROPERTIES")
    if head[:3] == ["MSCK", "REPAIR", "TABLE"]:
        name, _ = _qualified_name(toks, 3)
        database, table = _database_table(name, context)
        return TrinoStatement(
            f"CALL {HIVE_CATALOG}.system.sync_partition_metadata('{database}', '{table}', 'ADD')",
            substatement_type="MSCK_REPAIR_TABLE",
        )
    if head[0] == "OPTIMIZE":
        return _optimize(statement, toks)
    if head[0] == "VACUUM":
        return _vacuum(toks, context)
    if head[:2] == ["CREATE", "TABLE"] or head[:4] == ["CREATE", "OR", "REPLACE", "TABLE"]:
        return _create_table(statement, toks, context)
    if head[0] in ("CREATE", "DROP") and len(head) > 1 and head[1] == "DATABASE":
        # Hive DDL says DATABASE where Trino says SCHEMA; the rest of the statement is the same.
        statement = statement[: toks[1].start] + "SCHEMA" + statement[toks[1].end :]
    if any(token.kind == "backtick" for token in toks):
        return TrinoStatement(_backticks_to_trino(statement))
    # Athena accepts one statement with a trailing semicolon; Trino's API takes it without.
    return TrinoStatement(statement)


def _database_table(name: list[str], context: Context) -> tuple[str, str]:
    if len(name) == 1:
        return context.schema, name[0]
    return name[-2], name[-1]


def _trino_name(parts: list[str]) -> str:
    return ".".join('"' + part.replace('"', '""') + '"' for part in parts)


def _key_values(toks: list[Token], open_at: int) -> dict[str, str]:
    """``('k'='v', ...)`` as a dict; ``open_at`` is the index of the opening parenthesis."""
    if open_at >= len(toks) or toks[open_at].text != "(":
        raise AthenaRefusal("SYNTAX_ERROR", "expected (")
    close = _matching(toks, open_at)
    pairs: dict[str, str] = {}
    for group in _split_top_level(toks[open_at + 1 : close]):
        if len(group) != 3 or group[1].text != "=":
            raise AthenaRefusal("SYNTAX_ERROR", "expected 'key'='value'")
        pairs[_string(group[0])] = _string(group[2])
    return pairs


def _optimize(statement: str, toks: list[Token]) -> TrinoStatement:
    name, at = _qualified_name(toks, 1)
    if _words(toks[at:], 4) != ["REWRITE", "DATA", "USING", "BIN_PACK"]:
        raise AthenaRefusal("SYNTAX_ERROR", "OPTIMIZE supports only REWRITE DATA USING BIN_PACK")
    where = statement[toks[at + 4].start :] if len(toks) > at + 4 else ""
    return TrinoStatement(
        f"ALTER TABLE {_trino_name(name)} EXECUTE optimize {where}".strip(), substatement_type="OPTIMIZE"
    )


def _vacuum(toks: list[Token], context: Context) -> Vacuum:
    """``VACUUM [database.]table``; a name may be backtick-quoted (Athena's way for ``_table``)."""
    if len(toks) < 2 or toks[1].kind not in ("word", "quoted", "backtick"):
        raise AthenaRefusal("SYNTAX_ERROR", "line 1:7: VACUUM needs a table: VACUUM [database.]table")
    name, at = _qualified_name(toks, 1)
    if at < len(toks):
        raise AthenaRefusal(
            "SYNTAX_ERROR", f"line 1:{toks[at].start + 1}: mismatched input '{toks[at].text}'"
        )
    if len(name) > 3 or (len(name) == 3 and name[0] != HIVE_CATALOG):
        raise AthenaRefusal("SYNTAX_ERROR", f"VACUUM takes [database.]table, not {'.'.join(name)}")
    database, table = _database_table(name, context)
    return Vacuum(database, table)


# --- CREATE EXTERNAL TABLE (Hive DDL, Athena's DDL service writes Glue) ----------------------------


def _hive_type(group: list[Token], statement: str) -> str:
    return re.sub(r"\s+", "", statement[group[0].start : group[-1].end]).lower()


def _columns(toks: list[Token], open_at: int, statement: str) -> tuple[list[dict[str, Any]], int]:
    close = _matching(toks, open_at)
    columns = []
    for group in _split_top_level(toks[open_at + 1 : close]):
        comment = None
        for index, token in enumerate(group):
            if token.upper == "COMMENT" and index + 1 < len(group):
                comment = _string(group[index + 1])
                group = group[:index]
                break
        if len(group) < 2:
            raise AthenaRefusal("SYNTAX_ERROR", f"column without a type: {group[0].text if group else ''}")
        column: dict[str, Any] = {"Name": _identifier(group[0]), "Type": _hive_type(group[1:], statement)}
        if column["Type"] == "varchar":
            column["Type"] = "string"
        if comment:
            column["Comment"] = comment
        columns.append(column)
    return columns, close + 1


def _create_external_table(statement: str, toks: list[Token], context: Context) -> GlueDdl:
    at = 3
    if_not_exists = _words(toks[at:], 3) == ["IF", "NOT", "EXISTS"]
    if if_not_exists:
        at += 3
    name, at = _qualified_name(toks, at)
    database, table = _database_table(name, context)
    columns: list[dict[str, Any]] = []
    if at < len(toks) and toks[at].text == "(":
        columns, at = _columns(toks, at, statement)
    partition_keys: list[dict[str, Any]] = []
    serde, serde_parameters = LAZY_SIMPLE_SERDE, {}
    input_format, output_format = TEXT_INPUT, TEXT_OUTPUT
    location, parameters, description = None, {"EXTERNAL": "TRUE"}, None
    delimited: dict[str, str] = {}
    while at < len(toks):
        words = _words(toks[at:], 4)
        if words[:2] == ["PARTITIONED", "BY"]:
            partition_keys, at = _columns(toks, at + 2, statement)
        elif words[0] == "COMMENT":
            description, at = _string(toks[at + 1]), at + 2
        elif words[:3] == ["ROW", "FORMAT", "SERDE"]:
            serde, at = _string(toks[at + 3]), at + 4
            if _words(toks[at:], 2) == ["WITH", "SERDEPROPERTIES"]:
                serde_parameters = _key_values(toks, at + 2)
                at = _matching(toks, at + 2) + 1
        elif words[:3] == ["ROW", "FORMAT", "DELIMITED"]:
            at += 3
            while at < len(toks) and toks[at].upper in ("FIELDS", "LINES", "ESCAPED", "COLLECTION", "MAP"):
                clause = " ".join(_words(toks[at:], 4))
                if clause.startswith("FIELDS TERMINATED BY"):
                    delimited["field.delim"], at = _string(toks[at + 3]), at + 4
                    if toks[at].upper == "ESCAPED":
                        delimited["escape.delim"], at = _string(toks[at + 2]), at + 3
                elif clause.startswith("LINES TERMINATED BY"):
                    delimited["line.delim"], at = _string(toks[at + 3]), at + 4
                elif clause.startswith("ESCAPED BY"):
                    delimited["escape.delim"], at = _string(toks[at + 2]), at + 3
                elif clause.startswith("COLLECTION ITEMS TERMINATED BY"):
                    delimited["collection.delim"], at = _string(toks[at + 4]), at + 5
                elif clause.startswith("MAP KEYS TERMINATED BY"):
                    delimited["mapkey.delim"], at = _string(toks[at + 4]), at + 5
                else:
                    raise AthenaRefusal(
                        "SYNTAX_ERROR", f"unexpected ROW FORMAT DELIMITED clause at {toks[at].text}"
                    )
            serde, serde_parameters = (
                LAZY_SIMPLE_SERDE,
                {**delimited, "serialization.format": delimited.get("field.delim", "\x01")},
            )
        elif words[:2] == ["STORED", "AS"]:
            if toks[at + 2].upper == "INPUTFORMAT":
                input_format = _string(toks[at + 3])
                if toks[at + 4].upper != "OUTPUTFORMAT":
                    raise AthenaRefusal("SYNTAX_ERROR", "STORED AS INPUTFORMAT needs OUTPUTFORMAT")
                output_format, at = _string(toks[at + 5]), at + 6
            else:
                stored = toks[at + 2].upper
                if stored not in _STORED_AS:
                    raise AthenaRefusal("NOT_SUPPORTED", f"STORED AS {stored} is not supported here")
                known_serde, input_format, output_format = _STORED_AS[stored]
                if serde == LAZY_SIMPLE_SERDE and not delimited:
                    serde = known_serde
                at += 3
        elif words[0] == "LOCATION":
            location, at = _string(toks[at + 1]), at + 2
        elif words[0] == "TBLPROPERTIES":
            parameters.update(_key_values(toks, at + 1))
            at = _matching(toks, at + 1) + 1
        else:
            raise AthenaRefusal(
                "SYNTAX_ERROR", f"line 1:{toks[at].start + 1}: mismatched input '{toks[at].text}'"
            )
    if location is None:
        raise AthenaRefusal("INVALID_INPUT", "CREATE EXTERNAL TABLE needs a LOCATION on Athena")
    if not location.startswith("s3://"):
        raise AthenaRefusal("INVALID_INPUT", f"location must be an s3:// URI: {location}")
    table_input: dict[str, Any] = {
        "Name": table,
        "TableType": "EXTERNAL_TABLE",
        "Parameters": parameters,
        "PartitionKeys": partition_keys,
        "StorageDescriptor": {
            "Columns": columns,
            "Location": location,
            "InputFormat": input_format,
            "OutputFormat": output_format,
            "SerdeInfo": {"SerializationLibrary": serde, "Parameters": serde_parameters},
        },
    }
    if description:
        table_input["Description"] = description
    return GlueDdl("create_table", database, table, table_input, if_not_exists=if_not_exists)


# --- CREATE TABLE [AS]: Athena's table properties onto Trino's connectors --------------------------

_ICEBERG_PASSED = {"location", "format", "partitioning", "sorted_by"}
_HIVE_PASSED = {"external_location", "format", "partitioned_by", "bucketed_by", "bucket_count", "sorted_by"}
# Athena-only properties of Iceberg tables (kept by Athena for its VACUUM and OPTIMIZE); Trino has none.
_ICEBERG_ATHENA_ONLY = {
    "vacuum_max_snapshot_age_seconds",
    "vacuum_min_snapshots_to_keep",
    "vacuum_max_metadata_files_to_keep",
    "optimize_rewrite_min_data_file_size_bytes",
    "optimize_rewrite_max_data_file_size_bytes",
    "optimize_rewrite_data_file_threshold",
    "optimize_rewrite_delete_file_threshold",
}
_COMPRESSION = {
    "gzip": "GZIP",
    "snappy": "SNAPPY",
    "zstd": "ZSTD",
    "lz4": "LZ4",
    "none": "NONE",
    "uncompressed": "NONE",
}


def _property_value(group: list[Token], statement: str) -> tuple[str, str]:
    """(Trino text, plain value) of one property value: a string, an ARRAY[...], a word or number."""
    text = statement[group[0].start : group[-1].end]
    first = group[0]
    plain = _string(first) if first.kind == "string" and len(group) == 1 else text
    return text, plain


def _create_table(statement: str, toks: list[Token], context: Context) -> TrinoStatement:
    at = 2 if toks[1].upper == "TABLE" else 4
    if _words(toks[at:], 3) == ["IF", "NOT", "EXISTS"]:
        at += 3
    name_at = at
    name, at = _qualified_name(toks, at)
    name_end = toks[at - 1].end
    with_at = None
    scan = at
    if scan < len(toks) and toks[scan].text == "(":  # a column list
        scan = _matching(toks, scan) + 1
        while scan < len(toks) and toks[scan].upper in ("COMMENT",):
            scan += 2
    if (
        scan < len(toks)
        and toks[scan].upper == "WITH"
        and scan + 1 < len(toks)
        and toks[scan + 1].text == "("
    ):
        with_at = scan
    if with_at is None:
        if any(token.upper == "TBLPROPERTIES" for token in toks):
            raise AthenaRefusal(
                "NOT_SUPPORTED", "CREATE TABLE ... TBLPROPERTIES: not supported by this harness"
            )
        return TrinoStatement(statement, substatement_type=_create_kind(toks))
    close = _matching(toks, with_at + 1)
    properties: dict[str, tuple[str, str]] = {}
    for group in _split_top_level(toks[with_at + 2 : close]):
        if len(group) < 3 or group[1].text != "=":
            raise AthenaRefusal("SYNTAX_ERROR", f"line 1:{group[0].start + 1}: expected property = value")
        properties[group[0].text.lower().strip('"')] = _property_value(group[2:], statement)
    table_type = properties.pop("table_type", ("'hive'", "hive"))[1].lower()
    session: dict[str, str] = {}
    passed: dict[str, str] = {}
    compression = properties.pop("write_compression", None)
    is_external = properties.pop("is_external", None)
    if table_type == "iceberg":
        catalog = ICEBERG_CATALOG
        if is_external and is_external[1].lower() == "true":
            raise AthenaRefusal(
                "INVALID_TABLE_PROPERTY", "Iceberg tables cannot be external: is_external must be false"
            )
        for key in list(properties):
            if key in _ICEBERG_ATHENA_ONLY:
                properties.pop(key)
        if compression:
            session["iceberg.compression_codec"] = _COMPRESSION.get(
                compression[1].lower(), compression[1].upper()
            )
        allowed = _ICEBERG_PASSED
    elif table_type == "hive":
        catalog = HIVE_CATALOG
        if "location" in properties and "external_location" not in properties:
            properties["external_location"] = properties.pop("location")
        if "external_location" not in properties and _is_ctas(toks, close):
            # Athena writes a CTAS without a location under the workgroup's output location.
            location = f"{context.output_location}tables/{context.query_id}/"
            properties["external_location"] = (f"'{location}'", location)
        if "field_delimiter" in properties:
            properties["textfile_field_separator"] = properties.pop("field_delimiter")
        if compression:
            session["awsdatacatalog.compression_codec"] = _COMPRESSION.get(
                compression[1].lower(), compression[1].upper()
            )
        allowed = _HIVE_PASSED | {"textfile_field_separator"}
    else:
        raise AthenaRefusal("INVALID_TABLE_PROPERTY", f"Unsupported table_type: {table_type}")
    for key, (text, plain) in properties.items():
        if key == "format":
            passed[key] = f"'{plain.upper()}'"
        elif key in allowed:
            passed[key] = text
        else:
            raise AthenaRefusal("INVALID_TABLE_PROPERTY", f"Unknown table property: {key}")
    parts = name if len(name) == 3 else [HIVE_CATALOG, *([context.schema] if len(name) == 1 else []), *name]
    target = _trino_name([catalog, parts[1], parts[2]])
    with_clause = "WITH (" + ", ".join(f"{key} = {value}" for key, value in passed.items()) + ")"
    rewritten = (
        statement[: toks[name_at].start]
        + target
        + statement[name_end : toks[with_at].start]
        + with_clause
        + statement[toks[close].end :]
    )
    return TrinoStatement(rewritten, session, substatement_type=_create_kind(toks))


def _is_ctas(toks: list[Token], after: int) -> bool:
    return after + 1 < len(toks) and toks[after + 1].upper == "AS"


def _create_kind(toks: list[Token]) -> str:
    return "CREATE_TABLE_AS_SELECT" if any(token.upper == "AS" for token in toks) else "CREATE_TABLE"


def created_view(sql: str, schema: str) -> tuple[str, str] | None:
    """(database, view) that a CREATE [OR REPLACE] VIEW statement creates, else None."""
    toks = tokens(strip_leading_comments(sql))
    words = _words(toks, 4)
    at = 2 if words[:2] == ["CREATE", "VIEW"] else 4 if words == ["CREATE", "OR", "REPLACE", "VIEW"] else None
    if at is None:
        return None
    name, _ = _qualified_name(toks, at)
    return (schema, name[0]) if len(name) == 1 else (name[-2], name[-1])


_HIVE_NAMES = {"varchar": "string", "integer": "int", "real": "float", "varbinary": "binary"}


def hive_type(trino_type: str) -> str:
    """A Trino type as Glue spells it for Athena: varchar -> string, row(a x) -> struct<a:x>, ..."""
    text = trino_type.strip()
    base, _, rest = text.partition("(")
    base = base.strip()
    inner = rest[:-1] if rest.endswith(")") else ""
    if base == "array":
        return f"array<{hive_type(inner)}>"
    if base == "map":
        key, value = _split_type_list(inner)
        return f"map<{hive_type(key)},{hive_type(value)}>"
    if base == "row":
        fields = []
        for part in _split_type_list(inner):
            name, _, kind = part.strip().partition(" ")
            fields.append(f"{name.strip(chr(34))}:{hive_type(kind)}")
        return "struct<" + ",".join(fields) + ">"
    if base in ("timestamp", "time"):
        return base
    if base in ("decimal", "char") and inner:
        return f"{base}({inner.replace(' ', '')})"
    return _HIVE_NAMES.get(base, base)


def _split_type_list(text: str) -> list[str]:
    parts, depth, current = [], 0, ""
    for char in text:
        depth += char == "("
        depth -= char == ")"
        if char == "," and depth == 0:
            parts.append(current.strip())
            current = ""
        else:
            current += char
    return [*parts, current.strip()] if current.strip() else parts
