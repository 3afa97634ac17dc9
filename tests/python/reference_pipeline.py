"""An independent, plain-Python evaluation of the pipeline's rules over written landing files.

The generator's manifest is bookkeeping over its own decisions. This module knows nothing of
the generator: it reads the files line by line as the landing contract says (a value of the
wrong JSON type reads as null, never coerced; a line that is not a JSON object, not strict JSON
or not UTF-8 reads as a row of nulls; blank lines are no records), checks the contract's
plausible values, and applies the rules with plain sets, so the tests can compare the two.
"""

from __future__ import annotations

import gzip
import json
import math
import re
import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from stedi.contract import ACCELEROMETER, CUSTOMER, STEP_TRAINER, Entity

Row = dict[str, Any]  # every contract key; None when absent, unreadable or of the wrong type
Reading = tuple[str, int, float, float, float]  # normalised user, timestamp, x, y, z
StepReading = tuple[str, int, int]  # normalised serial, sensor reading time, distance

EMAIL_FORM = re.compile(r"[^@ ]+@[^@ ]+")
# The plausible values of the landing contract, as dbt_project.yml's vars set them by default.
EARLIEST_INSTANT = int(datetime(2010, 1, 1, tzinfo=UTC).timestamp() * 1000)
CLOCK_SKEW_MS = 60 * 60 * 1000
MAX_ABS_ACCELERATION = 200.0
MAX_DISTANCE = 2_147_483_647
POLICIES = ("as_of_consent", "any_time")


def landing_lines(root: Path, entity: Entity) -> list[bytes]:
    """Every non-blank line of the entity's landing files (any name the build reads; .gz
    gunzipped, a byte-order mark opening a file dropped), a missing final line end tolerated."""
    lines: list[bytes] = []
    for path in sorted((root / entity.prefix).glob(f"{entity.name}-*")):
        if not path.name.endswith((".json", ".jsonl", ".json.gz", ".jsonl.gz")) or not path.stat().st_size:
            continue
        content = gzip.decompress(path.read_bytes()) if path.name.endswith(".gz") else path.read_bytes()
        content = content.removeprefix(b"\xef\xbb\xbf")
        lines += [line for line in content.split(b"\n") if line.strip(b" \t\r")]
    return lines


def _not_json(constant: str) -> object:
    raise ValueError(f"{constant} is not JSON")


def read_line(line: bytes | str, entity: Entity) -> Row:
    """A landing line as the contract reads it: every contract field of the right JSON type, or null."""
    try:
        text = line.decode("utf-8") if isinstance(line, bytes) else line
        parsed = json.loads(text, parse_constant=_not_json)
    except ValueError:  # not UTF-8, not JSON, NaN or Infinity
        parsed = None
    if not isinstance(parsed, dict):
        parsed = {}
    return {field.json_key: typed(parsed.get(field.json_key), field.glue_type) for field in entity.fields}


def typed(value: object, glue_type: str) -> object:
    """The value if its JSON type is the declared one, else null (booleans are not numbers; a
    number is any finite JSON number, its plausibility checked by the rules)."""
    if isinstance(value, bool):
        return None
    if glue_type == "string":
        return value if isinstance(value, str) else None
    if glue_type in ("bigint", "int", "double"):
        return float(value) if isinstance(value, int | float) and math.isfinite(value) else None
    raise ValueError(glue_type)


def plausible_instant(value: float | None) -> bool:
    latest = int(time.time() * 1000) + CLOCK_SKEW_MS
    return value is not None and value == int(value) and EARLIEST_INSTANT <= value <= latest


def rows(root: Path, entity: Entity) -> list[Row]:
    return [read_line(line, entity) for line in landing_lines(root, entity)]


def normalise(text: str) -> str:
    return text.strip().lower()


def blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


@dataclass(frozen=True)
class Customer:
    serial: str | None
    research: int | None


def customer_reason(row: Row) -> str | None:
    if all(value is None for value in row.values()):
        return "malformed_record"
    if blank(row["email"]):
        return "missing_email"
    if not EMAIL_FORM.fullmatch(normalise(row["email"])):
        return "invalid_email"
    if row["lastUpdateDate"] is not None and not plausible_instant(row["lastUpdateDate"]):
        return "implausible_last_update_date"
    if row["lastUpdateDate"] is None:
        return "missing_last_update_date"
    return None


def research_consent(row: Row) -> int | None:
    """The consent instant, when it can be one: plausible, and not before a plausible registration."""
    consent, registration = row["shareWithResearchAsOfDate"], row["registrationDate"]
    if plausible_instant(consent) and plausible_instant(registration) and consent >= registration:
        return int(consent)
    return None


def stage_customers(customer_rows: list[Row]) -> tuple[Counter[str], dict[str, Customer]]:
    rejects: Counter[str] = Counter()
    by_email: dict[str, list[Row]] = {}
    for row in customer_rows:
        reason = customer_reason(row)
        if reason:
            rejects[reason] += 1
        else:
            by_email.setdefault(normalise(row["email"]), []).append(row)
    staged = {}
    for email, candidates in by_email.items():
        newest = max(row["lastUpdateDate"] for row in candidates)
        tied = [row for row in candidates if row["lastUpdateDate"] == newest]
        without_consent = [row for row in tied if research_consent(row) is None]
        if without_consent:
            winner = without_consent[0]
        else:
            winner = max(tied, key=lambda row: research_consent(row) or 0)
        serial = winner["serialNumber"]
        staged[email] = Customer(None if blank(serial) else normalise(serial), research_consent(winner))
    return rejects, staged


