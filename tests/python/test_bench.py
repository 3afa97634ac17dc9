"""`make bench` at a tiny scale: every step runs and the JSON report holds its figures.

Nothing here asserts on speed or memory (a busy CI machine says nothing about the project); the
figures only have to be there and be measurements.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import PROJECT_ROOT

BENCH = PROJECT_ROOT / "bench" / "bench.py"
STEPS = {"floor", "full_build", "models_only", "no_new_data", "plus_1pct", "withdraw"}
LOCAL_TARGETS = {
    "full_build_vs_floor",
    "models_only_vs_floor",
    "no_new_data_vs_full_build",
    "plus_1pct_vs_full_build",
    "peak_memory_gib",
}


def bench(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(BENCH), *args], cwd=PROJECT_ROOT, capture_output=True, text=True, check=False
    )


@pytest.mark.slow
def test_bench_measures_every_step_and_writes_the_targets(tmp_path: Path) -> None:
    out = tmp_path / "bench.json"
    completed = bench(
        "--readings", "20000", "--no-athena", "--work", str(tmp_path / "work"), "--out", str(out)
    )
    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-3000:]

    result = json.loads(out.read_text())
    steps = result["local"]["steps"]
    assert set(steps) == STEPS
    for name, figures in steps.items():
        assert figures["seconds"] > 0, name
        assert figures["peak_rss_mib"] > 0, name
        assert figures["ratio_to_floor"] > 0 and figures["ratio_to_full_build"] > 0, name

    fixed = result["local"]["fixed_cost"]
    assert fixed["nodes"] > 100 and fixed["full_build"]["seconds"] > 0 and fixed["no_new_data"]["seconds"] > 0
    beyond = result["local"]["beyond_fixed_cost"]
    assert set(beyond) >= {"full_build_seconds", "no_new_data_vs_full_build", "plus_1pct_vs_full_build"}
    assert "dbt's fixed cost" in completed.stdout

    targets = {target["name"]: target for target in result["targets"]}
    assert set(targets) == LOCAL_TARGETS
    assert all(isinstance(target["pass"], bool) for target in targets.values())
    assert result["athena"] == {"skipped": "--no-athena"}

    scale = result["local"]["scale"]
    assert scale["landing_lines"]["accelerometer"] > 10_000
    assert scale["floor_rows_read"] == scale["landing_lines"]
    changes = result["local"]["changes"]
    assert changes["plus_1pct"]["accelerometer_lines"] > 0 and changes["plus_1pct"]["step_trainer_lines"] > 0
    assert changes["withdraw"]["customers_withdrawn"] > 0
    assert result["machine"]["cpu_count"] and result["versions"]["dbt-core"]
    assert "Targets:" in completed.stdout and "full build" in completed.stdout


def test_bad_input_is_one_error_line_not_a_traceback(tmp_path: Path) -> None:
    completed = bench("--readings", "0", "--work", str(tmp_path))
    assert completed.returncode == 2
    assert "must be positive" in completed.stderr and "Traceback" not in completed.stderr
