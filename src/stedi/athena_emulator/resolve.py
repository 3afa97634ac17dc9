"""Table references of a statement, resolved against Glue and pointed at what DuckDB can read.

Every ``[catalog.][schema.]table`` a statement reads is looked up in Glue (at the time of the
statement, never cached) and replaced:

- a view (VIRTUAL_VIEW) by a DuckDB view of its body, parsed from the Presto view payload and
  resolved in turn, the way Athena expands views at query time (so a view over a dropped table
  fails like on Athena); see ViewTables for when that DuckDB view is rebuilt;
- a table created by the emulator by the DuckDB table holding its rows (store.py);
- an external table by a DuckDB view over its S3 files (external.py).

Names that are CTEs of the statement are left alone. The column types of the tables read are
collected (name -> Glue type) for the translator's type-dependent rules; a view's body is
translated with the types of the tables *it* reads.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
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
from stedi.athena_emulator.translate import to_duckdb

CATALOG = "awsdatacatalog"
_MAX_VIEW_DEPTH = 32
_PARSED_VIEW_BODIES = 256


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


@dataclass(frozen=True)
class Source:
    """What a table reference becomes: the DuckDB relation ``node`` and a ``fingerprint`` that
    changes whenever what the relation reads, or its columns, may have changed."""

    node: exp.Table
    fingerprint: str


@dataclass(frozen=True)
class _ViewBody:
    """A view's parsed body, never modified: the references to resolve, as positions in
    ``template.find_all(exp.Table)``, and whether it reads ``$path``."""

    template: exp.Expr
    tables: tuple[exp.Table, ...]
    positions: tuple[int, ...]
    wants_path: bool


@dataclass
class _BuiltView:
    key: str
    relation: str


@dataclass(frozen=True)
class ViewRelation:
    relation: str
    key: str
    scanned_bytes: int


def _references(node: exp.Expr) -> tuple[list[tuple[int, exp.Table]], bool]:
    """The table references ``node`` reads (not its CTE names), by position, and whether it reads
    ``$path``."""
    ctes = {cte.alias_or_name.lower() for cte in node.find_all(exp.CTE)}
    wants_path = any(column.name == PATH_COLUMN for column in node.find_all(exp.Column))
    found = [
        (index, table)
        for index, table in enumerate(node.find_all(exp.Table))
        if table.name and not (not table.db and table.name.lower() in ctes)
    ]
    return found, wants_path


def _digest(*parts: object) -> str:
    return hashlib.sha256(repr(parts).encode()).hexdigest()


class ViewTables:
    """One DuckDB view per Glue view (schema ``views``), rebuilt whenever anything it reads changed.

    Athena expands a view at query time. Expanding, translating and re-planning every view body on
    every statement that reads it was most of the emulator's work, so each Glue view is kept as a
    DuckDB view of its translated body instead. Every statement still resolves the view the way
    Athena would, against Glue as it is now: the body's references are looked up again (a dropped
    table fails the statement with TABLE_NOT_FOUND, a recursive view with VIEW_IS_RECURSIVE), and
    the DuckDB view is reused only if its key is unchanged. The key covers the view text and
    default schema and, for every relation the body reads, the DuckDB relation it maps to (a new
    one for every table created or replaced), its Glue columns and, for a view, that view's own
    key; so a change anywhere below a view rebuilds it. External tables keep their DuckDB view
    name across S3 changes and are read late, at query time, so new files are seen without a
    rebuild. Parsed bodies are kept by their text.
    """

    def __init__(self, duck: duckdb.DuckDBPyConnection) -> None:
        self._duck = duck
        self._bodies: OrderedDict[str, _ViewBody] = OrderedDict()
        self._built: dict[tuple[str, str, str, str], _BuiltView] = {}
        duck.execute("CREATE SCHEMA IF NOT EXISTS views")

    def _body(self, sql: str) -> _ViewBody:
        body = self._bodies.get(sql)
        if body is not None:
            self._bodies.move_to_end(sql)
            return body
        template = parse_statement(sql)
        check_functions(template)
        references, wants_path = _references(template)
        body = _ViewBody(
            template,
            tuple(table for _, table in references),
            tuple(index for index, _ in references),
            wants_path,
        )
        self._bodies[sql] = body
        if len(self._bodies) > _PARSED_VIEW_BODIES:
            self._bodies.popitem(last=False)
        return body

    def relation(self, resolver: Resolver, lake: Lake, entry: dict[str, object], depth: int) -> ViewRelation:
        """The DuckDB view standing for the Glue view ``entry``, (re)built if needed."""
        definition = view_definition(entry)
        if definition is None:
            raise QueryFailed(
                "HIVE_VIEW_TRANSLATION_ERROR", f"View {entry['Name']} carries no Presto view payload"
            )
        if depth >= _MAX_VIEW_DEPTH:
            raise QueryFailed(
                "VIEW_IS_RECURSIVE", f"View {entry['DatabaseName']}.{entry['Name']} is recursive"
            )
        body = self._body(definition.original_sql)
        resolution = Resolution()
        sources = [
            resolver.source(table, definition.schema, resolution, depth + 1, wants_path=body.wants_path)
            for table in body.tables
        ]
        key = _digest(
            definition.original_sql,
            definition.schema,
            [source.fingerprint for source in sources],
            sorted(resolution.column_types.items()),
        )
        slot = (lake.account_id, lake.region, str(entry["DatabaseName"]), str(entry["Name"]))
        built = self._built.get(slot)
        if built is None or built.key != key:
            relation = built.relation if built is not None else f"views.v{len(self._built) + 1}"
            expanded = body.template.copy()
            tables = list(expanded.find_all(exp.Table))
            for position, source in zip(body.positions, sources, strict=True):
                tables[position].replace(source.node)
            if body.wants_path:
                _hide_path_from_stars(expanded)
            sql = to_duckdb(expanded, resolution.column_types, copy=False)
            self._duck.execute(f"CREATE OR REPLACE VIEW {relation} AS {sql}")
            built = _BuiltView(key, relation)
            self._built[slot] = built
        return ViewRelation(built.relation, key, resolution.scanned_bytes)


class Resolver:
    def __init__(
        self,
        duck: duckdb.DuckDBPyConnection,
        lake: Lake,
        store: ManagedStore,
        externals: ExternalTables,
        views: ViewTables,
    ) -> None:
        self._duck = duck
        self._lake = lake
        self._store = store
        self._externals = externals
        self._views = views

    def resolve(
        self, node: exp.Expr, default_schema: str, resolution: Resolution | None = None
    ) -> Resolution:
        """Replace, in place, every table ``node`` reads; ``node`` must not be a table itself."""
        resolution = resolution or Resolution()
        references, wants_path = _references(node)
        for _, table in references:
            table.replace(self.source(table, default_schema, resolution, wants_path=wants_path).node)
        if wants_path:
            _hide_path_from_stars(node)
        return resolution

    def source(
        self,
        table: exp.Table,
        default_schema: str,
        resolution: Resolution,
        depth: int = 0,
        *,
        wants_path: bool,
    ) -> Source:
        """The DuckDB relation for one reference, looked up in Glue now; adds what it reads to
        ``resolution``."""
        schema, name = table_parts(table, default_schema)
        owner = self._lake.table(schema, name)
        if owner is None:
            raise missing_table(self._lake, table, schema, name)
        entry = table_dict(owner)
        resolution.add_columns(entry)
        written_alias = table.args.get("alias")  # copied: ``table`` may belong to a cached view body
        alias = written_alias.copy() if written_alias else exp.TableAlias(this=exp.to_identifier(name))
        nested = ""
        if is_view(entry):
            view = self._views.relation(self, self._lake, entry, depth)
            resolution.scanned_bytes += view.scanned_bytes
            relation, nested = view.relation, view.key
        else:
            managed = self._store.relation(owner)
            if managed is None:
                if is_iceberg(entry):
                    raise emulator_unsupported(
                        f"Iceberg table {schema}.{name} was not created through the emulator: "
                        "it holds no rows"
                    )
                external = self._externals.relation(self._lake, entry, with_path=wants_path)
                resolution.scanned_bytes += external.scanned_bytes
                relation = external.view
            else:
                resolution.scanned_bytes += self._estimated_bytes(managed)
                relation = managed
        duck_schema, duck_name = relation.split(".")
        node = exp.Table(this=exp.to_identifier(duck_name), db=exp.to_identifier(duck_schema), alias=alias)
        columns = [(column.name, column.type) for column in glue_columns(entry)]
        return Source(node, _digest(relation, alias.sql(), columns, nested))

    def _estimated_bytes(self, relation: str) -> int:
        """DuckDB's estimate of rows times columns, 8 bytes each: a plausible DataScannedInBytes."""
        schema, name = relation.split(".")
        row = self._duck.execute(
            "SELECT estimated_size * column_count FROM duckdb_tables() "
            "WHERE schema_name = ? AND table_name = ?",
            [schema, name],
        ).fetchall()
        return 8 * int(row[0][0]) if row and row[0][0] else 0
