"""The rest of Athena's DDL and utility statements, all kept in step with Glue.

CREATE [OR REPLACE] VIEW (a Glue VIRTUAL_VIEW with the Presto view payload), CREATE/DROP
SCHEMA|DATABASE, DROP TABLE/VIEW, ALTER TABLE (RENAME TO, SET TBLPROPERTIES, ADD COLUMNS), DESCRIBE,
SHOW, and the Iceberg maintenance statements OPTIMIZE and VACUUM, accepted as no-ops because DuckDB
keeps no data files to compact or expire.
"""

from __future__ import annotations

import fnmatch
import re
from typing import Any

from sqlglot import exp

from stedi.athena_emulator.context import Outcome, ddl
from stedi.athena_emulator.ddl_tables import _check_names, _column_defs
from stedi.athena_emulator.errors import QueryFailed, emulator_unsupported, not_supported
from stedi.athena_emulator.glue_tables import (
    Column,
    glue_columns,
    is_iceberg,
    is_view,
    table_dict,
    view_input,
)
from stedi.athena_emulator.resolve import CATALOG
from stedi.athena_emulator.runtime import StatementRun
from stedi.athena_emulator.typemap import athena_result_type, glue_to_duckdb, hive_type

_TABLE_INPUT_KEYS = (
    "Name",
    "Description",
    "Owner",
    "Retention",
    "StorageDescriptor",
    "PartitionKeys",
    "ViewOriginalText",
    "ViewExpandedText",
    "TableType",
    "Parameters",
)
_VIEW_BODY = re.compile(
    r"^\s*(?:--[^\n]*\n\s*)*create\s+(?:or\s+replace\s+)?view\s+"
    r"(?:\"[^\"]*\"|`[^`]*`|[\w$]+)(?:\s*\.\s*(?:\"[^\"]*\"|`[^`]*`|[\w$]+))*\s+as\s+(.*?)\s*;?\s*$",
    re.IGNORECASE | re.DOTALL,
)
_NAME = r"(?:\"[^\"]+\"|`[^`]+`|[\w$]+)"
_TARGET = re.compile(rf"^\s*({_NAME}(?:\s*\.\s*{_NAME})*)", re.IGNORECASE)


def table_input(entry: dict[str, Any]) -> dict[str, Any]:
    return {key: entry[key] for key in _TABLE_INPUT_KEYS if key in entry}


def _view_column_type(duck: Any, name: str) -> str:
    try:
        return hive_type(duck, column=name)
    except QueryFailed:
        return athena_result_type(duck).name


def create_view(run: StatementRun, statement: exp.Create, sql: str) -> Outcome:
    schema, name = run.name(statement.this)
    run.lake.require_database(schema)
    existing = run.lake.table(schema, name)
    if existing is not None:
        if not statement.args.get("replace"):
            raise QueryFailed("TABLE_ALREADY_EXISTS", f"View '{CATALOG}.{schema}.{name}' already exists")
        if not is_view(table_dict(existing)):
            raise not_supported(f"Existing table '{CATALOG}.{schema}.{name}' is not a view")
    body = statement.expression
    match = _VIEW_BODY.match(sql)
    original_sql = match.group(1) if match else body.sql(dialect="trino")
    resolved = body.copy()
    resolution = run.resolve(resolved)
    relation = run.duck.sql(run.translate(resolved, resolution))
    names = [column.lower() for column in relation.columns]
    _check_names(body, names)
    columns = [Column(n, _view_column_type(t, n)) for n, t in zip(names, relation.types, strict=True)]
    entry = view_input(name, columns, original_sql=original_sql, catalog=CATALOG, schema=schema)
    if existing is None:
        run.lake.create_table(schema, entry)
    else:
        run.lake.update_table(schema, entry)
    return ddl("CREATE_VIEW")


def create_schema(run: StatementRun, statement: exp.Create) -> Outcome:
    name = statement.this.db or statement.this.name
    if run.lake.has_database(name):
        if statement.args.get("exists"):
            return ddl("CREATE_DATABASE")
        raise QueryFailed("SCHEMA_ALREADY_EXISTS", f"Schema '{name.lower()}' already exists")
    properties = statement.args.get("properties")
    location = next(
        (
            p.this.name
            for p in (properties.expressions if properties else [])
            if isinstance(p, exp.LocationProperty)
        ),
        None,
    )
    run.lake.create_database(name, location)
    return ddl("CREATE_DATABASE")


