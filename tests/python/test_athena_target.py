"""The athena target, proven offline on Athena's own engine: `stedi land` into the local Athena on
127.0.0.1, then `dbt build --target athena` (models, data tests, unit tests, contracts, seed) whose
every table and view equals, row for row and to the millisecond, what the local DuckDB target builds
from the same landing data.

The local Athena (harness/, package athena_local) serves S3, Glue and STS with moto and hands every
query dbt-athena sends to Trino 476, whose Hive and Iceberg connectors use that Glue and S3. What
it cannot prove (IAM, Lake Formation, Athena's own patches to Trino, cost) is in the README.
"""

from __future__ import annotations

import gzip
import json
import random
import re
import shutil
import subprocess
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from athena_local import AthenaLocal, glue_extras
from pyathena import connect as pyathena_connect

from conftest import BIN, PROJECT_ROOT, DbtProject, Landing, copy_project, pii_registry

REGION = "us-east-1"
BUCKET = "stedi-lake"
SUBJECT_KEY = "offline-harness-key"
# dbt build without the unit tests, for builds whose point is the data (the unit tests depend on none).
WITHOUT_UNIT_TESTS = ("--exclude-resource-type", "unit_test")
POLICIES = ("as_of_consent", "any_time")


def aws_env(local_athena: AthenaLocal) -> dict[str, str]:
    return {
        "AWS_ENDPOINT_URL": local_athena.endpoint_url,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_REGION": REGION,
        "AWS_DEFAULT_REGION": REGION,
        "AWS_EC2_METADATA_DISABLED": "true",
    }


def client_settings(local_athena: AthenaLocal) -> dict[str, str]:
    return {
        "endpoint_url": local_athena.endpoint_url,
        "region_name": REGION,
        "aws_access_key_id": "testing",
        "aws_secret_access_key": "testing",
    }


def athena_env(local_athena: AthenaLocal, schema_prefix: str) -> dict[str, str]:
    return {
        **aws_env(local_athena),
        # One botocore loader per dbt process: see athena_client/sitecustomize.py.
        "PYTHONPATH": str(Path(__file__).parent / "athena_client"),
        "STEDI_TARGET": "athena",
        "STEDI_S3_STAGING_DIR": f"s3://{BUCKET}/athena-results/",
        "STEDI_S3_DATA_DIR": f"s3://{BUCKET}/lakehouse/",
        "STEDI_SUBJECT_KEY": SUBJECT_KEY,
        "STEDI_SCHEMA_PREFIX": schema_prefix,
    }


def model_relations(run_target: Path) -> dict[str, tuple[str, str]]:
    """model name -> (schema, identifier) of every model the run built, from its manifest."""
    manifest = json.loads((run_target / "manifest.json").read_text())
    return {
        node["name"]: (node["schema"], node["alias"])
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model"
    }


def athena_query(local_athena: AthenaLocal, sql: str) -> list[tuple[Any, ...]]:
    """The rows a query answers, sent through the Athena API as a data tool (pyathena) sends it."""
    connection = pyathena_connect(
        s3_staging_dir=f"s3://{BUCKET}/athena-results/",
        region_name=REGION,
        work_group="primary",
        endpoint_url=local_athena.endpoint_url,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        poll_interval=0.01,
    )
    cursor = connection.cursor()
    cursor.execute(sql)
    return [tuple(row) for row in cursor.fetchall()]


def athena_rows(
    local_athena: AthenaLocal, schema: str, table: str, columns: str = "*"
) -> Counter[tuple[Any, ...]]:
    return Counter(athena_query(local_athena, f'select {columns} from "{schema}"."{table}"'))


def duckdb_rows(project: DbtProject, schema: str, table: str, columns: str = "*") -> Counter[tuple[Any, ...]]:
    return Counter(project.query(f'select {columns} from "{schema}"."{table}"'))


