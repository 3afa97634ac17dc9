"""Every file under a landing folder is read, on both engines, or named in an error (issue 9, item 6).

The landing contract (docs/landing-contract.md, "Every file is read or named in an error"): under
<root>/<entity>/landing/ the files named *.json, *.jsonl, *.json.gz and *.jsonl.gz are JSON Lines
and are read; a name starting with '_' or '.' (a file or a folder) is hidden and skipped, as Athena
skips it; anything else stops the build with an error naming it. A file whose lines are mostly
malformed (over the var malformed_file_threshold) stops the build too, naming the file, instead of
emptying the zones.
`make run LANDING_ROOT=...` takes a folder with a space in its name.
"""

from __future__ import annotations

import gzip
import json
import os
import random
import re
import shutil
import stat
import subprocess
from pathlib import Path, PurePosixPath

import pytest

from conftest import PROJECT_ROOT, DbtProject, DbtRun, Landing
from stedi.contract import HIDDEN, READ, landing_file_verdict

POLICY = "as_of_consent"
ZONES = (
    "stedi_staging.stg_stedi__customers",
    "stedi_trusted.customer_trusted",
    "stedi_trusted.accelerometer_trusted",
    "stedi_trusted.step_trainer_trusted",
    "stedi_curated.customers_curated",
    "stedi_curated.machine_learning_curated",
)

FAKE_TOOL = """#!/bin/sh
{{ echo "$0"; echo "STEDI_LANDING_ROOT=$STEDI_LANDING_ROOT"
  for arg in "$@"; do echo "arg=$arg"; done; }} >> {log}
"""


