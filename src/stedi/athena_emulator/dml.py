"""Queries and row changes: SELECT, INSERT INTO, MERGE INTO, DELETE, UPDATE.

Reads go through the resolver (Glue decides what a name is) and the translator (Athena semantics
in DuckDB). Writes go to the DuckDB table holding an emulator-created table's rows, after the checks
Trino makes and DuckDB does not: an INSERT's column count and implicit-coercion rules, and MERGE's
"one target row matched by at most one source row". Athena only lets MERGE, DELETE and UPDATE
change Iceberg tables; the emulator refuses the same statements on anything else.
"""

from __future__ import annotations

import duckdb
from sqlglot import exp

from stedi.athena_emulator.context import Outcome
from stedi.athena_emulator.errors import QueryFailed, emulator_unsupported, not_supported
from stedi.athena_emulator.glue_tables import glue_columns, is_iceberg, is_view, table_dict
from stedi.athena_emulator.resolve import Resolution
from stedi.athena_emulator.runtime import StatementRun
from stedi.athena_emulator.typemap import athena_result_type

_INTEGERS = ["TINYINT", "SMALLINT", "INTEGER", "BIGINT"]


def output_select(statement: exp.Expr) -> exp.Select | None:
    """The SELECT whose projection names a query's columns (the left-most one of a UNION)."""
    node = statement
    while isinstance(node, (exp.SetOperation, exp.Subquery)):
        node = node.this
    return node if isinstance(node, exp.Select) else None


def label_outputs(statement: exp.Expr) -> None:
    """Name unnamed result columns ``_col0``, ``_col1``... as Trino does (DuckDB names them by text)."""
    select = output_select(statement)
    if select is None:
        return
    for index, projection in enumerate(select.expressions):
        if not isinstance(projection, (exp.Alias, exp.Column)) and not projection.is_star:
            projection.replace(exp.alias_(projection.copy(), f"_col{index}"))


def select(run: StatementRun, statement: exp.Expr) -> Outcome:
    resolution = run.resolve(statement)
    label_outputs(statement)
    relation = run.duck.sql(run.translate(statement, resolution))
    names = [name.lower() for name in relation.columns]
    types = list(relation.types)
    rows = relation.fetchall()
    return Outcome("DML", "SELECT", names, types, rows, scanned_bytes=resolution.scanned_bytes)


def can_coerce(source: str, target: str) -> bool:
    """Trino's implicit coercions an INSERT may apply (integer -> bigint, not bigint -> integer)."""
    source = "BIGINT" if source == "HUGEINT" else source
    if source in (target, '"NULL"'):
        return True
    if source in _INTEGERS:
        return (
            (target in _INTEGERS and _INTEGERS.index(source) <= _INTEGERS.index(target))
            or target
            in (
                "DOUBLE",
                "FLOAT",
            )
            or target.startswith("DECIMAL")
        )
    if source == "FLOAT":
        return target == "DOUBLE"
    if source.startswith("DECIMAL"):
        return target.startswith("DECIMAL") or target in ("DOUBLE", "FLOAT")
    if source.startswith("TIMESTAMP") or source == "DATE":
        return target.startswith("TIMESTAMP") and "TIME ZONE" not in source + target
    return False


def _writable(run: StatementRun, table: exp.Table, verb: str, *, iceberg_only: bool) -> tuple[str, dict]:
    schema, name, owner = run.existing(table)
    entry = table_dict(owner)
    if is_view(entry):
        raise not_supported(f"{verb} on views is not supported: {schema}.{name}")
    if iceberg_only and not is_iceberg(entry):
        raise not_supported("Modifying Hive table rows is only supported for transactional tables")
    relation = run.store.relation(owner)
    if relation is None:
        raise emulator_unsupported(f"{verb} into {schema}.{name}: the emulator only writes tables it created")
    return relation, entry


def _target(relation: str, alias: str) -> exp.Table:
    schema, name = relation.split(".")
    return exp.Table(
        this=exp.to_identifier(name),
        db=exp.to_identifier(schema),
        alias=exp.TableAlias(this=exp.to_identifier(alias)),
    )