def _drop_table_and_data(run: StatementRun, schema: str, name: str) -> None:
    owner = run.lake.table(schema, name)
    if owner is None:
        return
    entry = table_dict(owner)
    if is_iceberg(entry):  # Athena's DROP TABLE deletes an Iceberg table's data, not a Hive table's
        location = entry.get("StorageDescriptor", {}).get("Location")
        if location:
            run.lake.delete_prefix(location)
    run.store.drop(owner)
    run.lake.delete_table(schema, name)


def drop(run: StatementRun, statement: exp.Drop) -> Outcome:
    kind = str(statement.args.get("kind", "")).upper()
    targets = statement.args.get("tables") or [statement.this]
    exists_ok = bool(statement.args.get("exists"))
    if kind in ("SCHEMA", "DATABASE"):
        name = (targets[0].db or targets[0].name).lower()
        if not run.lake.has_database(name):
            if exists_ok:
                return ddl("DROP_DATABASE")
            raise QueryFailed("SCHEMA_NOT_FOUND", f"Schema '{name}' does not exist")
        tables = run.lake.tables(name)
        if tables and not statement.args.get("cascade"):
            raise QueryFailed("SCHEMA_NOT_EMPTY", f"Cannot drop non-empty schema '{name}'")
        for owner in tables:
            _drop_table_and_data(run, name, owner.name)
        run.lake.delete_database(name)
        return ddl("DROP_DATABASE")
    if kind not in ("TABLE", "VIEW"):
        raise emulator_unsupported(f"DROP {kind}")
    for target in targets:
        schema, name = run.name(target)
        owner = run.lake.table(schema, name)
        noun = "View" if kind == "VIEW" else "Table"
        if owner is None:
            if exists_ok:
                continue
            raise QueryFailed(f"{kind}_NOT_FOUND", f"{noun} '{CATALOG}.{schema}.{name}' does not exist")
        if is_view(table_dict(owner)) != (kind == "VIEW"):
            raise not_supported(f"'{CATALOG}.{schema}.{name}' is not a {kind.lower()}")
        _drop_table_and_data(run, schema, name)
    return ddl(f"DROP_{kind}")


def alter(run: StatementRun, statement: exp.Alter) -> Outcome:
    schema, name, owner = run.existing(statement.this)
    entry = table_dict(owner)
    for action in statement.args.get("actions") or []:
        if isinstance(action, exp.AlterRename):
            return _rename(run, schema, name, owner, entry, action.this)
        if isinstance(action, exp.AlterSet):
            _set_properties(run, schema, entry, action)
        elif isinstance(action, exp.Schema):
            _add_columns(run, schema, owner, entry, _column_defs(action.expressions))
        else:
            raise emulator_unsupported(f"ALTER TABLE {action.key.upper()}")
        entry = table_dict(owner)
    return ddl("ALTER_TABLE")


def _rename(
    run: StatementRun, schema: str, name: str, owner: Any, entry: dict[str, Any], new: exp.Table
) -> Outcome:
    if not is_iceberg(entry):
        raise not_supported("ALTER TABLE RENAME TO is only supported for Iceberg tables")
    new_schema, new_name = run.name(new)
    run.lake.require_database(new_schema)
    if run.lake.table(new_schema, new_name) is not None:
        raise QueryFailed("TABLE_ALREADY_EXISTS", f"Table '{CATALOG}.{new_schema}.{new_name}' already exists")
    renamed = run.lake.create_table(new_schema, {**table_input(entry), "Name": new_name})
    if run.store.relation(owner) is not None:
        run.store.move(owner, renamed)
    run.lake.delete_table(schema, name)
    return ddl("ALTER_TABLE_RENAME")


def _set_properties(run: StatementRun, schema: str, entry: dict[str, Any], action: exp.AlterSet) -> None:
    updated = table_input(entry)
    parameters = dict(updated.get("Parameters") or {})
    for properties in action.expressions:
        for prop in properties.expressions if isinstance(properties, exp.Properties) else [properties]:
            parameters[str(prop.name)] = prop.args["value"].name
    updated["Parameters"] = parameters
    run.lake.update_table(schema, updated)


