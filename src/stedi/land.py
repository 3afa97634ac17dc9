"""`stedi land`: copy a landing folder to S3 and register the Glue landing tables over it.

The order is what makes the command safe to run, rerun and interrupt:

1. validate everything that can be validated without writing: the local folder, credentials and
   region, the bucket (HeadBucket), the Glue catalog (GetDatabase, GetTable); an error here leaves
   S3 and Glue untouched;
2. plan: which files S3 already holds (same size and SHA-256), what the catalog needs;
3. upload the rest, concurrently, multipart above a threshold;
4. list the landing folders again and write the inventory (one JSON line per landing file S3
   holds, whoever put it there) that the dbt ledgers read to find new files: on Athena no query
   can list files without reading every byte of them;
5. register the tables (the landing tables and the inventory's) only once every upload
   succeeded, undoing this run's catalog changes if registering fails part way.

`--inventory-only` does steps 4 and 5 alone, for files that reached S3 another way.

Every failure a user can act on ends in one line on stderr, "stedi land: error: ...", and exit
code 2. AWS settings come from the environment as boto3 reads them (AWS_PROFILE,
AWS_DEFAULT_REGION, AWS_ENDPOINT_URL, ...), plus AWS_REGION, which botocore does not read itself.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC
from functools import partial
from pathlib import Path, PurePosixPath
from typing import Any, NoReturn

import boto3
import click
from boto3.s3.transfer import ProgressCallbackInvoker, TransferConfig, create_transfer_manager
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError
from botocore.exceptions import ConnectionError as BotoConnectionError
from tqdm import tqdm

from stedi.contract import (
    HIDDEN,
    LANDING_ENTITIES,
    LANDING_FILE_SUFFIXES,
    READ,
    Entity,
    is_hidden,
    landing_file_verdict,
    landing_folder_entries,
)
from stedi.glue_tables import CatalogPlan, RegistrationError, apply_catalog_plan, plan_catalog

MIB = 1024 * 1024
# S3 rejects multipart parts under 5 MiB (all but the last), so no threshold may be smaller.
MIN_PART_SIZE = 5 * MIB
DEFAULT_MULTIPART_THRESHOLD = 8 * MIB
SHA256_METADATA = "sha256"  # sent as the x-amz-meta-sha256 header
# The inventory sits beside the entities' folders, in a folder Athena would skip as hidden anyway.
INVENTORY_FOLDER = "_inventory"
INVENTORY_FILE = "landing_files.json"


class LandError(Exception):
    """A failure the user can act on; its message is one line."""


@dataclass(frozen=True)
class LandOptions:
    source: Path | None
    bucket: str
    prefix: str
    database: str
    dry_run: bool
    inventory_only: bool
    workers: int
    multipart_threshold: int


@dataclass(frozen=True)
class LandingFile:
    """A local landing file and the S3 key it lands at."""

    path: Path
    key: str
    size: int
    sha256: str


@dataclass(frozen=True)
class UploadPlan:
    upload: tuple[LandingFile, ...]
    skip: tuple[LandingFile, ...]


def entity_prefix(prefix: str, entity: Entity) -> str:
    """The S3 folder of an entity's files: <prefix>/<entity>/landing, or <entity>/landing."""
    return "/".join(part for part in (prefix.strip("/"), entity.prefix) if part)


def inventory_key(prefix: str) -> str:
    """The S3 key of the landing inventory: <prefix>/_inventory/landing_files.json."""
    return "/".join(part for part in (prefix.strip("/"), INVENTORY_FOLDER, INVENTORY_FILE) if part)


def _missing(source: Path, entity: Entity) -> str:
    folder = source / entity.prefix
    return f"{entity.prefix} has no landing files" if folder.is_dir() else f"missing {entity.prefix}"


def _entity_files(source: Path, entity: Entity) -> tuple[list[Path], list[str]]:
    """The files under an entity's landing folder the build reads, and those it cannot read (one
    "<entity>/landing/<path> (why)" each), by the rule the local build lists them with
    (contract.landing_folder_entries): hidden files and folders are skipped, as Athena skips
    them; a link to a file is uploaded as the file it names; a link to nothing is refused."""
    folder = source / entity.prefix
    read, problems = [], []
    for entry in landing_folder_entries(folder) if folder.is_dir() else []:
        if entry.verdict == READ:
            read.append(entry.path)
        elif entry.verdict != HIDDEN:
            problems.append(f"{entity.prefix}/{entry.relative} ({entry.verdict})")
    return read, problems