def accelerometer_reason(row: Row) -> str | None:
    if all(value is None for value in row.values()):
        return "malformed_record"
    if blank(row["user"]):
        return "missing_user"
    if row["timestamp"] is not None and not plausible_instant(row["timestamp"]):
        return "implausible_timestamp"
    if row["timestamp"] is None:
        return "missing_timestamp"
    if row["x"] is None or row["y"] is None or row["z"] is None:
        return "missing_acceleration"
    if any(abs(row[axis]) > MAX_ABS_ACCELERATION for axis in ("x", "y", "z")):
        return "implausible_acceleration"
    return None


def step_reason(row: Row) -> str | None:
    if all(value is None for value in row.values()):
        return "malformed_record"
    if blank(row["serialNumber"]):
        return "missing_serial_number"
    if row["sensorReadingTime"] is not None and not plausible_instant(row["sensorReadingTime"]):
        return "implausible_sensor_reading_time"
    if row["sensorReadingTime"] is None:
        return "missing_sensor_reading_time"
    distance = row["distanceFromObject"]
    if distance is not None and not (distance == int(distance) and 0 <= distance <= MAX_DISTANCE):
        return "implausible_distance"
    if distance is None:
        return "missing_distance"
    return None


def evaluate(root: Path) -> dict[str, dict[str, object]]:
    """landing_records, staging, rejects and zones, laid out like the generator's manifest."""
    customer_rows = rows(root, CUSTOMER)
    accelerometer_rows = rows(root, ACCELEROMETER)
    step_rows = rows(root, STEP_TRAINER)

    customer_rejects, customers = stage_customers(customer_rows)

    accelerometer_rejects: Counter[str] = Counter()
    readings: set[Reading] = set()
    for row in accelerometer_rows:
        reason = accelerometer_reason(row)
        if reason:
            accelerometer_rejects[reason] += 1
        else:
            readings.add((normalise(row["user"]), int(row["timestamp"]), row["x"], row["y"], row["z"]))
    accelerometer_rejects["unknown_user"] = sum(1 for reading in readings if reading[0] not in customers)
    # Readings of a customer without research consent are withheld: they stay in the landing zone.
    staged_readings = [r for r in readings if r[0] not in customers or customers[r[0]].research is not None]

    step_rejects: Counter[str] = Counter()
    steps: set[StepReading] = set()
    for row in step_rows:
        reason = step_reason(row)
        if reason:
            step_rejects[reason] += 1
        else:
            steps.add(
                (
                    normalise(row["serialNumber"]),
                    int(row["sensorReadingTime"]),
                    int(row["distanceFromObject"]),
                )
            )
    owners: dict[str, list[str]] = {}
    for email, customer in customers.items():
        if customer.serial is not None:
            owners.setdefault(customer.serial, []).append(email)
    distances_at = Counter((serial, time) for serial, time, _ in steps)
    attributed: dict[StepReading, str] = {}
    staged_steps = 0
    for step in steps:
        serial, time, _ = step
        withheld = len(owners.get(serial, [])) == 1 and customers[owners[serial][0]].research is None
        staged_steps += not withheld
        if serial not in owners:
            step_rejects["unknown_serial_number"] += 1
        elif len(owners[serial]) > 1:
            step_rejects["ambiguous_serial_number"] += 1
        elif withheld:
            continue
        elif distances_at[(serial, time)] > 1:
            step_rejects["conflicting_reading"] += 1
        else:
            attributed[step] = owners[serial][0]

    return {
        "landing_records": {
            "customer": len(customer_rows),
            "accelerometer": len(accelerometer_rows),
            "step_trainer": len(step_rows),
        },
        "staging": {
            "stg_stedi__customers": len(customers),
            "stg_stedi__accelerometer_readings": len(staged_readings),
            "stg_stedi__step_trainer_readings": staged_steps,
        },
        "rejects": {
            "customer": with_zeros(
                customer_rejects,
                "malformed_record",
                "missing_email",
                "invalid_email",
                "missing_last_update_date",
            ),
            "accelerometer": with_zeros(
                accelerometer_rejects,
                "malformed_record",
                "missing_user",
                "missing_timestamp",
                "missing_acceleration",
                "unknown_user",
            ),
            "step_trainer": with_zeros(
                step_rejects,
                "malformed_record",
                "missing_serial_number",
                "missing_sensor_reading_time",
                "missing_distance",
                "unknown_serial_number",
                "ambiguous_serial_number",
                "conflicting_reading",
            ),
        },
        "zones": {policy: zones(policy, customers, readings, attributed) for policy in POLICIES},
    }


def with_zeros(counts: Counter[str], *reasons: str) -> dict[str, int]:
    """The counts of `reasons`, zeros too (as the generator's manifest lists them), and of any
    other reason that occurred (the hostile landing set's; the generator writes none)."""
    return {reason: counts[reason] for reason in reasons} | {
        reason: count for reason, count in counts.items() if reason not in reasons and count
    }


def zones(
    policy: str, customers: dict[str, Customer], readings: set[Reading], attributed: dict[StepReading, str]
) -> dict[str, int]:
    consent = {
        email: customer.research for email, customer in customers.items() if customer.research is not None
    }

    def counts(time: int, email: str) -> bool:
        return policy == "any_time" or time >= consent[email]

    accelerometer_trusted = {r for r in readings if r[0] in consent and counts(r[1], r[0])}
    curated = {r[0] for r in accelerometer_trusted}
    step_trusted = {
        step: owner for step, owner in attributed.items() if owner in curated and counts(step[1], owner)
    }
    owned_moments = {(owner, step[1]) for step, owner in step_trusted.items()}
    return {
        "customer_trusted": len(consent),
        "accelerometer_trusted": len(accelerometer_trusted),
        "step_trainer_trusted": len(step_trusted),
        "customers_curated": len(curated),
        "machine_learning_curated": sum(1 for r in accelerometer_trusted if (r[0], r[1]) in owned_moments),
    }
