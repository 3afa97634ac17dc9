"""A hostile landing zone: what exporters other teams write, case by case, and what must become of it.

Each case is a landing line (or a file) and its expected fate: a quarantine reason, a customer
kept without consent, or admitted. The cases whose effects are independent share one landing
set, so one build per engine checks them all. The instants are around T0 (2022-06-18), the
month the real STEDI extract was taken.
"""

from __future__ import annotations

import gzip
import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

T0 = 1_655_564_444_000
IN_SECONDS = T0 // 1000
YEAR_2100 = 4_102_444_800_000


@dataclass
class HostileLanding:
    root: Path
    # entity -> reject_reason -> landing records quarantined with it
    quarantined: dict[str, Counter[str]] = field(default_factory=dict)
    consenting: set[str] = field(default_factory=set)  # emails in customer_trusted
    kept_without_consent: set[str] = field(default_factory=set)  # staged, never trusted
    zones: dict[str, int] = field(default_factory=dict)  # model -> rows
    cases: list[str] = field(default_factory=list)  # one line each: what the case sends


def _json(record: dict[str, object]) -> str:
    return json.dumps(record, separators=(",", ":"), ensure_ascii=False)


def customer(email: str, serial: str, **fields: object) -> dict[str, object]:
    record: dict[str, object] = {
        "customerName": "Santosh Clayton",
        "email": email,
        "phone": "8015551212",
        "birthDay": "1987-04-12",
        "serialNumber": serial,
        "registrationDate": T0,
        "lastUpdateDate": T0,
        "shareWithResearchAsOfDate": T0,
    }
    for key, value in fields.items():
        if value is ABSENT:
            record.pop(key)
        else:
            record[key] = value
    return record


ABSENT = object()


def reading(
    user: object, at: object, x: object = 1.0, y: object = 0.0, z: object = -1.0
) -> dict[str, object]:
    return {"user": user, "timestamp": at, "x": x, "y": y, "z": z}


def step(serial: object, at: object, distance: object) -> dict[str, object]:
    return {"sensorReadingTime": at, "serialNumber": serial, "distanceFromObject": distance}


