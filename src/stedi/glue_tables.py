"""The Glue landing tables: their definition, read off the contract, and an all-or-nothing registration.

Registration is planned first (read-only: GetDatabase, GetTable) so that `stedi land` can check
Glue access and show a dry-run plan before it changes anything, then applied. A table is updated
only when the part of its definition this module owns differs from the contract, so a second run
makes no Glue call that writes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import partial
from typing import Any, Literal

from botocore.exceptions import BotoCoreError, ClientError

from stedi.contract import (
    LANDING_SERDE,
    LANDING_SERDE_PARAMETERS,
    LINE_COLUMN,
    SERDE,
    SERDE_PARAMETERS,
    Entity,
)

INPUT_FORMAT = "org.apache.hadoop.mapred.TextInputFormat"
OUTPUT_FORMAT = "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat"

# The keys of GetTable's answer that TableInput accepts: what an undo needs to put a table back.
_TABLE_INPUT_KEYS = (
    "Name",
    "Description",
    "Owner",
    "Retention",
    "StorageDescriptor",
    "PartitionKeys",
    "TableType",
    "Parameters",
    "ViewOriginalText",
    "ViewExpandedText",
    "TargetTable",
)

Action = Literal["create", "update", "unchanged"]


def table_input(entity: Entity, location: str) -> dict[str, Any]:
    """The Glue TableInput of an entity's landing table over `location` (an s3:// folder)."""
    return {
        "Name": entity.table,
        "Description": (
            f"STEDI {entity.name} records as the source sends them: JSON Lines under {location}, "
            "one row a line; staging reads the fields ("
            + ", ".join(field.json_key for field in entity.fields)
            + ") out of the line by their JSON type."
        ),
        "TableType": "EXTERNAL_TABLE",
        "Parameters": {"classification": "text"},
        "StorageDescriptor": {
            "Columns": [{"Name": LINE_COLUMN[0], "Type": LINE_COLUMN[1], "Comment": LINE_COLUMN[2]}],
            "Location": location,
            "InputFormat": INPUT_FORMAT,
            "OutputFormat": OUTPUT_FORMAT,
            "SerdeInfo": {
                "SerializationLibrary": LANDING_SERDE,
                "Parameters": dict(LANDING_SERDE_PARAMETERS),
            },
        },
    }


INVENTORY_TABLE = "landing_inventory"
INVENTORY_COLUMNS = (
    ("entity", "string", "The landing entity: customer, accelerometer, step_trainer or erasure."),
    ("location", "string", 'The file as Athena names it in "$path": s3://<bucket>/<key>.'),
    ("file_name", "string", "The file's name, what follows the last '/'."),
    ("size", "bigint", "Bytes, as S3 listed them."),
    ("last_modified", "string", "When S3 last wrote the object, ISO 8601 UTC."),
)


def inventory_table_input(location: str) -> dict[str, Any]:
    """The Glue TableInput of the landing inventory: one row per landing file, under `location`.

    `stedi land` rewrites it from an S3 listing on every run, so the dbt ledgers can learn which
    files exist by reading a few kilobytes instead of every landing byte.
    """
    return {
        "Name": INVENTORY_TABLE,
        "Description": (
            f"The landing files S3 held when stedi land last listed them: JSON Lines under {location}. "
            "The ledgers read it to find new files; `stedi land --inventory-only` refreshes it."
        ),
        "TableType": "EXTERNAL_TABLE",
        "Parameters": {"classification": "json"},
        "StorageDescriptor": {
            "Columns": [
                {"Name": name, "Type": glue_type, "Comment": comment}
                for name, glue_type, comment in INVENTORY_COLUMNS
            ],
            "Location": location,
            "InputFormat": INPUT_FORMAT,
            "OutputFormat": OUTPUT_FORMAT,
            "SerdeInfo": {"SerializationLibrary": SERDE, "Parameters": dict(SERDE_PARAMETERS)},
        },
    }


def _owned(table: Mapping[str, Any]) -> dict[str, Any]:
    """The part of a table's definition that `stedi land` owns, for comparison.

    GetTable answers with more than was put (CreateTime, VersionId, Compressed, NumberOfBuckets,
    ...); comparing only these fields keeps those from looking like drift.
    """
    storage = table.get("StorageDescriptor", {})
    serde = storage.get("SerdeInfo", {})
    return {
        "Description": table.get("Description"),
        "TableType": table.get("TableType"),
        "Parameters": table.get("Parameters", {}),
        "PartitionKeys": table.get("PartitionKeys", []),
        "Columns": storage.get("Columns", []),
        "Location": storage.get("Location"),
        "InputFormat": storage.get("InputFormat"),
        "OutputFormat": storage.get("OutputFormat"),
        "SerializationLibrary": serde.get("SerializationLibrary"),
        "SerdeParameters": serde.get("Parameters", {}),
    }