def make_run_calls(tmp_path: Path, landing: Path) -> list[str]:
    """What `make run LANDING_ROOT=<landing>` hands dbt and stedi, one line per program, setting and
    argument: dbt and stedi are stand-ins that record it."""
    log = tmp_path / "calls.log"
    tools = tmp_path / "bin"
    tools.mkdir()
    for name in ("dbt", "stedi"):
        tool = tools / name
        tool.write_text(FAKE_TOOL.format(log=log))
        tool.chmod(tool.stat().st_mode | stat.S_IXUSR)
    env = {key: value for key, value in os.environ.items() if not key.startswith(("STEDI_", "DBT_", "MAKE"))}
    completed = subprocess.run(
        # -o: the checkout's .venv counts as installed, whatever its age; BIN: the stand-ins.
        [
            *("make", "--no-print-directory", "-o", ".venv/.installed-run", "run"),
            *(f"BIN={tools}", f"LAKE={tmp_path / 'lake'}", f"LANDING_ROOT={landing}"),
        ],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    return log.read_text().splitlines()


def test_make_run_hands_a_landing_root_with_a_space_to_dbt_whole(tmp_path: Path) -> None:
    """`make run LANDING_ROOT="/x/my landing"` once split the path on its space and refused it as
    "not a folder"."""
    landing = tmp_path / "STEDI landing"
    landing.mkdir()
    calls = make_run_calls(tmp_path, landing)
    # dbt build, dbt source freshness, stedi summary, stedi report
    assert calls.count(f"STEDI_LANDING_ROOT={landing}") == 4
    assert f"arg={landing}" in calls  # stedi summary --landing-root


def test_make_run_builds_as_production_does_without_the_unit_tests(tmp_path: Path) -> None:
    """The unit tests check the models' SQL whatever the data: `make test` and CI run them, a
    run does not pay for them (about a fifth of a small build's time)."""
    landing = tmp_path / "landing"
    landing.mkdir()
    calls = make_run_calls(tmp_path, landing)
    build = calls.index("arg=build")
    assert calls[build : build + 3] == ["arg=build", "arg=--exclude-resource-type", "arg=unit_test"]


def test_make_run_names_a_missing_landing_root_whole(tmp_path: Path) -> None:
    missing = tmp_path / "no such landing"
    completed = subprocess.run(
        ["make", "--no-print-directory", "sample-landing", f"LANDING_ROOT={missing}"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 2
    assert f"LANDING_ROOT={missing} is not a folder" in completed.stderr


# -- which files are read ---------------------------------------------------------------------


def landing_files(root: Path, entity: str) -> list[Path]:
    return sorted((root / entity / "landing").glob("*.json"))


def gzip_file(path: Path, suffix: str) -> Path:
    """`path` compressed into <stem><suffix> (e.g. .json.gz), the original removed."""
    target = path.with_name(path.name.removesuffix(".json") + suffix)
    target.write_bytes(gzip.compress(path.read_bytes()))
    path.unlink()
    return target


def rename(path: Path, suffix: str) -> Path:
    return path.rename(path.with_name(path.name.removesuffix(".json") + suffix))


def counts(project: DbtProject, tables: tuple[str, ...] = ZONES) -> dict[str, int]:
    return {table: project.scalar(f"select count(*) from {table}") for table in tables}


def build(project: DbtProject, root: Path, command: str = "build", **variables: object) -> DbtRun:
    return project.dbt(command, variables={"landing_root": str(root), "consent_policy": POLICY, **variables})


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Landing:
    """A small landing set with every defect (a cut-off last file, stray malformed lines, ...)."""
    out = tmp_path_factory.mktemp("landing-files")
    return Landing.generate(out, "--customers", "100", "--seed", "5", "--defects", "all", "--force")


@pytest.fixture(scope="module")
def mixed(generated: Landing, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, DbtProject, DbtRun]:
    """The generated files, some gzip-compressed or renamed .jsonl, with hidden files beside them,
    under a landing root with a space in its name; built once."""
    root = tmp_path_factory.mktemp("mixed") / "STEDI landing 2022"
    shutil.copytree(generated.root, root, ignore=shutil.ignore_patterns("ground_truth.json"))
    accelerometer = landing_files(root, "accelerometer")
    gzip_file(accelerometer[0], ".json.gz")
    rename(accelerometer[1], ".jsonl")
    gzip_file(accelerometer[-1], ".jsonl.gz")  # the file the generator cut off mid-line
    gzip_file(landing_files(root, "step_trainer")[0], ".json.gz")
    rename(landing_files(root, "customer")[0], ".jsonl")
    (root / "accelerometer/landing/_SUCCESS").write_bytes(b"")
    (root / "step_trainer/landing/.DS_Store").write_bytes(bytes(range(256)))
    (root / "customer/landing/_archive").mkdir()
    (root / "customer/landing/_archive/customers.csv").write_text("email\nada@example.com\n")
    project = DbtProject(PROJECT_ROOT, tmp_path_factory.mktemp("mixed-build"))
    return root, project, build(project, root)


def test_gzip_and_jsonl_files_are_read_as_the_plain_files_are(generated: Landing, mixed) -> None:
    """Every record of a .json.gz, .jsonl or .jsonl.gz file counts, as Athena reads them; a DuckDB
    glob of *.json once left them out and the build was green with their readings gone."""
    root, project, run = mixed
    assert run.returncode == 0, run.output[-6000:]
    reconciled = dict(
        project.query(
            "select entity, sum(landing_record_count) from stedi_audit.landing_reconciliation group by entity"
        )
    )
    assert reconciled == generated.truth["landing_records"]
    expected = generated.truth["zones"][POLICY]
    for table, rows in counts(project).items():
        name = table.split(".")[1]
        assert rows == expected.get(name, rows), table
    ledger_files = {
        name
        for (name,) in project.query(
            "select landing_file from stedi_staging.stg_stedi__accelerometer_ledger where row_type = 'file'"
        )
    }
    assert ledger_files == {path.name for path in (root / "accelerometer/landing").iterdir()} - {"_SUCCESS"}


def test_a_landing_root_with_a_space_builds(mixed) -> None:
    root, _, run = mixed
    assert " " in str(root)
    assert run.returncode == 0, run.output[-6000:]


UNREADABLE = {
    "customer/landing/customers.csv": "customer,email\n",
    "customer/landing/README": "Customer exports, one a day.\n",
    "accelerometer/landing/2022/accelerometer-1656700000000.json": "{}\n",
    "step_trainer/landing/step_trainer-1656700000000.JSON": "{}\n",
    "step_trainer/landing/step_trainer-1656700000000.json.zst": "{}\n",
}
SKIPPED = {
    "customer/landing/_SUCCESS": "",
    "accelerometer/landing/.accelerometer-1656700000000.json.swp": "{}\n",
    "accelerometer/landing/_tmp/accelerometer-1656700000000.json": "{}\n",
}


def test_a_file_the_build_cannot_read_stops_the_run_naming_it(generated: Landing, tmp_path: Path) -> None:
    """Athena would read notes.csv or a README as lines of garbage, DuckDB not at all: neither
    engine is right, so the run stops before any model, naming every such file. The names are
    those `stedi land` refuses (contract.landing_file_verdict), hidden ones are skipped."""
    root = tmp_path / "landing"
    shutil.copytree(generated.root, root)
    for name, text in {**UNREADABLE, **SKIPPED}.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)

    run = build(DbtProject(PROJECT_ROOT, tmp_path / "work"), root)

    assert run.returncode != 0
    found = re.search(r"Landing files the build cannot read: (.*?)\. Only files named", run.output)
    assert found, run.output[-4000:]
    named = set(re.findall(r"(\w+/landing/\S+) \(", found.group(1)))
    assert named == set(UNREADABLE)
    for name in {**UNREADABLE, **SKIPPED}:
        relative = name.split("/landing/", 1)[1]
        verdict = landing_file_verdict(PurePosixPath(relative))
        assert (verdict not in (READ, HIDDEN)) == (name in UNREADABLE), name
        if name in UNREADABLE:
            assert f"{name} ({verdict})" in found.group(1)


# -- files that are not JSON Lines --------------------------------------------------------------


def after_the_mixed_build(mixed, tmp_path: Path) -> tuple[Path, DbtProject, dict[str, int]]:
    """A copy of the mixed landing folder and of the lakehouse built from it, with its zone counts."""
    root, built, run = mixed
    assert run.returncode == 0, run.output[-6000:]
    copy = tmp_path / "landing"
    shutil.copytree(root, copy)
    project = DbtProject(PROJECT_ROOT, tmp_path / "work")
    shutil.copy(built.duckdb_path, project.duckdb_path)
    return copy, project, counts(project)


def test_a_customer_file_that_is_a_json_array_stops_the_build_and_keeps_the_zones(
    mixed, tmp_path: Path
) -> None:
    """A pretty-printed JSON array reads as one malformed record a line on both engines: once it
    built green with every customer quarantined. Now it stops the build, named, and the zones
    keep what the last good build wrote. (`dbt run`, not build: the stop is in the model's own
    query, and a failed model skips what depends on it under either command.)"""
    root, project, before = after_the_mixed_build(mixed, tmp_path)
    customers = [{"customerName": f"Customer {n}", "email": f"c{n}@example.com"} for n in range(5)]
    array = root / "customer/landing/customer-1656700000000.json"
    array.write_text(json.dumps([{**c, "lastUpdateDate": 1656700000000} for c in customers], indent=2))

    run = build(project, root, "run")

    assert run.returncode != 0
    lines = len(array.read_text().splitlines())
    assert (
        "STEDI landing files whose lines are mostly malformed (more than malformed_file_threshold = 0.5 "
        f"of their lines): customer/landing/{array.name} ({lines} of {lines} lines, 100%)"
    ) in run.output, run.output[-4000:]
    assert run.results()["model.stedi.stg_stedi__customers"] == "error"
    assert counts(project) == before


def test_a_binary_reading_file_stops_the_build_and_the_ledger_does_not_take_it(mixed, tmp_path: Path) -> None:
    """The malformed share is counted from the records the ledger reads anyway (its new files),
    and a file over var malformed_file_threshold fails the ledger's query before it merges: the
    file is not recorded as read and the zones downstream keep their rows. A file under the
    threshold is read, its malformed lines quarantined as before."""
    root, project, before = after_the_mixed_build(mixed, tmp_path)
    binary = root / "accelerometer/landing/accelerometer-1656700000000.json"
    binary.write_bytes(random.Random(5).randbytes(4000).replace(b"\n", b"\n\n"))
    steps = next((root / "step_trainer/landing").glob("*.json"))
    half = root / "step_trainer/landing/step_trainer-1656700000000.json"
    good = steps.read_text().splitlines()[:4]
    half.write_text("\n".join([*good, *["not json"] * 6]) + "\n")  # 60 % malformed

    run = build(project, root, "run", malformed_file_threshold=0.7)

    assert run.returncode != 0
    message = re.search(
        r"STEDI landing files whose lines are mostly malformed .*?: (.*?)\. A JSON array", run.output
    )
    assert message, run.output[-4000:]
    assert re.fullmatch(rf"accelerometer/landing/{binary.name} \(\d+ of \d+ lines, 100%\)", message.group(1))
    assert "more than malformed_file_threshold = 0.7 of their lines" in run.output
    assert run.results()["model.stedi.stg_stedi__accelerometer_ledger"] == "error"
    read = "select landing_file from {} where row_type = 'file'"
    assert binary.name not in {
        name for (name,) in project.query(read.format("stedi_staging.stg_stedi__accelerometer_ledger"))
    }
    assert half.name in {
        name for (name,) in project.query(read.format("stedi_staging.stg_stedi__step_trainer_ledger"))
    }
    assert counts(project, ZONES[:3]) == {table: before[table] for table in ZONES[:3]}
    assert counts(project, ("stedi_trusted.accelerometer_trusted",)) == {
        "stedi_trusted.accelerometer_trusted": before["stedi_trusted.accelerometer_trusted"]
    }


# -- links: one rule for the build and `stedi land` (contract.landing_folder_entries) ------------


def test_a_link_to_a_file_is_read_as_that_file(generated: Landing, tmp_path: Path) -> None:
    """A sync tool's folder of links: DuckDB's recursive glob skipped a link, and the build was
    green with the file's readings gone while `stedi land` uploaded it. A link to a file is read
    as the file it names, and the reconciliation counts its lines."""
    root = tmp_path / "landing"
    shutil.copytree(generated.root, root, ignore=shutil.ignore_patterns("ground_truth.json"))
    elsewhere = tmp_path / "synced"
    elsewhere.mkdir()
    for path in landing_files(root, "accelerometer")[:2]:
        target = elsewhere / path.name
        path.rename(target)
        path.symlink_to(target)
    project = DbtProject(PROJECT_ROOT, tmp_path / "work")

    run = build(project, root)

    assert run.returncode == 0, run.output[-6000:]
    reconciled = dict(
        project.query(
            "select entity, sum(landing_record_count) from stedi_audit.landing_reconciliation group by entity"
        )
    )
    assert reconciled == generated.truth["landing_records"]


def test_a_link_to_nothing_or_to_a_folder_stops_the_run_naming_it(generated: Landing, tmp_path: Path) -> None:
    root = tmp_path / "landing"
    shutil.copytree(generated.root, root, ignore=shutil.ignore_patterns("ground_truth.json"))
    (root / "accelerometer/landing/accelerometer-1656700000000.json").symlink_to(tmp_path / "gone.json")
    (root / "step_trainer/landing/more").symlink_to(tmp_path)
    (root / "step_trainer/landing/.#lock.json").symlink_to(tmp_path / "gone.json")  # hidden: skipped

    run = build(DbtProject(PROJECT_ROOT, tmp_path / "work"), root)

    assert run.returncode != 0
    assert "accelerometer/landing/accelerometer-1656700000000.json (a link to nothing)" in run.output
    assert "step_trainer/landing/more (a link to a folder)" in run.output
    assert ".#lock.json" not in run.output
