"""The emulated Glue catalog and S3 buckets, read and written in-process through moto's backends.

dbt-athena reads Glue directly (get_table, get_tables, update_table, delete_table, ...) and
``stedi land`` writes S3 and Glue with boto3, so Glue is the one source of truth for what exists:
the executor never keeps a catalog of its own. It works on the same moto backend objects the HTTP
API serves, for the account and region the Athena request was signed for.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlparse

from moto.glue.exceptions import DatabaseNotFoundException, TableNotFoundException
from moto.glue.models import FakeTable, GlueBackend, glue_backends
from moto.s3.models import FakeDeleteMarker, S3Backend, s3_backends
from moto.utilities.utils import get_partition

from stedi.athena_emulator.errors import QueryFailed


@dataclass(frozen=True)
class S3Object:
    """One object under a table location: its URI, ETag (to notice changes) and size."""

    bucket: str
    key: str
    etag: str
    size: int

    @property
    def uri(self) -> str:
        return f"s3://{self.bucket}/{self.key}"


def split_uri(uri: str) -> tuple[str, str]:
    parsed = urlparse(uri)
    return parsed.netloc, parsed.path.lstrip("/")


def as_prefix(uri: str) -> str:
    """A location as the prefix its objects share: ``s3://b/x`` covers ``x/...`` but not ``x2/...``."""
    return uri if uri.endswith("/") else uri + "/"


class Lake:
    """Glue and S3 of one account and region."""

    def __init__(self, account_id: str, region: str) -> None:
        self.account_id = account_id
        self.region = region
        self.glue: GlueBackend = glue_backends[account_id][region]
        self.s3: S3Backend = s3_backends[account_id][get_partition(region)]
        if "default" not in self.glue.databases:  # every Athena account has Glue's default database
            self.create_database("default", None)

    # --- Glue -------------------------------------------------------------------------------

    def has_database(self, name: str) -> bool:
        return name.lower() in self.glue.databases

    def require_database(self, name: str) -> None:
        if not self.has_database(name):
            raise QueryFailed("SCHEMA_NOT_FOUND", f"Schema '{name.lower()}' does not exist")

    def databases(self) -> list[str]:
        return list(self.glue.databases)

    def create_database(self, name: str, location: str | None) -> None:
        database_input: dict[str, Any] = {"Name": name.lower()}
        if location:
            database_input["LocationUri"] = location
        self.glue.create_database(name.lower(), database_input)

    def delete_database(self, name: str) -> None:
        self.glue.delete_database(name.lower())

    def table(self, database: str, name: str) -> FakeTable | None:
        try:
            return self.glue.get_table(database.lower(), name.lower())
        except (DatabaseNotFoundException, TableNotFoundException):
            return None

    def tables(self, database: str) -> list[FakeTable]:
        return list(self.glue.get_tables(database.lower(), None))

    def create_table(self, database: str, table_input: dict[str, Any]) -> FakeTable:
        return self.glue.create_table(database.lower(), table_input["Name"], copy.deepcopy(table_input))

    def update_table(self, database: str, table_input: dict[str, Any]) -> None:
        self.glue.update_table(database.lower(), table_input["Name"], copy.deepcopy(table_input))

    def delete_table(self, database: str, name: str) -> None:
        self.glue.delete_table(database.lower(), name.lower())

    def is_live(self, table: FakeTable) -> bool:
        """Whether ``table`` is still the object Glue holds under its name (not dropped or replaced)."""
        database = self.glue.databases.get(table.database_name)
        return database is not None and database.tables.get(table.name) is table

    # --- S3 ---------------------------------------------------------------------------------

    def objects(self, location: str) -> list[S3Object]:
        """Every object under a location, the way Athena lists a table's files.

        Like Athena, it skips "folder" placeholders and files whose name starts with ``_`` or ``.``.
        """
        bucket_name, prefix = split_uri(as_prefix(location))
        bucket = self.s3.buckets.get(bucket_name)
        if bucket is None:
            return []
        found = []
        for key_name, key in list(bucket.keys.items()):
            if isinstance(key, FakeDeleteMarker) or not key_name.startswith(prefix) or key_name.endswith("/"):
                continue
            if any(part.startswith(("_", ".")) for part in key_name[len(prefix) :].split("/")):
                continue
            found.append(S3Object(bucket_name, key_name, key.etag, key.size))
        return sorted(found, key=lambda obj: obj.key)

    def read(self, obj: S3Object) -> bytes:
        return bytes(self.s3.get_object(obj.bucket, obj.key).value)  # type: ignore[union-attr]

    def put(self, uri: str, body: bytes) -> None:
        bucket, key = split_uri(uri)
        self.s3.put_object(bucket, key, body)

    def delete_prefix(self, location: str) -> None:
        for obj in self.objects(location):
            self.s3.delete_object(obj.bucket, obj.key)

    def has_bucket(self, uri: str) -> bool:
        return split_uri(uri)[0] in self.s3.buckets

    def has_objects(self, location: str) -> bool:
        bucket_name, prefix = split_uri(as_prefix(location))
        bucket = self.s3.buckets.get(bucket_name)
        return bucket is not None and any(
            name.startswith(prefix) and not isinstance(key, FakeDeleteMarker)
            for name, key in list(bucket.keys.items())
        )