# Columns each engine fills in its own words: where it found a landing file (a local path, an
# s3:// key), a ledger's row key, which holds the engine's text of a double ('1.0', '1.0E0'), and
# when the run that wrote a ledger row started.
ENGINE_SPECIFIC_COLUMNS = {
    "base_stedi__customer_records": ("landing_file",),
    "base_stedi__accelerometer_records": ("landing_file",),
    "base_stedi__step_trainer_records": ("landing_file",),
    "stg_stedi__accelerometer_ledger": ("row_key", "read_at"),
    "stg_stedi__step_trainer_ledger": ("row_key", "read_at"),
    "stg_stedi__accelerometer_readings": ("read_at",),
    "stg_stedi__step_trainer_readings": ("read_at",),
}


def comparable_columns(project: DbtProject, model: str, schema: str, table: str) -> str:
    """The model's columns but the engine-specific ones, as a select list."""
    if model not in ENGINE_SPECIFIC_COLUMNS:
        return "*"
    rows = project.query(
        "select column_name from information_schema.columns where table_schema = ? and table_name = ? "
        "order by ordinal_position",
        [schema, table],
    )
    return ", ".join(f'"{name}"' for (name,) in rows if name not in ENGINE_SPECIFIC_COLUMNS[model])


@pytest.fixture(scope="module")
def local_athena(athena: AthenaLocal) -> Iterator[AthenaLocal]:
    """The local Athena with the lake's bucket."""
    session = boto3.session.Session(
        aws_access_key_id="testing", aws_secret_access_key="testing", region_name=REGION
    )
    session.client("s3", endpoint_url=athena.endpoint_url).create_bucket(Bucket=BUCKET)
    yield athena


@pytest.fixture(scope="module")
def landed(local_athena: AthenaLocal, landing_with_defects: Landing) -> Landing:
    """The generated landing data in the emulated S3, with its Glue tables (`stedi land`)."""
    command = [str(BIN / "stedi"), "land", "--from", str(landing_with_defects.root), "--bucket", BUCKET]
    environment = {**DbtProject.base_env(), **aws_env(local_athena)}
    completed = subprocess.run(
        [*command, "--prefix", "landing"], env=environment, capture_output=True, text=True, check=False
    )
    assert completed.returncode == 0, completed.stderr
    return landing_with_defects


@pytest.fixture(scope="module", params=POLICIES)
def both_targets(
    request: pytest.FixtureRequest,
    local_athena: AthenaLocal,
    landed: Landing,
    tmp_path_factory: pytest.TempPathFactory,
) -> dict[str, Any]:
    """The same landing data built on both targets under one consent policy."""
    policy = request.param
    work = tmp_path_factory.mktemp(f"targets-{policy}")
    variables = {"consent_policy": policy}
    athena = DbtProject(PROJECT_ROOT, work / "athena")
    requests_before = len(local_athena.requests)
    env = athena_env(local_athena, f"ci_{policy}")
    # The second build proves a rebuild is green; the unit tests (independent of the data, each a
    # few Trino queries) have run in the first.
    athena_runs = [
        athena.dbt("build", variables=variables, env=env),
        athena.dbt("build", *WITHOUT_UNIT_TESTS, variables=variables, env=env),
    ]
    aws_requests = local_athena.requests[requests_before:]
    local = DbtProject(PROJECT_ROOT, work / "local")
    local_run = local.dbt(
        "build",
        variables={**variables, "landing_root": str(landed.root)},
        env={"STEDI_SUBJECT_KEY": SUBJECT_KEY},
    )
    return {
        "athena": athena,
        "athena_runs": athena_runs,
        "aws_requests": aws_requests,
        "local": local,
        "local_run": local_run,
    }


def test_athena_build_passes_models_tests_unit_tests_and_contracts(both_targets: dict[str, Any]) -> None:
    first_build = both_targets["athena_runs"][0]
    assert first_build.returncode == 0, first_build.output[-6000:]
    statuses = {node: status for node, status in first_build.results().items()}
    assert set(statuses.values()) <= {"success", "pass", "no-op"}, statuses
    kinds = {node.split(".")[0] for node in statuses}
    assert {"model", "test", "unit_test", "seed"} <= kinds