@dataclass(frozen=True)
class TableChange:
    """What registration does to one landing table; `previous` is the TableInput an undo restores."""

    database: str
    table_input: dict[str, Any]
    action: Action
    previous: dict[str, Any] | None = None

    @property
    def name(self) -> str:
        return f"{self.database}.{self.table_input['Name']}"

    @property
    def location(self) -> str:
        return self.table_input["StorageDescriptor"]["Location"]


@dataclass(frozen=True)
class CatalogPlan:
    database: str
    create_database: bool
    tables: tuple[TableChange, ...]

    def count(self, action: Action) -> int:
        return sum(change.action == action for change in self.tables)


def _is_not_found(error: ClientError) -> bool:
    return error.response.get("Error", {}).get("Code") == "EntityNotFoundException"


def _database_exists(glue: Any, database: str) -> bool:
    try:
        glue.get_database(Name=database)
    except ClientError as error:
        if _is_not_found(error):
            return False
        raise
    return True


def _existing_table(glue: Any, database: str, name: str) -> dict[str, Any] | None:
    try:
        return glue.get_table(DatabaseName=database, Name=name)["Table"]
    except ClientError as error:
        if _is_not_found(error):
            return None
        raise


def _table_change(glue: Any, database: str, wanted: dict[str, Any]) -> TableChange:
    existing = _existing_table(glue, database, wanted["Name"])
    if existing is None:
        return TableChange(database, wanted, "create")
    if _owned(existing) == _owned(wanted):
        return TableChange(database, wanted, "unchanged")
    previous = {key: existing[key] for key in _TABLE_INPUT_KEYS if key in existing}
    return TableChange(database, wanted, "update", previous)


def plan_catalog(
    glue: Any, database: str, locations: Mapping[Entity, str], inventory_location: str
) -> CatalogPlan:
    """Read the catalog (GetDatabase, then GetTable per table) and decide what to change.

    The tables are the landing table of each entity over `locations`, and the inventory.
    """
    wanted = [table_input(entity, location) for entity, location in locations.items()]
    wanted.append(inventory_table_input(inventory_location))
    if not _database_exists(glue, database):
        changes = tuple(TableChange(database, table, "create") for table in wanted)
        return CatalogPlan(database, True, changes)
    changes = tuple(_table_change(glue, database, table) for table in wanted)
    return CatalogPlan(database, False, changes)


class RegistrationError(Exception):
    """Registration failed part way; what it had changed was undone, except `not_undone`."""

    def __init__(self, cause: BotoCoreError | ClientError, not_undone: list[str]) -> None:
        super().__init__(cause)
        self.cause = cause
        self.not_undone = not_undone


_Undo = tuple[str, Callable[[], object]]


def _apply_table(glue: Any, change: TableChange) -> _Undo | None:
    if change.action == "create":
        glue.create_table(DatabaseName=change.database, TableInput=change.table_input)
        return f"delete {change.name}", partial(
            glue.delete_table, DatabaseName=change.database, Name=change.table_input["Name"]
        )
    if change.action == "update":
        glue.update_table(DatabaseName=change.database, TableInput=change.table_input)
        return f"restore {change.name}", partial(
            glue.update_table, DatabaseName=change.database, TableInput=change.previous
        )
    return None


def _undo(steps: list[_Undo]) -> list[str]:
    """Run the undo steps newest first; return those that failed (best effort, never raises)."""
    failed = []
    for description, step in reversed(steps):
        try:
            step()
        except (BotoCoreError, ClientError):
            failed.append(description)
    return failed


def apply_catalog_plan(glue: Any, plan: CatalogPlan) -> None:
    """Create the database and create or update the tables; on any failure undo this run's changes.

    Athena users must never see half the landing tables, or a table left with a definition that
    matches neither the old nor the new contract: so a failure deletes what this run created and
    puts back what it updated, then raises RegistrationError.
    """
    steps: list[_Undo] = []
    try:
        if plan.create_database:
            glue.create_database(
                DatabaseInput={"Name": plan.database, "Description": "STEDI landing zone (stedi land)."}
            )
            steps.append(
                (f"delete database {plan.database}", partial(glue.delete_database, Name=plan.database))
            )
        for change in plan.tables:
            step = _apply_table(glue, change)
            if step is not None:
                steps.append(step)
    except (BotoCoreError, ClientError) as error:
        raise RegistrationError(error, _undo(steps)) from error