def find_landing_files(source: Path) -> dict[Entity, list[Path]]:
    """Each entity's landing files under `source` (the files the build reads: *.json, *.jsonl,
    *.json.gz, *.jsonl.gz; contract.LANDING_FILE_SUFFIXES), refusing a folder that holds a file the
    build cannot read or lacks any entity's files.

    A file the build would refuse, or a partial landing, would register tables over data the
    build cannot use, so every problem is reported at once, before anything is uploaded. Files
    outside the entities' landing folders (e.g. ground_truth.json) are ignored.
    """
    if not source.is_dir():
        raise LandError(f"source folder {source} does not exist or is not a folder")
    if not any(source.iterdir()):
        raise LandError(f"source folder {source} is empty")
    found, unreadable = {}, []
    for entity in LANDING_ENTITIES:
        found[entity], problems = _entity_files(source, entity)
        unreadable += problems
    if unreadable:
        names = ", ".join(f"*{suffix}" for suffix in LANDING_FILE_SUFFIXES)
        raise LandError(
            f"source folder {source} holds files the build cannot read: {', '.join(unreadable)}; only "
            f"{names} directly in <entity>/landing/ are read: rename them, move them out, or hide them "
            "with a name starting with '_'"
        )
    problems = [
        _missing(source, entity) for entity, paths in found.items() if not paths and not entity.optional
    ]
    if problems:
        raise LandError(f"source folder {source} is incomplete: {', '.join(problems)}")
    return found


def sha256_of(path: Path) -> str:
    with path.open("rb") as file:
        return hashlib.file_digest(file, "sha256").hexdigest()


def _landing_file(prefix: str, entity: Entity, path: Path) -> LandingFile:
    key = f"{entity_prefix(prefix, entity)}/{path.name}"
    return LandingFile(path, key, path.stat().st_size, sha256_of(path))


def describe_files(found: Mapping[Entity, Sequence[Path]], prefix: str, workers: int) -> list[LandingFile]:
    """Hash the files in a thread pool (hashlib releases the GIL, so large files hash in parallel)."""
    pairs = [(entity, path) for entity, paths in found.items() for path in paths]
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(lambda pair: _landing_file(prefix, *pair), pairs))


def aws_clients(workers: int) -> tuple[Any, Any]:
    """S3 and Glue clients from the environment, refusing to go on without credentials or a region.

    Checking here, before any request, turns botocore's NoCredentialsError / NoRegionError (raised
    mid-run, from deep in a thread pool) into one clear line. AWS_ENDPOINT_URL (and its per-service
    forms AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL_GLUE) is applied by botocore itself; it addresses
    buckets path-style on such endpoints, as moto and other S3 look-alikes need.
    """
    session = boto3.Session(region_name=os.environ.get("AWS_REGION") or None)
    if session.get_credentials() is None:
        raise LandError(
            "no AWS credentials found: set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"
        )
    if session.region_name is None:
        raise LandError("no AWS region: set AWS_REGION or AWS_DEFAULT_REGION")
    config = Config(max_pool_connections=max(10, workers))  # s3transfer warns when the pool is smaller
    try:
        return session.client("s3", config=config), session.client("glue", config=config)
    except ValueError as error:  # botocore's answer to a malformed endpoint URL
        raise LandError(str(error)) from error


LAND_POLICY = "iam/stedi-lakehouse-policy.json lists what stedi land needs"


def describe_aws_error(error: BotoCoreError | ClientError, policy: str = LAND_POLICY) -> str:
    """One line for an AWS error: access denied, unreachable endpoint, or AWS's own code and message."""
    if isinstance(error, BotoConnectionError):
        return f"cannot reach AWS: {error}"
    if not isinstance(error, ClientError):
        return " ".join(str(error).split())
    status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
    code = error.response.get("Error", {}).get("Code", "")
    if status == 403 or "AccessDenied" in code:
        return (
            f"access denied to {error.operation_name}: these credentials are not allowed to call it "
            f"({policy})"
        )
    message = " ".join(error.response.get("Error", {}).get("Message", "").split())
    return f"{error.operation_name} failed: {code} {message}".rstrip()


@contextmanager
def aws_step(context: str, policy: str = LAND_POLICY) -> Iterator[None]:
    """Turn an AWS error inside the block into a LandError that says what was being done."""
    try:
        yield
    except (BotoCoreError, ClientError) as error:
        raise LandError(f"{context}: {describe_aws_error(error, policy)}") from error