def test_second_athena_build_is_green_too(both_targets: dict[str, Any]) -> None:
    second_build = both_targets["athena_runs"][1]
    assert second_build.returncode == 0, second_build.output[-6000:]


def test_every_model_on_athena_equals_the_local_target_row_for_row(
    both_targets: dict[str, Any], local_athena: AthenaLocal
) -> None:
    assert both_targets["local_run"].returncode == 0, both_targets["local_run"].output[-4000:]
    athena_relations = model_relations(both_targets["athena_runs"][1].target_path)
    local_relations = model_relations(both_targets["local_run"].target_path)
    assert athena_relations.keys() == local_relations.keys()
    different = []
    for model, (schema, table) in sorted(athena_relations.items()):
        columns = comparable_columns(both_targets["local"], model, *local_relations[model])
        on_athena = athena_rows(local_athena, schema, table, columns)
        locally = duckdb_rows(both_targets["local"], *local_relations[model], columns)
        if on_athena != locally:
            different.append((model, sum(on_athena.values()), sum(locally.values())))
    assert not different, different


def test_zones_are_in_prefixed_glue_databases_as_iceberg_at_stedi_s3_layout(
    both_targets: dict[str, Any], local_athena: AthenaLocal, request: pytest.FixtureRequest
) -> None:
    glue = boto3.client("glue", **client_settings(local_athena))
    prefix = f"ci_{request.node.callspec.params['both_targets']}"
    expected = {
        "stedi_trusted": {
            "customer_trusted": "customer/trusted",
            "accelerometer_trusted": "accelerometer/trusted",
            "step_trainer_trusted": "step_trainer/trusted",
        },
        "stedi_curated": {
            "customers_curated": "customer/curated",
            "machine_learning_curated": "step_trainer/curated",
        },
    }
    for zone, tables in expected.items():
        for table, layout in tables.items():
            entry = glue.get_table(DatabaseName=f"{prefix}_{zone}", Name=table)["Table"]
            assert entry["Parameters"]["table_type"].upper() == "ICEBERG"
            location = entry["StorageDescriptor"]["Location"]
            assert location.startswith(f"s3://{BUCKET}/lakehouse/{prefix}/{layout}/"), location
            assert entry.get("Description"), f"{table}: persist_docs did not reach Glue"


def test_a_model_using_a_function_athena_lacks_fails_the_athena_build(
    local_athena: AthenaLocal, landed: Landing, tmp_path: Path
) -> None:
    project_dir = copy_project(tmp_path / "project")
    model = project_dir / "models/staging/stedi/stg_stedi__accelerometer_ledger.sql"
    code = model.read_text()
    portable = "{{ epoch_ms_to_timestamp('reading_epoch_ms') }}"
    assert code.count(portable) == 1
    model.write_text(code.replace(portable, "epoch_ms(reading_epoch_ms)"))  # DuckDB has it, Athena not
    project = DbtProject(project_dir, tmp_path / "work")
    selection = ("--select", "+stg_stedi__accelerometer_ledger")
    local = project.dbt(
        "run", *selection, variables={"landing_root": str(landed.root)}, env={"STEDI_TARGET": "local"}
    )
    assert local.returncode == 0, local.output[-3000:]
    athena = project.dbt("run", *selection, variables={}, env=athena_env(local_athena, "ci_lacking"))
    assert athena.returncode != 0
    assert "FUNCTION_NOT_FOUND" in athena.output and "epoch_ms" in athena.output


