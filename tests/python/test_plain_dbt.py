"""After `make run`, plain dbt commands work from the project root with no flag and no setting:
the profiles beside dbt_project.yml (the link make makes), landing_root defaulting to the sample
landing folder lake/landing, and no ~/.dbt. As a newcomer types them, in a copy of the project
(conftest.plain_checkout, whose `dbt build` is shared with the docs-site tests; `dbt docs
generate` and `dbt docs serve` are proved there)."""

from __future__ import annotations

import subprocess

import pytest

from conftest import PlainCheckout

pytestmark = pytest.mark.slow

COMMANDS = (
    ("ls", "--resource-type", "model"),
    ("source", "freshness"),
    ("test", "--select", "machine_learning_curated"),
)


def test_a_plain_dbt_build_works_from_the_project_root(
    plain_checkout: tuple[PlainCheckout, subprocess.CompletedProcess[str]],
) -> None:
    checkout, build = plain_checkout
    assert build.returncode == 0, (build.stdout + build.stderr)[-4000:]
    assert (checkout.root / "lake" / "stedi.duckdb").is_file()


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_a_plain_dbt_command_works_from_the_project_root(
    plain_checkout: tuple[PlainCheckout, subprocess.CompletedProcess[str]], command: tuple[str, ...]
) -> None:
    checkout, _ = plain_checkout
    run = checkout.dbt(*command)
    assert run.returncode == 0, (run.stdout + run.stderr)[-4000:]
    if command[0] == "ls":
        assert "stedi.curated.machine_learning_curated" in run.stdout
    if command[0] == "source":
        assert run.stdout.count("PASS freshness") == 2, run.stdout[-3000:]
