"""The ground truth: the counts the pipeline's rules give for the landing data, by construction.

Computed from the generator's own bookkeeping (who owns each reading, which lines are defects,
which files are written twice), never by re-reading the files, so that an independent reader
of the files (the tests' reference pipeline, the dbt models) can be checked against it.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass

from stedi.contract import STEP_TRAINER
from stedi.generate.files import Layout, ReadingStream
from stedi.generate.world import CustomerRecord, Person, World, normalise

MALFORMED_RECORD = "malformed_record"
MISSING_EMAIL = "missing_email"
INVALID_EMAIL = "invalid_email"
MISSING_LAST_UPDATE_DATE = "missing_last_update_date"
MISSING_USER = "missing_user"
MISSING_TIMESTAMP = "missing_timestamp"
MISSING_ACCELERATION = "missing_acceleration"
UNKNOWN_USER = "unknown_user"
MISSING_SERIAL_NUMBER = "missing_serial_number"
MISSING_SENSOR_READING_TIME = "missing_sensor_reading_time"
MISSING_DISTANCE = "missing_distance"
UNKNOWN_SERIAL_NUMBER = "unknown_serial_number"
AMBIGUOUS_SERIAL_NUMBER = "ambiguous_serial_number"
CONFLICTING_READING = "conflicting_reading"

# Every reason of each entity, in the order the rules try them; the manifest lists zeros too.
CUSTOMER_REASONS = (MALFORMED_RECORD, MISSING_EMAIL, INVALID_EMAIL, MISSING_LAST_UPDATE_DATE)
ACCELEROMETER_REASONS = (
    MALFORMED_RECORD,
    MISSING_USER,
    MISSING_TIMESTAMP,
    MISSING_ACCELERATION,
    UNKNOWN_USER,
)
STEP_TRAINER_REASONS = (
    MALFORMED_RECORD,
    MISSING_SERIAL_NUMBER,
    MISSING_SENSOR_READING_TIME,
    MISSING_DISTANCE,
    UNKNOWN_SERIAL_NUMBER,
    AMBIGUOUS_SERIAL_NUMBER,
    CONFLICTING_READING,
)

AS_OF_CONSENT = "as_of_consent"
ANY_TIME = "any_time"
POLICIES = (AS_OF_CONSENT, ANY_TIME)

EMAIL_FORM = re.compile(r"[^@ ]+@[^@ ]+")  # something@something, exactly one @, no spaces


@dataclass(frozen=True)
class StagedCustomer:
    """The winning record of one normalised email, as far as the zones care."""

    serial: str | None
    research: int | None


@dataclass(frozen=True)
class StagedDevices:
    """The staged step-trainer readings: how many, why some are rejected, whom the rest belong to."""

    staged: int
    rejects: Counter[str]
    attributed: list[tuple[str, int]]  # (owner's email, time) of each reading no rule rejects


def ground_truth(world: World, layout: Layout) -> dict[str, object]:
    """The manifest's counts: landing lines, staging, rejects and both consent policies' zones."""
    customer_rejects, customers = stage_customers(layout.customer_records)
    accelerometer, step_trainer = layout.readings
    accelerometer_lines, accelerometer_rejects = line_counts(accelerometer)
    step_lines, step_rejects = line_counts(step_trainer)
    # Readings of a customer without research consent are withheld: they stay in the landing zone.
    readings_staged = sum(
        reading_count(person)
        for person in world.persons
        if person.key not in customers or customers[person.key].research is not None
    )
    accelerometer_rejects[UNKNOWN_USER] = sum(
        reading_count(person) for person in world.persons if person.key not in customers
    )
    devices = stage_devices(world, customers)
    step_rejects.update(devices.rejects)
    return {
        "landing_records": {
            "customer": len(layout.customer_records),
            "accelerometer": accelerometer_lines,
            "step_trainer": step_lines,
        },
        "staging": {
            "stg_stedi__customers": len(customers),
            "stg_stedi__accelerometer_readings": readings_staged,
            "stg_stedi__step_trainer_readings": devices.staged,
        },
        "rejects": {
            "customer": {reason: customer_rejects[reason] for reason in CUSTOMER_REASONS},
            "accelerometer": {reason: accelerometer_rejects[reason] for reason in ACCELEROMETER_REASONS},
            "step_trainer": {reason: step_rejects[reason] for reason in STEP_TRAINER_REASONS},
        },
        "zones": {policy: zone_counts(policy, world.persons, customers, devices) for policy in POLICIES},
    }


def customer_reason(record: CustomerRecord) -> str | None:
    """The first customer reject rule a record breaks, if any."""
    if all(value is None for value in record.readable().values()):
        return MALFORMED_RECORD
    if record.email is None or not record.email.strip():
        return MISSING_EMAIL
    if not EMAIL_FORM.fullmatch(normalise(record.email)):
        return INVALID_EMAIL
    if record.last_update is None:
        return MISSING_LAST_UPDATE_DATE
    return None


def precedence(record: CustomerRecord) -> tuple[int, bool, int]:
    """Newest record first; on a tie the one without research consent (privacy first), then the
    later consent."""
    return (record.last_update or 0, record.research is None, record.research or 0)


def stage_customers(records: list[CustomerRecord]) -> tuple[Counter[str], dict[str, StagedCustomer]]:
    """Reject counts per reason, and the winning record of each normalised email."""
    rejects: Counter[str] = Counter()
    winners: dict[str, CustomerRecord] = {}
    for record in records:
        reason = customer_reason(record)
        if reason is not None:
            rejects[reason] += 1
            continue
        key = normalise(record.email or "")
        if key not in winners or precedence(record) > precedence(winners[key]):
            winners[key] = record
    staged = {
        key: StagedCustomer(normalise(record.serial or "") or None, record.research)
        for key, record in winners.items()
    }
    return rejects, staged


def line_counts(stream: ReadingStream) -> tuple[int, Counter[str]]:
    """Landing lines of an entity and its line-level rejects, counting files written twice twice."""
    lines = 0
    rejects: Counter[str] = Counter()
    for landing_file in stream.files:
        copies = len(landing_file.names)
        lines += copies * landing_file.lines
        for extra in landing_file.extras:
            if extra.reason is not None:
                rejects[extra.reason] += copies
        if landing_file.tail is not None:
            rejects[MALFORMED_RECORD] += copies
    return lines, rejects


def reading_count(person: Person) -> int:
    """A person's distinct accelerometer readings: distinct by construction (distinct moments,
    distinct triples per moment, emails unique after normalisation); defect lines only repeat them."""
    return sum(map(len, person.triples))


def stage_devices(world: World, customers: dict[str, StagedCustomer]) -> StagedDevices:
    """Distinct (serial, time, distance) readings and the serial rules: unknown, ambiguous, withheld
    (the one owner has no research consent), conflicting.

    Sets, because shared serials and re-sent readings make the same tuple, or the same
    (serial, time) with another distance, come from several places."""
    readings: defaultdict[str, defaultdict[int, set[int]]] = defaultdict(lambda: defaultdict(set))
    for person in world.persons:
        times = readings[normalise(person.serial)]
        for time, distance in person.steps.items():
            times[time].add(distance)
    for extra in world.extras[STEP_TRAINER.name]:
        if extra.new_step is not None:
            serial, time, distance = extra.new_step
            readings[serial][time].add(distance)
    owners: defaultdict[str, list[str]] = defaultdict(list)
    for email, customer in customers.items():
        if customer.serial is not None:
            owners[customer.serial].append(email)
    rejects: Counter[str] = Counter()
    attributed: list[tuple[str, int]] = []
    staged = 0
    for serial, times in readings.items():
        count = sum(map(len, times.values()))
        if len(owners[serial]) != 1:
            rejects[UNKNOWN_SERIAL_NUMBER if not owners[serial] else AMBIGUOUS_SERIAL_NUMBER] += count
            staged += count
            continue
        if customers[owners[serial][0]].research is None:
            continue  # the device of one customer without consent: its readings are withheld
        staged += count
        for time, distances in times.items():
            if len(distances) > 1:
                rejects[CONFLICTING_READING] += len(distances)
            else:
                attributed.append((owners[serial][0], time))
    return StagedDevices(staged, rejects, attributed)


def zone_counts(
    policy: str, persons: list[Person], customers: dict[str, StagedCustomer], devices: StagedDevices
) -> dict[str, int]:
    """The five zone tables' row counts under one consent policy."""
    consent = {email: c.research for email, c in customers.items() if c.research is not None}

    def counts(time: int, email: str) -> bool:
        return policy == ANY_TIME or time >= consent[email]

    trusted_readings = 0
    readings_at: dict[str, dict[int, int]] = {}
    for person in persons:
        if person.key not in consent:
            continue
        at = {
            t: len(ts) for t, ts in zip(person.instants, person.triples, strict=True) if counts(t, person.key)
        }
        trusted_readings += sum(at.values())
        if at:
            readings_at[person.key] = at
    trusted_steps = [
        (owner, t) for owner, t in devices.attributed if owner in readings_at and counts(t, owner)
    ]
    return {
        "customer_trusted": len(consent),
        "accelerometer_trusted": trusted_readings,
        "step_trainer_trusted": len(trusted_steps),
        "customers_curated": len(readings_at),
        "machine_learning_curated": sum(readings_at[owner].get(t, 0) for owner, t in trusted_steps),
    }
