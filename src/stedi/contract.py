"""The landing contract (docs/landing-contract.md): what STEDI's sources send.

One place for the shape of the landing zone. The generator writes records of this shape,
`stedi land` registers Glue tables with these columns, and a test checks that the dbt source
declarations (models/staging/stedi/_stedi__sources.yml) agree with it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path, PurePosixPath


@dataclass(frozen=True)
class Field:
    """One JSON field of a landing record and the column a Glue table declares for it."""

    json_key: str  # as the source sends it, e.g. "serialNumber"
    glue_type: str  # Athena / Glue column type: string, bigint, double, int
    description: str

    @property
    def column(self) -> str:
        """The field's name in lower case, as Athena names columns (documentation; staging reads
        the field from the line by its exact JSON key)."""
        return self.json_key.lower()


@dataclass(frozen=True)
class Entity:
    """One landing table: its folder under the landing root and its fields."""

    name: str  # folder name: customer, accelerometer, step_trainer, erasure
    fields: tuple[Field, ...]
    optional: bool = False  # a landing that has no file of it yet is complete

    @property
    def table(self) -> str:
        return f"{self.name}_landing"

    @property
    def prefix(self) -> str:
        """Folder of the entity's files, relative to the landing root (same locally and in S3)."""
        return f"{self.name}/landing"

    def file_name(self, epoch_ms: int) -> str:
        return f"{self.name}-{epoch_ms}.json"


CUSTOMER = Entity(
    "customer",
    (
        Field("customerName", "string", "Full name, 'First Last'."),
        Field("email", "string", "The customer's identity; accelerometer.user refers to it."),
        Field("phone", "string", "Phone number, digits only."),
        Field("birthDay", "string", "Birthday as YYYY-MM-DD text; not a trustworthy date."),
        Field("serialNumber", "string", "Serial number (UUID) of the Step Trainer the customer owns."),
        Field("registrationDate", "bigint", "Registration instant, epoch milliseconds."),
        Field("lastUpdateDate", "bigint", "Instant of this record version, epoch milliseconds."),
        Field(
            "shareWithResearchAsOfDate",
            "bigint",
            "Research consent as of this instant, epoch ms; absent when never agreed.",
        ),
        Field(
            "shareWithPublicAsOfDate",
            "bigint",
            "Consent to share with the public, epoch ms; absent if not agreed.",
        ),
        Field(
            "shareWithFriendsAsOfDate",
            "bigint",
            "Consent to share with friends, epoch ms; absent if not agreed.",
        ),
    ),
)

ACCELEROMETER = Entity(
    "accelerometer",
    (
        Field("user", "string", "The customer's email."),
        Field("timestamp", "bigint", "Reading instant, epoch milliseconds."),
        Field("x", "double", "Acceleration along x."),
        Field("y", "double", "Acceleration along y."),
        Field("z", "double", "Acceleration along z."),
    ),
)

STEP_TRAINER = Entity(
    "step_trainer",
    (
        Field("sensorReadingTime", "bigint", "Reading instant, epoch milliseconds."),
        Field("serialNumber", "string", "Serial number (UUID) of the device."),
        Field("distanceFromObject", "int", "Distance to the object, as an integer."),
    ),
)

# Requests to erase a customer: each names the customer's email. Not sent by the devices or the
# app but by whoever handles the request (the privacy officer), and optional: most landings have
# none. The build removes every record of a named customer from every zone (docs/privacy.md,
# "Erasing a customer").
ERASURE = Entity(
    "erasure",
    (
        Field("email", "string", "The email of the customer to erase."),
        Field("requestId", "string", "The request's reference, as the privacy officer files it."),
        Field("requestedAt", "bigint", "When the customer asked, epoch milliseconds."),
    ),
    optional=True,
)

# What STEDI's sources send (the generator writes these), and every landing table the build reads.
ENTITIES: tuple[Entity, ...] = (CUSTOMER, ACCELEROMETER, STEP_TRAINER)
LANDING_ENTITIES: tuple[Entity, ...] = (*ENTITIES, ERASURE)

