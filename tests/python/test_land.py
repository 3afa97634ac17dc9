"""`stedi land` against moto's server on 127.0.0.1, run as a user runs it: a subprocess whose AWS
settings come from the environment (AWS_ENDPOINT_URL points at moto, dummy credentials).

The bucket is versioned, so counting object versions tells exactly which files a run uploaded, and
Glue's table VersionId tells which tables it rewrote.
"""

from __future__ import annotations

import gzip
import json
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest

from conftest import IamPolicy
from moto_server import MotoServer
from stedi.contract import (
    ACCELEROMETER,
    CUSTOMER,
    ENTITIES,
    LANDING_SERDE,
    LANDING_SERDE_PARAMETERS,
    STEP_TRAINER,
)
from stedi.glue_tables import table_input
from stedi.land import MIN_PART_SIZE, inventory_key, sha256_of

ROOT = Path(__file__).resolve().parents[2]
REGION = "eu-west-1"
BUCKET = "stedi-test-lake"
PREFIX = "raw/stedi"
DATABASE = "stedi_landing"
INVENTORY_KEY = f"{PREFIX}/_inventory/landing_files.json"

CUSTOMERS = [
    {
        "customerName": "Ada Lovelace",
        "email": "ada@example.com",
        "phone": "8015551212",
        "birthDay": "1399-12-10",
        "serialNumber": "7a1c0b2e-0000-4000-8000-000000000001",
        "registrationDate": 1655564376361,
        "lastUpdateDate": 1655564376361,
        "shareWithResearchAsOfDate": 1655564376361,
    },
    {
        "customerName": "Alan Turing",
        "email": "alan@example.com",
        "phone": "8015551212",
        "birthDay": "1912-06-23",
        "serialNumber": "7a1c0b2e-0000-4000-8000-000000000002",
        "registrationDate": 1655564376362,
        "lastUpdateDate": 1655564376362,
    },
]
READINGS = [
    {"user": "ada@example.com", "timestamp": 1655564444103, "x": 1.0, "y": -1.0, "z": 0.0},
    {"user": "ada@example.com", "timestamp": 1655564444103, "x": 0.0, "y": 1.0, "z": -1.0},
]
STEPS = [
    {
        "sensorReadingTime": 1655564444103,
        "serialNumber": "7a1c0b2e-0000-4000-8000-000000000001",
        "distanceFromObject": 218,
    },
]


@dataclass(frozen=True)
class Aws:
    """The test's view of moto: the server, boto3 clients for checking, and the env for the CLI."""

    moto: MotoServer
    env: dict[str, str]
    s3: Any
    glue: Any
    iam: Any


@pytest.fixture(scope="session")
def moto_server() -> Iterator[MotoServer]:
    with MotoServer() as server:
        yield server


@pytest.fixture
def aws(moto_server: MotoServer, tmp_path: Path) -> Aws:
    """A fresh moto with a versioned bucket, and an environment that reaches only moto.

    Every AWS_ variable of the machine is dropped and the AWS config files are empty, so no real
    profile can leak in; AWS_EC2_METADATA_DISABLED keeps botocore from asking the instance
    metadata service for credentials.
    """
    moto_server.reset()
    empty = tmp_path / "empty-aws-file"
    empty.write_text("")
    env = {name: value for name, value in os.environ.items() if not name.startswith("AWS_")}
    env |= {
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT / "src"), os.environ.get("PYTHONPATH")])),
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_REGION": REGION,
        "AWS_ENDPOINT_URL": moto_server.endpoint_url,
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_CONFIG_FILE": str(empty),
        "AWS_SHARED_CREDENTIALS_FILE": str(empty),
    }
    session = boto3.Session(aws_access_key_id="testing", aws_secret_access_key="testing", region_name=REGION)
    s3, glue, iam = (
        session.client(service, endpoint_url=moto_server.endpoint_url) for service in ("s3", "glue", "iam")
    )
    s3.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})
    s3.put_bucket_versioning(Bucket=BUCKET, VersioningConfiguration={"Status": "Enabled"})
    return Aws(moto_server, env, s3, glue, iam)


def write_json_lines(path: Path, records: list[dict[str, Any]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(record) + "\n" for record in records))
    return path