def write_hostile_landing(root: Path) -> HostileLanding:
    """Write the hostile landing set under `root` and return what a correct build makes of it."""
    hostile = HostileLanding(root)
    customers: list[bytes] = []
    readings: list[bytes] = []
    steps: list[bytes] = []
    quarantined = {entity: Counter() for entity in ("customer", "accelerometer", "step_trainer")}

    def case(text: str) -> None:
        hostile.cases.append(text)

    def line(target: list[bytes], record: dict[str, object] | str | bytes) -> None:
        if isinstance(record, dict):
            record = _json(record)
        target.append(record if isinstance(record, bytes) else record.encode())

    # -- customers who consent, in forms that must still count ----------------------------------
    line(customers, customer("ok.one@example.com", "dev-1"))
    line(customers, customer("ok.two@example.com", "dev-2", customerName="Zoë Ångström", phone=8015551212))
    line(customers, customer("ok.three@example.com", "dev-3", shareWithResearchAsOfDate=float(T0)))
    hostile.consenting |= {"ok.one@example.com", "ok.two@example.com", "ok.three@example.com"}
    case("customer: a phone sent as a JSON number (a field no rule uses): admitted, the phone read as null")
    case("customer: a name in valid UTF-8 beyond ASCII (Zoë Ångström): admitted as sent")
    case("customer: a consent instant written as a float (1655564444000.0): a whole number, it counts")

    # -- consent values that are not a consent: the customer stays, without consent -------------
    no_consent = {
        "consent.zero@example.com": 0,
        "consent.blank@example.com": "",
        "consent.null@example.com": None,
        "consent.text@example.com": str(T0),
        "consent.seconds@example.com": IN_SECONDS,
        "consent.ahead@example.com": YEAR_2100,
        "consent.before.registration@example.com": T0 - 1,
        "consent.true@example.com": True,
    }
    for number, (email, consent) in enumerate(no_consent.items()):
        serial = f"dev-c{number}"
        line(customers, customer(email, serial, shareWithResearchAsOfDate=consent))
        line(readings, reading(email, T0 + 1000))  # withheld: never reaches a zone
        line(steps, step(serial, T0 + 1000, 40))
        case(f"customer: research consent {json.dumps(consent)}: no consent; their readings withheld")
    line(customers, customer("unregistered@example.com", "dev-u", registrationDate=ABSENT))
    line(readings, reading("unregistered@example.com", T0 + 1000))
    case("customer: a consent but no registrationDate to check it against: no consent")
    hostile.kept_without_consent |= set(no_consent) | {"unregistered@example.com"}

    # -- customer records refused -----------------------------------------------------------------
    line(customers, customer("update.text@example.com", "dev-q1", lastUpdateDate=str(T0)))
    quarantined["customer"]["missing_last_update_date"] += 1
    case("customer: lastUpdateDate sent as a JSON string: not coerced, missing_last_update_date")
    line(customers, customer("update.seconds@example.com", "dev-q2", lastUpdateDate=IN_SECONDS))
    line(customers, customer("update.ahead@example.com", "dev-q3", lastUpdateDate=YEAR_2100))
    quarantined["customer"]["implausible_last_update_date"] += 2
    case("customer: lastUpdateDate in seconds, and in 2100: implausible_last_update_date")
    line(
        customers,
        _json(customer("latin@example.com", "dev-l", customerName="JOSÉ"))
        .encode()
        .replace("JOSÉ".encode(), "JOSÉ".encode("latin-1")),
    )
    quarantined["customer"]["malformed_record"] += 1
    line(readings, reading("latin@example.com", T0 + 1000))
    quarantined["accelerometer"]["unknown_user"] += 1
    case("customer: a Latin-1 byte in the name: the line is not UTF-8, malformed_record on both engines")
    line(customers, customer(8015551212, "dev-q4"))  # type: ignore[arg-type]
    quarantined["customer"]["missing_email"] += 1
    case("customer: an email sent as a number: missing_email")

    # -- accelerometer readings -------------------------------------------------------------------
    for at in (T0 + 1000, T0 + 2000, T0 + 3000):
        line(readings, reading("ok.one@example.com", at))
    for at in (T0 + 1000, T0 + 2000):
        line(readings, reading("ok.two@example.com", at, x=-1, y=0, z=1))
    line(readings, reading("ok.three@example.com", T0 + 1000))
    refused_readings = [
        ("missing_timestamp", reading("ok.one@example.com", str(T0 + 6000)), "a timestamp sent as a string"),
        ("missing_acceleration", reading("ok.one@example.com", T0 + 6000, x="1.5"), "x sent as a string"),
        ("missing_acceleration", reading("ok.one@example.com", T0 + 6000, y=True), "y sent as true"),
        ("missing_acceleration", reading("ok.one@example.com", T0 + 6000, z=[1]), "z sent as an array"),
        ("missing_user", reading(42, T0 + 6000), "a user sent as a number"),
        ("implausible_timestamp", reading("ok.one@example.com", IN_SECONDS + 6), "a timestamp in seconds"),
        ("implausible_timestamp", reading("ok.one@example.com", YEAR_2100), "a timestamp in 2100"),
        ("implausible_timestamp", reading("ok.one@example.com", 0), "a timestamp of 0"),
        ("implausible_timestamp", reading("ok.one@example.com", T0 + 6000.5), "a fraction of a millisecond"),
        ("implausible_acceleration", reading("ok.one@example.com", T0 + 6000, x=1e6), "x of a million"),
    ]
    for reason, record, text in refused_readings:
        line(readings, record)
        quarantined["accelerometer"][reason] += 1
        case(f"accelerometer: {text}: {reason}")
    prefix = '{"user":"ok.one@example.com","timestamp":1655564450000,'
    raw_refused = [
        (f'{prefix}"x":NaN,"y":0.0,"z":-1.0}}', "a bare NaN (not JSON)"),
        (f'{prefix}"x":1.0,"y":Infinity,"z":-1.0}}', "a bare Infinity (not JSON)"),
        (f'{prefix}"x":1.0,"y":0.0,"z":-1.0,"note":"caf\xe9"}}'.encode("latin-1"), "a Latin-1 byte"),
        (f'{prefix}"x":1.0,"y":0.0,"z":-1.0', "a line cut off mid-record"),
        ('["user","timestamp","x","y","z"]', "a header line of field names"),
    ]
    for raw, text in raw_refused:
        line(readings, raw)
        quarantined["accelerometer"]["malformed_record"] += 1
        case(f"accelerometer: {text}: malformed_record")
    line(readings, f'{prefix}"x":1e400,"y":0.0,"z":-1.0}}')
    quarantined["accelerometer"]["missing_acceleration"] += 1
    case("accelerometer: x of 1e400 (beyond a double): missing_acceleration")
    readings += [b"", b"  \t "]  # blank lines mid-file: no record, on both engines
    line(readings, reading("ok.one@example.com", T0 + 3000))  # an exact duplicate: one reading
    case("accelerometer: an empty line and a line of spaces mid-file: not records")
    case("accelerometer: an exact duplicate reading: one reading, counted twice")

    # -- step-trainer readings --------------------------------------------------------------------
    for at in (T0 + 1000, T0 + 2000, T0 + 3000):
        line(steps, step("dev-1", at, 40))
    line(steps, step("dev-2", T0 + 1000, 0))
    refused_steps = [
        ("implausible_distance", step("dev-1", T0 + 6000, -3), "a negative distance"),
        ("implausible_distance", step("dev-1", T0 + 7000, 7.5), "a fractional distance"),
        ("missing_distance", step("dev-1", T0 + 8000, "7"), "a distance sent as a string"),
        ("implausible_sensor_reading_time", step("dev-1", IN_SECONDS + 9, 7), "an instant in seconds"),
        ("implausible_sensor_reading_time", step("dev-1", YEAR_2100, 7), "an instant in 2100"),
        ("missing_sensor_reading_time", step("dev-1", str(T0 + 9000), 7), "an instant sent as a string"),
        ("missing_serial_number", step(7, T0 + 9000, 7), "a serial number sent as a number"),
    ]
    for reason, record, text in refused_steps:
        line(steps, record)
        quarantined["step_trainer"][reason] += 1
        case(f"step_trainer: {text}: {reason}")
    line(steps, step("dev-l", T0 + 1000, 40))
    quarantined["step_trainer"]["unknown_serial_number"] += 1

    def write(relative: str, content: bytes) -> None:
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)

    write("customer/landing/customer-1655564400000.json", b"\n".join(customers) + b"\n")
    write("accelerometer/landing/accelerometer-1655564500000.json", b"\n".join(readings) + b"\n")
    write("step_trainer/landing/step_trainer-1655564500000.json", b"\n".join(steps) + b"\n")

    # -- files ------------------------------------------------------------------------------------
    crlf = [reading("ok.one@example.com", T0 + 4000), reading("ok.one@example.com", T0 + 5000)]
    synced = root.parent / "synced"  # outside the landing root: a sync tool's folder
    synced.mkdir(parents=True, exist_ok=True)
    (synced / "accelerometer-1655564600000.jsonl").write_bytes(
        b"\xef\xbb\xbf" + b"\r\n".join(_json(record).encode() for record in crlf)
    )
    (root / "accelerometer/landing/accelerometer-1655564600000.jsonl").symlink_to(
        synced / "accelerometer-1655564600000.jsonl"
    )
    case("file: a .jsonl with a byte-order mark, CRLF line ends and no final line end: both read")
    case("file: a link to a file outside the landing root: read (and landed) as that file")
    write(
        "accelerometer/landing/accelerometer-1655564700000.json.gz",
        gzip.compress((_json(reading("ok.two@example.com", T0 + 3000)) + "\n").encode()),
    )
    case("file: a gzip-compressed .json.gz: read")
    write("accelerometer/landing/accelerometer-1655564800000.json.gz", b"")
    write("accelerometer/landing/accelerometer-1655564900000.jsonl.gz", gzip.compress(b""))
    write("step_trainer/landing/step_trainer-1655564800000.json", b"")
    case("file: an empty .json.gz of zero bytes, a gzip of nothing, an empty .json: no record, no error")

    hostile.quarantined = {entity: +counts for entity, counts in quarantined.items()}
    hostile.zones = {
        "customer_trusted": 3,
        # ok.one: 3 + 2 (the CRLF file), ok.two: 2 + 1 (the .gz), ok.three: 1
        "accelerometer_trusted": 9,
        "step_trainer_trusted": 4,  # dev-1: 3, dev-2: 1
        "machine_learning_curated": 4,  # each step reading and its owner's reading at that instant
    }
    return hostile


# -- What a build made of it -------------------------------------------------------------------

QUARANTINES = {
    "customer": "quarantined_customer_records",
    "accelerometer": "quarantined_accelerometer_readings",
    "step_trainer": "quarantined_step_trainer_readings",
}
ZONES = ("customer_trusted", "accelerometer_trusted", "step_trainer_trusted", "machine_learning_curated")

Query = Callable[[str], list[tuple]]


def outcomes(query: Query, relation: Callable[[str], str]) -> dict[str, Any]:
    """What a build made of the landing set, in the terms HostileLanding states them."""
    quarantined = {}
    for entity, model in QUARANTINES.items():
        rows = query(f"select reject_reason, sum(landing_record_count) from {relation(model)} group by 1")
        quarantined[entity] = Counter({reason: int(count) for reason, count in rows})
    staged = {email for (email,) in query(f"select email from {relation('stg_stedi__customers')}")}
    trusted = {email for (email,) in query(f"select email from {relation('customer_trusted')}")}
    return {
        "quarantined": quarantined,
        "consenting": trusted,
        "kept_without_consent": staged - trusted,
        "zones": {model: int(query(f"select count(*) from {relation(model)}")[0][0]) for model in ZONES},
    }
