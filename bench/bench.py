"""`make bench`: what the dbt build costs, on generated landing data of given sizes.

Locally, at each --readings scale (8 M and 80 M accelerometer readings by default), every step a
subprocess timed with the wall clock and measured for its peak resident memory (os.wait4's
ru_maxrss of that child: dbt and its embedded DuckDB are one process, so that is the build's peak):

  floor         one DuckDB process reading every landing file once (every column counted): the
                least any build over these files can cost
  full build    dbt build --full-refresh, every model, snapshot, seed and data test
  models only   dbt run --full-refresh (a DuckDB file of its own, so the sequence below is intact)
  no new data   dbt build again, nothing changed
  +1 % readings dbt build after new landing files with about 1 % more readings
  withdraw      dbt build after a new customer file withdrawing 1 % of the research consents

and dbt's own cost: the same builds on 100 customers. With the local Athena (harness/, real Trino)
it also builds the athena target for the same customers at two history sizes (13 and 130 days of
readings, the short one the long one's last days), each in full and then after the same new day,
and reports what each build would cost on Athena: queries, bytes scanned, bytes billed (each
scanning query rounded up to 1 MB, at least 10 MB), per dbt node. Then it prints the tables and the
targets (PASS/MISS), and writes every figure to a JSON file.

Run it with the project's virtualenv: .venv/bin/python bench/bench.py --help (or `make bench`).
Nothing here talks to the network: the local Athena listens on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
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

# The targets of the local part: (key, label, measured step, base step, limit), the ratio of the
# step's seconds to the base's. At the first --readings scale (8 M by default: a daily lake):
LOCAL_TARGETS = (
    ("full_build_vs_floor", "full build <= 8x floor", "full_build", "floor", 8.0),
    ("models_only_vs_floor", "models alone <= 4x floor", "models_only", "floor", 4.0),
    ("plus_1pct_vs_full_build", "+1 % readings <= 0.15x full build", "plus_1pct", "full_build", 0.15),
    ("withdraw_vs_full_build", "withdraw 1 % <= 0.2x full build", "withdraw", "full_build", 0.2),
)
# ... and at the largest, when there are two or more (80 M by default): cost linear in the data.
LARGEST_SCALE_TARGETS = (("full_build_vs_floor", "full build <= 6x floor", "full_build", "floor", 6.0),)
PEAK_MEMORY_LIMIT_GIB = 3.0  # the first scale's dbt steps
LARGEST_SCALE_PEAK_MEMORY_LIMIT_GIB = 8.0
# A build with nothing new costs at most dbt's own cost (the same build on the fixed-cost set) + 2 s.
NO_NEW_DATA_MARGIN_SECONDS = 2.0
# dbt's own cost: a build with nothing new on FIXED_COST_CUSTOMERS customers.
DBT_OWN_COST_LIMIT_SECONDS = 5.0
# The landing set on which dbt's fixed cost is measured: small enough that reading it costs nothing.
FIXED_COST_CUSTOMERS = 100
DEFAULT_READINGS = (8_000_000, 80_000_000)

# The athena part: the same customers with a short and a long history of readings (the long one
# ends with the short one's days), each built in full and then again after the same new day.
HISTORY_DAYS = (13, 130)
DAY_MS = 86_400_000
GENERATOR_END_DATE = "2022-06-30"
READING_TIME = {"accelerometer": "timestamp", "step_trainer": "sensorReadingTime"}
# A run after one new day, at the long history: at most this share of a full build's bytes ...
ATHENA_SCAN_LIMIT = 0.05
# ... and at most this multiple of what the same new day costs at the short history.
ATHENA_HISTORY_GROWTH_LIMIT = 1.5
# Athena's bill: each query that scans data is charged its bytes rounded up to the next MB, at least
# 10 MB (https://aws.amazon.com/athena/pricing/); DDL and failed queries are free. MB as MiB here.
MIB = 1024**2
BILLING_MINIMUM_BYTES = 10 * MIB
# Trino reads a Parquet file under its small-file threshold whole (3 MB by default): every file
# of a bench-sized lake. 1 byte: only the columns a query needs, as Athena reads a production lake.
PARQUET_SMALL_FILE_THRESHOLD = "1B"
# Each Athena build's largest queries go to the JSON with the head of their SQL: what a node reads.
LARGEST_QUERIES = 40
QUERY_TEXT = 300

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


def generate(out: Path, customers: int, instants: int, seed: int, reading_days: int | None = None) -> None:
    """`stedi generate`, every defect; readings over `reading_days` days up to GENERATOR_END_DATE
    (the generator's default window when None)."""
    days = (
        []
        if reading_days is None
        else ["--reading-days", str(reading_days), "--end-date", GENERATOR_END_DATE]
    )
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
        *days,
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


def reading(line: str, entity: str) -> tuple[dict[str, Any] | None, int | None]:
    """A reading line's record and its epoch-ms instant; (None, None) when the line is not a JSON
    object with a whole-number instant (a defect the generator wrote: kept as it is)."""
    try:
        record = json.loads(line)
    except ValueError:
        return None, None
    instant = record.get(READING_TIME[entity]) if isinstance(record, dict) else None
    if not isinstance(instant, int) or isinstance(instant, bool):
        return None, None
    return record, instant


def window_end_ms() -> int:
    """The end of the generator's reading window: midnight (UTC) after GENERATOR_END_DATE."""
    end = datetime.date.fromisoformat(GENERATOR_END_DATE) + datetime.timedelta(days=1)
    return (end - datetime.date(1970, 1, 1)).days * DAY_MS


def last_days(source: Path, out: Path, days: int) -> dict[str, int]:
    """`out`: the landing set `source` with only the readings of its last `days` days (the same
    customer files and file names). A reading line without an instant (a defect) stays with its
    file; a file none of whose readings fall in those days is left out, as its exporter would not
    have written it (kept, its defects alone would be a file of malformed lines, which stops a build)."""
    cutoff = window_end_ms() - days * DAY_MS
    shutil.copytree(source, out, ignore=shutil.ignore_patterns(*READING_TIME))
    kept: dict[str, int] = {}
    for entity in READING_TIME:
        folder = out / entity / "landing"
        folder.mkdir(parents=True)
        kept[entity] = 0
        for path in landing_files(source, entity):
            with path.open(encoding="utf-8") as reader:
                lines = [(line, reading(line, entity)[1]) for line in reader]
            if any(instant is not None and instant >= cutoff for _, instant in lines):
                chosen = [line for line, instant in lines if instant is None or instant >= cutoff]
                (folder / path.name).write_text("".join(chosen), encoding="utf-8")
                kept[entity] += len(chosen)
    return kept


def add_new_day(roots: Sequence[Path], source: Path) -> dict[str, Any]:
    """One more day of readings, the same file in each landing set of `roots`: every reading of
    the last day of `source`'s window, one day later (the same devices and app users, each
    step-trainer reading still at its app reading's instant)."""
    end = window_end_ms()
    written: dict[str, Any] = {"files": []}
    for entity in READING_TIME:
        lines = []
        for path in landing_files(source, entity):
            with path.open(encoding="utf-8") as reader:
                for line in reader:
                    record, instant = reading(line, entity)
                    if record is not None and instant is not None and end - DAY_MS <= instant < end:
                        record[READING_TIME[entity]] = instant + DAY_MS
                        lines.append(json.dumps(record, separators=(",", ":")) + "\n")
        name = max(new_file_name(root / entity / "landing", entity).name for root in roots)
        for root in roots:
            (root / entity / "landing" / name).write_text("".join(lines), encoding="utf-8")
        written[f"{entity}_lines"] = len(lines)
        written["files"].append(f"{entity}/landing/{name}")
    return written


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


def scale_tag(readings: int) -> str:
    """8000000 -> '8m', 20000 -> '20k': the scale in a target's name."""
    for size, suffix in ((1_000_000, "m"), (1_000, "k")):
        if readings % size == 0:
            return f"{readings // size}{suffix}"
    return str(readings)


def local_scale(readings: int, args: argparse.Namespace, work: Path) -> dict[str, Any]:
    """Every local step on one generated landing set of about `readings` accelerometer readings."""
    landing = work / "landing"
    print(f"Generating about {readings:,} accelerometer readings ...", flush=True)
    scale = calibrate(work, readings, args.instants, args.seed)
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

    floor, full = steps["floor"].seconds, steps["full_build"].seconds
    figures = {
        name: {
            **step_figures(measured),
            "ratio_to_floor": round(measured.seconds / floor, 3),
            "ratio_to_full_build": round(measured.seconds / full, 3),
        }
        for name, measured in steps.items()
    }
    return {
        "scale": {
            "readings_requested": readings,
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
        "peak_gib": round(
            max(m.peak_rss_kib for name, m in steps.items() if name != "floor") * 1024 / GIB, 3
        ),
    }


def local_part(args: argparse.Namespace, work: Path) -> dict[str, Any]:
    """Each --readings scale, smallest first, then dbt's fixed cost, then the targets."""
    scales = []
    for readings in sorted(args.readings):
        (work / scale_tag(readings)).mkdir()
        scales.append(local_scale(readings, args, work / scale_tag(readings)))
    fixed = fixed_cost(args, work)
    for scale in scales:
        scale["beyond_fixed_cost"] = beyond_fixed_cost(scale["steps"], fixed)
    return {"scales": scales, "fixed_cost": fixed, "targets": local_targets(scales, fixed)}


def local_targets(scales: Sequence[Mapping[str, Any]], fixed: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The targets at the first scale (a daily lake), at the largest (linear in the data), and
    on dbt's own cost."""
    rows: list[dict[str, Any]] = []

    def add(name: str, label: str, measured: float, limit: float, strict: bool = False) -> None:
        rows.append(
            {"name": name, "label": label, "measured": round(measured, 3), "limit": limit, "strict": strict}
        )

    def ratios(scale: Mapping[str, Any], targets: Sequence[tuple[str, str, str, str, float]]) -> None:
        tag, steps = scale_tag(scale["scale"]["readings_requested"]), scale["steps"]
        for key, label, step, base, limit in targets:
            add(f"{key}_{tag}", f"{tag}: {label}", steps[step]["seconds"] / steps[base]["seconds"], limit)

    first, largest = scales[0], scales[-1]
    tag = scale_tag(first["scale"]["readings_requested"])
    ratios(first, LOCAL_TARGETS)
    add(
        f"no_new_data_beyond_dbt_own_cost_{tag}",
        f"{tag}: no new data <= dbt's own cost + 2 s (seconds beyond it)",
        first["steps"]["no_new_data"]["seconds"] - fixed["no_new_data"]["seconds"],
        NO_NEW_DATA_MARGIN_SECONDS,
    )
    add(
        f"peak_memory_gib_{tag}",
        f"{tag}: peak memory < 3 GiB",
        first["peak_gib"],
        PEAK_MEMORY_LIMIT_GIB,
        True,
    )
    if len(scales) > 1:
        tag = scale_tag(largest["scale"]["readings_requested"])
        ratios(largest, LARGEST_SCALE_TARGETS)
        add(
            f"peak_memory_gib_{tag}",
            f"{tag}: peak memory <= 8 GiB",
            largest["peak_gib"],
            LARGEST_SCALE_PEAK_MEMORY_LIMIT_GIB,
        )
    add(
        "dbt_own_cost_seconds",
        f"dbt's own cost (no new data, {FIXED_COST_CUSTOMERS} customers) <= 5 s",
        fixed["no_new_data"]["seconds"],
        DBT_OWN_COST_LIMIT_SECONDS,
    )
    for target_row in rows:
        target_row["pass"] = passes(target_row)
    return rows


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


def beyond_fixed_cost(steps: Mapping[str, Mapping[str, Any]], fixed: Mapping[str, Any]) -> dict[str, Any]:
    """Each dbt step's seconds less dbt's fixed cost (a full build's, or an incremental build's),
    and the incremental steps as a share of the full build's, both counted that way: what the data
    costs, which the design can change."""
    full = steps["full_build"]["seconds"] - fixed["full_build"]["seconds"]
    rest = {
        name: steps[name]["seconds"] - fixed["no_new_data"]["seconds"]
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


def billed_bytes(scanned: int) -> int:
    """What Athena bills a query that scanned `scanned` bytes: nothing for none (DDL, a catalog
    call), else the bytes rounded up to the next MB, at least 10 MB."""
    if scanned <= 0:
        return 0
    return max(BILLING_MINIMUM_BYTES, math.ceil(scanned / MIB) * MIB)


def query_text(sql: str) -> str:
    """The head of a query's SQL on one line, without dbt's comment and, for a CTAS, without its
    `create table ... with (...) as` (what it reads is in the select)."""
    text = " ".join(re.sub(r"/\*.*?\*/", "", sql, count=1, flags=re.S).split()).removeprefix("-- ")
    text = re.sub(r"^create table \S+ with \(.*?\) as ", "", text, count=1, flags=re.I)
    return text[:QUERY_TEXT]


def athena_cost(client: Any, ids: set[str]) -> dict[str, Any]:
    """Queries, bytes scanned and bytes billed of the query executions `ids`, in all and per dbt node.

    The node is read from the comment dbt puts at the head of every query it sends
    (`"node_id": "model.stedi.x"`); queries without one (the hooks, dbt's own catalog calls) count
    as `dbt`. A failed query is billed nothing, as on Athena. The LARGEST_QUERIES that scanned
    most are kept with the head of their SQL.
    """
    by_node: dict[str, Counter[str]] = {}
    queries: list[dict[str, Any]] = []
    ordered = sorted(ids)
    for start in range(0, len(ordered), 50):
        answer = client.batch_get_query_execution(QueryExecutionIds=ordered[start : start + 50])
        for execution in answer["QueryExecutions"]:
            succeeded = execution.get("Status", {}).get("State") == "SUCCEEDED"
            scanned = execution.get("Statistics", {}).get("DataScannedInBytes", 0)
            node = re.search(r'"node_id": "([^"]+)"', execution.get("Query", ""))
            name = node.group(1) if node else "dbt"
            figures = by_node.setdefault(name, Counter())
            sql = query_text(execution.get("Query", ""))
            queries.append({"node": name, "scanned_bytes": scanned, "sql": sql})
            figures.update(
                queries=1,
                scanning_queries=int(scanned > 0),
                scanned_bytes=scanned,
                billed_bytes=billed_bytes(scanned) if succeeded else 0,
            )
    total: Counter[str] = Counter()
    for figures in by_node.values():
        total.update(figures)
    ranked = sorted(by_node.items(), key=lambda item: (-item[1]["scanned_bytes"], item[0]))
    return {
        **{key: total[key] for key in ("queries", "scanning_queries", "scanned_bytes", "billed_bytes")},
        "by_node": {node: dict(figures) for node, figures in ranked},
        "largest_queries": sorted(queries, key=lambda query: -query["scanned_bytes"])[:LARGEST_QUERIES],
    }


def land(root: Path, endpoint: str, work: Path, step: str, prefix: str, database: str) -> Measured:
    env = {**clean_env(), **{k: v for k, v in athena_env(endpoint, "").items() if k.startswith("AWS_")}}
    command = [str(BIN / "stedi"), "land", "--from", str(root), "--bucket", BUCKET, "--prefix", prefix]
    command += ["--database", database]
    return checked(step, measure(command, env=env, cwd=work, log=work / f"{step}.log"))


def subject_key(endpoint: str, work: Path) -> None:
    """A random subject key in the local Athena's restricted table (`stedi subject-key`)."""
    env = {**clean_env(), **{k: v for k, v in athena_env(endpoint, "").items() if k.startswith("AWS_")}}
    command = [str(BIN / "stedi"), "subject-key", "--bucket", BUCKET]
    checked("athena_subject_key", measure(command, env=env, cwd=work, log=work / "athena_subject_key.log"))


def athena_build(
    project: DbtProject, client: Any, step: str, *args: str, target_path: Path
) -> dict[str, Any]:
    """One dbt build on the athena target: its time and what Athena would bill for it."""
    before = query_ids(client)
    measured = project.run(step, "build", "--target", "athena", *args, target_path=target_path)
    cost = athena_cost(client, query_ids(client) - before)
    print(
        f"    {cost['queries']} queries, {cost['scanned_bytes'] / MIB:.1f} MiB scanned, "
        f"{cost['billed_bytes'] / MIB:.0f} MiB billed",
        flush=True,
    )
    return {**step_figures(measured), **cost}


def share(part: float, whole: float) -> float:
    return round(part / whole, 4) if whole else math.inf


def athena_part(args: argparse.Namespace, work: Path) -> dict[str, Any]:
    """The same customers with HISTORY_DAYS of readings: the long history generated, the short one
    its last days; each landed and built in full, then one more day lands in both (the same files)
    and each is built again. What grows from the short to the long history is what a daily run pays
    for the history it does not need to read."""
    import boto3
    from athena_local import AthenaLocal
    from athena_local.trino_dist import TRINO_VERSION

    short, long = HISTORY_DAYS
    print(
        f"Athena target on the local Athena (Trino {TRINO_VERSION}): the same customers with {short} and "
        f"{long} days of readings (about {args.athena_readings:,} readings at {long} days)",
        flush=True,
    )
    # The generator spreads instants-per-customer over the window: ten times the days, ten times
    # the instants, so a day holds as many readings at either history.
    per_day = args.instants / short
    base = calibrate(work, args.athena_readings * short // long, args.instants, args.seed)
    landings = {days: work / f"landing-{days}d" for days in HISTORY_DAYS}
    generate(landings[long], base.customers, round(per_day * long), args.seed, reading_days=long)
    last_days(landings[long], landings[short], short)
    scales = {
        days: {"days": days, "customers": base.customers, "landing_at_full_build": landing_stats(root)}
        for days, root in landings.items()
    }
    histories: dict[int, dict[str, Any]] = {days: {"steps": {}} for days in HISTORY_DAYS}
    started = time.perf_counter()
    with AthenaLocal(
        trino_home=trino_home(), parquet_small_file_threshold=PARQUET_SMALL_FILE_THRESHOLD
    ) as athena:
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
        subject_key(endpoint, work)
        projects = {
            days: DbtProject(
                work / f"dbt-{days}d",
                {"landing_schema": f"bench_landing_{days}d"},
                athena_env(endpoint, f"bench_{days}d"),
            )
            for days in HISTORY_DAYS
        }

        def land_history(days: int, step: str) -> dict[str, Any]:
            landed = land(landings[days], endpoint, work, step, f"landing-{days}d", f"bench_landing_{days}d")
            return step_figures(landed)

        for days in HISTORY_DAYS:
            print(f"  {days} days of history:", flush=True)
            steps = histories[days]["steps"]
            steps["land"] = land_history(days, f"athena_land_{days}d")
            target = work / f"dbt-{days}d" / "target"
            steps["full_build"] = athena_build(
                projects[days], client, f"athena_full_build_{days}d", "--full-refresh", target_path=target
            )
        new_day = add_new_day(list(landings.values()), landings[long])
        print(
            f"  one new day: {new_day['accelerometer_lines']:,} accelerometer and "
            f"{new_day['step_trainer_lines']:,} step trainer readings, the same files in both",
            flush=True,
        )
        for days in HISTORY_DAYS:
            steps = histories[days]["steps"]
            steps["land_new_day"] = land_history(days, f"athena_land_new_day_{days}d")
            steps["new_day"] = athena_build(
                projects[days],
                client,
                f"athena_new_day_{days}d",
                target_path=work / f"dbt-{days}d" / "target",
            )
    for days in HISTORY_DAYS:
        histories[days]["scale"] = scales[days]

    full_long = histories[long]["steps"]["full_build"]
    new_long, new_short = histories[long]["steps"]["new_day"], histories[short]["steps"]["new_day"]
    growth = []
    for node in dict.fromkeys([*new_long["by_node"], *new_short["by_node"]]):
        at_long = new_long["by_node"].get(node, {}).get("scanned_bytes", 0)
        at_short = new_short["by_node"].get(node, {}).get("scanned_bytes", 0)
        growth.append(
            {"node": node, "short_bytes": at_short, "long_bytes": at_long, "growth": share(at_long, at_short)}
        )
    growth.sort(key=lambda row: (-(row["long_bytes"] - row["short_bytes"]), row["node"]))
    targets = [
        {
            "name": "athena_new_day_vs_full_build",
            "label": f"athena: a new day at {long} days scans <= 5 % of a full build",
            "measured": share(new_long["scanned_bytes"], full_long["scanned_bytes"]),
            "billed": share(new_long["billed_bytes"], full_long["billed_bytes"]),
            "limit": ATHENA_SCAN_LIMIT,
        },
        {
            "name": "athena_new_day_history_growth",
            "label": f"athena: a new day at {long} days <= 1.5x at {short} days",
            "measured": share(new_long["scanned_bytes"], new_short["scanned_bytes"]),
            "billed": share(new_long["billed_bytes"], new_short["billed_bytes"]),
            "limit": ATHENA_HISTORY_GROWTH_LIMIT,
        },
    ]
    for target_row in targets:
        target_row["pass"] = passes(target_row)
    return {
        "engine": f"local Athena (harness/, Trino {TRINO_VERSION}), 127.0.0.1",
        "parquet_small_file_threshold": PARQUET_SMALL_FILE_THRESHOLD,
        "readings_requested": args.athena_readings,
        "startup_seconds": round(startup, 1),
        "new_day": new_day,
        "histories": {f"{days}d": histories[days] for days in HISTORY_DAYS},
        "new_day_growth_by_node": growth,
        "targets": targets,
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


def print_local_scale(scale_part: Mapping[str, Any], cpu_count: int) -> None:
    scale = scale_part["scale"]
    lines = scale["landing_lines"]
    print()
    print(
        f"Scale: {scale['customers']:,} customers, {lines['accelerometer']:,} accelerometer, "
        f"{lines['step_trainer']:,} step trainer, {lines['customer']:,} customer lines, "
        f"{sum(scale['landing_bytes'].values()) / 1024**2:,.0f} MiB of landing JSON; {cpu_count} CPUs"
    )
    header = f"{'step':<42} {'seconds':>9} {'x floor':>8} {'x full':>8} {'peak MiB':>9}"
    print(header)
    print("-" * len(header))
    for name, figures in scale_part["steps"].items():
        print(
            f"{STEP_LABELS[name]:<42} {figures['seconds']:>9.1f} {figures['ratio_to_floor']:>8.2f} "
            f"{figures['ratio_to_full_build']:>8.2f} {figures['peak_rss_mib']:>9.0f}"
        )
    beyond = scale_part["beyond_fixed_cost"]
    shares = {
        name: "no share: the full build costs no more than dbt's own"
        if beyond[f"{name}_vs_full_build"] is None
        else f"{beyond[f'{name}_vs_full_build']:.2f} x full"
        for name in ("no_new_data", "plus_1pct", "withdraw")
    }
    print(
        f"Beyond dbt's fixed cost: full build {beyond['full_build_seconds']:.1f} s; no new data "
        f"{beyond['no_new_data_seconds']:.1f} s ({shares['no_new_data']}), +1 % "
        f"{beyond['plus_1pct_seconds']:.1f} s ({shares['plus_1pct']}), withdraw "
        f"{beyond['withdraw_seconds']:.1f} s ({shares['withdraw']})"
    )


def print_athena(athena: Mapping[str, Any]) -> None:
    print()
    print(
        f"Athena target ({athena['engine']}, parquet.small-file-threshold="
        f"{athena['parquet_small_file_threshold']}): one new day of "
        f"{athena['new_day']['accelerometer_lines']:,} accelerometer and "
        f"{athena['new_day']['step_trainer_lines']:,} step trainer readings"
    )
    header = (
        f"{'history':>8} {'step':<26} {'seconds':>8} {'queries':>8} {'scanning':>9} "
        f"{'scanned MiB':>12} {'billed MiB':>11}"
    )
    print(header)
    print("-" * len(header))
    for history, part in athena["histories"].items():
        readings = part["scale"]["landing_at_full_build"]["lines"]["accelerometer"]
        print(f"{history:>8} {f'({readings:,} readings)':<26}")
        for name, label in (
            ("land", "stedi land"),
            ("full_build", "full build"),
            ("land_new_day", "stedi land, new day"),
            ("new_day", "build after the new day"),
        ):
            figures = part["steps"][name]
            if "queries" in figures:
                cost = (
                    f"{figures['queries']:>8} {figures['scanning_queries']:>9} "
                    f"{figures['scanned_bytes'] / MIB:>12.1f} {figures['billed_bytes'] / MIB:>11.0f}"
                )
            else:
                cost = ""
            print(f"{'':>8} {label:<26} {figures['seconds']:>8.1f} {cost}")
    short, long = (f"{days}d" for days in HISTORY_DAYS)
    print(f"\nWhat the build after the new day scanned, {short} vs {long} of history")
    print("(MiB; the ten nodes that grow most):")
    for row in athena["new_day_growth_by_node"][:10]:
        print(
            f"  {row['short_bytes'] / MIB:>9.1f} {row['long_bytes'] / MIB:>9.1f} "
            f"{row['growth']:>7.1f}x  {row['node']}"
        )


def print_report(result: Mapping[str, Any]) -> None:
    local = result["local"]
    if "skipped" in local:
        print(f"\nLocal part skipped: {local['skipped']}")
    else:
        for scale_part in local["scales"]:
            print_local_scale(scale_part, result["machine"]["cpu_count"])
        fixed = local["fixed_cost"]
        readings = fixed["landing_lines"]["accelerometer"]
        print(
            f"\ndbt's fixed cost ({fixed['nodes']} nodes, on {readings:,} readings): full build "
            f"{fixed['full_build']['seconds']:.1f} s, no new data {fixed['no_new_data']['seconds']:.1f} s"
        )
    athena = result.get("athena")
    if athena and "histories" in athena:
        print_athena(athena)
    elif athena:
        print(f"\nAthena part skipped: {athena['skipped']}")
    print()
    print("Targets:")
    for target_row in result["targets"]:
        verdict = "PASS" if target_row["pass"] else "MISS"
        billed = f" (billed bytes: {target_row['billed']:g})" if "billed" in target_row else ""
        print(f"  {verdict}  {target_row['label']:<64} measured {target_row['measured']:g}{billed}")


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
        "--readings",
        type=positive,
        nargs="+",
        default=list(DEFAULT_READINGS),
        help="accelerometer readings of each local scale (8_000_000 80_000_000): the smallest is checked "
        "as a daily lake, the largest for cost linear in the data",
    )
    parser.add_argument(
        "--instants", type=positive, default=DEFAULT_INSTANTS, help="instants per customer (30)"
    )
    parser.add_argument(
        "--work", type=Path, default=ROOT / "target" / "bench", help="work folder (target/bench)"
    )
    parser.add_argument("--out", type=Path, help="JSON result file (default: <work>/bench.json)")
    parser.add_argument(
        "--local",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="bench the local DuckDB target (default: yes; --no-local for the athena part alone)",
    )
    parser.add_argument(
        "--athena",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="also bench the athena target on the local Athena (default: when the harness is installed)",
    )
    parser.add_argument(
        "--athena-readings",
        type=positive,
        default=300_000,
        help=f"readings of the athena part's long history, {HISTORY_DAYS[1]} days (300_000)",
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
        if args.local:
            (work / "local").mkdir()
            result["local"] = local_part(args, work / "local")
        else:
            result["local"] = {"skipped": "--no-local", "targets": []}
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