def check_bucket(s3: Any, bucket: str, policy: str = LAND_POLICY) -> None:
    """HeadBucket: the bucket exists, the endpoint answers and the credentials may list it."""
    with aws_step(f"bucket {bucket}", policy):
        try:
            s3.head_bucket(Bucket=bucket)
        except ClientError as error:
            if error.response.get("ResponseMetadata", {}).get("HTTPStatusCode") == 404:
                raise LandError(f"bucket {bucket} does not exist") from error
            raise


def _list_objects(s3: Any, bucket: str, prefix: str) -> list[dict[str, Any]]:
    """What an entity's S3 folder holds (ListObjectsV2, 1000 keys a call)."""
    paginator = s3.get_paginator("list_objects_v2")
    pages = paginator.paginate(Bucket=bucket, Prefix=f"{prefix}/")
    return [item for page in pages for item in page.get("Contents", [])]


def _remote_sizes(s3: Any, bucket: str, prefixes: Sequence[str]) -> dict[str, int]:
    """Key -> size of what each entity's S3 folder already holds."""
    return {item["Key"]: item["Size"] for prefix in prefixes for item in _list_objects(s3, bucket, prefix)}


def _is_read_by_athena(key: str, prefix: str) -> bool:
    """Athena reads every object under a table's folder (`prefix`) except folder markers and
    hidden names: a file or a folder on the way to it whose name starts with '_' or '.'."""
    parts = key.removeprefix(f"{prefix}/").split("/")
    return bool(parts[-1]) and not any(is_hidden(part) for part in parts)


def inventory_lines(s3: Any, bucket: str, prefixes: Mapping[Entity, str]) -> list[str]:
    """One JSON line per landing file S3 holds now, in the shape of the inventory table."""
    lines = []
    for entity, prefix in prefixes.items():
        for item in sorted(_list_objects(s3, bucket, prefix), key=lambda item: item["Key"]):
            if _is_read_by_athena(item["Key"], prefix):
                record = {
                    "entity": entity.name,
                    "location": f"s3://{bucket}/{item['Key']}",
                    "file_name": item["Key"].rsplit("/", 1)[-1],
                    "size": item["Size"],
                    "last_modified": item["LastModified"].astimezone(UTC).isoformat(timespec="seconds"),
                }
                lines.append(json.dumps(record))
    return lines


def inventory_problems(lines: Sequence[str], bucket: str, prefixes: Mapping[Entity, str]) -> list[str]:
    """The files of the inventory the dbt build will refuse (put there by another tool: `stedi
    land` uploads none of them), one "s3://... (why)" each."""
    problems = []
    for line in lines:
        record = json.loads(line)
        prefix = next(prefix for entity, prefix in prefixes.items() if entity.name == record["entity"])
        relative = record["location"].removeprefix(f"s3://{bucket}/{prefix}/")
        verdict = landing_file_verdict(PurePosixPath(relative))
        if verdict != READ:
            problems.append(f"{record['location']} ({verdict})")
    return problems


def _warn_of_unreadable(problems: Sequence[str]) -> None:
    if problems:
        click.echo(
            f"stedi land: warning: the dbt build will refuse files S3 holds: {', '.join(problems)}; "
            "delete them or hide them with a name starting with '_'",
            err=True,
        )


def _current_inventory(s3: Any, bucket: str, key: str) -> bytes | None:
    try:
        return s3.get_object(Bucket=bucket, Key=key)["Body"].read()
    except ClientError as error:
        if error.response.get("ResponseMetadata", {}).get("HTTPStatusCode") == 404:
            return None
        raise


def write_inventory(s3: Any, bucket: str, key: str, prefixes: Mapping[Entity, str]) -> list[str]:
    """List the landing folders and replace the inventory object when the list changed.

    One PUT, so a reader sees the old inventory or the new one; an unchanged list writes nothing,
    so a second run leaves S3 as it was. Returns the inventory's lines.
    """
    with aws_step(f"writing the landing inventory s3://{bucket}/{key}"):
        lines = inventory_lines(s3, bucket, prefixes)
        body = "".join(f"{line}\n" for line in lines).encode()
        if _current_inventory(s3, bucket, key) != body:
            s3.put_object(Bucket=bucket, Key=key, Body=body, ContentType="application/x-ndjson")
    return lines


