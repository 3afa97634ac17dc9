"""`stedi subject-key`: keep the secret key of subject_id where the engine reads it, not in any SQL.

subject_id is sha256(key || '|' || email). The dbt models read the key from a one-row restricted
table (source `stedi_restricted.subject_key`), so the key is in no compiled SQL, no dbt log and no
Athena query history. This command writes that table's one object,
s3://<bucket>/<prefix>/subject_key/subject_key.json, and registers the Glue table over it.

- First run: a new random key (256 bits from Python's `secrets`), unless one is piped in with
  `--from-stdin` (for instance from AWS Secrets Manager, or to keep the ids a key made before).
- Later runs keep the key that is there; `--rotate` replaces it (every subject_id changes on the
  next `dbt build`: see docs/privacy.md, "The subject key").

The key is never printed. Errors end in one line on stderr, "stedi subject-key: error: ...", and
exit code 2.
"""

from __future__ import annotations

import json
import secrets
import sys
from typing import Any, NoReturn

import click
from botocore.exceptions import BotoCoreError, ClientError

from stedi.contract import SERDE, SERDE_PARAMETERS
from stedi.glue_tables import INPUT_FORMAT, OUTPUT_FORMAT
from stedi.land import LandError, aws_clients, aws_step, check_bucket, describe_aws_error

TABLE = "subject_key"
FILE_NAME = "subject_key.json"
MIN_KEY_LENGTH = 32
KEEPER_POLICY = "iam/stedi-subject-key-keeper-policy.json lists what stedi subject-key needs"


def key_location(bucket: str, prefix: str) -> tuple[str, str]:
    """(object key of the key file, s3:// folder of the table)."""
    folder = "/".join(part for part in (prefix.strip("/"), TABLE) if part)
    return f"{folder}/{FILE_NAME}", f"s3://{bucket}/{folder}/"


def table_input(location: str) -> dict[str, Any]:
    return {
        "Name": TABLE,
        "Description": (
            "The secret key of subject_id, one JSON line under "
            f"{location}; written by stedi subject-key. Restricted: the pipeline's role only."
        ),
        "TableType": "EXTERNAL_TABLE",
        "Parameters": {"classification": "json"},
        "StorageDescriptor": {
            "Columns": [{"Name": "subject_key", "Type": "string", "Comment": "The key. Secret."}],
            "Location": location,
            "InputFormat": INPUT_FORMAT,
            "OutputFormat": OUTPUT_FORMAT,
            "SerdeInfo": {"SerializationLibrary": SERDE, "Parameters": dict(SERDE_PARAMETERS)},
        },
    }


def read_key(stream: Any) -> str:
    key = stream.read().strip()
    if len(key) < MIN_KEY_LENGTH:
        raise LandError(
            f"the key given on stdin is {len(key)} characters long; at least {MIN_KEY_LENGTH} are needed"
        )
    if any(character in key for character in '\n\r"\\'):
        raise LandError("the key given on stdin must be one line without quotes or backslashes")
    return key


def _object_exists(s3: Any, bucket: str, key: str) -> bool:
    try:
        s3.head_object(Bucket=bucket, Key=key)
    except ClientError as error:
        if error.response.get("ResponseMetadata", {}).get("HTTPStatusCode") == 404:
            return False
        raise
    return True


def _register(glue: Any, database: str, location: str) -> str:
    wanted = table_input(location)
    try:
        glue.get_database(Name=database)
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") != "EntityNotFoundException":
            raise
        glue.create_database(
            DatabaseInput={"Name": database, "Description": "STEDI restricted: secrets the engines read."}
        )
    try:
        existing = glue.get_table(DatabaseName=database, Name=TABLE)["Table"]
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") != "EntityNotFoundException":
            raise
        glue.create_table(DatabaseName=database, TableInput=wanted)
        return "registered"
    if existing.get("StorageDescriptor", {}).get("Location") != location:
        glue.update_table(DatabaseName=database, TableInput=wanted)
        return "re-registered"
    return "already registered"


def put_subject_key(bucket: str, prefix: str, database: str, rotate: bool, given: str | None) -> str:
    s3, glue = aws_clients(workers=1)
    check_bucket(s3, bucket, KEEPER_POLICY)
    object_key, location = key_location(bucket, prefix)
    with aws_step(f"s3://{bucket}/{object_key}", KEEPER_POLICY):
        exists = _object_exists(s3, bucket, object_key)
        if exists and not rotate and given is None:
            action = "kept the key that is there"
        else:
            key = given if given is not None else secrets.token_hex(32)
            body = json.dumps({"subject_key": key}) + "\n"
            s3.put_object(Bucket=bucket, Key=object_key, Body=body.encode(), ServerSideEncryption="AES256")
            action = "replaced the key" if exists else "wrote a new key"
    with aws_step(f"Glue table {database}.{TABLE}", KEEPER_POLICY):
        registered = _register(glue, database, location)
    return f"subject key: {action} at s3://{bucket}/{object_key}; table {database}.{TABLE} {registered}"


def _fail(message: str) -> NoReturn:
    click.echo(f"stedi subject-key: error: {message}", err=True)
    sys.exit(2)


@click.command("subject-key")
@click.option("--bucket", required=True, help="The S3 bucket of the lakehouse.")
@click.option(
    "--prefix", default="restricted", show_default=True, help="Key prefix of the restricted folder."
)
@click.option(
    "--database", default="stedi_restricted", show_default=True, help="Glue database of the key table."
)
@click.option("--rotate", is_flag=True, help="Replace the key that is there with a new random one.")
@click.option(
    "--from-stdin",
    is_flag=True,
    help="Use the key read from stdin (one line, 32+ characters) instead of a random one.",
)
def subject_key_command(bucket: str, prefix: str, database: str, rotate: bool, from_stdin: bool) -> None:
    """Write the secret key of subject_id to S3 and register its restricted Glue table.

    The key is never printed. Without --rotate or --from-stdin a key already there is kept, so
    running it again changes nothing.
    """
    try:
        given = read_key(sys.stdin) if from_stdin else None
        click.echo(put_subject_key(bucket, prefix, database, rotate, given))
    except LandError as error:
        _fail(" ".join(str(error).split()))
    except (BotoCoreError, ClientError) as error:
        _fail(describe_aws_error(error, KEEPER_POLICY))
