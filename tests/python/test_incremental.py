"""Incremental runs on the local target: each landing file read once, consent changes and erasure
requests on the next run.

A generated landing set arrives in two deliveries. The second brings the reading files held back
from the first, a customer file in which some consenting customers withdraw, some customers
without consent grant it (some with an instant before readings that landed earlier), and one
consenting customer moves the consent instant earlier (the first delivery put it after every
reading they have, so no reading of theirs counted under as_of_consent); in it too, one
consenting customer names a device nobody owned and another customer names a consenting
customer's device, which makes it shared (no consent changes). A late step-trainer file sends a
second distance for an instant of a trusted reading, and an erasure request names two customers
whose records the first run took (one consenting, with a device; one without consent).
After each delivery `dbt build` runs incrementally; the result must equal `dbt build
--full-refresh` on the same landing data, table for table and row for row, and the privacy
expectations are checked against the landing files themselves.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from conftest import PROJECT_ROOT, DbtProject, Landing, json_lines

POLICIES = ("as_of_consent", "any_time")
SUBJECT_KEY = "incremental-tests-key-not-a-secret-0123456789"
READING_ENTITIES = ("accelerometer", "step_trainer")
TRUSTED_AND_CURATED = {
    "stedi_trusted.customer_trusted": "email",
    "stedi_trusted.accelerometer_trusted": "customer_email",
    "stedi_trusted.step_trainer_trusted": "customer_email",
    "stedi_curated.customers_curated": "email",
}
# The consent history is a snapshot: it records when each run saw a change, so it is compared on
# its own (test_the_consent_history_records_each_change), not with a rebuild.
HISTORY = "stedi_consent.customer_consent_history"
LEDGERS = ("stedi_staging.stg_stedi__accelerometer_ledger", "stedi_staging.stg_stedi__step_trainer_ledger")


def normalise(value: object) -> str | None:
    return value.strip().lower() or None if isinstance(value, str) else None


@dataclass(frozen=True)
class Deliveries:
    """A landing set in two deliveries: the files of the second, and where they go."""

    complete: Path  # every file of both deliveries
    second: tuple[Path, ...]  # the second delivery's files, as paths under `complete`
    withdrawn: tuple[str, ...]  # emails (normalised) whose consent the second delivery withdraws
    granted: dict[str, int]  # email -> research-consent instant the second delivery grants
    moved: dict[str, tuple[int, int]]  # email -> its consent instant in the first delivery, in the second
    erased: tuple[str, ...]  # emails (normalised) the second delivery's erasure request names
    relocated: dict[str, tuple[str, str]]  # email -> its device in the first delivery, in the second
    shared: dict[str, str]  # serial number -> the customer who names it too in the second delivery
    conflicted: dict[str, int]  # serial number -> an instant the second delivery sends another distance for
    co_owner: str  # a customer whose newest record names the erased customer's device too


def newest_customers(root: Path) -> dict[str, dict]:
    """Each email's newest customer record (the rule the project applies, simplified: no ties here)."""
    newest: dict[str, dict] = {}
    for path in sorted((root / "customer" / "landing").glob("*.json")):
        for record in json_lines(path):
            email = normalise(record.get("email"))
            update = record.get("lastUpdateDate")
            if (
                email
                and isinstance(update, int)
                and (email not in newest or update >= newest[email]["lastUpdateDate"])
            ):
                newest[email] = record
    return newest


def is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def accelerometer_readings(root: Path) -> dict[str, set[tuple]]:
    """email -> its distinct usable accelerometer readings (instant, x, y, z), from the landing files."""
    readings: dict[str, set[tuple]] = {}
    for path in (root / "accelerometer" / "landing").glob("*.json"):
        for record in json_lines(path):
            email = normalise(record.get("user"))
            values = [record.get(field) for field in ("timestamp", "x", "y", "z")]
            if email and isinstance(values[0], int) and all(map(is_number, values)):
                readings.setdefault(email, set()).add((values[0], *map(float, values[1:])))
    return readings


