"""Dev and CI isolation: which schemas (Glue databases) and S3 folders each target builds.

The production zone names (stedi_trusted, ..., s3://bucket/lakehouse/customer/trusted/) are built
only by the targets of var unprefixed_targets: `prod`, and `local`, the user's own DuckDB file.
Every other target's schemas and S3 folders carry a prefix, STEDI_SCHEMA_PREFIX or else the
target's name (macros/schema_prefix.sql); a node without a zone is refused, not put in a
catch-all schema (macros/generate_schema_name.sql).

dbt only parses here: parsing names every node's schema and renders zone_location, with no build
and no connection. It runs in this process (dbtRunner), since starting a dbt process costs more
than parsing; the environment is the test's own (no developer STEDI_, DBT_ or AWS_ setting).
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from conftest import PROJECT_ROOT

# dbt's Jinja and dbt-athena warn of their own deprecations when they run in this process.
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

BUCKET_DATA_DIR = "s3://stedi-lake/lakehouse/"
ZONES = {"staging", "trusted", "curated", "quarantine", "audit", "consent", "reference"}
BUILT = {"model", "seed", "snapshot", "test"}
STEDI_S3_LAYOUT = r"(customer|accelerometer|step_trainer)/(trusted|curated)"
# One model whose data folder is a zone_location, in a zone folder of the real dbt_project.yml.
TINY_MODEL = "{{ config(s3_data_dir=zone_location('customer/trusted')) }}\nselect 1 as one\n"


@pytest.fixture(autouse=True)
def own_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for key in list(os.environ):
        if key.startswith(("STEDI_", "DBT_", "AWS_")):
            monkeypatch.delenv(key)
    monkeypatch.setenv("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
    monkeypatch.setenv("STEDI_DUCKDB_PATH", ":memory:")
    # What the athena targets need to parse: a data dir (zone_location).
    monkeypatch.setenv("STEDI_S3_DATA_DIR", BUCKET_DATA_DIR)
    monkeypatch.setenv("STEDI_S3_STAGING_DIR", "s3://stedi-lake/athena-results/")
    monkeypatch.setenv("AWS_REGION", "us-east-1")


@pytest.fixture(scope="module")
def profiles_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The committed profiles, plus an athena target whose name cannot be a prefix."""
    folder = tmp_path_factory.mktemp("profiles")
    profiles = yaml.safe_load((PROJECT_ROOT / "profiles.example.yml").read_text())
    profiles["stedi"]["outputs"]["CI-Build"] = profiles["stedi"]["outputs"]["athena"]
    (folder / "profiles.yml").write_text(yaml.safe_dump(profiles))
    return folder


def tiny_project(destination: Path, extra: dict[str, str] | None = None) -> Path:
    """The real dbt_project.yml and macros with one staging model (and any `extra` files)."""
    destination.mkdir(parents=True)
    shutil.copy(PROJECT_ROOT / "dbt_project.yml", destination)
    shutil.copytree(PROJECT_ROOT / "macros", destination / "macros")
    for path, text in {"models/staging/tiny.sql": TINY_MODEL, **(extra or {})}.items():
        (destination / path).parent.mkdir(parents=True, exist_ok=True)
        (destination / path).write_text(text)
    return destination


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tiny_project(tmp_path_factory.mktemp("tiny") / "project")


def parse(project_dir: Path, profiles_dir: Path, target: str, work: Path) -> Any:
    """dbt parse of the project for `target`: the result (a manifest, or the exception)."""
    from dbt.cli.main import dbtRunner

    work.mkdir(parents=True, exist_ok=True)
    return dbtRunner().invoke(
        [
            "parse",
            "--quiet",
            "--no-partial-parse",
            "--no-write-json",
            "--project-dir",
            str(project_dir),
            "--profiles-dir",
            str(profiles_dir),
            "--target",
            target,
            "--target-path",
            str(work / "target"),
            "--log-path",
            str(work / "logs"),
        ]
    )


def relations(result: Any) -> dict[str, tuple[str, str | None]]:
    """unique_id -> (schema, s3_data_dir config) of every node dbt would build."""
    assert result.success, result.exception
    return {
        node.unique_id: (node.schema, node.config.get("s3_data_dir"))
        for node in result.result.nodes.values()
        if node.resource_type in BUILT
    }


def data_folder(prefix: str) -> str:
    """Where zone_location puts a build with schema prefix `prefix` ('dev_alice_', or '')."""
    return BUCKET_DATA_DIR + (prefix.rstrip("_") + "/" if prefix else "")


def assert_zones(built: dict[str, tuple[str, str | None]], prefix: str) -> None:
    """Every node in <prefix>stedi_<zone>, every zone_location under the data dir's <prefix> folder."""
    pattern = re.compile(re.escape(prefix) + r"stedi_([a-z]+)")
    outside = {node: schema for node, (schema, _) in built.items() if not pattern.fullmatch(schema)}
    assert not outside, outside
    assert {pattern.fullmatch(schema)[1] for schema, _ in built.values()} <= ZONES
    folder = data_folder(prefix)
    locations = {node: location for node, (_, location) in built.items() if location}
    assert locations, "no node has a zone_location"
    elsewhere = {
        node: location
        for node, location in locations.items()
        if not re.fullmatch(re.escape(folder) + STEDI_S3_LAYOUT, location)
    }
    assert not elsewhere, elsewhere