def _add_columns(
    run: StatementRun, schema: str, owner: Any, entry: dict[str, Any], added: list[Column]
) -> None:
    updated = table_input(entry)
    storage = dict(updated["StorageDescriptor"])
    existing = {column["Name"] for column in storage["Columns"]}
    iceberg = is_iceberg(entry)
    relation = run.store.relation(owner)
    for column in added:
        if column.name in existing:
            raise QueryFailed("COLUMN_ALREADY_EXISTS", f"Column '{column.name}' already exists")
        if relation is not None:
            duck_type = glue_to_duckdb(column.type, iceberg=iceberg)
            run.duck.execute(f'ALTER TABLE {relation} ADD COLUMN "{column.name}" {duck_type}')
        glue_column = column.as_glue()
        if iceberg:
            glue_column["Parameters"] = {
                "iceberg.field.current": "true",
                "iceberg.field.id": str(len(storage["Columns"]) + 1),
                "iceberg.field.optional": "true",
            }
        storage["Columns"] = [*storage["Columns"], glue_column]
    updated["StorageDescriptor"] = storage
    run.lake.update_table(schema, updated)


def describe(run: StatementRun, statement: exp.Describe) -> Outcome:
    _schema, _name, owner = run.existing(statement.this)
    lines = [f"{column.name}\t{column.type}\t" for column in glue_columns(table_dict(owner))]
    return ddl("DESCRIBE_TABLE", lines, column="col_name")


def _target_name(text: str) -> exp.Table:
    match = _TARGET.match(text)
    if match is None:
        raise QueryFailed("SYNTAX_ERROR", f"line 1:1: cannot find a table name in '{text.strip()}'")
    return exp.to_table(match.group(1).replace("`", '"'), dialect="trino")


def command(run: StatementRun, statement: exp.Command) -> Outcome:
    verb = str(statement.this).upper()
    text = statement.expression.name if isinstance(statement.expression, exp.Literal) else ""
    words = text.split()
    if verb in ("OPTIMIZE", "VACUUM"):
        schema, name, owner = run.existing(_target_name(text))
        if not is_iceberg(table_dict(owner)):
            raise not_supported(f"{verb} is only supported for Iceberg tables: {schema}.{name}")
        return Outcome("DML", verb, header=False)
    if verb == "MSCK":
        run.existing(_target_name(" ".join(words[2:])))
        return ddl("MSCK_REPAIR_TABLE")
    if verb == "SHOW":
        return _show(run, words)
    raise emulator_unsupported(f"{verb} statements")


def _show(run: StatementRun, words: list[str]) -> Outcome:
    lowered = [word.lower() for word in words]
    pattern = None
    if "like" in lowered:
        pattern = words[lowered.index("like") + 1].strip("'\"").replace("*", "*")
        words, lowered = words[: lowered.index("like")], lowered[: lowered.index("like")]
    if lowered and lowered[0] in ("databases", "schemas"):
        names = sorted(run.lake.databases())
        return ddl("SHOW_DATABASES", _matching(names, pattern), column="database_name")
    if lowered and lowered[0] in ("tables", "views"):
        schema = words[2].strip('`"') if len(words) > 2 else run.context.schema
        run.lake.require_database(schema)
        views = lowered[0] == "views"
        names = sorted(
            t.name for t in run.lake.tables(schema) if is_view(table_dict(t)) == views or not views
        )
        return ddl("SHOW_TABLES", _matching(names, pattern), column="tab_name")
    if lowered[:1] == ["columns"] and len(words) > 2:
        _schema, _name, owner = run.existing(_target_name(" ".join(words[2:])))
        return ddl("SHOW_COLUMNS", [c.name for c in glue_columns(table_dict(owner))], column="field")
    if lowered[:1] == ["tblproperties"] and len(words) > 1:
        _schema, _name, owner = run.existing(_target_name(" ".join(words[1:])))
        parameters = table_dict(owner).get("Parameters") or {}
        return ddl(
            "SHOW_TBLPROPERTIES", [f"{k}\t{v}" for k, v in sorted(parameters.items())], column="prpt_name"
        )
    raise emulator_unsupported(f"SHOW {' '.join(words[:2]).upper()}")


def _matching(names: list[str], pattern: str | None) -> list[str]:
    if pattern is None:
        return names
    alternatives = [alt.strip() for alt in pattern.split("|")]
    return [name for name in names if any(fnmatch.fnmatch(name, alt) for alt in alternatives)]
