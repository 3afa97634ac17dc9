"""Table references of a statement, resolved against Glue and pointed at what DuckDB can read.

Every ``[catalog.][schema.]table`` a statement reads is looked up in Glue (at the time of the
statement, never cached) and replaced:

- a view (VIRTUAL_VIEW) by its body, parsed from the Presto view payload and resolved in turn, the
  way Athena expands views at query time (so a view over a dropped table fails like on Athena);
- a table created by the emulator by the DuckDB table holding its rows (store.py);
- an external table by a DuckDB view over its S3 files (external.py).

Names that are CTEs of the statement are left alone. The column types of the tables read are
collected (name -> Glue type) for the translator's type-dependent rules.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb
from sqlglot import exp

from stedi.athena_emulator.catalog import Lake
from stedi.athena_emulator.dialect import parse_statement, position
from stedi.athena_emulator.errors import QueryFailed, emulator_unsupported
from stedi.athena_emulator.external import PATH_COLUMN, ExternalTables
from stedi.athena_emulator.functions import check_functions
from stedi.athena_emulator.glue_tables import glue_columns, is_iceberg, is_view, table_dict, view_definition
from stedi.athena_emulator.store import ManagedStore

CATALOG = "awsdatacatalog"
_MAX_VIEW_DEPTH = 32


@dataclass
class Resolution:
    """What the resolved statement reads: bytes scanned and the column types of its sources."""

    scanned_bytes: int = 0
    column_types: dict[str, str] = field(default_factory=dict)
    _ambiguous: set[str] = field(default_factory=set)

    def add_columns(self, table: dict[str, object]) -> None:
        for column in glue_columns(table):  # type: ignore[arg-type]
            name = column.name.lower()
            if name in self._ambiguous:
                continue
            if self.column_types.get(name, column.type) != column.type:
                self._ambiguous.add(name)
                del self.column_types[name]
            else:
                self.column_types[name] = column.type


def table_parts(table: exp.Table, default_schema: str) -> tuple[str, str]:
    """(schema, name) of a reference, lowercased as Athena does; other catalogs fail."""
    catalog = table.catalog
    if catalog and catalog.lower() != CATALOG:
        raise QueryFailed(
            "CATALOG_NOT_FOUND", f"{position(table)}: Catalog '{catalog.lower()}' does not exist"
        )
    return (table.db or default_schema).lower(), table.name.lower()


def missing_table(lake: Lake, table: exp.Table, schema: str, name: str) -> QueryFailed:
    if not lake.has_database(schema):
        return QueryFailed("SCHEMA_NOT_FOUND", f"{position(table)}: Schema '{schema}' does not exist")
    return QueryFailed(
        "TABLE_NOT_FOUND", f"{position(table)}: Table '{CATALOG}.{schema}.{name}' does not exist"
    )


def _hide_path_from_stars(node: exp.Expr) -> None:
    """``SELECT *`` never lists the hidden ``$path`` column, even where the statement reads it."""
    for select in node.find_all(exp.Select):
        reads_path = any(
            table.parent_select is select and table.db == "external" and table.name.endswith("_path")
            for table in select.find_all(exp.Table)
        )
        if reads_path:
            for projection in select.expressions:
                if isinstance(projection, exp.Star):
                    projection.set("except_", [exp.column(PATH_COLUMN, quoted=True)])


class Resolver:
    def __init__(
        self, duck: duckdb.DuckDBPyConnection, lake: Lake, store: ManagedStore, externals: ExternalTables
    ) -> None:
        self._duck = duck
        self._lake = lake
        self._store = store
        self._externals = externals

    def resolve(
        self, node: exp.Expr, default_schema: str, resolution: Resolution | None = None
    ) -> Resolution:
        """Replace, in place, every table ``node`` reads; ``node`` must not be a table itself."""
        resolution = resolution or Resolution()
        self._resolve(node, default_schema, resolution, depth=0)
        return resolution

    def _resolve(self, node: exp.Expr, default_schema: str, resolution: Resolution, depth: int) -> None:
        ctes = {cte.alias_or_name.lower() for cte in node.find_all(exp.CTE)}
        wants_path = any(column.name == PATH_COLUMN for column in node.find_all(exp.Column))
        for table in list(node.find_all(exp.Table)):
            if not table.name or (not table.db and table.name.lower() in ctes):
                continue
            replacement = self.replacement(table, default_schema, resolution, depth, wants_path=wants_path)
            table.replace(replacement)
        if wants_path:
            _hide_path_from_stars(node)

    def replacement(
        self,
        table: exp.Table,
        default_schema: str,
        resolution: Resolution,
        depth: int = 0,
        *,
        wants_path: bool,
    ) -> exp.Expr:
        schema, name = table_parts(table, default_schema)
        owner = self._lake.table(schema, name)
        if owner is None:
            raise missing_table(self._lake, table, schema, name)
        entry = table_dict(owner)
        resolution.add_columns(entry)
        alias = table.args.get("alias") or exp.TableAlias(this=exp.to_identifier(name))
        if is_view(entry):
            return self._expand_view(entry, alias, resolution, depth)
        relation = self._store.relation(owner)
        if relation is None:
            if is_iceberg(entry):
                raise emulator_unsupported(
                    f"Iceberg table {schema}.{name} was not created through the emulator: it holds no rows"
                )
            external = self._externals.relation(self._lake, entry, with_path=wants_path)
            resolution.scanned_bytes += external.scanned_bytes
            relation = external.view
        else:
            resolution.scanned_bytes += self._estimated_bytes(relation)
        duck_schema, duck_name = relation.split(".")
        return exp.Table(this=exp.to_identifier(duck_name), db=exp.to_identifier(duck_schema), alias=alias)

    def _expand_view(
        self, entry: dict[str, object], alias: exp.TableAlias, resolution: Resolution, depth: int
    ) -> exp.Expr:
        definition = view_definition(entry)
        if definition is None:
            raise QueryFailed(
                "HIVE_VIEW_TRANSLATION_ERROR", f"View {entry['Name']} carries no Presto view payload"
            )
        if depth >= _MAX_VIEW_DEPTH:
            raise QueryFailed(
                "VIEW_IS_RECURSIVE", f"View {entry['DatabaseName']}.{entry['Name']} is recursive"
            )
        body = parse_statement(definition.original_sql)
        check_functions(body)
        self._resolve(body, definition.schema, resolution, depth + 1)
        return exp.Subquery(this=body, alias=alias)

    def _estimated_bytes(self, relation: str) -> int:
        """DuckDB's estimate of rows times columns, 8 bytes each: a plausible DataScannedInBytes."""
        schema, name = relation.split(".")
        row = self._duck.execute(
            "SELECT estimated_size * column_count FROM duckdb_tables() "
            "WHERE schema_name = ? AND table_name = ?",
            [schema, name],
        ).fetchall()
        return 8 * int(row[0][0]) if row and row[0][0] else 0
