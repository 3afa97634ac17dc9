"""dbt-duckdb plugin: the DuckDB function the local build lists the landing folders with.

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


class Plugin(BasePlugin):
    def configure_connection(self, conn: duckdb.DuckDBPyConnection) -> None:
        conn.create_function(
            "stedi_landing_files",
            stedi_landing_files,
            ["VARCHAR"],
            duckdb.list_type(ENTRY),
            side_effects=True,
        )