# The files under <entity>/landing/ that are read: JSON Lines, gzip-compressed when the name ends
# in .gz (Athena's Hive table and DuckDB's read_json both gunzip by the name). Athena reads every
# file under a table's folder but hidden ones, so any other file would be read by one engine and
# not the other: the build names it in an error and `stedi land` refuses it. The dbt side of
# this rule is macros/landing/landing_file_verdict.sql.
LANDING_FILE_SUFFIXES = (".json", ".jsonl", ".json.gz", ".jsonl.gz")
READ = "read"
HIDDEN = "hidden"


def is_hidden(name: str) -> bool:
    """Athena (Hive) skips a file or folder whose name starts with '_' or '.' (e.g. _SUCCESS)."""
    return name.startswith(("_", "."))


def landing_file_verdict(relative: PurePosixPath) -> str:
    """READ, HIDDEN, or why the build cannot read a file, given its path under <entity>/landing/."""
    if any(is_hidden(part) for part in relative.parts):
        return HIDDEN
    if len(relative.parts) > 1:
        return "in a subfolder"
    if not relative.name.endswith(LANDING_FILE_SUFFIXES):
        names = [f"*{suffix}" for suffix in LANDING_FILE_SUFFIXES]
        return f"not named {', '.join(names[:-1])} or {names[-1]}"
    return READ


# The landing tables are text: one row a line, in one string column (LINE_COLUMN), which staging
# parses as JSON and reads each field of by its JSON type (macros/landing/landing_json.sql), the
# same SQL on both engines. A SerDe that maps JSON keys to typed columns cannot do that: the
# OpenX JSON SerDe coerces "1655564444000" into a bigint, and on Trino a file holding a bare NaN
# or a fraction in an int field fails the whole query (HIVE_CURSOR_ERROR), however lenient its
# properties. Lines are split on newlines only; the field delimiter, \001, is a control
# character JSON never holds unescaped.
LINE_COLUMN = ("line", "string", "One line of the file as sent: a JSON object of the fields above.")
LANDING_SERDE = "org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe"
LANDING_SERDE_PARAMETERS = {"serialization.format": "1"}

# OpenX JSON SerDe properties of the tables `stedi land` and `stedi subject-key` write themselves
# (the landing inventory, the subject key): a line that is not a JSON object reads as a row of
# nulls instead of failing the query, and a value of the wrong JSON type reads as null.
SERDE = "org.openx.data.jsonserde.JsonSerDe"
SERDE_PARAMETERS = {
    "ignore.malformed.json": "true",
    "use.null.for.invalid.data": "true",
    "case.insensitive": "true",
}


def entity(name: str) -> Entity:
    for candidate in ENTITIES:
        if candidate.name == name:
            return candidate
    raise KeyError(name)


# What a landing folder holds, as both the build (locally, through the DuckDB function
# stedi_landing_files: src/stedi/duckdb_plugin.py) and `stedi land` see it: one rule for both.
# A link to a file is followed: it is read, and uploaded, as the file it points to (a sync tool's
# folder of links lands what the links name). A link to nothing, or to a folder, is named as a
# file the build cannot read. Anything else that is not a regular file (a pipe, a socket) too.
LINK_TO_NOTHING = "a link to nothing"
LINK_TO_FOLDER = "a link to a folder"
NOT_A_FILE = "not a regular file"


@dataclass(frozen=True)
class FolderEntry:
    """One file of a landing folder: its path, its size (of what a link points to) and verdict."""

    path: Path
    relative: PurePosixPath
    size: int
    verdict: str  # READ, HIDDEN, or why the build cannot read it


def landing_folder_entries(folder: Path) -> list[FolderEntry]:
    """Every file under `folder`, into subfolders (not through links to folders), sorted."""
    entries: list[FolderEntry] = []
    pending = [folder]
    while pending:
        with os.scandir(pending.pop()) as scan:
            for item in scan:
                path = Path(item.path)
                relative = PurePosixPath(path.relative_to(folder).as_posix())
                if item.is_dir(follow_symlinks=False):
                    pending.append(path)
                    continue
                verdict = landing_file_verdict(relative)
                size = 0
                if verdict != HIDDEN:
                    if item.is_symlink() and not path.exists():
                        verdict = LINK_TO_NOTHING
                    elif item.is_symlink() and path.is_dir():
                        verdict = LINK_TO_FOLDER
                    elif not path.is_file():
                        verdict = NOT_A_FILE
                    else:
                        size = path.stat().st_size
                entries.append(FolderEntry(path, relative, size, verdict))
    return sorted(entries, key=lambda entry: entry.relative)
