"""Rows of the tables the emulator creates (CTAS, CREATE TABLE), held in DuckDB, owned by Glue.

Each DuckDB table belongs to one moto Glue table *object*. The data lives exactly as long as that
object is the one Glue holds under its name: when dbt-athena drops a relation with Glue's
DeleteTable (its default), replaces it, or drops its database, the next statement finds the owner
gone and drops the rows. That is how a boto3 ``delete_table`` also drops the DuckDB-held data
without patching moto: Glue stays the single source of truth and the store follows it lazily.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
from moto.glue.models import FakeTable

from stedi.athena_emulator.catalog import Lake


@dataclass
class _Entry:
    lake: Lake
    owner: FakeTable
    relation: str


class ManagedStore:
    def __init__(self, duck: duckdb.DuckDBPyConnection) -> None:
        self._duck = duck
        self._entries: dict[int, _Entry] = {}
        self._created = 0

    def new_relation(self) -> str:
        """A fresh DuckDB table name in the ``managed`` schema."""
        self._created += 1
        return f"managed.t{self._created}"

    def relation(self, owner: FakeTable) -> str | None:
        entry = self._entries.get(id(owner))
        return entry.relation if entry is not None and entry.owner is owner else None

    def adopt(self, lake: Lake, owner: FakeTable, relation: str) -> None:
        self._entries[id(owner)] = _Entry(lake, owner, relation)

    def move(self, old_owner: FakeTable, new_owner: FakeTable) -> None:
        """Hand the rows to the Glue object that replaced ``old_owner`` (ALTER TABLE RENAME)."""
        entry = self._entries.pop(id(old_owner))
        self._entries[id(new_owner)] = _Entry(entry.lake, new_owner, entry.relation)

    def drop(self, owner: FakeTable) -> None:
        entry = self._entries.pop(id(owner), None)
        if entry is not None:
            self._duck.execute(f"DROP TABLE IF EXISTS {entry.relation}")

    def collect(self) -> None:
        """Drop the rows of every table whose Glue entry was deleted or replaced since."""
        for key, entry in list(self._entries.items()):
            if not entry.lake.is_live(entry.owner):
                del self._entries[key]
                self._duck.execute(f"DROP TABLE IF EXISTS {entry.relation}")