def test_on_athena_gzip_and_jsonl_files_are_read_and_a_binary_file_stops_its_ledger(
    local_athena: AthenaLocal, tmp_path: Path
) -> None:
    """What tests/python/test_landing_files.py proves locally, on Trino's Hive table: a .json.gz,
    .jsonl.gz or .jsonl file is read whole, and a file whose lines are mostly malformed (binary)
    stops the ledger that would read it, naming the file; the other ledger goes on."""
    generated = Landing.generate(
        tmp_path / "generated", "--customers", "100", "--seed", "5", "--defects", "all"
    )
    root = tmp_path / "landing"
    shutil.copytree(generated.root, root, ignore=shutil.ignore_patterns("ground_truth.json"))
    customers = next((root / "customer/landing").glob("*.json"))
    customers.with_suffix(".jsonl.gz").write_bytes(gzip.compress(customers.read_bytes()))
    customers.unlink()
    steps = sorted((root / "step_trainer/landing").glob("*.json"))
    steps[0].with_suffix(".json.gz").write_bytes(gzip.compress(steps[0].read_bytes()))
    steps[0].unlink()
    steps[1].rename(steps[1].with_suffix(".jsonl"))
    binary = root / "accelerometer/landing/accelerometer-1656700000000.json"
    binary.write_bytes(random.Random(5).randbytes(4000))
    database = "ci_files_landing"
    command = [str(BIN / "stedi"), "land", "--from", str(root), "--bucket", BUCKET, "--prefix", "files"]
    environment = {**DbtProject.base_env(), **aws_env(local_athena)}
    landed = subprocess.run(
        [*command, "--database", database], env=environment, capture_output=True, text=True, check=False
    )
    assert landed.returncode == 0, landed.stderr

    athena = DbtProject(PROJECT_ROOT, tmp_path / "athena")
    selection = ("--select", "+stg_stedi__accelerometer_ledger", "+stg_stedi__step_trainer_readings")
    env = athena_env(local_athena, "ci_files")
    run = athena.dbt("run", *selection, variables={"landing_schema": database}, env=env)

    assert run.returncode != 0
    statuses = run.results()
    assert statuses["model.stedi.stg_stedi__accelerometer_ledger"] == "error"
    assert statuses["model.stedi.stg_stedi__step_trainer_ledger"] == "success"
    # Athena has no documented function that raises an error: a cast of the message does.
    assert "INVALID_CAST_ARGUMENT: Cannot cast 'STEDI landing files whose lines are mostly malformed" in (
        run.output
    )
    assert re.search(rf"accelerometer/landing/{binary.name} \(\d+ of \d+ lines, 100%\)", run.output)
    relations = model_relations(run.target_path)
    staged = {
        model: next(iter(athena_rows(local_athena, *relations[model], "count(*)")))[0]
        for model in ("stg_stedi__customers", "stg_stedi__step_trainer_readings")
    }
    assert staged == {model: generated.truth["staging"][model] for model in staged}
    schema, ledger = relations["stg_stedi__step_trainer_ledger"]
    read = f'select landing_file, landing_record_count from "{schema}"."{ledger}" where row_type = \'file\''
    files = dict(athena_query(local_athena, read))
    assert sum(files.values()) == generated.truth["landing_records"]["step_trainer"]
    assert {steps[0].with_suffix(".json.gz").name, steps[1].with_suffix(".jsonl").name} <= files.keys()