def _is_landed(s3: Any, bucket: str, remote_sizes: Mapping[str, int], file: LandingFile) -> bool:
    """True when S3 holds this exact file.

    The size comes from the listing; the content is compared by the SHA-256 that `stedi land`
    stores as user metadata at upload (HeadObject returns it). The ETag cannot serve: it is the
    MD5 of the content only for single-part uploads; for multipart uploads it is the MD5 of the
    parts' MD5s plus "-<part count>", which depends on the part size. S3's own SHA-256 checksum
    of a multipart object is likewise a checksum of part checksums. An object without the
    metadata (uploaded by another tool) is uploaded once more, which is safe.
    """
    if remote_sizes.get(file.key) != file.size:
        return False
    metadata = s3.head_object(Bucket=bucket, Key=file.key).get("Metadata", {})
    return metadata.get(SHA256_METADATA) == file.sha256


def plan_uploads(
    s3: Any, bucket: str, prefixes: Sequence[str], files: Sequence[LandingFile], workers: int
) -> UploadPlan:
    with aws_step(f"reading s3://{bucket}"):
        sizes = _remote_sizes(s3, bucket, prefixes)
        with ThreadPoolExecutor(max_workers=workers) as pool:
            landed = list(pool.map(partial(_is_landed, s3, bucket, sizes), files))
    return UploadPlan(
        upload=tuple(file for file, done in zip(files, landed, strict=True) if not done),
        skip=tuple(file for file, done in zip(files, landed, strict=True) if done),
    )


def transfer_config(workers: int, multipart_threshold: int) -> TransferConfig:
    """Parts as large as the threshold: a file just over it goes in two parts, not dozens."""
    return TransferConfig(
        multipart_threshold=multipart_threshold,
        multipart_chunksize=multipart_threshold,
        max_concurrency=workers,
    )


def upload_files(s3: Any, bucket: str, files: Sequence[LandingFile], config: TransferConfig) -> None:
    """Upload through one s3transfer manager: files and their parts share one pool of workers.

    One progress bar counts bytes across all files. If any upload fails, leaving the manager
    cancels the others; files already uploaded are skipped by the next run.
    """
    with (
        tqdm(
            total=sum(file.size for file in files),
            unit="B",
            unit_scale=True,
            unit_divisor=1024,
            desc="uploading",
            file=sys.stderr,
        ) as bar,
        create_transfer_manager(s3, config) as manager,
    ):
        futures = [
            manager.upload(
                str(file.path),
                bucket,
                file.key,
                extra_args={"Metadata": {SHA256_METADATA: file.sha256}},
                subscribers=[ProgressCallbackInvoker(bar.update)],
            )
            for file in files
        ]
        for future in futures:
            future.result()


def _plan_lines(bucket: str, uploads: UploadPlan, inventory: str, catalog: CatalogPlan) -> list[str]:
    lines = [f"upload s3://{bucket}/{file.key} ({file.size:,} bytes)" for file in uploads.upload]
    lines += [
        f"skip   s3://{bucket}/{file.key} ({file.size:,} bytes, already landed)" for file in uploads.skip
    ]
    lines.append(f"write  s3://{bucket}/{inventory} (inventory of the landing files S3 then holds)")
    lines.append(f"{'create' if catalog.create_database else 'leave '} database {catalog.database}")
    verbs = {"create": "create", "update": "update", "unchanged": "leave "}
    lines += [
        f"{verbs[change.action]} table {change.name} over {change.location}" for change in catalog.tables
    ]
    return lines


def _summary(uploads: UploadPlan, inventoried: int, catalog: CatalogPlan) -> str:
    size = sum(file.size for file in uploads.upload)
    database = "created" if catalog.create_database else "existed"
    return (
        f"stedi land: uploaded {len(uploads.upload)} files ({size:,} bytes), skipped {len(uploads.skip)}; "
        f"inventory lists {inventoried} files; database {catalog.database} {database}; "
        f"tables: {catalog.count('create')} created, {catalog.count('update')} updated, "
        f"{catalog.count('unchanged')} unchanged"
    )


def _registration_error(error: RegistrationError) -> LandError:
    cause = describe_aws_error(error.cause)
    undone = (
        f"could not undo: {', '.join(error.not_undone)}"
        if error.not_undone
        else "this run's changes were undone"
    )
    return LandError(f"registering the Glue tables failed ({cause}); {undone}")


