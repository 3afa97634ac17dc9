"""dbt-duckdb plugin: one build at a time on a lake, and the function the build lists the landing
folders with.

A second build on a lake that a build is writing is refused in one line, before it touches
anything (DuckDB holds the file's lock; dbt would print its lock error and a long traceback).

`stedi_landing_files(folder)` lists a landing folder with the same rule `stedi land` applies
(stedi.contract.landing_folder_entries): DuckDB's own glob skips links to files in a recursive
listing and never shows a link to nothing, so the build would read fewer files than `stedi land`
uploads, in silence. profiles.example.yml loads this plugin for the local target.
"""

from __future__ import annotations

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
