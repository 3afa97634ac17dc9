"""After `make run`, plain dbt commands work from the project root with no flag and no setting:
the profiles beside dbt_project.yml (the link make makes), landing_root defaulting to the sample
landing folder lake/landing, and no ~/.dbt. As a newcomer types them, in a copy of the project."""

from __future__ import annotations

import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from conftest import BIN, PROJECT_ROOT, DbtProject, copy_project

pytestmark = pytest.mark.slow

COMMANDS = (
    ("build",),
    ("ls", "--resource-type", "model"),
    ("source", "freshness"),
    ("test", "--select", "machine_learning_curated"),
    ("docs", "generate"),
)


@pytest.fixture(scope="module")
def project_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the checkout as `make run` leaves it: profiles.yml made by make's own rule, and
    the sample landing data generated into lake/landing with readings up to yesterday, as make does."""
    root = copy_project(tmp_path_factory.mktemp("plain-dbt") / "stedi")
    for name in ("Makefile", "profiles.example.yml"):
        shutil.copy(PROJECT_ROOT / name, root / name)
    subprocess.run(
        ["make", "--no-print-directory", "profiles.yml"], cwd=root, check=True, capture_output=True
    )
    yesterday = (datetime.now(UTC).date() - timedelta(days=1)).isoformat()
    subprocess.run(
        [
            BIN / "stedi",
            "generate",
            "--out",
            root / "lake" / "landing",
            "--customers",
            "60",
            "--end-date",
            yesterday,
        ],
        check=True,
        capture_output=True,
    )
    return root


def plain(root: Path, home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`dbt <args>` from the project root, with none of the STEDI_/DBT_/AWS_ settings and a HOME
    without ~/.dbt."""
    env = DbtProject.base_env() | {"HOME": str(home), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    env["PATH"] = f"{BIN}:{env.get('PATH', '')}"
    return subprocess.run(["dbt", *args], cwd=root, env=env, capture_output=True, text=True, check=False)


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_a_plain_dbt_command_works_from_the_project_root(project_root: Path, tmp_path: Path, command) -> None:
    run = plain(project_root, tmp_path, *command)
    assert run.returncode == 0, (run.stdout + run.stderr)[-4000:]
    if command[0] == "ls":
        assert "stedi.curated.machine_learning_curated" in run.stdout
    if command[0] == "source":
        assert run.stdout.count("PASS freshness") == 2, run.stdout[-3000:]
    if command[0] == "build":
        assert (project_root / "lake" / "stedi.duckdb").is_file()
