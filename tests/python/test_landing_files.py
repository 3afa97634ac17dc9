"""Every file under a landing folder is read, on both engines, or named in an error (issue 9, item 6).

The landing contract (README, "Your own landing data"): under <root>/<entity>/landing/ the files
named *.json, *.jsonl, *.json.gz and *.jsonl.gz are JSON Lines and are read; a name starting with
'_' or '.' (a file or a folder) is hidden and skipped, as Athena skips it; anything else stops the
build with an error naming it. A file whose lines are mostly malformed (over the var
malformed_file_threshold) stops the build too, naming the file, instead of emptying the zones.
`make run LANDING_ROOT=...` takes a folder with a space in its name.
"""

from __future__ import annotations

import os
import stat
import subprocess
from pathlib import Path

from conftest import PROJECT_ROOT

FAKE_TOOL = """#!/bin/sh
{{ echo "$0"; echo "STEDI_LANDING_ROOT=$STEDI_LANDING_ROOT"
  for arg in "$@"; do echo "arg=$arg"; done; }} >> {log}
"""


def test_make_run_hands_a_landing_root_with_a_space_to_dbt_whole(tmp_path: Path) -> None:
    """`make run LANDING_ROOT="/x/my landing"` once split the path on its space and refused it as
    "not a folder". dbt and stedi are stand-ins here that record what make hands them."""
    landing = tmp_path / "STEDI landing"
    landing.mkdir()
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
    calls = log.read_text().splitlines()
    assert calls.count(f"STEDI_LANDING_ROOT={landing}") == 2  # dbt build, then stedi summary
    assert f"arg={landing}" in calls  # stedi summary --landing-root


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
