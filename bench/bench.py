"""`make bench`: how fast and how big the dbt build is, on generated landing data of a given size.

One run, one generated landing set, every step a subprocess timed with the wall clock and measured
for its peak resident memory (os.wait4's ru_maxrss of that child: dbt and its embedded DuckDB are
one process, so that is the build's peak):

  floor         one DuckDB process reading every landing file once (every column counted): the
                least any build over these files can cost
  full build    dbt build --full-refresh, every model, data test and unit test
  models only   dbt run --full-refresh (a DuckDB file of its own, so the sequence below is intact)
  no new data   dbt build again, nothing changed
  +1 % readings dbt build after new landing files with about 1 % more readings
  withdraw      dbt build after a new customer file withdrawing 1 % of the research consents

then prints a table and the targets (PASS/MISS), and writes every figure to a JSON file. With
the local Athena (harness/, real Trino) it also builds the athena target on a smaller landing set,
lands 1 % more readings, builds again, and reports the bytes each build scanned.

Run it with the project's virtualenv: .venv/bin/python bench/bench.py --help (or `make bench`).
Nothing here talks to the network: the local Athena listens on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.metadata
import importlib.util
import json
import math
import os
import platform
import re
import shutil
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from stedi.dbt_command import dbt_command, dbt_environment, without_caller_settings, work_profiles

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
ATHENA_CLIENT = ROOT / "tests" / "python" / "athena_client"
ENTITY_NAMES = ("customer", "accelerometer", "step_trainer")
KIB_PER_MIB = 1024
GIB = 1024**3
CALIBRATION_CUSTOMERS = 3000  # a second or so, and within 1 % of the rate at millions of readings
MIN_CUSTOMERS = 100  # what `stedi generate --defects all` needs
DEFAULT_INSTANTS = 30  # the generator's default: the shape the project's tests use
BUCKET = "stedi-lake"
REGION = "us-east-1"
TAIL_LINES = 60

# The targets: (key, label, measured figure, limit). A ratio is to the floor or the full build.
LOCAL_TARGETS = (
    ("full_build_vs_floor", "full build <= 8x floor", "full_build", "floor", 8.0),
    ("models_only_vs_floor", "models alone <= 4x floor", "models_only", "floor", 4.0),
    ("no_new_data_vs_full_build", "no new data <= 0.15x full build", "no_new_data", "full_build", 0.15),
    ("plus_1pct_vs_full_build", "+1 % readings <= 0.25x full build", "plus_1pct", "full_build", 0.25),
)
PEAK_MEMORY_LIMIT_GIB = 3.0
# The landing set on which dbt's fixed cost is measured: small enough that reading it costs nothing.
FIXED_COST_CUSTOMERS = 100
ATHENA_SCAN_LIMIT = 0.05

STEP_LABELS = {
    "floor": "floor (DuckDB reads the landing files)",
    "full_build": "full build (dbt build --full-refresh)",
    "models_only": "models only (dbt run --full-refresh)",
    "no_new_data": "no new data (dbt build)",
    "plus_1pct": "+1 % readings (dbt build)",
    "withdraw": "withdraw 1 % consents (dbt build)",
}

# The floor: the landing files read once, with the columns and types the dbt landing views declare.
FLOOR_SCRIPT = """
import json, sys, duckdb
# No progress bar: on a read of more than 2 s DuckDB draws one on stdout, before the counts.
connection = duckdb.connect()
connection.execute("set enable_progress_bar = false")
counts = {}
for entity, pattern, columns in json.loads(sys.argv[1]):
    # count(columns(*)) counts every declared column, so every value is parsed, not just the lines.
    sql = ("select count(*), count(columns(*)) from read_json(?, format = 'newline_delimited', "
           "ignore_errors = true, columns = " + columns + ")")
    counts[entity] = connection.execute(sql, [pattern]).fetchone()[0]