def step_trainer_instants(root: Path) -> dict[str, dict[int, set[int]]]:
    """serial number -> instant -> the distances its step-trainer readings give, from the landing files."""
    instants: dict[str, dict[int, set[int]]] = {}
    for path in (root / "step_trainer" / "landing").glob("*.json"):
        for record in json_lines(path):
            serial, instant = record.get("serialNumber"), record.get("sensorReadingTime")
            distance = record.get("distanceFromObject")
            if isinstance(serial, str) and isinstance(instant, int) and isinstance(distance, int):
                instants.setdefault(serial, {}).setdefault(instant, set()).add(distance)
    return instants


def make_deliveries(landing: Landing, out: Path) -> Deliveries:
    complete = out
    shutil.copytree(landing.root, complete, ignore=shutil.ignore_patterns("ground_truth.json"))
    # Not the newest file of each reading entity: a late file, named before files already read.
    held_back = [sorted((complete / entity / "landing").glob("*.json"))[1] for entity in READING_ENTITIES]
    customers = newest_customers(complete)
    readings = accelerometer_readings(complete)
    consenting = sorted(
        e for e, r in customers.items() if r.get("shareWithResearchAsOfDate") and e in readings
    )
    without = sorted(
        e for e, r in customers.items() if not r.get("shareWithResearchAsOfDate") and e in readings
    )
    assert len(consenting) >= 7 and len(without) >= 5, "the generated set is too small for this test"
    withdrawn = tuple(consenting[:3])
    granted = {}
    for email in without[:4]:
        times = sorted(reading[0] for reading in readings[email])
        granted[email] = times[len(times) // 2]  # half of the readings landed before the consent instant
    stamp = max(r["lastUpdateDate"] for r in customers.values()) + 60_000
    # A consenting customer with a device, and one without consent: neither withdrawn nor granted.
    erased = (next(e for e in consenting[3:] if customers[e].get("serialNumber")), without[4])
    # The first delivery's newest record of `mover` gives consent after their last reading; the
    # second's moves it to their median reading. The mover has readings in the ledger all along.
    mover = next(e for e in reversed(consenting[3:]) if e not in erased)
    times = sorted(reading[0] for reading in readings[mover])
    moved = {mover: (times[-1] + 1, times[len(times) // 2])}
    first_change = complete / "customer" / "landing" / f"customer-{stamp - 30_000}.json"
    record = {
        **customers[mover],
        "lastUpdateDate": stamp - 30_000,
        "shareWithResearchAsOfDate": times[-1] + 1,
    }
    first_change.write_text(json.dumps(record) + "\n", encoding="utf-8")
    changes = [{**record, "lastUpdateDate": stamp, "shareWithResearchAsOfDate": moved[mover][1]}]
    for email in withdrawn:
        record = {k: v for k, v in customers[email].items() if k != "shareWithResearchAsOfDate"}
        changes.append({**record, "lastUpdateDate": stamp})
    for email, instant in granted.items():
        changes.append({**customers[email], "lastUpdateDate": stamp, "shareWithResearchAsOfDate": instant})
    # Devices that change hands: one consenting customer's newest record names a device that
    # nobody owned (its readings were in the ledger, trusted nowhere), and another customer names
    # the device of a consenting customer too, so that nobody can be said to own it any more.
    instants = step_trainer_instants(complete)
    owners: dict[str, list[str]] = {}
    for email, record in customers.items():
        owners.setdefault(record.get("serialNumber"), []).append(email)
    taken = {*withdrawn, *granted, mover, *erased}

    def counts_first(email: str) -> bool:
        """A consenting customer whose only device has readings at or after the consent instant."""
        serial = customers[email].get("serialNumber")
        consent = customers[email]["shareWithResearchAsOfDate"]
        if not isinstance(consent, int):
            return False  # an instant the contract does not take (a defect of the generated set)
        return len(owners.get(serial, [])) == 1 and any(t >= consent for t in instants.get(serial, ()))

    relocator, owner = [e for e in consenting[3:] if e not in taken and counts_first(e)][:2]
    unowned = sorted(s for s in instants if s not in owners)
    consent = customers[relocator]["shareWithResearchAsOfDate"]
    new_device = next(s for s in unowned if any(t >= consent for t in instants[s]))
    relocated = {relocator: (customers[relocator]["serialNumber"], new_device)}
    sharer = next(e for e in sorted(customers) if e not in {*taken, relocator, owner})
    shared = {customers[owner]["serialNumber"]: sharer}
    changes.append({**customers[relocator], "lastUpdateDate": stamp, "serialNumber": new_device})
    changes.append(
        {**customers[sharer], "lastUpdateDate": stamp, "serialNumber": customers[owner]["serialNumber"]}
    )
    # Another customer names the erased customer's device too: the erasure takes the device's
    # serial number from their record as well (it identifies the erased person's device).
    co_owner = next(e for e in sorted(customers) if e not in {*taken, relocator, owner, sharer})
    changes.append(
        {**customers[co_owner], "lastUpdateDate": stamp, "serialNumber": customers[erased[0]]["serialNumber"]}
    )
    # A late reading at an instant of a trusted reading of a third consenting customer's device,
    # with another distance: the device sent two, so neither counts any more.
    conflicter = next(
        e for e in consenting[3:] if e not in {*taken, relocator, owner, sharer, co_owner} and counts_first(e)
    )
    serial, consent = (
        customers[conflicter]["serialNumber"],
        customers[conflicter]["shareWithResearchAsOfDate"],
    )
    late = {
        (r.get("serialNumber"), r.get("sensorReadingTime")) for path in held_back for r in json_lines(path)
    }
    instant = min(
        t
        for t, distances in instants[serial].items()
        if t >= consent and len(distances) == 1 and (serial, t) not in late
    )
    conflicted = {serial: instant}
    conflict_file = complete / "step_trainer" / "landing" / f"step_trainer-{stamp}.json"
    conflicting = {
        "sensorReadingTime": instant,
        "serialNumber": serial,
        "distanceFromObject": max(instants[serial][instant]) + 1,
    }
    conflict_file.write_text(json.dumps(conflicting) + "\n", encoding="utf-8")
    change_file = complete / "customer" / "landing" / f"customer-{stamp}.json"
    change_file.write_text("".join(json.dumps(record) + "\n" for record in changes), encoding="utf-8")
    erasure_file = complete / "erasure" / "landing" / f"erasure-{stamp}.json"
    erasure_file.parent.mkdir(parents=True)
    requests = [
        # As a person types it: case and spaces as the customer records never had them.
        {"email": f"  {email.upper()} ", "requestId": f"ER-{number}", "requestedAt": stamp}
        for number, email in enumerate(erased, start=1)
    ]
    erasure_file.write_text("".join(json.dumps(request) + "\n" for request in requests), encoding="utf-8")
    return Deliveries(
        complete,
        (*held_back, conflict_file, change_file, erasure_file),
        withdrawn,
        granted,
        moved,
        erased,
        relocated,
        shared,
        conflicted,
        co_owner,
    )


def deliver_first(deliveries: Deliveries, root: Path) -> None:
    """`root` holds the first delivery: every file but the second delivery's."""
    shutil.copytree(deliveries.complete, root)
    for path in deliveries.second:
        (root / path.relative_to(deliveries.complete)).unlink()


def deliver_second(deliveries: Deliveries, root: Path) -> None:
    for path in deliveries.second:
        shutil.copy(path, root / path.relative_to(deliveries.complete))


def table_contents(project: DbtProject, tables: Iterable[str]) -> dict[str, list[tuple]]:
    """Every row of each table, without the instants of the runs that wrote them (read_at of a
    ledger row, first_applied_at of an erasure request)."""
    contents = {}
    for table in tables:
        schema, name = table.split(".")
        columns = project.query(
            "select column_name from information_schema.columns where table_schema = ? and table_name = ? "
            "and column_name not in ('read_at', 'first_applied_at') order by ordinal_position",
            [schema, name],
        )
        select_list = ", ".join(f'"{column}"' for (column,) in columns)
        contents[table] = sorted(project.query(f"select {select_list} from {table}"), key=repr)
    return contents


def zone_tables(project: DbtProject) -> list[str]:
    """Every table and view the build made, except the ledgers (compared separately), the base
    views, which are the landing files themselves, read where they lie, and the subject key."""
    rows = project.query(
        "select table_schema || '.' || table_name from information_schema.tables "
        "where table_schema like 'stedi_%' and table_schema not in ('stedi_landing', 'stedi_restricted') "
        "order by 1"
    )
    return [
        name for (name,) in rows if name not in LEDGERS and ".base_stedi__" not in name and name != HISTORY
    ]


def ledger_contents(project: DbtProject) -> dict[str, list[tuple]]:
    """The ledgers, with withheld counts summed per customer or device and erased counts summed:
    after a withdrawal or an erasure the incremental ledger no longer knows which files held the
    readings it let go, a rebuild does."""
    contents = {}
    for ledger in LEDGERS:
        key = "customer_email" if "accelerometer" in ledger else "serial_number"
        kept = project.query(
            f"select * exclude (row_key, read_at) from {ledger} where row_type not in ('withheld', 'erased')"
        )
        withheld = project.query(
            f"select {key}, sum(landing_record_count) from {ledger} where row_type = 'withheld' group by 1"
        )
        erased = project.query(f"select sum(landing_record_count) from {ledger} where row_type = 'erased'")
        contents[ledger] = sorted(kept, key=repr) + sorted(withheld, key=repr) + erased
    return contents


def build(project: DbtProject, root: Path, policy: str, *extra: str) -> None:
    # Every lake of these tests is keyed alike, so that their subject_ids compare.
    if not project.subject_key_file.exists():
        project.write_subject_key(SUBJECT_KEY)
    # The unit tests depend on no data: the end-to-end builds run them.
    run = project.dbt(
        "build",
        "--exclude-resource-type",
        "unit_test",
        *extra,
        variables={"landing_root": str(root), "consent_policy": policy},
    )
    assert run.returncode == 0, run.output[-6000:]


# The refusals of a lake built by an older version: the same check whatever the policy, so the
# tests ask for the history of one.
ONE_POLICY = pytest.mark.parametrize("runs", POLICIES[:1], indirect=True)


@pytest.fixture(scope="module", params=POLICIES)
def runs(
    request: pytest.FixtureRequest, landing_with_defects: Landing, tmp_path_factory: pytest.TempPathFactory
):
    """The same deliveries built incrementally, interrupted then resumed, and rebuilt in full."""
    policy = request.param
    work = tmp_path_factory.mktemp(f"incremental-{policy}")
    deliveries = make_deliveries(landing_with_defects, work / "complete")
    root = work / "landing"
    deliver_first(deliveries, root)
    incremental = DbtProject(PROJECT_ROOT, work / "incremental")
    build(incremental, root, policy)
    # The lake after the first delivery, for the interrupted run to start from.
    shutil.copytree(incremental.work_dir, work / "after-first")
    deliver_second(deliveries, root)
    build(incremental, root, policy)
    after_second = table_contents(incremental, zone_tables(incremental)), ledger_contents(incremental)
    build(incremental, root, policy)  # nothing new
    full = DbtProject(PROJECT_ROOT, work / "full")
    build(full, deliveries.complete, policy, "--full-refresh")
    return policy, deliveries, incremental, full, after_second


def test_an_incremental_history_builds_exactly_what_a_full_refresh_builds(runs) -> None:
    _, _, incremental, full, _ = runs
    tables = zone_tables(full)
    assert zone_tables(incremental) == tables
    assert table_contents(incremental, tables) == table_contents(full, tables)
    assert ledger_contents(incremental) == ledger_contents(full)


def test_a_run_with_no_new_landing_file_changes_nothing(runs) -> None:
    _, _, incremental, _, (tables_before, ledgers_before) = runs
    assert table_contents(incremental, tables_before) == tables_before
    assert ledger_contents(incremental) == ledgers_before


def test_a_withdrawal_empties_every_zone_of_that_customer_on_the_next_run(runs) -> None:
    policy, deliveries, incremental, _, _ = runs
    withdrawn = list(deliveries.withdrawn)
    for table, column in TRUSTED_AND_CURATED.items():
        found = incremental.query(f"select distinct {column} from {table} where {column} in ?", [withdrawn])
        assert found == [], table
    for ledger in LEDGERS[:1]:
        readings = incremental.query(
            f"select count(*) from {ledger} where row_type = 'reading' and customer_email in ?", [withdrawn]
        )
        assert readings == [(0,)], "readings of a withdrawn customer are still copied in the ledger"
    subjects = incremental.query(
        "select count(*) from stedi_curated.machine_learning_curated where subject_id in "
        "(select sha256(? || '|' || email) from unnest(?) as t(email))",
        [incremental.subject_key(), withdrawn],
    )
    assert subjects == [(0,)]
    parquet = incremental.export_dir / f"machine_learning_curated__{policy}.parquet"
    exported = incremental.query(f"select count(*) from read_parquet('{parquet}')")
    assert exported == incremental.query("select count(*) from stedi_curated.machine_learning_curated")


def test_a_late_consent_admits_exactly_the_readings_that_now_count(runs) -> None:
    policy, deliveries, incremental, _, _ = runs
    readings = accelerometer_readings(deliveries.complete)
    for email, consent in deliveries.granted.items():
        expected = {r for r in readings[email] if policy == "any_time" or r[0] >= consent}
        trusted = incremental.query(
            "select reading_epoch_ms, x, y, z from stedi_trusted.accelerometer_trusted "
            "where customer_email = ?",
            [email],
        )
        assert set(trusted) == expected and len(trusted) == len(expected), email
        assert policy == "any_time" or len(expected) < len(readings[email]), "the instant cuts nothing"


def test_a_consent_instant_moved_earlier_admits_the_readings_it_now_covers(runs) -> None:
    """The mover had no trusted reading under as_of_consent before the move, and no reading of
    theirs was read again: only the consent history says that anything changed."""
    policy, deliveries, incremental, _, _ = runs
    readings = accelerometer_readings(deliveries.complete)
    for email, (_, instant) in deliveries.moved.items():
        expected = {r for r in readings[email] if policy == "any_time" or r[0] >= instant}
        trusted = incremental.query(
            "select reading_epoch_ms, x, y, z from stedi_trusted.accelerometer_trusted "
            "where customer_email = ?",
            [email],
        )
        assert expected and set(trusted) == expected and len(trusted) == len(expected), email
        curated = incremental.query(
            "select count(*) from stedi_curated.customers_curated where email = ?", [email]
        )
        assert curated == [(1,)], email


def test_a_device_that_changes_hands_moves_its_readings_on_the_next_run(runs) -> None:
    """Nobody's consent changed and no reading of these devices was read again: only the
    customers' newest records say whose device it is. The readings of a device whose owner names
    another device, or that another customer names too, leave step_trainer_trusted; the readings
    of the device the owner names now come in, readings the ledger took long before."""
    _, deliveries, incremental, full, _ = runs
    first = DbtProject(PROJECT_ROOT, incremental.work_dir.parent / "after-first")

    def trusted(project: DbtProject, serial: str) -> set[tuple]:
        return set(
            project.query(
                "select customer_email, reading_epoch_ms, distance_from_object "
                "from stedi_trusted.step_trainer_trusted where serial_number = ?",
                [serial],
            )
        )

    for email, (old, new) in deliveries.relocated.items():
        assert {row[0] for row in trusted(first, old)} == {email}, "the scenario needs a trusted device"
        assert trusted(first, new) == set()
        assert trusted(incremental, old) == set()
        assert trusted(incremental, new) and {row[0] for row in trusted(incremental, new)} == {email}
        assert trusted(incremental, new) == trusted(full, new)
    for serial in deliveries.shared:
        assert trusted(first, serial), "the scenario needs a trusted device"
        assert trusted(incremental, serial) == set() == trusted(full, serial)


def test_a_late_second_distance_at_a_trusted_instant_takes_the_reading_out_on_the_next_run(runs) -> None:
    """The device sent two distances for one instant: neither is trusted, though the first one
    was, and the owner's other readings stay."""
    _, deliveries, incremental, full, _ = runs
    first = DbtProject(PROJECT_ROOT, incremental.work_dir.parent / "after-first")
    for serial, instant in deliveries.conflicted.items():
        for project, expected in ((first, [(1,)]), (incremental, [(0,)]), (full, [(0,)])):
            at_instant = project.query(
                "select count(*) from stedi_trusted.step_trainer_trusted "
                "where serial_number = ? and reading_epoch_ms = ?",
                [serial, instant],
            )
            assert at_instant == expected, project.work_dir
        others = (
            "select reading_epoch_ms, distance_from_object from stedi_trusted.step_trainer_trusted "
            "where serial_number = ? and reading_epoch_ms != ?"
        )
        kept = first.query(others, [serial, instant])
        assert kept and set(kept) <= set(incremental.query(others, [serial, instant]))


def test_the_consent_history_records_each_change(runs) -> None:
    _, deliveries, incremental, full, _ = runs
    history = incremental.query(
        f"select email, has_research_consent, research_consent_epoch_ms, dbt_valid_to is null from {HISTORY}"
    )
    versions: dict[str, list[tuple]] = {}
    for email, consent, instant, current in history:
        versions.setdefault(email, []).append((consent, instant, current))
    for email in deliveries.withdrawn:
        before, now = sorted(versions[email], key=lambda version: version[2])
        assert before[0] is True and before[1] is not None and before[2] is False, email
        assert now == (False, None, True), email
    for email, instant in deliveries.granted.items():
        assert sorted(versions[email], key=lambda v: v[2]) == [(False, None, False), (True, instant, True)], (
            email
        )
    for email, (before, after) in deliveries.moved.items():
        assert sorted(versions[email], key=lambda v: v[2]) == [(True, before, False), (True, after, True)], (
            email
        )
    unchanged = set(versions) - set(deliveries.withdrawn) - set(deliveries.granted) - set(deliveries.moved)
    assert all(len(versions[email]) == 1 for email in unchanged)
    # A history started on all the data at once has one version per customer: the current state.
    current = {row[0]: row[1:3] for row in history if row[3]}
    rebuilt = full.query(f"select email, has_research_consent, research_consent_epoch_ms from {HISTORY}")
    assert {email: (consent, instant) for email, consent, instant in rebuilt} == current


def test_a_run_interrupted_between_models_recovers_on_the_next_run(runs, tmp_path: Path) -> None:
    policy, deliveries, incremental, full, _ = runs
    root = tmp_path / "landing"
    deliver_first(deliveries, root)
    # The lake the fixture's first build made from the first delivery (a copy: same DuckDB file,
    # subject key and dbt state).
    shutil.copytree(incremental.work_dir.parent / "after-first", tmp_path / "interrupted")
    interrupted = DbtProject(PROJECT_ROOT, tmp_path / "interrupted")
    deliver_second(deliveries, root)
    # The second delivery's run stops after the ledgers committed, before anything downstream ran.
    partial = interrupted.dbt(
        "run",
        "--select",
        "stg_stedi__customers",
        "stg_stedi__accelerometer_ledger",
        "stg_stedi__step_trainer_ledger",
        variables={"landing_root": str(root), "consent_policy": policy},
    )
    assert partial.returncode == 0, partial.output[-4000:]
    build(interrupted, root, policy)
    tables = zone_tables(full)
    assert table_contents(interrupted, tables) == table_contents(full, tables)
    assert ledger_contents(interrupted) == ledger_contents(full)


def test_a_ledger_built_before_subject_rows_works_them_out_and_still_moves_a_withdrawal(
    runs, tmp_path: Path
) -> None:
    """A ledger without `subject` rows (its index of whose readings it holds, which the withdrawal
    look-up reads) was built by an older version: its next run works them out from its readings,
    so the second delivery's withdrawals still leave every zone, and the lake equals a rebuild."""
    policy, deliveries, incremental, full, _ = runs
    root = tmp_path / "landing"
    deliver_first(deliveries, root)
    shutil.copytree(incremental.work_dir.parent / "after-first", tmp_path / "old")
    old = DbtProject(PROJECT_ROOT, tmp_path / "old")
    with duckdb.connect(str(old.duckdb_path)) as connection:
        for ledger in LEDGERS:
            (deleted,) = connection.execute(f"delete from {ledger} where row_type = 'subject'").fetchone()
            assert deleted > 0, ledger
    deliver_second(deliveries, root)
    build(old, root, policy)
    tables = zone_tables(full)
    assert table_contents(old, tables) == table_contents(full, tables)
    assert ledger_contents(old) == ledger_contents(full)


@ONE_POLICY
def test_a_ledger_built_before_ledger_day_is_refused_naming_the_rebuild_that_mends_it(
    runs, tmp_path: Path
) -> None:
    policy, deliveries, incremental, _, _ = runs
    root = tmp_path / "landing"
    deliver_first(deliveries, root)
    variables = {"landing_root": str(root), "consent_policy": policy}
    shutil.copytree(incremental.work_dir.parent / "after-first", tmp_path / "old")
    old = DbtProject(PROJECT_ROOT, tmp_path / "old")
    # A lake built before the ledgers had ledger_day: the column is not there.
    with duckdb.connect(str(old.duckdb_path)) as connection:
        for ledger in LEDGERS:
            connection.execute(f"alter table {ledger} drop column ledger_day")
    refused = old.dbt("build", "--select", "stg_stedi__accelerometer_ledger", variables=variables)
    assert refused.returncode != 0
    rebuild = (
        "dbt build --full-refresh --select stg_stedi__accelerometer_ledger+ stg_stedi__step_trainer_ledger+"
    )
    assert "was built before ledgers had a ledger_day" in refused.output and rebuild in refused.output
    rebuilt = old.dbt(*rebuild.split()[1:], "--exclude-resource-type", "unit_test", variables=variables)
    assert rebuilt.returncode == 0, rebuilt.output[-4000:]


@ONE_POLICY
def test_a_trusted_reading_table_built_before_read_at_is_refused_naming_the_rebuild_that_mends_it(
    runs, tmp_path: Path
) -> None:
    """A lake whose accelerometer_trusted or step_trainer_trusted was a table rebuilt each run has
    no watermark: its first incremental run stops with the command that mends it, which builds the
    same table as before."""
    policy, deliveries, incremental, _, _ = runs
    root = tmp_path / "landing"
    deliver_first(deliveries, root)
    variables = {"landing_root": str(root), "consent_policy": policy}
    for model in ("accelerometer_trusted", "step_trainer_trusted"):
        shutil.copytree(incremental.work_dir.parent / "after-first", tmp_path / model)
        old = DbtProject(PROJECT_ROOT, tmp_path / model)
        table = f"stedi_trusted.{model}"
        (before,) = table_contents(old, [table]).values()
        with duckdb.connect(str(old.duckdb_path)) as connection:
            connection.execute(f"alter table {table} drop column read_at")
        refused = old.dbt("build", "--select", model, variables=variables)
        assert refused.returncode != 0
        rebuild = f"dbt build --full-refresh --select {model}+"
        assert "was built before the trusted readings had a read_at" in refused.output, refused.output[-4000:]
        assert rebuild in refused.output
        rebuilt = old.dbt(*rebuild.split()[1:], "--exclude-resource-type", "unit_test", variables=variables)
        assert rebuilt.returncode == 0, rebuilt.output[-4000:]
        assert table_contents(old, [table])[table] == before


def erased_identifiers(project: DbtProject, deliveries: Deliveries) -> tuple[set[str], dict[str, int]]:
    """Every value that identifies the erased customers (their emails, the serial numbers their
    records name, their subject_ids), and how many landing records of each entity are theirs."""
    erased = set(deliveries.erased)
    customer_records = [
        record
        for path in (deliveries.complete / "customer" / "landing").glob("*.json")
        for record in json_lines(path)
        if normalise(record.get("email")) in erased
    ]
    serials = {normalise(record.get("serialNumber")) for record in customer_records} - {None}
    counts = {"customer": len(customer_records)}
    for entity, field, keys in (("accelerometer", "user", erased), ("step_trainer", "serialNumber", serials)):
        counts[entity] = sum(
            normalise(record.get(field)) in keys
            for path in (deliveries.complete / entity / "landing").glob("*.json")
            for record in json_lines(path)
        )
    key = project.subject_key()
    subjects = {hashlib.sha256(f"{key}|{email}".encode()).hexdigest() for email in erased}
    return erased | serials | subjects, counts


def text_values(project: DbtProject, values: set[str]) -> dict[str, int]:
    """schema.table.column -> how many of its rows hold one of `values` (trimmed, lower case), for
    every text column of every table and view the build made but the landing tables."""
    columns = project.query(
        "select table_schema, table_name, column_name from information_schema.columns "
        "where table_schema like 'stedi_%' and table_schema not in ('stedi_landing', 'stedi_restricted') "
        "and data_type = 'VARCHAR'"
    )
    found = {}
    for schema, table, column in columns:
        (count,) = project.query(
            f'select count(*) from "{schema}"."{table}" where lower(trim("{column}")) in ?', [sorted(values)]
        )[0]
        if count:
            found[f"{schema}.{table}.{column}"] = count
    return found


def test_an_erased_customer_is_in_no_table_view_or_export_after_the_next_run(runs) -> None:
    policy, deliveries, incremental, full, _ = runs
    for project in (incremental, full):
        identifiers, counts = erased_identifiers(project, deliveries)
        assert counts["accelerometer"] > 0 and counts["step_trainer"] > 0 and len(identifiers) >= 5, counts
        assert text_values(project, identifiers) == {}
        # The customer who named the erased customer's device too keeps their record, not the device.
        customer = "select serial_number from stedi_staging.stg_stedi__customers where email = ?"
        assert project.query(customer, [deliveries.co_owner]) == [(None,)]
        parquet = project.export_dir / f"machine_learning_curated__{policy}.parquet"
        exported = project.query(
            f"select count(*) from read_parquet('{parquet}') where subject_id in ?", [sorted(identifiers)]
        )
        assert exported == [(0,)]
        # Counted, not kept: each of their landing records is `erased` in the reconciliation.
        reconciled = project.query(
            "select entity, sum(landing_record_count) from stedi_audit.landing_reconciliation "
            "where outcome = 'erased' group by entity"
        )
        assert dict(reconciled) == counts
        assert project.query(
            "select count(*) from stedi_audit.landing_reconciliation where outcome = 'unexplained'"
        ) == [(0,)]
        # The erasure is recorded: the requests, without the person.
        log = project.query(
            "select request_id, status, customer_found, request_line_count "
            "from stedi_audit.erasure_log order by 1"
        )
        assert log == [("ER-1", "applied", True, 1), ("ER-2", "applied", True, 1)]


def test_an_erasure_is_logged_once_by_the_run_that_applied_it(runs) -> None:
    _, _, incremental, _, _ = runs
    # Three runs: before the request landed, the run that applied it, one with nothing new.
    applied = incremental.query("select distinct first_applied_at from stedi_audit.erasure_log")
    read = incremental.query(
        "select distinct read_at from stedi_staging.stg_stedi__accelerometer_ledger where row_type = 'erased'"
    )
    assert len(applied) == 1 and applied == read


@ONE_POLICY
def test_an_erased_customers_line_landing_again_erases_the_device_it_names(runs, tmp_path: Path) -> None:
    """An exporter re-sends an erased customer's record after the request was applied, naming a
    device another customer owns and whose readings are trusted: every device an erased email's
    line names is erased, so on the next run the device is in no table."""
    policy, deliveries, incremental, _, _ = runs
    shutil.copytree(incremental.work_dir.parent / "landing", tmp_path / "landing")
    shutil.copytree(incremental.work_dir, tmp_path / "lake")
    lake = DbtProject(PROJECT_ROOT, tmp_path / "lake")
    (serial,) = lake.query("select min(serial_number) from stedi_trusted.step_trainer_trusted")[0]
    erased = deliveries.erased[0]
    (line,) = [
        record
        for path in sorted((tmp_path / "landing" / "customer" / "landing").glob("*.json"))
        for record in json_lines(path)
        if normalise(record.get("email")) == erased
    ][:1]
    resent = tmp_path / "landing" / "customer" / "landing" / "customer-9999999999999.json"
    resent.write_text(json.dumps({**line, "serialNumber": serial}) + "\n")
    build(lake, tmp_path / "landing", policy)
    for table in ("stedi_staging.stg_stedi__step_trainer_ledger", "stedi_trusted.step_trainer_trusted"):
        assert lake.query(f"select count(*) from {table} where serial_number = ?", [serial]) == [(0,)], table