def test_pii_columns_are_tagged_in_lake_formation_when_switched_on(
    local_athena: AthenaLocal, landed: Landing, tmp_path: Path
) -> None:
    client = boto3.client("lakeformation", **client_settings(local_athena))
    client.create_lf_tag(TagKey="data_classification", TagValues=["pii"])
    project = DbtProject(PROJECT_ROOT, tmp_path / "work")
    run = project.dbt(
        "run",
        "--select",
        "+customer_trusted",
        variables={"lake_formation_tags": True},
        env=athena_env(local_athena, "ci_lake_formation"),
    )
    assert run.returncode == 0, run.output[-4000:]
    # What the PII registry declares (column meta `pii: direct`) is what each built model has.
    plan = pii_registry(project)["lake_formation_tags"]
    relations = model_relations(run.target_path)
    built = [unique_id for unique_id in run.results() if unique_id.startswith("model.")]
    checked = set()
    for unique_id in built:
        schema, table = relations[unique_id.split(".")[-1]]
        tags = client.get_resource_lf_tags(Resource={"Table": {"DatabaseName": schema, "Name": table}})
        tagged = {
            column["Name"]
            for column in tags.get("LFTagsOnColumns", [])
            for tag in column["LFTags"]
            if (tag["TagKey"], tag["TagValues"]) == ("data_classification", ["pii"])
        }
        lf_tags_config = plan.get(unique_id) or {"tags_columns": {"data_classification": {"pii": []}}}
        assert tagged == set(lf_tags_config["tags_columns"]["data_classification"]["pii"]), unique_id
        checked.add(unique_id.split(".")[-1])
    assert plan["model.stedi.customer_trusted"]["tags_columns"]["data_classification"]["pii"] == sorted(
        ["email", "customer_name", "phone", "birth_day", "birth_date", "serial_number"]
    )
    assert {"customer_trusted", "stg_stedi__customers"} <= checked


def test_lake_formation_is_left_alone_by_default(both_targets: dict[str, Any]) -> None:
    services = {request.service for request in both_targets["aws_requests"]}
    assert "lakeformation" not in services
    assert {"athena", "glue", "s3", "sts"} <= services


# The IAM action each API operation of an athena build needs, where it is not service:Operation.
IAM_ACTION = {
    ("s3", "ListObjects"): "s3:ListBucket",
    ("s3", "ListObjectsV2"): "s3:ListBucket",
    ("s3", "HeadBucket"): "s3:ListBucket",
    ("s3", "HeadObject"): "s3:GetObject",
    ("s3", "DeleteObjects"): "s3:DeleteObject",
    ("s3", "CreateMultipartUpload"): "s3:PutObject",
    ("s3", "UploadPart"): "s3:PutObject",
    ("s3", "CompleteMultipartUpload"): "s3:PutObject",
}
NO_PERMISSION_NEEDED = {
    ("sts", "GetCallerIdentity"),
    # Trino's own column-statistics bookkeeping, which the local Athena answers itself (Athena
    # keeps its statistics in its own service): not a call Athena makes on the user's behalf.
    *{("glue", operation) for operation in glue_extras.OPERATIONS},
}


def granted_actions() -> set[str]:
    policy_text = (PROJECT_ROOT / "iam/stedi-lakehouse-policy.json").read_text()
    filled = re.sub(r"\$\{\w+\}", "x", policy_text)
    return {
        action
        for statement in json.loads(filled)["Statement"]
        if statement["Effect"] == "Allow"
        for action in ([statement["Action"]] if isinstance(statement["Action"], str) else statement["Action"])
    }


def test_iam_policy_grants_every_call_an_athena_build_makes(both_targets: dict[str, Any]) -> None:
    calls = {(request.service, request.operation) for request in both_targets["aws_requests"]}
    needed = {
        IAM_ACTION.get(call, f"{call[0]}:{call[1]}") for call in calls if call not in NO_PERMISSION_NEEDED
    }
    assert needed - granted_actions() == set()


def contracted_not_null_columns_without_a_test() -> list[str]:
    """Models whose contract declares not_null columns but which lack the test that checks them."""
    import yaml

    missing = []
    for path in sorted((PROJECT_ROOT / "models").rglob("*.yml")):
        for model in (yaml.safe_load(path.read_text()) or {}).get("models", []):
            declared = [
                column["name"]
                for column in model.get("columns", [])
                if any(c.get("type") == "not_null" for c in column.get("constraints") or [])
            ]
            tests = [
                test if isinstance(test, str) else next(iter(test)) for test in model.get("data_tests") or []
            ]

            if declared and "not_null_contracted_columns" not in tests:
                missing.append(model["name"])
    return missing


def test_every_not_null_constraint_is_also_a_data_test_because_athena_ignores_constraints() -> None:
    assert contracted_not_null_columns_without_a_test() == []