def insert(run: StatementRun, statement: exp.Insert) -> Outcome:
    target = statement.this
    table = target.this if isinstance(target, exp.Schema) else target
    relation, entry = _writable(run, table, "INSERT", iceberg_only=False)
    table_columns = [column.name for column in glue_columns(entry)]
    names = [c.name.lower() for c in target.expressions] if isinstance(target, exp.Schema) else table_columns
    for name in names:
        if name not in table_columns:
            raise QueryFailed(
                "COLUMN_NOT_FOUND", f"Insert column name does not exist in target table: {name}"
            )
    query = statement.expression
    resolution = run.resolve(query)
    query_sql = run.translate(query, resolution)
    query_types = [str(t) for t in run.duck.sql(query_sql).types]
    stored = dict(run.duck.execute(f"SELECT column_name, column_type FROM (DESCRIBE {relation})").fetchall())
    target_types = [str(stored[name]) for name in names]
    if len(query_types) != len(names):
        raise QueryFailed(
            "TYPE_MISMATCH",
            f"Insert query has mismatched column count: Table: [{len(names)}], Query: [{len(query_types)}]",
        )
    if not all(can_coerce(s, t) for s, t in zip(query_types, target_types, strict=True)):
        table_names = ", ".join(athena_result_type(duckdb.sqltype(t)).name for t in target_types)
        query_names = ", ".join(athena_result_type(duckdb.sqltype(t)).name for t in query_types)
        raise QueryFailed(
            "TYPE_MISMATCH",
            f"Insert query has mismatched column types: Table: [{table_names}], Query: [{query_names}]",
        )
    positions = [f"c{index}" for index in range(len(names))]
    casts = ", ".join(f"CAST({p} AS {t})" for p, t in zip(positions, target_types, strict=True))
    quoted = ", ".join(f'"{name}"' for name in names)
    count = run.count(
        f"INSERT INTO {relation} ({quoted}) SELECT {casts} FROM ({query_sql}) AS q({', '.join(positions)})"
    )
    return Outcome("DML", "INSERT", update_count=count, scanned_bytes=resolution.scanned_bytes, header=False)


def merge(run: StatementRun, statement: exp.Merge) -> Outcome:
    table = statement.this
    relation, entry = _writable(run, table, "MERGE", iceberg_only=True)
    alias = table.alias or table.name
    resolution = Resolution()
    resolution.add_columns(entry)
    for part in ("using", "on", "whens"):
        if statement.args.get(part) is not None:
            run.resolve(statement.args[part], resolution)
    target = _target(relation, alias)
    statement.set("this", target)
    using = statement.args["using"]
    check = (
        exp.select("1")
        .from_(target.copy())
        .join(using.copy(), on=statement.args["on"].copy())
        .group_by(exp.column("rowid", table=alias))
        .having("count(*) > 1")
        .limit(1)
    )
    if run.first_row(run.translate(check, resolution)):
        raise QueryFailed(
            "MERGE_TARGET_ROW_MULTIPLE_MATCHES", "One MERGE target table row matched more than one source row"
        )
    count = run.count(run.translate(statement, resolution))
    return Outcome("DML", "MERGE", update_count=count, scanned_bytes=resolution.scanned_bytes, header=False)


def delete_or_update(run: StatementRun, statement: exp.Delete | exp.Update) -> Outcome:
    verb = "DELETE" if isinstance(statement, exp.Delete) else "UPDATE"
    table = statement.this
    relation, entry = _writable(run, table, verb, iceberg_only=True)
    resolution = Resolution()
    resolution.add_columns(entry)
    for part in ("where", "expressions", "from"):
        value = statement.args.get(part)
        for node in value if isinstance(value, list) else [value]:
            if node is not None:
                run.resolve(node, resolution)
    statement.set("this", _target(relation, table.alias or table.name))
    count = run.count(run.translate(statement, resolution))
    return Outcome("DML", verb, update_count=count, scanned_bytes=resolution.scanned_bytes, header=False)