@pytest.fixture
def landing(tmp_path: Path) -> Path:
    """A landing folder of the real layout: one customer file, two accelerometer files, one step
    trainer file, and a ground_truth.json at the root that must not be landed."""
    root = tmp_path / "landing"
    write_json_lines(root / "customer/landing/customer-1655564376361.json", CUSTOMERS)
    write_json_lines(root / "accelerometer/landing/accelerometer-1655564444103.json", READINGS)
    write_json_lines(root / "accelerometer/landing/accelerometer-1655564444999.json", READINGS[:1])
    write_json_lines(root / "step_trainer/landing/step_trainer-1655564444103.json", STEPS)
    write_json_lines(root / "ground_truth.json", CUSTOMERS)
    return root


def run_land(env: dict[str, str], landing: Path | None, *options: str) -> subprocess.CompletedProcess[str]:
    """`stedi land --from landing --bucket BUCKET options` (no --from when `landing` is None)."""
    source = ["--from", str(landing)] if landing is not None else []
    return subprocess.run(
        [sys.executable, "-m", "stedi.cli", "land", *source, "--bucket", BUCKET, *options],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def land_ok(aws: Aws, landing: Path, *options: str) -> subprocess.CompletedProcess[str]:
    result = run_land(aws.env, landing, "--prefix", PREFIX, *options)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    return result


def expected_key(landing: Path, path: Path) -> str:
    return f"{PREFIX}/{path.relative_to(landing).as_posix()}"


def landing_files(landing: Path) -> list[Path]:
    return sorted(landing.glob("*/landing/*.json"))


def inventory(aws: Aws) -> list[dict[str, Any]]:
    body = aws.s3.get_object(Bucket=BUCKET, Key=INVENTORY_KEY)["Body"].read().decode()
    return [json.loads(line) for line in body.splitlines()]


def object_versions(aws: Aws) -> dict[str, list[str]]:
    """Key -> its version ids: a key with two versions was uploaded twice."""
    versions: dict[str, list[str]] = {}
    for page in aws.s3.get_paginator("list_object_versions").paginate(Bucket=BUCKET):
        for version in page.get("Versions", []):
            versions.setdefault(version["Key"], []).append(version["VersionId"])
    return versions


def table_versions(aws: Aws) -> dict[str, str]:
    tables = aws.glue.get_tables(DatabaseName=DATABASE)["TableList"]
    return {table["Name"]: table["VersionId"] for table in tables}


def columns(aws: Aws, table: str) -> list[tuple[str, str]]:
    storage = aws.glue.get_table(DatabaseName=DATABASE, Name=table)["Table"]["StorageDescriptor"]
    return [(column["Name"], column["Type"]) for column in storage["Columns"]]


def drift_column_type(aws: Aws, table: str, column: str, glue_type: str) -> None:
    """Change one column's type behind `stedi land`'s back, as someone in the console might."""
    current = aws.glue.get_table(DatabaseName=DATABASE, Name=table)["Table"]
    storage = current["StorageDescriptor"]
    for item in storage["Columns"]:
        if item["Name"] == column:
            item["Type"] = glue_type
    drifted = {key: current[key] for key in ("Name", "Description", "TableType", "Parameters")}
    aws.glue.update_table(DatabaseName=DATABASE, TableInput={**drifted, "StorageDescriptor": storage})


def rewrite_same_size(path: Path) -> None:
    """Change a file's content but not its size, so only the checksum can tell."""
    text = path.read_text()
    path.write_text(text.replace("1.0", "2.0", 1))
    assert len(path.read_text()) == len(text)


def assert_one_line_error(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("stedi land: error: ")
    return lines[0]


def assert_nothing_created(aws: Aws) -> None:
    assert object_versions(aws) == {}
    assert aws.glue.get_databases()["DatabaseList"] == []


@contextmanager
def iam_enforced(aws: Aws) -> Iterator[None]:
    """Moto checks IAM only inside the block; the test's own (unknown) keys work again after it."""
    aws.moto.enforce_iam(True)
    try:
        yield
    finally:
        aws.moto.enforce_iam(False)


def iam_user_env(aws: Aws, *statements: dict[str, Any]) -> dict[str, str]:
    """The CLI's environment with the keys of a new IAM user allowed only `statements`."""
    aws.iam.create_user(UserName="lander")
    if statements:
        document = json.dumps({"Version": "2012-10-17", "Statement": list(statements)})
        aws.iam.put_user_policy(UserName="lander", PolicyName="landing", PolicyDocument=document)
    key = aws.iam.create_access_key(UserName="lander")["AccessKey"]
    return aws.env | {
        "AWS_ACCESS_KEY_ID": key["AccessKeyId"],
        "AWS_SECRET_ACCESS_KEY": key["SecretAccessKey"],
    }


def test_lands_files_into_entity_keys_and_registers_contract_tables(aws: Aws, landing: Path) -> None:
    result = land_ok(aws, landing)

    files = landing_files(landing)
    expected = sorted(expected_key(landing, path) for path in files)
    assert sorted(object_versions(aws)) == sorted([*expected, INVENTORY_KEY])
    for path in files:
        landed = aws.s3.get_object(Bucket=BUCKET, Key=expected_key(landing, path))
        assert landed["Body"].read() == path.read_bytes()
        assert landed["Metadata"] == {"sha256": sha256_of(path)}
    assert "uploaded 4 files" in result.stdout

    for entity in ENTITIES:
        table = aws.glue.get_table(DatabaseName=DATABASE, Name=entity.table)["Table"]
        storage = table["StorageDescriptor"]
        assert table["TableType"] == "EXTERNAL_TABLE"
        assert table["Parameters"] == {"classification": "text"}
        assert table["Description"]
        assert columns(aws, entity.table) == [("line", "string")]  # staging parses the line
        assert storage["Location"] == f"s3://{BUCKET}/{PREFIX}/{entity.name}/landing/"
        assert storage["InputFormat"] == "org.apache.hadoop.mapred.TextInputFormat"
        assert storage["OutputFormat"] == "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat"
        assert storage["SerdeInfo"] == {
            "SerializationLibrary": LANDING_SERDE,
            "Parameters": LANDING_SERDE_PARAMETERS,
        }


def test_inventory_lists_every_landing_file_as_athena_names_it(aws: Aws, landing: Path) -> None:
    result = land_ok(aws, landing)

    listed = sorted(inventory(aws), key=lambda entry: entry["location"])
    assert listed == [
        {
            "entity": path.parent.parent.name,
            "location": f"s3://{BUCKET}/{expected_key(landing, path)}",
            "file_name": path.name,
            "size": path.stat().st_size,
            "last_modified": entry["last_modified"],
        }
        for path, entry in zip(landing_files(landing), listed, strict=True)
    ]
    assert "inventory lists 4 files" in result.stdout
    table = aws.glue.get_table(DatabaseName=DATABASE, Name="landing_inventory")["Table"]
    assert table["StorageDescriptor"]["Location"] == f"s3://{BUCKET}/{PREFIX}/_inventory/"
    assert [column for column, _ in columns(aws, "landing_inventory")] == [
        "entity",
        "location",
        "file_name",
        "size",
        "last_modified",
    ]
    assert inventory_key(PREFIX) == INVENTORY_KEY


def test_inventory_only_lists_files_that_reached_s3_another_way(aws: Aws, landing: Path) -> None:
    land_ok(aws, landing)
    other = f"{PREFIX}/accelerometer/landing/accelerometer-1655569999999.json"
    aws.s3.put_object(Bucket=BUCKET, Key=other, Body=json.dumps(READINGS[0]).encode() + b"\n")
    aws.s3.put_object(Bucket=BUCKET, Key=f"{PREFIX}/accelerometer/landing/_SUCCESS", Body=b"")
    assert other not in [entry["location"].removeprefix(f"s3://{BUCKET}/") for entry in inventory(aws)]

    result = run_land(aws.env, None, "--inventory-only", "--prefix", PREFIX)

    assert result.returncode == 0, result.stderr
    listed = [entry["location"].removeprefix(f"s3://{BUCKET}/") for entry in inventory(aws)]
    assert other in listed
    assert not any(key.endswith("_SUCCESS") for key in listed)  # Athena skips hidden files too
    assert "uploaded 0 files" in result.stdout
    assert "inventory lists 5 files" in result.stdout


def test_gzip_and_jsonl_files_are_landed_and_hidden_files_are_not(aws: Aws, landing: Path) -> None:
    """The files the dbt build reads are the files landed: *.json, *.jsonl, *.json.gz, *.jsonl.gz;
    a hidden name (a file or a folder, _ or . first) is skipped, as Athena skips it."""
    folder = landing / "accelerometer/landing"
    gzipped = folder / "accelerometer-1655564555000.json.gz"
    gzipped.write_bytes(gzip.compress(json.dumps(READINGS[1]).encode() + b"\n"))
    lines = write_json_lines(folder / "accelerometer-1655564666000.jsonl", READINGS)
    both = folder / "accelerometer-1655564777000.jsonl.gz"
    both.write_bytes(gzip.compress(lines.read_bytes()))
    write_json_lines(folder / "_notes.txt", READINGS)
    write_json_lines(folder / ".accelerometer-1655564888000.json.swp", READINGS)
    write_json_lines(folder / "_archive/old.csv", READINGS)

    result = land_ok(aws, landing)

    keys = {expected_key(landing, path) for path in (gzipped, lines, both)}
    assert keys <= set(object_versions(aws))
    landed = [key for key in object_versions(aws) if key != INVENTORY_KEY]
    assert not [key for key in landed if "/_" in key or "/." in key]
    assert aws.s3.get_object(Bucket=BUCKET, Key=expected_key(landing, gzipped))["Body"].read() == (
        gzipped.read_bytes()
    )
    assert {f"s3://{BUCKET}/{key}" for key in keys} <= {entry["location"] for entry in inventory(aws)}
    assert "uploaded 7 files" in result.stdout
    assert "warning" not in result.stderr


def test_files_the_build_cannot_read_are_refused_by_name_before_anything_is_uploaded(
    aws: Aws, landing: Path
) -> None:
    write_json_lines(landing / "customer/landing/customers.csv", CUSTOMERS)
    write_json_lines(landing / "step_trainer/landing/README", STEPS)
    write_json_lines(landing / "accelerometer/landing/2022/accelerometer-1655564555000.json", READINGS)
    (landing / "step_trainer/landing/step_trainer-1655564444103.JSON").write_text("{}\n")

    error = assert_one_line_error(run_land(aws.env, landing, "--prefix", PREFIX))

    for named in (
        "customer/landing/customers.csv (not named *.json, *.jsonl, *.json.gz or *.jsonl.gz)",
        "step_trainer/landing/README (not named",
        "step_trainer/landing/step_trainer-1655564444103.JSON (not named",
        "accelerometer/landing/2022/accelerometer-1655564555000.json (in a subfolder)",
    ):
        assert named in error
    assert_nothing_created(aws)


def test_files_that_reach_s3_another_way_and_that_the_build_refuses_are_a_warning(
    aws: Aws, landing: Path
) -> None:
    land_ok(aws, landing)
    stray = f"{PREFIX}/customer/landing/export.csv"
    aws.s3.put_object(Bucket=BUCKET, Key=stray, Body=b"a,b\n")

    result = run_land(aws.env, None, "--inventory-only", "--prefix", PREFIX)

    assert result.returncode == 0, result.stderr
    assert result.stderr.splitlines() == [
        f"stedi land: warning: the dbt build will refuse files S3 holds: s3://{BUCKET}/{stray} "
        "(not named *.json, *.jsonl, *.json.gz or *.jsonl.gz); delete them or hide them with a name "
        "starting with '_'"
    ]
    assert f"s3://{BUCKET}/{stray}" in [entry["location"] for entry in inventory(aws)]


def test_inventory_only_takes_no_landing_folder(aws: Aws, landing: Path) -> None:
    assert "takes no --from" in assert_one_line_error(run_land(aws.env, landing, "--inventory-only"))
    without_folder = run_land(aws.env, None)
    assert "--from is required" in assert_one_line_error(without_folder)
    assert_nothing_created(aws)


def test_without_prefix_files_land_at_the_bucket_root(aws: Aws, landing: Path) -> None:
    result = run_land(aws.env, landing)

    assert result.returncode == 0, result.stderr
    assert "customer/landing/customer-1655564376361.json" in object_versions(aws)
    location = aws.glue.get_table(DatabaseName=DATABASE, Name=CUSTOMER.table)["Table"]["StorageDescriptor"]
    assert location["Location"] == f"s3://{BUCKET}/customer/landing/"


def test_second_run_uploads_nothing_and_changes_no_table(aws: Aws, landing: Path) -> None:
    land_ok(aws, landing)
    objects, tables = object_versions(aws), table_versions(aws)

    result = land_ok(aws, landing)

    assert object_versions(aws) == objects
    assert table_versions(aws) == tables
    assert "uploaded 0 files (0 bytes), skipped 4" in result.stdout
    assert "0 created, 0 updated, 5 unchanged" in result.stdout


def test_changed_file_is_reuploaded_even_when_its_size_is_unchanged(aws: Aws, landing: Path) -> None:
    land_ok(aws, landing)
    changed = landing / "accelerometer/landing/accelerometer-1655564444103.json"
    rewrite_same_size(changed)
    # S3 lists LastModified to the second: a re-upload within the same second would not change it.
    time.sleep(1.05 - time.time() % 1)

    land_ok(aws, landing)

    versions = object_versions(aws)
    assert len(versions.pop(expected_key(landing, changed))) == 2
    assert len(versions.pop(INVENTORY_KEY)) == 2  # the file's time changed
    assert all(len(ids) == 1 for ids in versions.values())
    landed = aws.s3.get_object(Bucket=BUCKET, Key=expected_key(landing, changed))
    assert landed["Body"].read() == changed.read_bytes()


def test_drifted_table_is_updated_back_to_the_contract_and_others_are_left_alone(
    aws: Aws, landing: Path
) -> None:
    land_ok(aws, landing)
    drift_column_type(aws, ACCELEROMETER.table, "line", "varchar(100)")
    before = table_versions(aws)

    result = land_ok(aws, landing)

    after = table_versions(aws)
    assert columns(aws, ACCELEROMETER.table) == [("line", "string")]
    assert int(after.pop(ACCELEROMETER.table)) == int(before.pop(ACCELEROMETER.table)) + 1
    assert after == before
    assert "0 created, 1 updated, 4 unchanged" in result.stdout


def test_dry_run_on_a_fresh_account_prints_the_plan_and_creates_nothing(aws: Aws, landing: Path) -> None:
    result = land_ok(aws, landing, "--dry-run")

    assert_nothing_created(aws)
    for path in landing_files(landing):
        assert (
            f"upload s3://{BUCKET}/{expected_key(landing, path)} ({path.stat().st_size:,} bytes)"
            in result.stdout
        )
    assert f"create database {DATABASE}" in result.stdout
    assert f"write  s3://{BUCKET}/{INVENTORY_KEY}" in result.stdout
    assert (
        f"create table {DATABASE}.landing_inventory over s3://{BUCKET}/{PREFIX}/_inventory/" in result.stdout
    )
    for entity in ENTITIES:
        assert (
            f"create table {DATABASE}.{entity.table} over s3://{BUCKET}/{PREFIX}/{entity.prefix}/"
            in result.stdout
        )


def test_dry_run_after_changes_prints_uploads_skips_and_updates_and_changes_nothing(
    aws: Aws, landing: Path
) -> None:
    land_ok(aws, landing)
    changed = landing / "customer/landing/customer-1655564376361.json"
    write_json_lines(changed, CUSTOMERS[:1])
    drift_column_type(aws, STEP_TRAINER.table, "line", "varchar(100)")
    objects, tables = object_versions(aws), table_versions(aws)

    result = land_ok(aws, landing, "--dry-run")

    assert object_versions(aws) == objects
    assert table_versions(aws) == tables
    assert columns(aws, STEP_TRAINER.table) == [("line", "varchar(100)")]
    assert f"upload s3://{BUCKET}/{expected_key(landing, changed)}" in result.stdout
    assert len(re.findall(r"^  skip ", result.stdout, re.MULTILINE)) == 3
    assert f"leave  database {DATABASE}" in result.stdout
    assert f"update table {DATABASE}.{STEP_TRAINER.table}" in result.stdout
    assert f"leave  table {DATABASE}.{CUSTOMER.table}" in result.stdout


def test_file_over_the_multipart_threshold_is_uploaded_in_parts_intact(aws: Aws, landing: Path) -> None:
    line = json.dumps(STEPS[0]) + "\n"
    big = landing / "step_trainer/landing/step_trainer-1655564500000.json"
    big.write_text(line * (MIN_PART_SIZE // len(line) + 100))
    assert MIN_PART_SIZE < big.stat().st_size < 2 * MIN_PART_SIZE

    land_ok(aws, landing, "--multipart-threshold", str(MIN_PART_SIZE))

    landed = aws.s3.get_object(Bucket=BUCKET, Key=expected_key(landing, big))
    assert landed["ETag"].strip('"').endswith("-2")  # a multipart ETag names its part count
    assert landed["Body"].read() == big.read_bytes()
    assert landed["Metadata"] == {"sha256": sha256_of(big)}
    second = land_ok(aws, landing, "--multipart-threshold", str(MIN_PART_SIZE))
    assert "uploaded 0 files" in second.stdout


@pytest.mark.parametrize(
    ("settings", "message"),
    [({}, "no AWS credentials"), ({"AWS_PROFILE": "nobody"}, "profile (nobody) could not be found")],
    ids=["no-keys", "unknown-profile"],
)
def test_missing_credentials_is_a_one_line_error_and_creates_nothing(
    aws: Aws, landing: Path, settings: dict[str, str], message: str
) -> None:
    keys = {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"}
    env = {name: value for name, value in aws.env.items() if name not in keys} | settings

    assert message in assert_one_line_error(run_land(env, landing))
    assert_nothing_created(aws)


def test_missing_bucket_is_a_one_line_error_and_creates_nothing(aws: Aws, landing: Path) -> None:
    result = run_land(aws.env, landing, "--bucket", "no-such-stedi-bucket")

    assert "bucket no-such-stedi-bucket does not exist" in assert_one_line_error(result)
    assert_nothing_created(aws)


def test_s3_access_denied_is_a_one_line_error_and_creates_nothing(aws: Aws, landing: Path) -> None:
    env = iam_user_env(aws)  # a user with no policy at all

    with iam_enforced(aws):
        result = run_land(env, landing)

    assert "access denied to HeadBucket" in assert_one_line_error(result)
    assert_nothing_created(aws)


def test_glue_access_denied_is_a_one_line_error_before_any_upload(aws: Aws, landing: Path) -> None:
    env = iam_user_env(aws, {"Effect": "Allow", "Action": "s3:*", "Resource": "*"})

    with iam_enforced(aws):
        result = run_land(env, landing)

    assert "access denied to GetDatabase" in assert_one_line_error(result)
    assert_nothing_created(aws)


def test_unreachable_endpoint_is_a_one_line_error(aws: Aws, landing: Path) -> None:
    with socket.socket() as closed:  # a port that was free a moment ago: nothing listens on it
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    env = aws.env | {"AWS_ENDPOINT_URL": f"http://127.0.0.1:{port}"}

    assert "cannot reach AWS" in assert_one_line_error(run_land(env, landing))
    assert_nothing_created(aws)


def _empty(root: Path) -> None:
    root.mkdir()


def _without_step_trainer(root: Path) -> None:
    write_json_lines(root / "customer/landing/customer-1.json", CUSTOMERS)
    write_json_lines(root / "accelerometer/landing/accelerometer-1.json", READINGS)


def _accelerometer_with_hidden_files_only(root: Path) -> None:
    _without_step_trainer(root)
    write_json_lines(root / "step_trainer/landing/step_trainer-1.json", STEPS)
    for path in (root / "accelerometer/landing").iterdir():
        path.rename(path.with_name(f"_{path.name}"))


@pytest.mark.parametrize(
    ("make_folder", "message"),
    [
        (lambda root: None, "does not exist"),
        (_empty, "is empty"),
        (_without_step_trainer, "incomplete: missing step_trainer/landing"),
        (_accelerometer_with_hidden_files_only, "incomplete: accelerometer/landing has no landing files"),
    ],
    ids=["missing", "empty", "entity-folder-missing", "entity-with-hidden-files-only"],
)
def test_incomplete_source_folder_is_a_one_line_error_and_creates_nothing(
    aws: Aws, tmp_path: Path, make_folder: Callable[[Path], None], message: str
) -> None:
    root = tmp_path / "source"
    make_folder(root)

    assert message in assert_one_line_error(run_land(aws.env, root))
    assert_nothing_created(aws)


def test_failed_table_update_undoes_the_tables_this_run_created(aws: Aws, landing: Path) -> None:
    aws.glue.create_database(DatabaseInput={"Name": DATABASE})
    drifted = table_input(STEP_TRAINER, f"s3://{BUCKET}/elsewhere/")
    aws.glue.create_table(DatabaseName=DATABASE, TableInput=drifted)
    env = iam_user_env(
        aws,
        {"Effect": "Allow", "Action": "*", "Resource": "*"},
        {"Effect": "Deny", "Action": "glue:UpdateTable", "Resource": "*"},
    )

    with iam_enforced(aws):
        result = run_land(env, landing, "--prefix", PREFIX)

    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.splitlines()[-1].startswith("stedi land: error: registering the Glue tables failed")
    assert "changes were undone" in result.stderr
    assert table_versions(aws) == {STEP_TRAINER.table: "1"}  # the tables created were deleted again


def test_failed_registration_deletes_the_database_this_run_created(aws: Aws, landing: Path) -> None:
    env = iam_user_env(
        aws,
        {"Effect": "Allow", "Action": "*", "Resource": "*"},
        {"Effect": "Deny", "Action": "glue:CreateTable", "Resource": "*"},
    )

    with iam_enforced(aws):
        result = run_land(env, landing)

    assert result.returncode == 2
    assert "changes were undone" in result.stderr.splitlines()[-1]
    assert aws.glue.get_databases()["DatabaseList"] == []


def test_iam_policy_allows_every_call_stedi_land_makes_and_documents_its_placeholders() -> None:
    policy = IamPolicy.read("stedi-lakehouse-policy.json")
    readme = (ROOT / "iam/README.md").read_text()
    placeholders, granted = policy.placeholders, policy.allowed
    assert placeholders
    assert all(f"${{{name}}}" in readme for name in placeholders)

    # HeadBucket and ListObjectsV2 need s3:ListBucket; HeadObject needs s3:GetObject; the multipart
    # calls need s3:PutObject, and s3:AbortMultipartUpload when one fails; the Delete* undo a
    # failed registration.
    land_needs = {
        "s3:ListBucket",
        "s3:GetObject",
        "s3:PutObject",
        "s3:AbortMultipartUpload",
        "glue:GetDatabase",
        "glue:GetTable",
        "glue:CreateDatabase",
        "glue:CreateTable",
        "glue:UpdateTable",
        "glue:DeleteTable",
        "glue:DeleteDatabase",
    }
    assert land_needs <= granted


def test_a_link_to_a_file_is_uploaded_as_that_file_and_a_link_to_nothing_refused(
    aws: Aws, landing: Path, tmp_path: Path
) -> None:
    """The rule the local build lists landing folders with (contract.landing_folder_entries)."""
    linked = landing / "accelerometer/landing/accelerometer-1655564444999.json"
    target = tmp_path / "synced.json"
    linked.rename(target)
    linked.symlink_to(target)
    dangling = landing / "step_trainer/landing/step_trainer-1655564500000.json"
    dangling.symlink_to(tmp_path / "gone.json")

    refused = run_land(aws.env, landing, "--prefix", PREFIX)

    assert refused.returncode == 2, refused.stderr
    assert "step_trainer/landing/step_trainer-1655564500000.json (a link to nothing)" in refused.stderr
    assert "Traceback" not in refused.stderr
    assert_nothing_created(aws)

    dangling.unlink()
    land_ok(aws, landing)
    landed = aws.s3.get_object(Bucket=BUCKET, Key=expected_key(landing, linked))
    assert landed["Body"].read() == target.read_bytes()