def land(options: LandOptions) -> None:
    if options.source is None and not options.inventory_only:
        raise LandError("--from is required (or --inventory-only, to rewrite the inventory alone)")
    if options.source is not None and options.inventory_only:
        raise LandError("--inventory-only lists what S3 holds: it takes no --from")
    found = find_landing_files(options.source) if options.source is not None else None
    with aws_step("AWS settings"):
        s3, glue = aws_clients(options.workers)
    check_bucket(s3, options.bucket)
    prefixes = {entity: entity_prefix(options.prefix, entity) for entity in LANDING_ENTITIES}
    locations = {entity: f"s3://{options.bucket}/{prefix}/" for entity, prefix in prefixes.items()}
    inventory = inventory_key(options.prefix)
    with aws_step(f"reading Glue database {options.database}"):
        catalog = plan_catalog(
            glue, options.database, locations, f"s3://{options.bucket}/{inventory.rsplit('/', 1)[0]}/"
        )
    uploads = UploadPlan(upload=(), skip=())
    if found is not None:
        files = describe_files(found, options.prefix, options.workers)
        uploads = plan_uploads(s3, options.bucket, list(prefixes.values()), files, options.workers)
    if options.dry_run:
        click.echo("stedi land: dry run, nothing changed; the plan:")
        for line in _plan_lines(options.bucket, uploads, inventory, catalog):
            click.echo(f"  {line}")
        return
    if uploads.upload:
        config = transfer_config(options.workers, options.multipart_threshold)
        try:
            upload_files(s3, options.bucket, uploads.upload, config)
        except (BotoCoreError, ClientError) as error:
            raise LandError(
                f"uploading to s3://{options.bucket} failed ({describe_aws_error(error)}); "
                "no Glue table was registered; rerun to upload the rest"
            ) from error
    inventoried = write_inventory(s3, options.bucket, inventory, prefixes)
    _warn_of_unreadable(inventory_problems(inventoried, options.bucket, prefixes))
    try:
        apply_catalog_plan(glue, catalog)
    except RegistrationError as error:
        raise _registration_error(error) from error
    click.echo(_summary(uploads, len(inventoried), catalog))


def _fail(message: str) -> NoReturn:
    click.echo(f"stedi land: error: {message}", err=True)
    sys.exit(2)


@click.command("land")
@click.option("--from", "source", type=click.Path(path_type=Path), help="The landing folder (DIR).")
@click.option("--bucket", required=True, help="The S3 bucket to land into.")
@click.option("--prefix", default="", help="Key prefix in the bucket (none: the bucket's root).")
@click.option("--database", default="stedi_landing", show_default=True, help="Glue database of the tables.")
@click.option("--dry-run", is_flag=True, help="Print the plan and change nothing.")
@click.option(
    "--inventory-only",
    is_flag=True,
    help="Upload nothing: list what S3 holds, rewrite the inventory, register the tables.",
)
@click.option(
    "--workers", default=8, show_default=True, type=click.IntRange(min=1), help="Concurrent uploads."
)
@click.option(
    "--multipart-threshold",
    default=DEFAULT_MULTIPART_THRESHOLD,
    show_default=True,
    type=click.IntRange(min=MIN_PART_SIZE),
    envvar="STEDI_LAND_MULTIPART_THRESHOLD",
    help="Bytes from which a file is uploaded in parts of this size (S3's minimum part is 5 MiB).",
)
def land_command(**options: Any) -> None:
    """Upload DIR/<entity>/landing/ to S3 and register the Glue landing tables over them.

    The files uploaded are those the dbt build reads: *.json, *.jsonl, *.json.gz and *.jsonl.gz
    (JSON Lines, gzip-compressed when .gz). Hidden names (_ or . first) are skipped, as Athena
    skips them; any other file is refused, named, before anything is uploaded.

    Files already in S3 with the same size and SHA-256 are skipped, and tables already matching
    the contract are left alone, so a second run uploads nothing. Every run then rewrites the
    inventory of the landing files (<prefix>/_inventory/landing_files.json, table
    landing_inventory), from which dbt's ledgers learn which files are new.
    """
    try:
        land(LandOptions(**options))
    except (LandError, OSError) as error:
        _fail(" ".join(str(error).split()))
    except (BotoCoreError, ClientError) as error:  # a call no step expected to fail; still one line
        _fail(describe_aws_error(error))
