"""dbt-duckdb plugin: one build at a time on a lake, the function the build lists the landing
folders with, and the one that puts what a build publishes in place.

A second build on a lake that a build is writing is refused in one line, before it touches
anything (DuckDB holds the file's lock; dbt would print its lock error and a long traceback).

`stedi_landing_files(folder)` lists a landing folder with the same rule `stedi land` applies
(stedi.contract.landing_folder_entries): DuckDB's own glob skips links to files in a recursive
listing and never shows a link to nothing, so the build would read fewer files than `stedi land`
uploads, in silence. profiles.example.yml loads this plugin for the local target.

`stedi_put_in_place(source, destination, keep_source)` replaces `destination` by `source` in one
rename, so a reader sees the old file or the new one, never half of one: a copy of `source` is
written beside `destination` first when `keep_source` (the lake, which the build keeps open),
else `source` itself is renamed (an export written beside its destination). A reader that has
the old file open keeps reading it (macros/publication/publish_the_lake.sql).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import duckdb
from dbt.adapters.duckdb.plugins import BasePlugin
from dbt_common.exceptions import DbtRuntimeError

from stedi.contract import landing_folder_entries

ENTRY = duckdb.struct_type({"path": "VARCHAR", "size": "BIGINT", "verdict": "VARCHAR"})


def stedi_landing_files(folder: str) -> list[dict[str, Any]]:
    """Every file under `folder` (none when it is not a folder): path, size, verdict."""
    root = Path(folder)
    if not root.is_dir():
        return []
    return [
        {"path": str(entry.path), "size": entry.size, "verdict": entry.verdict}
        for entry in landing_folder_entries(root)
    ]


def stedi_put_in_place(source: str, destination: str, keep_source: bool) -> str:
    """Replace `destination` by `source` (copied first when keep_source) in one rename; an empty
    `source` removes `destination` (a withdrawn publication)."""
    target = Path(destination)
    if not source:
        target.unlink(missing_ok=True)
        return str(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    moving = Path(source)
    if keep_source:
        moving = target.with_name(target.name + ".partial")
        with open(source, "rb") as reader, open(moving, "wb") as writer:
            shutil.copyfileobj(reader, writer, 16 * 1024 * 1024)
            writer.flush()
            os.fsync(writer.fileno())
    os.replace(moving, target)
    return str(target)


def refuse_a_lake_in_use(path: str) -> None:
    """Stop, with dbt's own error (no traceback), when another process holds the file's lock."""
    if path in ("", ":memory:") or not Path(path).is_file():
        return
    try:
        duckdb.connect(path, read_only=True).close()
    except duckdb.IOException as error:
        if "lock" not in str(error).lower():
            raise
        holder = str(error).split("Conflicting lock is held in", 1)[-1].split(". See", 1)[0].strip()
        raise DbtRuntimeError(
            f"Another build holds the lake {path} ({holder}): this build touched nothing; "
            "run it again when that one has ended"
        ) from None


class Plugin(BasePlugin):
    def initialize(self, plugin_config: dict[str, Any]) -> None:
        # When dbt sets the adapter up: before it starts its threads or opens the file.
        if self.creds is not None:
            refuse_a_lake_in_use(str(self.creds.path))

    def configure_connection(self, conn: duckdb.DuckDBPyConnection) -> None:
        conn.create_function(
            "stedi_landing_files",
            stedi_landing_files,
            ["VARCHAR"],
            duckdb.list_type(ENTRY),
            side_effects=True,
        )
        conn.create_function(
            "stedi_put_in_place",
            stedi_put_in_place,
            ["VARCHAR", "VARCHAR", "BOOLEAN"],
            "VARCHAR",
            side_effects=True,
        )
