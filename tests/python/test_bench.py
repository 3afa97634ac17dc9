"""`make bench` at a tiny scale: every step runs and the JSON report holds its figures.

Nothing here asserts on speed or memory (a busy CI machine says nothing about the project); the
figures only have to be there and be measurements.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from conftest import PROJECT_ROOT

BENCH = PROJECT_ROOT / "bench" / "bench.py"
STEPS = {"floor", "full_build", "models_only", "no_new_data", "plus_1pct", "withdraw"}
LOCAL_TARGETS = {
    "full_build_vs_floor_20k",
    "models_only_vs_floor_20k",
    "plus_1pct_vs_full_build_20k",
    "withdraw_vs_full_build_20k",
    "no_new_data_beyond_dbt_own_cost_20k",
    "peak_memory_gib_20k",
    "dbt_own_cost_seconds",
}
MIB = 1024**2


@pytest.fixture(scope="module")
def bench_module() -> ModuleType:
    """bench/bench.py imported, for its pure functions (it is a script, not a package)."""
    spec = importlib.util.spec_from_file_location("stedi_bench", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is made
    spec.loader.exec_module(module)
    return module


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
    (scale_part,) = result["local"]["scales"]
    steps = scale_part["steps"]
    assert set(steps) == STEPS
    for name, figures in steps.items():
        assert figures["seconds"] > 0, name
        assert figures["peak_rss_mib"] > 0, name
        assert figures["ratio_to_floor"] > 0 and figures["ratio_to_full_build"] > 0, name

    fixed = result["local"]["fixed_cost"]
    assert fixed["nodes"] > 100 and fixed["full_build"]["seconds"] > 0 and fixed["no_new_data"]["seconds"] > 0
    beyond = scale_part["beyond_fixed_cost"]
    assert set(beyond) >= {"full_build_seconds", "no_new_data_vs_full_build", "plus_1pct_vs_full_build"}
    assert "dbt's fixed cost" in completed.stdout

    targets = {target["name"]: target for target in result["targets"]}
    assert set(targets) == LOCAL_TARGETS
    assert all(isinstance(target["pass"], bool) for target in targets.values())
    assert result["athena"] == {"skipped": "--no-athena"}

    scale = scale_part["scale"]
    assert scale["landing_lines"]["accelerometer"] > 10_000
    assert scale["floor_rows_read"] == scale["landing_lines"]
    changes = scale_part["changes"]
    assert changes["plus_1pct"]["accelerometer_lines"] > 0 and changes["plus_1pct"]["step_trainer_lines"] > 0
    assert changes["withdraw"]["customers_withdrawn"] > 0
    assert result["machine"]["cpu_count"] and result["versions"]["dbt-core"]
    assert "Targets:" in completed.stdout and "full build" in completed.stdout


def test_bad_input_is_one_error_line_not_a_traceback(tmp_path: Path) -> None:
    completed = bench("--readings", "0", "--work", str(tmp_path))
    assert completed.returncode == 2
    assert "must be positive" in completed.stderr and "Traceback" not in completed.stderr


def test_athena_bills_a_scanning_query_its_bytes_rounded_up_to_the_mb_and_at_least_10_mb(
    bench_module: ModuleType,
) -> None:
    billed = bench_module.billed_bytes
    assert [billed(0), billed(1), billed(10 * MIB), billed(10 * MIB + 1), billed(25 * MIB + MIB // 2)] == [
        0,
        10 * MIB,
        10 * MIB,
        11 * MIB,
        26 * MIB,
    ]


def test_the_athena_cost_of_a_build_is_summed_per_dbt_node_and_a_failed_query_is_not_billed(
    bench_module: ModuleType,
) -> None:
    def execution(query_id: str, node: str | None, scanned: int, state: str = "SUCCEEDED") -> dict[str, Any]:
        comment = f'/* {{"app": "dbt", "node_id": "{node}"}} */ ' if node else ""
        return {
            "QueryExecutionId": query_id,
            "Query": f"{comment}select 1",
            "Status": {"State": state},
            "Statistics": {"DataScannedInBytes": scanned},
        }

    executions = [
        execution("q1", "model.stedi.a", 3 * MIB),
        execution("q2", "model.stedi.a", 12 * MIB + 1),
        execution("q3", "model.stedi.b", 0),
        execution("q4", None, 0),
        execution("q5", "model.stedi.b", 50 * MIB, state="FAILED"),
    ]

    class Client:
        def batch_get_query_execution(self, QueryExecutionIds: list[str]) -> dict[str, Any]:
            return {"QueryExecutions": [e for e in executions if e["QueryExecutionId"] in QueryExecutionIds]}

    executions[0]["Query"] = (
        '/* {"app": "dbt", "node_id": "model.stedi.a"} */\n-- create table "c"."s"."t__ha"\n'
        "with (table_type='iceberg', partitioned_by=ARRAY['month(day)']) as\nselect 1"
    )
    cost = bench_module.athena_cost(Client(), {"q1", "q2", "q3", "q4", "q5"})
    assert (cost["queries"], cost["scanning_queries"]) == (5, 3)
    assert cost["scanned_bytes"] == 65 * MIB + 1 and cost["billed_bytes"] == 23 * MIB
    assert list(cost["by_node"]) == ["model.stedi.b", "model.stedi.a", "dbt"]
    assert [(q["node"], q["sql"]) for q in cost["largest_queries"][:3]] == [
        ("model.stedi.b", "select 1"),
        ("model.stedi.a", "select 1"),
        ("model.stedi.a", "select 1"),  # a CTAS: what it reads, without its create table ... as
    ]
    assert cost["by_node"]["model.stedi.a"] == {
        "queries": 2,
        "scanning_queries": 2,
        "scanned_bytes": 15 * MIB + 1,
        "billed_bytes": 23 * MIB,
    }
    assert cost["by_node"]["model.stedi.b"]["billed_bytes"] == 0


def test_the_short_history_is_the_long_ones_last_days_and_the_new_day_is_the_same_files_in_both(
    bench_module: ModuleType, tmp_path: Path
) -> None:
    day, end = bench_module.DAY_MS, bench_module.window_end_ms()
    long, short = tmp_path / "long", tmp_path / "short"
    (long / "customer" / "landing").mkdir(parents=True)
    (long / "customer" / "landing" / "customer-1.json").write_text('{"email": "a@b.c"}\n')
    app = [
        {"user": "a@b.c", "timestamp": end - 100 * day, "x": 1},  # before the short history
        {"user": "a@b.c", "timestamp": end - 13 * day, "x": 2},  # its first instant
        {"user": "a@b.c", "timestamp": end - 1, "x": 3},  # the last day's
        {"user": "a@b.c", "timestamp": "soon", "x": 4},  # a defect: stays in both
    ]
    device = [{"sensorReadingTime": end - day, "serialNumber": "s", "distanceFromObject": 5}]
    for entity, records, extra in (("accelerometer", app, "not json\n"), ("step_trainer", device, "")):
        folder = long / entity / "landing"
        folder.mkdir(parents=True)
        lines = "".join(json.dumps(record) + "\n" for record in records) + extra
        (folder / f"{entity}-1.json").write_text(lines)
    # a file of older readings only, and a defect: not in the short history at all
    old = {"user": "a@b.c", "timestamp": end - 50 * day, "x": 0}
    (long / "accelerometer" / "landing" / "accelerometer-0.json").write_text(json.dumps(old) + "\n[1]\n")

    kept = bench_module.last_days(long, short, 13)

    assert kept == {"accelerometer": 4, "step_trainer": 1}
    assert not (short / "accelerometer" / "landing" / "accelerometer-0.json").exists()
    short_app = (short / "accelerometer" / "landing" / "accelerometer-1.json").read_text().splitlines()
    assert [json.loads(line)["x"] for line in short_app[:3]] == [2, 3, 4] and short_app[3] == "not json"
    assert (short / "customer" / "landing" / "customer-1.json").read_text() == '{"email": "a@b.c"}\n'

    new_day = bench_module.add_new_day([long, short], long)

    assert (new_day["accelerometer_lines"], new_day["step_trainer_lines"]) == (1, 1)
    for path in new_day["files"]:
        assert (long / path).read_text() == (short / path).read_text()
    (app_file, device_file) = new_day["files"]
    assert json.loads((long / app_file).read_text()) == {"user": "a@b.c", "timestamp": end - 1 + day, "x": 3}
    assert json.loads((long / device_file).read_text())["sensorReadingTime"] == end


def test_the_first_scale_is_checked_as_a_daily_lake_and_the_largest_for_cost_linear_in_the_data(
    bench_module: ModuleType,
) -> None:
    def scale(readings: int, full: float, peak_gib: float) -> dict[str, Any]:
        seconds = {"floor": 10.0, "full_build": full, "models_only": 30.0, "no_new_data": 11.0}
        seconds |= {"plus_1pct": 0.1 * full, "withdraw": 0.3 * full}
        return {
            "scale": {"readings_requested": readings},
            "steps": {name: {"seconds": value} for name, value in seconds.items()},
            "peak_gib": peak_gib,
        }

    fixed = {"no_new_data": {"seconds": 4.0}}
    targets = {
        row["name"]: row
        for row in bench_module.local_targets(
            [scale(8_000_000, 70.0, 2.0), scale(80_000_000, 700.0, 9.0)], fixed
        )
    }
    assert {name: row["pass"] for name, row in targets.items()} == {
        "full_build_vs_floor_8m": True,
        "models_only_vs_floor_8m": True,
        "plus_1pct_vs_full_build_8m": True,
        "withdraw_vs_full_build_8m": False,
        "no_new_data_beyond_dbt_own_cost_8m": False,
        "peak_memory_gib_8m": True,
        "full_build_vs_floor_80m": False,
        "peak_memory_gib_80m": False,
        "dbt_own_cost_seconds": True,
    }
    assert targets["no_new_data_beyond_dbt_own_cost_8m"]["measured"] == 7.0
