"""The subject key is read by the engine, never written into SQL.

subject_id = sha256(key || '|' || email). Locally the key is a JSON file beside the DuckDB file,
made with a random key on the first run; on Athena `stedi subject-key` writes it to S3 and
registers the restricted Glue table. Here: the local build keys subject_id with the file's key,
keeps it across runs, refuses a bad one, and nothing dbt writes (compiled SQL, logs, artifacts)
holds it; the command on an emulated AWS (moto) writes, keeps, rotates and takes a key without
ever printing one, and its keeper's IAM policy grants what it calls. That no query sent to
Athena holds the key is proven on the local Athena, in test_athena_target.py.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from conftest import BIN, PROJECT_ROOT, DbtProject, IamPolicy, Landing
from test_land import BUCKET, ROOT, Aws, iam_enforced, iam_user_env
from test_land import aws as aws  # the fixtures, shared
from test_land import moto_server as moto_server

KEY_OBJECT = "restricted/subject_key/subject_key.json"
WITHOUT_TESTS = ("--select", "+machine_learning_curated", "+customers_curated")


@pytest.fixture(scope="module")
def keyed_build(landing_with_defects: Landing, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    project = DbtProject(PROJECT_ROOT, tmp_path_factory.mktemp("subject-key"))
    variables = {"landing_root": str(landing_with_defects.root)}
    assert not project.subject_key_file.exists()
    first = project.dbt("run", *WITHOUT_TESTS, variables=variables)
    key = project.subject_key() if project.subject_key_file.exists() else None
    ids = set(project.query("select distinct subject_id from stedi_curated.machine_learning_curated"))
    again = project.dbt("run", "--select", "machine_learning_curated", variables=variables)
    return {"project": project, "variables": variables, "runs": (first, again), "key": key, "ids": ids}


def test_a_first_local_run_makes_a_random_key_and_later_runs_keep_it(keyed_build: dict[str, Any]) -> None:
    first, again = keyed_build["runs"]
    assert first.returncode == 0, first.output[-3000:]
    assert again.returncode == 0, again.output[-3000:]
    key = keyed_build["key"]
    assert key is not None and len(key) == 64 and int(key, 16) >= 0
    assert "Made a new random subject key" in first.output and "Made a new" not in again.output
    project = keyed_build["project"]
    assert project.subject_key() == key
    ids = set(project.query("select distinct subject_id from stedi_curated.machine_learning_curated"))
    assert ids == keyed_build["ids"] and ids


def test_subject_id_is_the_keyed_sha256_of_the_email(keyed_build: dict[str, Any]) -> None:
    project = keyed_build["project"]
    key = keyed_build["key"]
    emails = [email for (email,) in project.query("select email from stedi_curated.customers_curated")]
    expected = {hashlib.sha256(f"{key}|{email}".encode()).hexdigest() for email in emails}
    ids = {subject for (subject,) in keyed_build["ids"]}
    assert ids and ids <= expected  # a curated customer without a step-trainer pair has no row


def test_the_key_is_in_nothing_dbt_compiled_logged_or_wrote(keyed_build: dict[str, Any]) -> None:
    project = keyed_build["project"]
    key = keyed_build["key"].encode()
    written = [
        path
        for path in project.work_dir.rglob("*")
        if path.is_file() and path != project.subject_key_file and path.suffix not in (".duckdb", ".wal")
    ]
    compiled = [path for path in written if "compiled" in path.parts or "run" in path.parts]
    assert any(b"subject_key" in path.read_bytes() for path in compiled)  # the table is named
    assert any(path.suffix == ".log" for path in written)
    assert [path for path in written if key in path.read_bytes()] == []


@pytest.mark.parametrize(
    ("content", "said"),
    [
        ('{"subject_key": "too-short"}\n', "the shortest 9 characters long"),
        ('{"subject_key": "a-key-that-is-long-enough-0123456789"}\n' * 2, "it holds 2 row(s)"),
    ],
)
def test_a_bad_local_key_stops_the_run_before_any_model_and_says_why(
    keyed_build: dict[str, Any], tmp_path: Path, content: str, said: str
) -> None:
    project = DbtProject(PROJECT_ROOT, tmp_path)
    project.subject_key_file.write_text(content)
    run = project.dbt("run", "--select", "machine_learning_curated", variables=keyed_build["variables"])
    assert run.returncode != 0
    assert "must hold exactly one key of at least 32 characters" in run.output and said in run.output
    assert "Traceback" not in run.output
    assert not project.duckdb_path.exists() or not project.query(
        "select * from information_schema.tables where table_name = 'machine_learning_curated'"
    )


def subject_key(aws: Aws, *args: str, stdin: str | None = None, env: dict[str, str] | None = None):
    command = [str(BIN / "stedi"), "subject-key", "--bucket", BUCKET, *args]
    return subprocess.run(
        command, input=stdin, env=env or aws.env, capture_output=True, text=True, check=False
    )


def stored_key(aws: Aws) -> str:
    return json.loads(aws.s3.get_object(Bucket=BUCKET, Key=KEY_OBJECT)["Body"].read())["subject_key"]


def test_the_command_writes_keeps_and_rotates_a_key_it_never_prints(aws: Aws) -> None:
    first = subject_key(aws)
    assert first.returncode == 0, first.stderr
    key = stored_key(aws)
    assert len(key) == 64
    table = aws.glue.get_table(DatabaseName="stedi_restricted", Name="subject_key")["Table"]
    assert table["StorageDescriptor"]["Location"] == f"s3://{BUCKET}/restricted/subject_key/"
    assert [column["Name"] for column in table["StorageDescriptor"]["Columns"]] == ["subject_key"]
    head = aws.s3.head_object(Bucket=BUCKET, Key=KEY_OBJECT)
    assert head["ServerSideEncryption"] == "AES256"

    kept = subject_key(aws)
    assert kept.returncode == 0 and "kept the key" in kept.stdout
    assert stored_key(aws) == key

    rotated = subject_key(aws, "--rotate")
    assert rotated.returncode == 0 and "replaced the key" in rotated.stdout
    new_key = stored_key(aws)
    assert new_key != key and len(new_key) == 64

    given = "a-key-kept-in-secrets-manager-0123456789"
    piped = subject_key(aws, "--from-stdin", stdin=given + "\n")
    assert piped.returncode == 0, piped.stderr
    assert stored_key(aws) == given
    printed = "".join(run.stdout + run.stderr for run in (first, kept, rotated, piped))
    assert not [secret for secret in (key, new_key, given) if secret in printed]


def test_the_command_refuses_a_short_key_and_a_missing_bucket_in_one_line(aws: Aws) -> None:
    short = subject_key(aws, "--from-stdin", stdin="short\n")
    assert short.returncode == 2
    assert short.stderr.strip().splitlines() == [
        "stedi subject-key: error: the key given on stdin is 5 characters long; at least 32 are needed"
    ]
    command = [str(BIN / "stedi"), "subject-key", "--bucket", "no-such-bucket"]
    missing = subprocess.run(command, env=aws.env, capture_output=True, text=True, check=False)
    assert missing.returncode == 2
    assert missing.stderr.strip().splitlines() == [
        "stedi subject-key: error: bucket no-such-bucket does not exist"
    ]


def test_access_denied_names_the_keepers_policy(aws: Aws) -> None:
    env = iam_user_env(aws)  # a user with no policy at all
    with iam_enforced(aws):
        denied = subject_key(aws, env=env)
    assert denied.returncode == 2
    assert denied.stderr.strip().splitlines() == [
        f"stedi subject-key: error: bucket {BUCKET}: access denied to HeadBucket: these credentials are not "
        "allowed to call it (iam/stedi-subject-key-keeper-policy.json lists what stedi subject-key needs)"
    ]


def test_the_keepers_policy_grants_every_call_the_command_makes_and_documents_its_placeholders() -> None:
    policy = IamPolicy.read("stedi-subject-key-keeper-policy.json")
    readme = (ROOT / "iam/README.md").read_text()
    placeholders, granted = policy.placeholders, policy.allowed
    assert placeholders and all(f"${{{name}}}" in readme for name in placeholders)
    # HeadBucket needs s3:ListBucket, HeadObject s3:GetObject.
    needs = {"s3:ListBucket", "s3:GetObject", "s3:PutObject", "glue:GetDatabase", "glue:CreateDatabase"}
    needs |= {"glue:GetTable", "glue:CreateTable", "glue:UpdateTable"}
    assert needs <= granted
    lakehouse = (ROOT / "iam/stedi-lakehouse-policy.json").read_text()
    reading = [
        statement
        for statement in json.loads(lakehouse)["Statement"]
        if statement["Sid"] == "ReadTheSubjectKey"
    ]
    assert reading and reading[0]["Action"] == "s3:GetObject"  # the build reads the key, never writes it
