"""Write, audit, publish (local target, macros/publication/publish_the_lake.sql): what consumers read (the
published copy of the lake, the Parquet export, the report `make run` writes from them) changes only
when the build's privacy tests and reconciliation pass. A planted privacy violation fails the build, and
consumers still read the last good state; a failing build that applies an erasure request
withdraws what was published before it, since an erasure reaches everything."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import boto3
import duckdb
from athena_local import AthenaLocal

from conftest import DbtProject, DbtRun, Edit, HostileLakeOnAthena, copy_project
from hostile_landing import write_hostile_landing
from test_athena_target import SCENARIO_BUILD, athena_query, client_settings, glue_tables, land

# The planted violation: the training set carries the customer's email instead of its pseudonym.
EMAIL_IN_THE_TRAINING_SET = Edit(
    "models/curated/machine_learning_curated.sql",
    "{{ subject_id('customer_email') }} as subject_id",
    "customer_email as subject_id",
)


def published_rows(project: DbtProject, sql: str) -> list[tuple]:
    with duckdb.connect(str(project.work_dir / "published" / "stedi.duckdb"), read_only=True) as lake:
        return lake.execute(sql).fetchall()


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_build_that_fails_its_privacy_tests_publishes_nothing_and_consumers_keep_the_last_good_state(
    tmp_path: Path,
) -> None:
    root = write_hostile_landing(tmp_path / "landing").root
    project_dir = copy_project(tmp_path / "project")
    project = DbtProject(project_dir, tmp_path / "work")
    variables = {"landing_root": str(root)}
    training_set = "select subject_id from stedi_curated.machine_learning_curated order by 1"
    export = project.export_dir / "machine_learning_curated__as_of_consent.parquet"

    good = project.dbt("build", variables=variables)
    assert good.returncode == 0, good.output[-3000:]
    assert "Published the audited lake" in good.output
    published = published_rows(project, training_set)
    assert published and not any("@" in subject_id for (subject_id,) in published)
    exported = digest(export)
    marker = json.loads((project.work_dir / "published" / "stedi.duckdb.json").read_text())
    assert marker["built_at"]

    guarded = project_dir / EMAIL_IN_THE_TRAINING_SET.path
    rule = guarded.read_text()
    EMAIL_IN_THE_TRAINING_SET.apply(project_dir)
    bad = project.dbt("build", variables=variables)

    assert bad.returncode != 0
    assert "FAIL" in bad.output and "assert_no_direct_identifiers_in_machine_learning_curated" in bad.output
    assert "Not published: failed: " in bad.output
    assert "assert_no_direct_identifiers_in_machine_learning_curated (fail)" in bad.output
    assert any("@" in subject_id for (subject_id,) in project.query(training_set))  # the violation, written
    assert published_rows(project, training_set) == published  # consumers: the last good state
    assert digest(export) == exported

    # A command that did not run the audit publishes nothing either.
    run_only = project.dbt("run", variables=variables)
    assert run_only.returncode == 0, run_only.output[-3000:]
    assert "did not run" in run_only.output and "Not published" in run_only.output
    assert published_rows(project, training_set) == published

    # The violation stays, and an erasure request arrives: the lake published before the request
    # still holds the person, so it is withdrawn, with the export.
    requests = root / "erasure" / "landing"
    requests.mkdir(parents=True, exist_ok=True)
    (requests / "erasure-1655565000000.json").write_text(
        '{"email": "ok.one@example.com", "requestId": "r-1"}\n'
    )
    erasing = project.dbt("build", variables=variables)
    assert erasing.returncode != 0
    assert "were withdrawn: they were made before an erasure request this build applies" in erasing.output
    assert not (project.work_dir / "published" / "stedi.duckdb").exists()
    assert not export.exists()

    # The rule restored, `dbt test` after `dbt run` audits what the run wrote and publishes it.
    guarded.write_text(rule)
    assert project.dbt("run", variables=variables).returncode == 0
    audited = project.dbt("test", variables=variables)
    assert audited.returncode == 0, audited.output[-3000:]
    assert "Published the audited lake" in audited.output
    republished = published_rows(project, training_set)
    assert republished and not any("@" in subject_id for (subject_id,) in republished)
    assert export.exists()


PUBLISHED = ("customer_trusted", "accelerometer_trusted", "step_trainer_trusted", "customers_curated")


def s3_keys(local_athena: AthenaLocal, location: str) -> list[str]:
    bucket, _, prefix = location.removeprefix("s3://").partition("/")
    s3 = boto3.client("s3", **client_settings(local_athena))
    pages = s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix.rstrip("/") + "/")
    return [item["Key"] for page in pages for item in page.get("Contents", [])]


def glue_location(local_athena: AthenaLocal, database: str, table: str) -> str:
    glue = boto3.client("glue", **client_settings(local_athena))
    return glue.get_table(DatabaseName=database, Name=table)["Table"]["StorageDescriptor"]["Location"]


def test_on_athena_published_tables_stay_on_the_last_good_state_through_a_failing_full_refresh(
    hostile_lake_on_athena: HostileLakeOnAthena, athena: AthenaLocal
) -> None:
    """The Athena half (macros/publication/athena__publish_the_lake.sql): analysts read <zone>_published,
    entries that point at the audited snapshot of each trusted and curated table. A planted violation under
    --full-refresh (every zone table dropped and built anew) fails the build, and the published
    tables still read the last good rows from the files the dropped tables left them; a failing
    build that applies an erasure request withdraws them, files and all; a good build publishes
    again and deletes the generation it retires. It goes on from the first build of the hostile
    landing set (conftest.hostile_lake_on_athena)."""
    lake = hostile_lake_on_athena
    local_athena, landing, project = athena, lake.landing, lake.project
    project_dir, prefix = project.project_dir, lake.schema_prefix
    trusted, curated = f"{prefix}_stedi_trusted_published", f"{prefix}_stedi_curated_published"
    training_set = f"select subject_id, reading_at, x from {curated}.machine_learning_curated"

    def build(*args: str) -> DbtRun:
        return project.dbt("build", *SCENARIO_BUILD, *args, variables=lake.variables, env=lake.env)

    def published_state() -> dict[str, list[tuple]]:
        state = {"machine_learning_curated": sorted(athena_query(local_athena, training_set), key=repr)}
        for table in PUBLISHED:
            schema = trusted if table.endswith("_trusted") else curated
            state[table] = sorted(athena_query(local_athena, f"select * from {schema}.{table}"), key=repr)
        return state

    good = lake.run  # the first build: every model and data test
    assert good.returncode == 0, good.output[-4000:]
    assert f"Published the audited tables: {curated}, {trusted}" in good.output
    assert glue_tables(local_athena, trusted) == {
        "customer_trusted",
        "accelerometer_trusted",
        "step_trainer_trusted",
    }
    assert glue_tables(local_athena, curated) == {
        "customers_curated",
        "machine_learning_curated",
        "publication",
    }
    last_good = published_state()
    assert last_good["machine_learning_curated"] and last_good["customer_trusted"]
    assert not any("@" in subject_id for subject_id, *_ in last_good["machine_learning_curated"])
    zone_training_set = f"select subject_id from {prefix}_stedi_curated.machine_learning_curated"
    assert len(athena_query(local_athena, zone_training_set)) == len(last_good["machine_learning_curated"])
    published_location = glue_location(local_athena, trusted, "customer_trusted")
    assert published_location == glue_location(local_athena, f"{prefix}_stedi_trusted", "customer_trusted")

    # The violation, under --full-refresh: every zone table is dropped and built anew.
    guarded = project_dir / EMAIL_IN_THE_TRAINING_SET.path
    rule = guarded.read_text()
    EMAIL_IN_THE_TRAINING_SET.apply(project_dir)
    bad = build("--full-refresh")
    assert bad.returncode != 0
    assert "assert_no_direct_identifiers_in_machine_learning_curated (fail)" in bad.output
    assert "stay what the last good build made" in bad.output
    written = athena_query(local_athena, zone_training_set)
    assert any("@" in subject_id for (subject_id,) in written)  # the violation, written to the zone
    assert glue_location(local_athena, f"{prefix}_stedi_trusted", "customer_trusted") != published_location
    assert published_state() == last_good  # analysts: the last good state, from the kept files
    assert s3_keys(local_athena, published_location)

    # An erasure request arrives while the violation stays: the published state holds the person.
    requests = landing.root / "erasure" / "landing"
    requests.mkdir(parents=True, exist_ok=True)
    request = '{"email": "ok.one@example.com", "requestId": "r-1"}\n'
    (requests / "erasure-1655565000000.json").write_text(request)
    land(local_athena, landing.root, lake.landing_prefix, lake.variables["landing_schema"])
    erasing = build()
    assert erasing.returncode != 0
    assert "were withdrawn: they were made before an erasure request this build applies" in erasing.output
    assert glue_tables(local_athena, trusted) == set() and glue_tables(local_athena, curated) == set()
    assert s3_keys(local_athena, published_location) == []  # the kept generation's files, deleted

    # The rule restored: the build publishes again.
    guarded.write_text(rule)
    restored = build()
    assert restored.returncode == 0, restored.output[-4000:]
    republished = published_state()
    assert republished["machine_learning_curated"]
    assert not any("@" in subject_id for subject_id, *_ in republished["machine_learning_curated"])
    assert not any("ok.one@example.com" in repr(row) for row in republished["customer_trusted"])
    ((built_at, policy, digest),) = athena_query(
        local_athena, f"select built_at, consent_policy, erasure_requests_sha256 from {curated}.publication"
    )
    assert policy == "as_of_consent" and len(digest) == 64 and built_at
