"""How the project's own tools run its dbt project: one command line and one environment.

The tests (tests/python/conftest.py, DbtProject) and the benchmark (bench/bench.py) run dbt as a
subprocess against a lake of their own under a work folder: the profiles of profiles.example.yml,
the DuckDB file and the Parquet export in that folder, the caller's own STEDI_, DBT_ and AWS_
settings left out so that a developer's shell cannot point a test at their lake or their account.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Mapping, Sequence
from pathlib import Path

CALLER_SETTINGS = ("STEDI_", "DBT_", "AWS_")


def without_caller_settings(environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment (the process's by default) without its STEDI_, DBT_ and AWS_ settings."""
    environ = os.environ if environ is None else environ
    return {key: value for key, value in environ.items() if not key.startswith(CALLER_SETTINGS)}


def work_profiles(project_dir: Path, work_dir: Path) -> Path:
    """A profiles folder in `work_dir` holding the project's profiles.example.yml as profiles.yml."""
    profiles_dir = work_dir / "profiles"
    profiles_dir.mkdir(parents=True, exist_ok=True)
    shutil.copy(project_dir / "profiles.example.yml", profiles_dir / "profiles.yml")
    return profiles_dir


def dbt_environment(
    profiles_dir: Path, duckdb_path: str, export_dir: Path, extra: Mapping[str, str] | None = None
) -> dict[str, str]:
    """The environment of a dbt run on the local target: the caller's, without their own settings."""
    env = without_caller_settings()
    env.update(
        DBT_PROFILES_DIR=str(profiles_dir),
        DBT_SEND_ANONYMOUS_USAGE_STATS="false",
        STEDI_DUCKDB_PATH=duckdb_path,
        STEDI_EXPORT_DIR=str(export_dir),
    )
    env.update(extra or {})
    return env


def dbt_command(
    dbt: Path,
    args: Sequence[str],
    *,
    project_dir: Path,
    target_path: Path,
    log_path: Path,
    variables: Mapping[str, object],
) -> list[str]:
    """The command line of one dbt command on the project, its artifacts and logs where given."""
    return [
        str(dbt),
        *args,
        "--project-dir",
        str(project_dir),
        "--target-path",
        str(target_path),
        "--log-path",
        str(log_path),
        "--vars",
        json.dumps(dict(variables)),
    ]
