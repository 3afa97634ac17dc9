"""Defects real STEDI extracts have had (docs/landing-contract.md), added to a clean world on request.

Each defect is one function that changes the world's bookkeeping: who has which records, which
extra lines the reading files carry, which file is delivered twice or cut off. Customers one
defect touches are left alone by the others, so that each defect's effect stays what it says.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace

from stedi.contract import ACCELEROMETER, CUSTOMER, STEP_TRAINER, Entity
from stedi.generate.files import accelerometer_line, step_trainer_line
from stedi.generate.truth import (
    MALFORMED_RECORD,
    MISSING_ACCELERATION,
    MISSING_DISTANCE,
    MISSING_SENSOR_READING_TIME,
    MISSING_SERIAL_NUMBER,
    MISSING_TIMESTAMP,
    MISSING_USER,
)
from stedi.generate.world import (
    DEVICE_SERIAL,
    DISTANCE,
    LAST_UPDATE,
    OTHER_PHONE,
    READING_TIME,
    RESEARCH,
    TIMESTAMP,
    TRIPLES,
    USER,
    CustomerRecord,
    Extra,
    Person,
    World,
    X,
    Y,
    Z,
    new_serial,
    normalise,
    record_device,
    record_readings,
    unique_name,
)

MIN_CUSTOMERS = 100  # enough untouched customers of every kind for every defect at once

# (reject reason, key, value written instead; None: the key is left out). Wrong types are text
# no lenient reader turns into a number.
BROKEN_READINGS = (
    (MISSING_USER, USER, None),
    (MISSING_TIMESTAMP, TIMESTAMP, "n/a"),
    (MISSING_ACCELERATION, X, None),
    (MISSING_ACCELERATION, X, "high"),
)
BROKEN_STEPS = (
    (MISSING_SERIAL_NUMBER, DEVICE_SERIAL, None),
    (MISSING_SENSOR_READING_TIME, READING_TIME, "n/a"),
    (MISSING_DISTANCE, DISTANCE, "far"),
    (MISSING_DISTANCE, DISTANCE, None),
)
Wanted = Callable[[Person], bool]


def anyone(person: Person) -> bool:
    return True


def app_user(person: Person) -> bool:
    return bool(person.instants)


def consenting_app_user(person: Person) -> bool:
    return app_user(person) and person.consent is not None


def non_consenting_app_user(person: Person) -> bool:
    return app_user(person) and person.consent is None


def consenting_device_owner(person: Person) -> bool:
    return bool(person.steps) and person.consent is not None


def non_consenting_device_owner(person: Person) -> bool:
    return bool(person.steps) and person.consent is None


class _Members(Sequence[int]):
    """An ordered set of positions 0..size-1, as a sequence: len() and the i-th smallest member in
    O(log size) (a Fenwick tree of 0/1 counts), and a member removed in O(log size)."""

    def __init__(self, members: Iterable[int], size: int) -> None:
        self._tree = [0] * (size + 1)
        self._present = [False] * size
        self._count = 0
        for position in members:
            self._present[position] = True
            self._count += 1
            self._tree[position + 1] += 1
        for index in range(1, size + 1):  # the Fenwick tree of those counts, built in O(size)
            parent = index + (index & -index)
            if parent <= size:
                self._tree[parent] += self._tree[index]
        self._top = 1 << max(size.bit_length() - 1, 0)

    def __len__(self) -> int:
        return self._count

    def __getitem__(self, index: int) -> int:  # type: ignore[override]  # no slices needed
        if not 0 <= index < self._count:
            raise IndexError(index)
        position, rest, step = 0, index + 1, self._top
        while step:
            if position + step < len(self._tree) and self._tree[position + step] < rest:
                position += step
                rest -= self._tree[position]
            step >>= 1
        return position  # the 0-based position of the (index + 1)-th member

    def discard(self, position: int) -> None:
        if self._present[position]:
            self._present[position] = False
            self._count -= 1
            index = position + 1
            while index < len(self._tree):
                self._tree[index] -= 1
                index += index & -index


class Picker:
    """Hands out customers no defect has touched yet.

    `take` samples from the untouched customers a defect wants, in their order, exactly as
    `rng.sample` of that list would (so a seed still gives the same data), but without building
    the list: each kind of customer wanted is kept as positions in a Fenwick tree, so a pick costs
    O(log n) instead of a pass over every customer (at 885 k customers the passes took hours).
    """

    def __init__(self, persons: list[Person]) -> None:
        self._persons = list(persons)
        self._touched: set[int] = set()
        self._members: dict[Wanted, _Members] = {}

    def _wanted(self, wanted: Wanted) -> _Members:
        if wanted not in self._members:
            positions = (
                position
                for position, person in enumerate(self._persons)
                if position not in self._touched and wanted(person)
            )
            self._members[wanted] = _Members(positions, len(self._persons))
        return self._members[wanted]

    def take(self, rng: random.Random, count: int, wanted: Wanted = anyone) -> list[Person]:
        candidates = self._wanted(wanted)
        if len(candidates) < count:
            raise RuntimeError(
                f"too few untouched customers for the defects (need {count} {wanted.__name__})"
            )
        chosen = rng.sample(candidates, count)
        for position in chosen:
            self._touched.add(position)
            for members in self._members.values():
                members.discard(position)
        return [self._persons[position] for position in chosen]

    def one(self, rng: random.Random, wanted: Wanted = anyone) -> Person:
        return self.take(rng, 1, wanted)[0]


def later(rng: random.Random, after: int, before: int) -> int:
    """A moment after `after`, before `before` when there is room."""
    return rng.randrange(after + 1, max(after + 2, before))


def reading_fields(rng: random.Random, person: Person) -> tuple[int, dict[str, str | int | float]]:
    """A moment of the person and the fields of a plausible reading then, as a JSON object."""
    instant = rng.choice(person.instants)
    x, y, z = TRIPLES[rng.randrange(len(TRIPLES))]
    return instant, {USER: person.email, TIMESTAMP: instant, X: x, Y: y, Z: z}


def broken_line(fields: dict[str, str | int | float], key: str, value: str | None) -> str:
    changed = {k: v for k, v in fields.items() if k != key or value is not None}
    if value is not None:
        changed[key] = value
    return json.dumps(changed, separators=(",", ":"))


def garbage_lines(entity: Entity) -> list[str]:
    """Lines that are not JSON objects of the entity: an error page, a JSON array, an empty object."""
    keys = [f.json_key for f in entity.fields]
    return ["<html><head><title>502 Bad Gateway</title></head></html>", json.dumps(keys), "{}"]


def cut(rng: random.Random, line: str) -> str:
    """A line cut off mid-way: a proper prefix of a JSON object is never valid JSON."""
    return line[: rng.randrange(len(line) // 4, len(line) - 1)]


def share_serials(world: World, picker: Picker, rng: random.Random) -> None:
    """Groups of 2-3 device owners under one serial, which no reading can then be attributed by:
    every other group consents entirely, the others mix consenting and non-consenting members."""
    for group in range(max(2, world.settings.customers // 100)):
        others = rng.choice((1, 2))
        members = picker.take(rng, 1, consenting_device_owner)
        members += picker.take(
            rng, others, non_consenting_device_owner if group % 2 else consenting_device_owner
        )
        for member in members[1:]:
            member.serial = members[0].serial
            member.records = [replace(record, serial=member.serial) for record in member.records]


def add_customer_updates(world: World, picker: Picker, rng: random.Random) -> None:
    """Several records for one email: consent withdrawn, consent given later, a plain update,
    two ties on lastUpdateDate (with/without consent; two consents), and an exact duplicate line."""
    withdrawn = picker.one(rng, consenting_app_user)
    old = withdrawn.records[0]
    withdrawn.records.append(
        replace(old, research=None, last_update=later(rng, old.last_update or 0, world.end_ms))
    )

    granted = picker.one(rng, non_consenting_app_user)
    moment = later(rng, granted.instants[0], granted.instants[-1])
    granted.records.append(replace(granted.records[0], research=moment, last_update=moment))

    updated = picker.one(rng, consenting_app_user)
    old = updated.records[0]
    updated.records.append(
        replace(old, phone=OTHER_PHONE, last_update=later(rng, old.last_update or 0, world.end_ms))
    )

    tied = picker.one(rng, consenting_app_user)
    tied.records.append(replace(tied.records[0], research=None))

    reconsented = picker.one(rng, consenting_app_user)
    old = reconsented.records[0]
    moment = later(rng, old.research or 0, reconsented.instants[-1])
    reconsented.records = [
        replace(old, last_update=moment),
        replace(old, research=moment, last_update=moment),
    ]

    repeated = picker.one(rng)
    repeated.records.append(repeated.records[0])


def vary_emails(world: World, picker: Picker, rng: random.Random) -> None:
    """Some moments' user written in another case and/or with spaces, and one customer record's
    email too: the same person once trimmed and lowercased."""
    for person in picker.take(rng, max(2, world.settings.customers // 50), app_user):
        for instant in rng.sample(person.instants, max(1, len(person.instants) // 3)):
            person.user_variants[instant] = email_variant(rng, person.email)
    shouting = picker.one(rng, app_user)
    shouting.records[0] = replace(shouting.records[0], email=f"  {shouting.email.upper()} ")


def email_variant(rng: random.Random, email: str) -> str:
    cased = rng.choice((email.upper(), email.lower(), email.swapcase(), email))
    before, after = rng.choice((("", " "), (" ", ""), ("  ", "  "), ("", "")))
    variant = before + cased + after
    return variant if variant != email else f" {email}"


def break_fields(world: World, picker: Picker, rng: random.Random) -> None:
    """Keys missing and values of a wrong JSON type, in customers and in both reading streams."""
    break_customer_fields(picker, rng)
    app_users = [person for person in world.persons if person.instants]
    for reason, key, value in BROKEN_READINGS:
        instant, fields = reading_fields(rng, rng.choice(app_users))
        world.extras[ACCELEROMETER.name].append(Extra(instant, broken_line(fields, key, value), reason))
    owners = [person for person in world.persons if person.steps]
    for reason, key, value in BROKEN_STEPS:
        owner = rng.choice(owners)
        time = rng.choice(list(owner.steps))
        fields = {READING_TIME: time, DEVICE_SERIAL: owner.serial, DISTANCE: owner.steps[time]}
        world.extras[STEP_TRAINER.name].append(Extra(time, broken_line(fields, key, value), reason))


def break_customer_fields(picker: Picker, rng: random.Random) -> None:
    """Some customers' only record breaks (they drop out, their readings become unknown), some
    customers get a broken extra record (they stay, the line is rejected)."""
    no_email = picker.one(rng, app_user)
    no_email.records[0] = replace(no_email.records[0], email=None)

    undated = picker.one(rng, consenting_app_user)
    undated.records[0] = replace(
        undated.records[0], last_update=None, unreadable=((LAST_UPDATE, "yesterday"),)
    )

    unreadable_consent = picker.one(rng, consenting_app_user)
    unreadable_consent.records[0] = replace(
        unreadable_consent.records[0], research=None, unreadable=((RESEARCH, "soon"),)
    )

    undated_update, blank_email, invalid_email = picker.take(rng, 3)
    undated_update.records.append(replace(undated_update.records[0], last_update=None, phone=OTHER_PHONE))
    blank_email.records.append(replace(blank_email.records[0], email=""))
    invalid_email.records.append(
        replace(invalid_email.records[0], email=invalid_email.email.replace("@", " at "))
    )


def add_unknown_references(world: World, picker: Picker, rng: random.Random) -> None:
    """App users no customer record knows, whose devices no customer owns either."""
    for _ in range(max(2, world.settings.customers // 100)):
        _, email = unique_name(rng, world.taken_emails)
        ghost = Person(email, new_serial(rng), records=[])
        record_readings(rng, ghost, world.pool, world.settings.instants_per_customer)
        record_device(rng, ghost)
        world.persons.append(ghost)


def duplicate_readings(world: World, picker: Picker, rng: random.Random) -> None:
    """A file of each reading entity delivered twice, a few lines re-sent later, and a few
    step-trainer readings re-sent with another distance (conflicting readings)."""
    for entity in (ACCELEROMETER, STEP_TRAINER):
        world.delivered_twice[entity.name] = rng.randrange(world.settings.files)
    app_users = [person for person in world.persons if person.instants]
    for _ in range(5):
        person = rng.choice(app_users)
        index = rng.randrange(len(person.instants))
        instant = person.instants[index]
        line = accelerometer_line(person.user_at(instant), str(instant), rng.choice(person.triples[index]))
        world.extras[ACCELEROMETER.name].append(Extra(rng.choice(world.pool), line))
    owners = [person for person in world.persons if person.steps]
    for _ in range(3):
        owner = rng.choice(owners)
        time = rng.choice(list(owner.steps))
        line = step_trainer_line(owner.serial, str(time), owner.steps[time])
        world.extras[STEP_TRAINER.name].append(Extra(rng.choice(world.pool), line))
    for owner in picker.take(rng, 2, consenting_device_owner):
        time = rng.choice(list(owner.steps))
        distance = owner.steps[time] + rng.randint(1, 50)
        line = step_trainer_line(owner.serial, str(time), distance)
        world.extras[STEP_TRAINER.name].append(
            Extra(time, line, new_step=(normalise(owner.serial), time, distance))
        )


def add_malformed_lines(world: World, picker: Picker, rng: random.Random) -> None:
    """Each entity's last file cut off mid-line (the customer whose record it was is lost), and
    a few lines that are not JSON objects of the entity."""
    lost = picker.one(rng, app_user)
    lost.records = [CustomerRecord(raw=cut(rng, lost.records[0].line()), cut_off=True)]
    world.stray_customer_records += [CustomerRecord(raw=line) for line in garbage_lines(CUSTOMER)]
    app_users = [person for person in world.persons if person.instants]
    person = rng.choice(app_users)
    line = accelerometer_line(person.email, str(rng.choice(person.instants)), rng.randrange(len(TRIPLES)))
    world.cut_off[ACCELEROMETER.name] = cut(rng, line)
    owner = rng.choice([person for person in world.persons if person.steps])
    time = rng.choice(list(owner.steps))
    world.cut_off[STEP_TRAINER.name] = cut(rng, step_trainer_line(owner.serial, str(time), owner.steps[time]))
    for entity in (ACCELEROMETER, STEP_TRAINER):
        for line in garbage_lines(entity):
            world.extras[entity.name].append(Extra(rng.choice(world.pool), line, MALFORMED_RECORD))


# In the order they are applied; `--defects all` applies every one.
DEFECTS: dict[str, Callable[[World, Picker, random.Random], None]] = {
    "shared_serials": share_serials,
    "customer_updates": add_customer_updates,
    "email_variants": vary_emails,
    "missing_and_wrong_types": break_fields,
    "unknown_references": add_unknown_references,
    "duplicate_readings": duplicate_readings,
    "malformed_lines": add_malformed_lines,
}


def inject_defects(world: World) -> None:
    """Apply the requested defects; each draws from its own seeded generator."""
    picker = Picker(world.persons)
    for name, inject in DEFECTS.items():
        if name in world.settings.defects:
            inject(world, picker, random.Random(f"{name}:{world.settings.seed}"))