def test_a_developer_athena_build_is_prefixed_with_the_target_name(
    profiles_dir: Path, tmp_path: Path
) -> None:
    """The whole project, `--target athena`, no STEDI_SCHEMA_PREFIX: athena_stedi_<zone> everywhere."""
    built = relations(parse(PROJECT_ROOT, profiles_dir, "athena", tmp_path))
    assert {kind.split(".")[0] for kind in built} == BUILT
    assert_zones(built, "athena_")


def test_no_zone_reads_the_audit_zone(profiles_dir: Path, tmp_path: Path) -> None:
    """The audit zone records what the zones did; nothing is built from it. No model or snapshot
    outside it has a parent in it (a ref, a depends_on), so no data flows back from the audit
    zone into the zones. Tests are checks, not zones: they may read it."""
    result = parse(PROJECT_ROOT, profiles_dir, "prod", tmp_path)
    assert result.success, result.exception
    nodes = result.result.nodes
    audit = {unique_id for unique_id, node in nodes.items() if node.schema == "stedi_audit"}
    assert {"model.stedi.erasure_log", "model.stedi.landing_reconciliation"} <= audit
    readers = {
        unique_id: sorted(set(node.depends_on.nodes) & audit)
        for unique_id, node in nodes.items()
        if node.resource_type in ("model", "snapshot") and unique_id not in audit
    }
    assert {unique_id: parents for unique_id, parents in readers.items() if parents} == {}


def test_production_builds_the_unprefixed_zone_names(profiles_dir: Path, tmp_path: Path) -> None:
    built = relations(parse(PROJECT_ROOT, profiles_dir, "prod", tmp_path))
    assert {kind.split(".")[0] for kind in built} == BUILT
    assert_zones(built, "")


@pytest.mark.parametrize(
    ("target", "prefix", "expected"),
    [
        ("athena", "dev_alice", "dev_alice_"),  # STEDI_SCHEMA_PREFIX wins over the target name
        ("athena", "", "athena_"),  # empty is not set: no way to the production names
        ("prod", "ci_rehearsal", "ci_rehearsal_"),  # a prefix moves even prod off production
        ("local", None, ""),  # the user's own DuckDB file keeps the names of the quick start
    ],
)
def test_schema_prefix_of_a_target(
    tiny: Path,
    profiles_dir: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    target: str,
    prefix: str | None,
    expected: str,
) -> None:
    if prefix is not None:
        monkeypatch.setenv("STEDI_SCHEMA_PREFIX", prefix)
    built = relations(parse(tiny, profiles_dir, target, tmp_path))
    schema, location = built["model.stedi.tiny"]
    assert schema == f"{expected}stedi_staging"
    if target == "local":
        assert location is None  # zone_location means nothing on DuckDB
    else:
        assert location == data_folder(expected) + "customer/trusted"


def test_a_target_name_that_cannot_be_a_prefix_is_refused(
    tiny: Path, profiles_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = parse(tiny, profiles_dir, "CI-Build", tmp_path / "refused")
    assert not result.success
    assert "schema prefix 'ci-build', from the name of target 'CI-Build'" in str(result.exception)
    monkeypatch.setenv("STEDI_SCHEMA_PREFIX", "ci_build")
    assert relations(parse(tiny, profiles_dir, "CI-Build", tmp_path / "named"))["model.stedi.tiny"][0] == (
        "ci_build_stedi_staging"
    )


def test_a_model_without_a_zone_is_refused(tmp_path: Path, profiles_dir: Path) -> None:
    project = tiny_project(tmp_path / "project", {"models/scratch/no_zone.sql": "select 1 as one\n"})
    result = parse(project, profiles_dir, "athena", tmp_path / "work")
    assert not result.success
    message = str(result.exception)
    assert "model.stedi.no_zone (models/scratch/no_zone.sql) has no zone" in message, message
    assert "+schema" in message


def test_a_test_storing_failures_without_a_zone_is_refused(tmp_path: Path, profiles_dir: Path) -> None:
    """Without the project's data_tests +schema, a test would store failures in dbt_test__audit."""
    project = tiny_project(
        tmp_path / "project", {"tests/assert_nothing.sql": "select * from {{ ref('tiny') }} where false\n"}
    )
    config = project / "dbt_project.yml"
    code = config.read_text()
    project_wide = "    +schema: audit\n    # A test's failing rows"
    assert code.count(project_wide) == 1, "the data_tests +schema moved: update this test"
    config.write_text(code.replace(project_wide, "    # A test's failing rows"))
    result = parse(project, profiles_dir, "local", tmp_path / "work")
    assert not result.success
    assert "test.stedi.assert_nothing (tests/assert_nothing.sql) has no zone" in str(result.exception)