print(json.dumps(counts))
"""


# Runs one measured command (argv[1]: command, cwd, log) and prints its wall time, exit code and
# wait4's ru_maxrss (KiB on Linux) as JSON. A fresh interpreter: its own RSS, which the child's
# ru_maxrss starts from, is a few MiB.
LAUNCHER_SCRIPT = """
import json, os, subprocess, sys, time
spec = json.loads(sys.argv[1])
with open(spec["log"], "wb") as log:
    started = time.perf_counter()
    try:
        child = subprocess.Popen(spec["command"], cwd=spec["cwd"], stdout=log, stderr=subprocess.STDOUT)
    except OSError as error:
        print(json.dumps({"error": str(error)}))
        sys.exit(0)
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - started
child.returncode = os.waitstatus_to_exitcode(status)  # reaped by wait4: Popen must not wait again
print(json.dumps({"seconds": seconds, "returncode": child.returncode, "maxrss_kib": usage.ru_maxrss}))
"""


class BenchError(Exception):
    """Something the user can act on; printed as one message, no traceback."""


# -- measuring a subprocess --------------------------------------------------------------------------


@dataclass(frozen=True)
class Measured:
    seconds: float
    peak_rss_kib: int
    returncode: int
    log: Path

    @property
    def peak_rss_mib(self) -> float:
        return self.peak_rss_kib / KIB_PER_MIB

    def tail(self, lines: int = TAIL_LINES) -> str:
        text = self.log.read_text(encoding="utf-8", errors="replace").splitlines()
        return "\n".join(text[-lines:])


def measure(command: Sequence[str], *, env: Mapping[str, str], cwd: Path, log: Path) -> Measured:
    """Run `command` to its end; its wall time and the peak RSS of that child (wait4's rusage).

    Through a small fresh launcher process: on Linux a child's ru_maxrss starts at the high-water
    RSS of the process that forked it, and this one holds DuckDB and the local Athena's S3.
    """
    log.parent.mkdir(parents=True, exist_ok=True)
    spec = json.dumps({"command": list(command), "cwd": str(cwd), "log": str(log)})
    launched = subprocess.run(
        [sys.executable, "-c", LAUNCHER_SCRIPT, spec],
        env=dict(env),
        capture_output=True,
        text=True,
        check=False,
    )
    try:
        answer = json.loads(launched.stdout.strip().splitlines()[-1])
    except (IndexError, ValueError):
        raise BenchError(
            f"the measuring launcher failed:\n{launched.stdout}{launched.stderr}".rstrip()
        ) from None
    if "error" in answer:
        raise BenchError(f"cannot start {command[0]}: {answer['error']}")
    return Measured(answer["seconds"], answer["maxrss_kib"], answer["returncode"], log)


def checked(step: str, measured: Measured) -> Measured:
    if measured.returncode != 0:
        raise BenchError(
            f"step '{step}' failed with exit code {measured.returncode}; the end of its output "
            f"({measured.log}):\n{measured.tail()}"
        )
    return measured


def clean_env() -> dict[str, str]:
    """The caller's environment without their own STEDI_, DBT_ and AWS_ settings."""
    return without_caller_settings()


# -- landing data ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scale:
    customers: int
    instants_per_customer: int
    readings_per_customer: float


def generate(out: Path, customers: int, instants: int, seed: int) -> None:
    command = [
        str(BIN / "stedi"),
        "generate",
        "--out",
        str(out),
        "--customers",
        str(customers),
        "--instants-per-customer",
        str(instants),
        "--defects",
        "all",
        "--seed",
        str(seed),
        "--force",
    ]
    completed = subprocess.run(command, capture_output=True, text=True, check=False)
    if completed.returncode != 0:
        raise BenchError(f"stedi generate failed:\n{completed.stdout}{completed.stderr}".rstrip())


def calibrate(work: Path, readings: int, instants: int, seed: int) -> Scale:
    """Customers for about `readings` accelerometer lines, from the generator's rate at small scale."""
    sample = work / "calibration"
    generate(sample, CALIBRATION_CUSTOMERS, instants, seed)
    rate = landing_stats(sample)["lines"]["accelerometer"] / CALIBRATION_CUSTOMERS
    shutil.rmtree(sample, ignore_errors=True)
    if rate <= 0:
        raise BenchError("the generator wrote no accelerometer readings in the calibration sample")
    return Scale(max(MIN_CUSTOMERS, round(readings / rate)), instants, rate)


def landing_files(root: Path, entity: str) -> list[Path]:
    return sorted((root / entity / "landing").glob("*.json"))


def count_lines(path: Path) -> int:
    lines, last = 0, b"\n"
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            lines += chunk.count(b"\n")
            last = chunk[-1:]
    return lines + (last != b"\n")


def landing_stats(root: Path) -> dict[str, dict[str, int]]:
    stats: dict[str, dict[str, int]] = {"files": {}, "bytes": {}, "lines": {}}
    for entity in ENTITY_NAMES:
        files = landing_files(root, entity)
        stats["files"][entity] = len(files)
        stats["bytes"][entity] = sum(path.stat().st_size for path in files)
        stats["lines"][entity] = sum(count_lines(path) for path in files)
    return stats


def duckdb_columns(entity_name: str) -> str:
    """The read_json columns struct of an entity, typed as the dbt landing views type them."""
    from stedi.contract import ENTITIES

    types = {"string": "varchar", "bigint": "bigint", "int": "integer", "double": "double"}
    entity = next(entity for entity in ENTITIES if entity.name == entity_name)
    return "{" + ", ".join(f"'{f.json_key}': '{types[f.glue_type]}'" for f in entity.fields) + "}"


def new_file_name(folder: Path, entity: str) -> Path:
    """`<entity>-<epoch ms>.json`, now, and later than every file already there."""
    stamps = [int(path.stem.rsplit("-", 1)[1]) for path in folder.glob(f"{entity}-*.json")]
    stamp = max([time.time_ns() // 1_000_000, *(s + 1 for s in stamps)])
    return folder / f"{entity}-{stamp}.json"


def write_lines(path: Path, records: Iterator[dict[str, Any]]) -> int:
    count = 0
    with path.open("w", encoding="utf-8") as handle:
        for record in records:
            handle.write(json.dumps(record, separators=(",", ":")) + "\n")
            count += 1
    return count


@contextlib.contextmanager
def landing_tables(root: Path) -> Iterator[Any]:
    """An in-memory DuckDB with views customers, accelerometer, step_trainer over the landing files."""
    import duckdb

    connection = duckdb.connect()
    try:
        for entity in ENTITY_NAMES:
            pattern = str(root / entity / "landing" / "*.json").replace("'", "''")
            connection.execute(
                f"create view {entity} as select * from read_json('{pattern}', "
                f"format = 'newline_delimited', ignore_errors = true, columns = {duckdb_columns(entity)})"
            )
        yield connection
    finally:
        connection.close()


def add_readings(root: Path, fraction: float, seed: int) -> dict[str, Any]:
    """New accelerometer and step-trainer files with about `fraction` more readings.

    Copies of the clean readings at a sample of (customer, instant) pairs of known customers, every
    reading of both streams at such a pair, all shifted by one offset past the newest reading, so
    the copies still pair per customer and instant and repeat no existing reading. Existing files
    are never touched.
    """
    with landing_tables(root) as db:
        db.execute(f"""
            create temp table persons as
            select distinct lower(trim(email)) as person, serialNumber as serial
            from customer where email is not null and serialNumber is not null;
            -- a device of exactly one person, and that person's only device
            create temp table devices as
            select any_value(person) as person, lower(trim(serial)) as serial_key
            from persons
            where person in (select person from persons group by person having count(distinct serial) = 1)
            group by lower(trim(serial)) having count(distinct person) = 1;
            create temp table clean_acc as
            select distinct a."user", a."timestamp", a.x, a.y, a.z, lower(trim(a."user")) as person
            from accelerometer a
            where a."user" is not null and a."timestamp" is not null
              and a.x is not null and a.y is not null and a.z is not null
              and lower(trim(a."user")) in (select person from persons);
            -- the share of pairs that makes the copies `fraction` of all accelerometer lines
            create temp table picked as
            select distinct person, "timestamp" from clean_acc
            where hash(person || '|' || "timestamp"::varchar || '|{int(seed)}') % 1000000
                < {fraction} * 1000000 * (select count(*) from accelerometer)
                  / (select count(*) from clean_acc);
            create temp table clean_steps as
            select any_value(s.sensorReadingTime) as sensorReadingTime,
                   any_value(s.serialNumber) as serialNumber,
                   any_value(s.distanceFromObject) as distanceFromObject, d.person
            from step_trainer s join devices d on lower(trim(s.serialNumber)) = d.serial_key
            where s.sensorReadingTime is not null and s.distanceFromObject is not null
            group by d.person, s.sensorReadingTime
            having count(distinct s.distanceFromObject) = 1 and count(distinct s.serialNumber) = 1;
        """)
        newest = db.execute(
            'select greatest((select max("timestamp") from accelerometer), '
            "(select max(sensorReadingTime) from step_trainer))"
        ).fetchone()[0]
        oldest_picked = db.execute('select min("timestamp") from picked').fetchone()[0]
        if oldest_picked is None:
            raise BenchError("no clean accelerometer reading of a known customer to copy")
        offset = newest - oldest_picked + 1000
        acc_rows = db.execute(
            'select "user", "timestamp", x, y, z from clean_acc join picked using (person, "timestamp") '
            'order by "timestamp", "user", x, y, z'
        ).fetchall()
        step_rows = db.execute(
            "select sensorReadingTime, serialNumber, distanceFromObject from clean_steps s "
            'join picked p on p.person = s.person and p."timestamp" = s.sensorReadingTime '
            "order by sensorReadingTime, serialNumber"
        ).fetchall()
    acc_file = new_file_name(root / "accelerometer" / "landing", "accelerometer")
    written_acc = write_lines(
        acc_file,
        ({"user": u, "timestamp": t + offset, "x": x, "y": y, "z": z} for u, t, x, y, z in acc_rows),
    )
    step_file = new_file_name(root / "step_trainer" / "landing", "step_trainer")
    written_steps = write_lines(
        step_file,
        (
            {"sensorReadingTime": t + offset, "serialNumber": s, "distanceFromObject": d}
            for t, s, d in step_rows
        ),
    )
    return {
        "accelerometer_lines": written_acc,
        "step_trainer_lines": written_steps,
        "offset_ms": offset,
        "files": [str(acc_file.relative_to(root)), str(step_file.relative_to(root))],
    }


def withdraw_consents(root: Path, fraction: float, seed: int) -> dict[str, Any]:
    """A new customer file: a newer version of `fraction` of the consenting customers, without consent."""
    with landing_tables(root) as db:
        newest_update = db.execute("select max(lastUpdateDate) from customer").fetchone()[0]
        # A customer's newest version, when every version at that instant has research consent
        # (on a tie the version without consent wins), and the email is one staging accepts.
        consenting = db.execute(f"""
            with versions as (
                select *, lower(trim(email)) as person,
                       max(lastUpdateDate) over (partition by lower(trim(email))) as newest
                from customer
                where email is not null and lastUpdateDate is not null
                  and trim(email) like '%_@_%' and trim(email) not like '%@%@%' and trim(email) not like '% %'
            )
            select * exclude (person, newest) from versions
            where lastUpdateDate = newest
            qualify bool_and(shareWithResearchAsOfDate is not null) over (partition by person)
                and row_number() over (partition by person order by customerName, phone) = 1
            order by hash(person || '|{int(seed)}'), person
        """)
        columns = [column[0] for column in consenting.description]
        rows = consenting.fetchall()
    if not rows:
        raise BenchError("no customer with research consent to withdraw")
    chosen = rows[: max(1, math.ceil(fraction * len(rows)))]
    updated = newest_update + 1000

    def newer_versions() -> Iterator[dict[str, Any]]:
        for row in chosen:
            record = {k: v for k, v in zip(columns, row, strict=True) if v is not None}
            record.pop("shareWithResearchAsOfDate", None)
            record["lastUpdateDate"] = updated
            yield record

    path = new_file_name(root / "customer" / "landing", "customer")
    written = write_lines(path, newer_versions())
    return {
        "customers_withdrawn": written,
        "customers_with_consent": len(rows),
        "last_update_date": updated,
        "files": [str(path.relative_to(root))],
    }


# -- dbt ---------------------------------------------------------------------------------------------


PRODUCTION_BUILD = ("--exclude-resource-type", "unit_test")


@dataclass
class DbtProject:
    """The repository's dbt project run against one DuckDB file (or the athena target) under `work`."""

    work: Path
    variables: dict[str, Any]
    extra_env: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.work.mkdir(parents=True, exist_ok=True)
        self.profiles = work_profiles(ROOT, self.work)
        (self.work / "exports").mkdir(exist_ok=True)

    def env(self) -> dict[str, str]:
        return dbt_environment(
            self.profiles, str(self.work / "stedi.duckdb"), self.work / "exports", self.extra_env
        )

    def run(self, step: str, *args: str, target_path: Path) -> Measured:
        """One dbt command, measured; the bench fails with dbt's output tail when dbt fails. A build
        is measured as production runs it (Makefile `run`, docs/athena.md): without the unit tests,
        which check the models' SQL whatever the data and run in `make test` and CI."""
        if args[:1] == ("build",):
            args = (*args, *PRODUCTION_BUILD)
        command = dbt_command(
            BIN / "dbt",
            args,
            project_dir=ROOT,
            target_path=target_path,
            log_path=self.work / "logs",
            variables=self.variables,
        )
        print(f"  {step}: dbt {' '.join(args)} ...", flush=True)
        measured = checked(
            step, measure(command, env=self.env(), cwd=self.work, log=self.work / f"{step}.log")
        )
        print(f"  {step}: {measured.seconds:.1f} s, peak {measured.peak_rss_mib:.0f} MiB", flush=True)
        return measured


def floor_step(root: Path, work: Path) -> tuple[Measured, dict[str, int]]:
    spec = [
        [entity, str(root / entity / "landing" / "*.json"), duckdb_columns(entity)] for entity in ENTITY_NAMES
    ]
    command = [sys.executable, "-c", FLOOR_SCRIPT, json.dumps(spec)]
    print("  floor: DuckDB reads every landing file ...", flush=True)
    measured = checked("floor", measure(command, env=clean_env(), cwd=work, log=work / "floor.log"))
    counts = json.loads(measured.log.read_text().strip().splitlines()[-1])
    print(f"  floor: {measured.seconds:.1f} s, peak {measured.peak_rss_mib:.0f} MiB", flush=True)
    return measured, counts


def step_figures(measured: Measured) -> dict[str, Any]:
    return {"seconds": round(measured.seconds, 3), "peak_rss_mib": round(measured.peak_rss_mib, 1)}


def local_part(args: argparse.Namespace, work: Path) -> dict[str, Any]:
    landing = work / "landing"
    print(f"Generating about {args.readings:,} accelerometer readings ...", flush=True)
    scale = calibrate(work, args.readings, args.instants, args.seed)
    started = time.perf_counter()
    generate(landing, scale.customers, scale.instants_per_customer, args.seed)
    generate_seconds = time.perf_counter() - started
    stats = landing_stats(landing)
    print(
        f"  {scale.customers:,} customers x {scale.instants_per_customer} instants: "
        f"{stats['lines']['accelerometer']:,} accelerometer, "
        f"{stats['lines']['step_trainer']:,} step trainer, "
        f"{stats['lines']['customer']:,} customer lines, "
        f"{sum(stats['bytes'].values()) / 1024**2:,.0f} MiB ({generate_seconds:.0f} s)",
        flush=True,
    )

    print("Measuring (each step a subprocess; wall time and its peak RSS):", flush=True)
    steps: dict[str, Measured] = {}
    steps["floor"], floor_counts = floor_step(landing, work)

    variables = {"landing_root": str(landing)}
    build = DbtProject(work / "dbt", variables)
    models = DbtProject(work / "dbt-models-only", variables)
    # One target path per DuckDB file: after its first parse dbt parses partially, as it does for
    # anyone re-running `dbt build` in a checkout (a changed profile, i.e. another DuckDB path,
    # would force a full parse).
    target = work / "dbt" / "target"
    steps["full_build"] = build.run("full_build", "build", "--full-refresh", target_path=target)
    steps["models_only"] = models.run(
        "models_only", "run", "--full-refresh", target_path=work / "dbt-models-only" / "target"
    )
    steps["no_new_data"] = build.run("no_new_data", "build", target_path=target)
    appended = add_readings(landing, 0.01, args.seed)
    print(
        f"  landed {appended['accelerometer_lines']:,} accelerometer and "
        f"{appended['step_trainer_lines']:,} step trainer readings in new files",
        flush=True,
    )
    steps["plus_1pct"] = build.run("plus_1pct", "build", target_path=target)
    withdrawn = withdraw_consents(landing, 0.01, args.seed)
    print(
        f"  landed a customer file withdrawing {withdrawn['customers_withdrawn']:,} of "
        f"{withdrawn['customers_with_consent']:,} research consents",
        flush=True,
    )
    steps["withdraw"] = build.run("withdraw", "build", target_path=target)

    fixed = fixed_cost(args, work)

    floor, full = steps["floor"].seconds, steps["full_build"].seconds
    figures = {
        name: {
            **step_figures(measured),
            "ratio_to_floor": round(measured.seconds / floor, 3),
            "ratio_to_full_build": round(measured.seconds / full, 3),
        }
        for name, measured in steps.items()
    }
    targets = []
    for key, label, step, base, limit in LOCAL_TARGETS:
        ratio = steps[step].seconds / steps[base].seconds
        targets.append({"name": key, "label": label, "measured": round(ratio, 3), "limit": limit})
    peak_gib = max(m.peak_rss_kib for name, m in steps.items() if name != "floor") * 1024 / GIB
    targets.append(
        {
            "name": "peak_memory_gib",
            "label": "peak memory < 3 GiB (max over dbt steps)",
            "measured": round(peak_gib, 3),
            "limit": PEAK_MEMORY_LIMIT_GIB,
            "strict": True,
        }
    )
    for target_row in targets:
        target_row["pass"] = passes(target_row)
    return {
        "scale": {
            "readings_requested": args.readings,
            "customers": scale.customers,
            "instants_per_customer": scale.instants_per_customer,
            "calibrated_readings_per_customer": round(scale.readings_per_customer, 2),
            "seed": args.seed,
            "defects": "all",
            "landing_root": str(landing),
            "landing_files": stats["files"],
            "landing_bytes": stats["bytes"],
            "landing_lines": stats["lines"],
            "floor_rows_read": floor_counts,
            "generate_seconds": round(generate_seconds, 1),
        },
        "changes": {"plus_1pct": appended, "withdraw": withdrawn},
        "steps": figures,
        "fixed_cost": fixed,
        "beyond_fixed_cost": beyond_fixed_cost(steps, fixed),
        "targets": targets,
    }


def fixed_cost(args: argparse.Namespace, work: Path) -> dict[str, Any]:
    """What dbt costs whatever the data: the same project's full build, and its build with no new
    data, on a landing set of FIXED_COST_CUSTOMERS customers (parsing, the hooks, and each node's
    own overhead: a few hundred milliseconds per model and test, whatever it reads)."""
    landing = work / "fixed-cost-landing"
    generate(landing, FIXED_COST_CUSTOMERS, args.instants, args.seed)
    lines = landing_stats(landing)["lines"]
    project = DbtProject(work / "dbt-fixed-cost", {"landing_root": str(landing)})
    target = work / "dbt-fixed-cost" / "target"
    print(f"  dbt's fixed cost: the same builds on {lines['accelerometer']:,} readings", flush=True)
    full = project.run("fixed_cost_full_build", "build", "--full-refresh", target_path=target)
    no_new = project.run("fixed_cost_no_new_data", "build", target_path=target)
    results = json.loads((target / "run_results.json").read_text(encoding="utf-8"))["results"]
    return {
        "customers": FIXED_COST_CUSTOMERS,
        "landing_lines": lines,
        "nodes": len(results),
        "full_build": step_figures(full),
        "no_new_data": step_figures(no_new),
    }


def beyond_fixed_cost(steps: Mapping[str, Measured], fixed: Mapping[str, Any]) -> dict[str, Any]:
    """Each dbt step's seconds less dbt's fixed cost (a full build's, or an incremental build's),
    and the incremental steps as a share of the full build's, both counted that way: what the data
    costs, which the design can change."""
    full = steps["full_build"].seconds - fixed["full_build"]["seconds"]
    rest = {
        name: steps[name].seconds - fixed["no_new_data"]["seconds"]
        for name in ("no_new_data", "plus_1pct", "withdraw")
    }
    return {
        "full_build_seconds": round(full, 3),
        **{f"{name}_seconds": round(value, 3) for name, value in rest.items()},
        **{
            f"{name}_vs_full_build": round(value / full, 3) if full > 0 else None
            for name, value in rest.items()
        },
    }


def passes(target_row: Mapping[str, Any]) -> bool:
    if target_row.get("strict"):
        return target_row["measured"] < target_row["limit"]
    return target_row["measured"] <= target_row["limit"]


# -- athena ------------------------------------------------------------------------------------------


def athena_available() -> bool:
    return importlib.util.find_spec("athena_local") is not None


def trino_home() -> Path:
    return Path(os.environ.get("ATHENA_LOCAL_HOME") or ROOT / ".athena-local")


def athena_missing() -> str | None:
    """Why the athena part cannot run here (None: it can). Never fetches Trino: `make trino` does."""
    if not athena_available():
        return "the local Athena (package athena_local) is not installed: make trino installs it"
    from athena_local.trino_dist import is_installed

    if not is_installed(trino_home()):
        return f"Trino is not installed in {trino_home()}: make trino fetches it (once)"
    return None


def athena_env(endpoint: str, schema_prefix: str) -> dict[str, str]:
    """As tests/python/test_athena_target.py drives dbt against the local Athena."""
    return {
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_REGION": REGION,
        "AWS_DEFAULT_REGION": REGION,
        "AWS_EC2_METADATA_DISABLED": "true",
        # One botocore loader per dbt process: see tests/python/athena_client/sitecustomize.py.
        "PYTHONPATH": str(ATHENA_CLIENT),
        "STEDI_TARGET": "athena",
        "STEDI_S3_STAGING_DIR": f"s3://{BUCKET}/athena-results/",
        "STEDI_S3_DATA_DIR": f"s3://{BUCKET}/lakehouse/",
        "STEDI_SCHEMA_PREFIX": schema_prefix,
    }


def query_ids(client: Any) -> set[str]:
    ids: set[str] = set()
    for page in client.get_paginator("list_query_executions").paginate(WorkGroup="primary"):
        ids.update(page["QueryExecutionIds"])
    return ids


def scanned_bytes(client: Any, ids: set[str]) -> tuple[int, dict[str, int]]:
    """Sum of Statistics.DataScannedInBytes over the query executions `ids`, and per dbt node.

    The node is read from the comment dbt puts at the head of every query it sends
    (`"node_id": "model.stedi.x"`); queries without one (dbt's own catalog calls) count as `dbt`.
    """
    total, by_node, ordered = 0, Counter(), sorted(ids)
    for start in range(0, len(ordered), 50):
        answer = client.batch_get_query_execution(QueryExecutionIds=ordered[start : start + 50])
        for execution in answer["QueryExecutions"]:
            scanned = execution.get("Statistics", {}).get("DataScannedInBytes", 0)
            node = re.search(r'"node_id": "([^"]+)"', execution.get("Query", ""))
            total += scanned
            by_node[node.group(1) if node else "dbt"] += scanned
    return total, dict(by_node.most_common())


def land(root: Path, endpoint: str, work: Path, step: str) -> Measured:
    env = {**clean_env(), **{k: v for k, v in athena_env(endpoint, "").items() if k.startswith("AWS_")}}
    command = [str(BIN / "stedi"), "land", "--from", str(root), "--bucket", BUCKET, "--prefix", "landing"]
    return checked(step, measure(command, env=env, cwd=work, log=work / f"{step}.log"))


def subject_key(endpoint: str, work: Path) -> None:
    """A random subject key in the local Athena's restricted table (`stedi subject-key`)."""
    env = {**clean_env(), **{k: v for k, v in athena_env(endpoint, "").items() if k.startswith("AWS_")}}
    command = [str(BIN / "stedi"), "subject-key", "--bucket", BUCKET]
    checked("athena_subject_key", measure(command, env=env, cwd=work, log=work / "athena_subject_key.log"))


def athena_part(args: argparse.Namespace, work: Path) -> dict[str, Any]:
    import boto3
    from athena_local import AthenaLocal
    from athena_local.trino_dist import TRINO_VERSION

    landing = work / "landing"
    print(
        f"Athena target on the local Athena (Trino {TRINO_VERSION}), {args.athena_readings:,} readings:",
        flush=True,
    )
    scale = calibrate(work, args.athena_readings, args.instants, args.seed)
    generate(landing, scale.customers, scale.instants_per_customer, args.seed)
    stats = landing_stats(landing)
    started = time.perf_counter()
    with AthenaLocal(trino_home=trino_home()) as athena:
        startup = time.perf_counter() - started
        endpoint = athena.endpoint_url
        settings = {
            "endpoint_url": endpoint,
            "region_name": REGION,
            "aws_access_key_id": "testing",
            "aws_secret_access_key": "testing",
        }
        boto3.client("s3", **settings).create_bucket(Bucket=BUCKET)
        client = boto3.client("athena", **settings)
        landed = land(landing, endpoint, work, "athena_land")
        subject_key(endpoint, work)
        project = DbtProject(work / "dbt", {}, athena_env(endpoint, "bench"))
        target = work / "dbt-target"

        before = query_ids(client)
        full = project.run(
            "athena_full_build", "build", "--target", "athena", "--full-refresh", target_path=target
        )
        full_ids = query_ids(client) - before
        full_scanned, full_by_node = scanned_bytes(client, full_ids)

        appended = add_readings(landing, 0.01, args.seed)
        landed_more = land(landing, endpoint, work, "athena_land_plus_1pct")
        before = query_ids(client)
        more = project.run("athena_plus_1pct", "build", "--target", "athena", target_path=target)
        more_ids = query_ids(client) - before
        more_scanned, more_by_node = scanned_bytes(client, more_ids)

    ratio = more_scanned / full_scanned if full_scanned else math.inf
    target_row = {
        "name": "athena_plus_1pct_scan_vs_full_build",
        "label": "athena +1 % build scans < 5 % of full build",
        "measured": round(ratio, 4),
        "limit": ATHENA_SCAN_LIMIT,
        "strict": True,
    }
    target_row["pass"] = passes(target_row)
    return {
        "engine": f"local Athena (harness/, Trino {TRINO_VERSION}), 127.0.0.1",
        "scale": {
            "readings_requested": args.athena_readings,
            "customers": scale.customers,
            "instants_per_customer": scale.instants_per_customer,
            "landing_bytes": stats["bytes"],
            "landing_lines": stats["lines"],
        },
        "startup_seconds": round(startup, 1),
        "steps": {
            "land": step_figures(landed),
            "full_build": {
                **step_figures(full),
                "queries": len(full_ids),
                "scanned_bytes": full_scanned,
                "scanned_bytes_by_node": full_by_node,
            },
            "land_plus_1pct": step_figures(landed_more),
            "plus_1pct": {
                **step_figures(more),
                "queries": len(more_ids),
                "scanned_bytes": more_scanned,
                "scanned_bytes_by_node": more_by_node,
            },
        },
        "changes": {"plus_1pct": appended},
        "targets": [target_row],
    }


# -- report ------------------------------------------------------------------------------------------


def versions() -> dict[str, str]:
    found = {"python": platform.python_version()}
    for package in ("dbt-core", "dbt-duckdb", "dbt-athena-community", "duckdb", "moto", "trino"):
        with contextlib.suppress(importlib.metadata.PackageNotFoundError):
            found[package] = importlib.metadata.version(package)
    if athena_available():
        from athena_local.trino_dist import TRINO_VERSION

        found["trino-server"] = TRINO_VERSION
    return found


def machine() -> dict[str, Any]:
    memory = None
    with contextlib.suppress(OSError, ValueError):
        memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    return {
        "cpu_count": os.cpu_count(),
        "usable_cpus": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
        "memory_bytes": memory,
        "platform": platform.platform(),
    }


def print_report(result: Mapping[str, Any]) -> None:
    local = result["local"]
    scale = local["scale"]
    lines = scale["landing_lines"]
    print()
    print(
        f"Scale: {scale['customers']:,} customers, {lines['accelerometer']:,} accelerometer, "
        f"{lines['step_trainer']:,} step trainer, {lines['customer']:,} customer lines, "
        f"{sum(scale['landing_bytes'].values()) / 1024**2:,.0f} MiB of landing JSON; "
        f"{result['machine']['cpu_count']} CPUs"
    )
    print()
    header = f"{'step':<42} {'seconds':>9} {'x floor':>8} {'x full':>8} {'peak MiB':>9}"
    print(header)
    print("-" * len(header))
    for name, figures in local["steps"].items():
        print(
            f"{STEP_LABELS[name]:<42} {figures['seconds']:>9.1f} {figures['ratio_to_floor']:>8.2f} "
            f"{figures['ratio_to_full_build']:>8.2f} {figures['peak_rss_mib']:>9.0f}"
        )
    fixed, beyond = local["fixed_cost"], local["beyond_fixed_cost"]
    readings = fixed["landing_lines"]["accelerometer"]
    print(
        f"\ndbt's fixed cost ({fixed['nodes']} nodes, on {readings:,} readings): full build "
        f"{fixed['full_build']['seconds']:.1f} s, no new data {fixed['no_new_data']['seconds']:.1f} s"
    )
    shares = {
        name: "no share: the full build costs no more than dbt's own"
        if beyond[f"{name}_vs_full_build"] is None
        else f"{beyond[f'{name}_vs_full_build']:.2f} x full"
        for name in ("no_new_data", "plus_1pct", "withdraw")
    }
    print(
        f"Beyond it: full build {beyond['full_build_seconds']:.1f} s; no new data "
        f"{beyond['no_new_data_seconds']:.1f} s ({shares['no_new_data']}), +1 % "
        f"{beyond['plus_1pct_seconds']:.1f} s ({shares['plus_1pct']}), withdraw "
        f"{beyond['withdraw_seconds']:.1f} s ({shares['withdraw']})"
    )
    athena = result.get("athena")
    if athena and "steps" in athena:
        a_scale = athena["scale"]["landing_lines"]
        print()
        print(
            f"Athena target ({athena['engine']}): {a_scale['accelerometer']:,} accelerometer, "
            f"{a_scale['step_trainer']:,} step trainer, {a_scale['customer']:,} customer lines"
        )
        a_header = f"{'step':<42} {'seconds':>9} {'queries':>8} {'scanned MiB':>12} {'peak MiB':>9}"
        print(a_header)
        print("-" * len(a_header))
        for name, label in (
            ("land", "stedi land"),
            ("full_build", "full build (dbt build --full-refresh)"),
            ("land_plus_1pct", "stedi land +1 % readings"),
            ("plus_1pct", "+1 % readings (dbt build)"),
        ):
            figures = athena["steps"][name]
            queries = figures.get("queries", "")
            scanned = f"{figures['scanned_bytes'] / 1024**2:.1f}" if "scanned_bytes" in figures else ""
            print(
                f"{label:<42} {figures['seconds']:>9.1f} {queries!s:>8} {scanned:>12} "
                f"{figures['peak_rss_mib']:>9.0f}"
            )
        more = athena["steps"]["plus_1pct"]
        print("\nWhat the +1 % build scanned, by dbt node (the five largest):")
        for node, scanned in list(more.get("scanned_bytes_by_node", {}).items())[:5]:
            share = scanned / more["scanned_bytes"] if more["scanned_bytes"] else 0
            print(f"  {scanned / 1024**2:>9.1f} MiB {share:>6.1%}  {node}")
    elif athena:
        print(f"\nAthena part skipped: {athena['skipped']}")
    print()
    print("Targets:")
    for target_row in result["targets"]:
        verdict = "PASS" if target_row["pass"] else "MISS"
        print(f"  {verdict}  {target_row['label']:<48} measured {target_row['measured']:g}")


# -- command line ------------------------------------------------------------------------------------


def positive(text: str) -> int:
    try:
        value = int(text.replace("_", ""))
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be positive: {text!r}")
    return value


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="bench.py",
        description="Time and measure the dbt build (local DuckDB target, and the athena target on "
        "the local Athena) on generated landing data; print a table and the targets, write JSON.",
    )
    parser.add_argument(
        "--readings", type=positive, default=8_000_000, help="accelerometer readings to generate (8_000_000)"
    )
    parser.add_argument(
        "--instants", type=positive, default=DEFAULT_INSTANTS, help="instants per customer (30)"
    )
    parser.add_argument(
        "--work", type=Path, default=ROOT / "target" / "bench", help="work folder (target/bench)"
    )
    parser.add_argument("--out", type=Path, help="JSON result file (default: <work>/bench.json)")
    parser.add_argument(
        "--athena",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="also bench the athena target on the local Athena (default: when the harness is installed)",
    )
    parser.add_argument(
        "--athena-readings", type=positive, default=300_000, help="readings of the athena part (300_000)"
    )
    parser.add_argument("--seed", type=int, default=42, help="generator seed (42)")
    return parser.parse_args(argv)


def check_tools() -> None:
    for tool in ("dbt", "stedi"):
        if not (BIN / tool).exists():
            raise BenchError(
                f"{BIN / tool} not found: run this with the project's virtualenv "
                "(make bench, or .venv/bin/python bench/bench.py after make run)"
            )
    if importlib.util.find_spec("duckdb") is None or importlib.util.find_spec("stedi") is None:
        raise BenchError(
            f"{sys.executable} lacks the duckdb or stedi package: use .venv/bin/python (make run)"
        )


def prepare_work(work: Path) -> Path:
    work = work.resolve()
    if work == ROOT or work in ROOT.parents:
        raise BenchError(
            f"--work {work} is the checkout or above it: name a folder of its own (target/bench)"
        )
    for name in ("local", "athena"):
        shutil.rmtree(work / name, ignore_errors=True)
    work.mkdir(parents=True, exist_ok=True)
    return work


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        check_tools()
        missing = athena_missing() if args.athena is not False else "--no-athena"
        if args.athena and missing:
            raise BenchError(f"--athena: {missing}")
        work = prepare_work(args.work)
        out = (args.out or work / "bench.json").resolve()
        result: dict[str, Any] = {
            "started": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "machine": machine(),
            "versions": versions(),
        }
        (work / "local").mkdir()
        result["local"] = local_part(args, work / "local")
        if missing:
            result["athena"] = {"skipped": missing}
        else:
            (work / "athena").mkdir()
            result["athena"] = athena_part(args, work / "athena")
        result["targets"] = [*result["local"]["targets"], *result["athena"].get("targets", [])]
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    except (BenchError, RuntimeError) as error:  # RuntimeError: the local Athena did not start
        print(f"bench: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("bench: interrupted", file=sys.stderr)
        return 130
    print_report(result)
    print(f"\nFigures in {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
