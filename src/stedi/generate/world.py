"""The world the landing data describes: who exists, what they agreed to, what they recorded.

The generator first decides this world, then adds defects to it, then lays it out as files.
Every decision stays here as plain objects, so the ground truth is bookkeeping over decisions,
never a re-reading of the written files.
"""

from __future__ import annotations

import json
import random
import uuid
from dataclasses import dataclass, field
from datetime import date
from itertools import combinations, product

from stedi.contract import ACCELEROMETER, CUSTOMER, STEP_TRAINER

# The JSON keys, named once from the contract: a field added to the contract fails loudly here.
NAME, EMAIL, PHONE, BIRTHDAY, SERIAL_NUMBER, REGISTRATION, LAST_UPDATE, RESEARCH, PUBLIC, FRIENDS = (
    f.json_key for f in CUSTOMER.fields
)
USER, TIMESTAMP, X, Y, Z = (f.json_key for f in ACCELEROMETER.fields)
READING_TIME, DEVICE_SERIAL, DISTANCE = (f.json_key for f in STEP_TRAINER.fields)

HOUR = 3_600_000
DAY = 24 * HOUR

# Shares read off the real extract (docs/landing-contract.md) or chosen to make its traits visible.
SHARE_WITH_READINGS = 0.8  # customers who used the app
SHARE_WITH_DEVICE = 0.85  # app users whose Step Trainer sent readings
SHARE_INSTANTS_WITH_STEP = 0.8  # a device reads at most, not all, of its owner's instants
SHARE_CONSENTING = 0.5  # about half never agreed to research
SHARE_LATE_CONSENT = 0.4  # of consenters; with ~half their readings before consent: ~1/5 overall
SHARE_PUBLIC = 0.5
SHARE_FRIENDS = 0.4
CUSTOMERS_PER_TIMESTAMP = 4  # sizes the global timestamp pool so instants are shared
READINGS_PER_INSTANT = (2, 3, 3, 3, 3, 3, 3, 4)  # "about three", mean 3
DISTANCES = range(50, 500)
TEST_PHONE = "8015551212"  # the real extract's phone number, the same for everyone
OTHER_PHONE = "8015550199"

AXIS = (-1.0, 0.0, 1.0)
TRIPLES: tuple[tuple[float, float, float], ...] = tuple(product(AXIS, repeat=3))
# Sets of distinct (x, y, z) triples, by size: the readings of one instant never repeat a triple.
TRIPLE_SETS = {size: list(combinations(range(len(TRIPLES)), size)) for size in set(READINGS_PER_INSTANT)}

# fmt: off
FIRST_NAMES = (
    "Aaron", "Alexander", "Alice", "Amanda", "Andrew", "Anna", "Ben", "Bobby", "Chris", "Danny", "David",
    "Don", "Edward", "Eric", "Frank", "Gail", "Grace", "Henry", "Ian", "Jacob", "Jana", "Jerry", "John",
    "Jordan", "Juan", "Kate", "Lyn", "Mary", "Max", "Neil", "Olivia", "Paul", "Ray", "Ricardo", "Rosa",
    "Sally", "Santosh", "Sarah", "Scott", "Senthil", "Spencer", "Steve", "Suresh", "Takumi", "Trevor",
    "Vivek", "Wanda", "Will", "Yuki", "Zoe",
)
LAST_NAMES = (
    "Abram", "Ahmed", "Anderson", "Baker", "Bell", "Clayton", "Clark", "Davis", "Doshi", "Evans",
    "Fibonnaci", "Garcia", "Gonzalez", "Hansen", "Harris", "Huang", "Jackson", "Johnson", "Jones", "Khatib",
    "Kim", "Lee", "Lincoln", "Lopez", "Martin", "Miller", "Mitra", "Nelson", "Okonkwo", "Olsen", "Patel",
    "Phillips", "Rodriguez", "Sanchez", "Smith", "Staples", "Stark", "Taylor", "Thomas", "Thompson", "Tran",
    "Walker", "Wang", "White", "Williams", "Wilson", "Wright", "Young", "Zhang",
)
# fmt: on


def normalise(text: str) -> str:
    """How the pipeline compares emails, users and serial numbers: trimmed, lowercased."""
    return text.strip().lower()


@dataclass(frozen=True)
class Settings:
    """The generator's arguments: the same settings always produce the same bytes."""

    customers: int = 1000
    instants_per_customer: int = 30
    seed: int = 42
    defects: tuple[str, ...] = ()
    end_date: date = date(2022, 6, 30)
    files: int = 4
    reading_days: int = 30  # app readings fall in the last reading_days days up to the end date


@dataclass(frozen=True)
class CustomerRecord:
    """One line of the customer file, as written and as a reader reads it.

    The attributes hold what a reader can read (None: the key is absent or unreadable).
    `unreadable` lists values written with a wrong JSON type in place of an attribute, which
    therefore stays None. `raw` replaces the whole line when it is not a JSON object of these
    fields (garbage, or `cut_off`: the truncated last line of the file).
    """

    name: str | None = None
    email: str | None = None
    phone: str | None = None
    birthday: str | None = None
    serial: str | None = None
    registration: int | None = None
    last_update: int | None = None
    research: int | None = None
    public: int | None = None
    friends: int | None = None
    unreadable: tuple[tuple[str, str], ...] = ()
    raw: str | None = None
    cut_off: bool = False

    def readable(self) -> dict[str, str | int | None]:
        """What a reader gets from the line, keyed like the contract."""
        return {
            NAME: self.name,
            EMAIL: self.email,
            PHONE: self.phone,
            BIRTHDAY: self.birthday,
            SERIAL_NUMBER: self.serial,
            REGISTRATION: self.registration,
            LAST_UPDATE: self.last_update,
            RESEARCH: self.research,
            PUBLIC: self.public,
            FRIENDS: self.friends,
        }

    def line(self) -> str:
        """The JSON line, keys in contract order; a value that reads as None is left out."""
        if self.raw is not None:
            return self.raw
        written = {key: value for key, value in self.readable().items() if value is not None}
        written.update(self.unreadable)
        ordered = {f.json_key: written[f.json_key] for f in CUSTOMER.fields if f.json_key in written}
        return json.dumps(ordered, separators=(",", ":"))


@dataclass(eq=False)
class Person:
    """Someone who may appear in the landing data: a customer, or an app user no record knows.

    `instants[i]` is a moment the app recorded, with the readings `triples[i]` (indices into
    TRIPLES). `steps` maps a moment to the distance the person's device read then, written
    under `serial`. `user_variants` holds the few moments whose user is written differently.
    """

    email: str
    serial: str
    records: list[CustomerRecord]
    instants: list[int] = field(default_factory=list)
    triples: list[tuple[int, ...]] = field(default_factory=list)
    steps: dict[int, int] = field(default_factory=dict)
    user_variants: dict[int, str] = field(default_factory=dict)

    @property
    def key(self) -> str:
        return normalise(self.email)

    @property
    def consent(self) -> int | None:
        """Research consent of the person's first record (what defects choose people by)."""
        return self.records[0].research if self.records else None

    def user_at(self, instant: int) -> str:
        return self.user_variants.get(instant, self.email)


@dataclass(frozen=True)
class Extra:
    """A reading-file line a defect adds on top of the persons' own readings.

    `reason` is the line-level reject reason a reader gives it (None: a valid line). A valid
    extra repeats a reading someone already has, except `new_step`: a step-trainer reading only
    this line carries (a reading re-sent with another distance). `slot` is the moment next to
    which the line is written.
    """

    slot: int
    line: str
    reason: str | None = None
    new_step: tuple[str, int, int] | None = None


@dataclass
class World:
    """Everything the generator decided, before it is laid out as files."""

    settings: Settings
    end_ms: int  # midnight after the end date: every instant is earlier
    pool: list[int]  # the global timestamps app readings are drawn from
    persons: list[Person]
    taken_emails: set[str]
    stray_customer_records: list[CustomerRecord] = field(default_factory=list)
    extras: dict[str, list[Extra]] = field(
        default_factory=lambda: {ACCELEROMETER.name: [], STEP_TRAINER.name: []}
    )
    cut_off: dict[str, str] = field(default_factory=dict)  # entity -> truncated last line
    delivered_twice: dict[str, int] = field(default_factory=dict)  # entity -> file index


def build_world(settings: Settings) -> World:
    """The clean world: customers of the real shape, their app readings, their devices."""
    rng = random.Random(f"world:{settings.seed}")
    end_ms = (settings.end_date - date(1970, 1, 1)).days * DAY + DAY
    pool = timestamp_pool(rng, settings, end_ms)
    taken: set[str] = set()
    persons = [
        new_customer(rng, pool, settings.instants_per_customer, end_ms, taken, settings.reading_days * DAY)
        for _ in range(settings.customers)
    ]
    return World(settings, end_ms, pool, persons, taken)


def timestamp_pool(rng: random.Random, settings: Settings, end_ms: int) -> list[int]:
    """Global reading moments, few enough that several customers read at the same moment."""
    about = settings.instants_per_customer
    size = max(2 * about, settings.customers * about // CUSTOMERS_PER_TIMESTAMP)
    return sorted(rng.sample(range(end_ms - settings.reading_days * DAY, end_ms), size))


def unique_name(rng: random.Random, taken: set[str]) -> tuple[str, str]:
    """A 'First Last' name and an email no one else has, even after normalisation."""
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    email, number = f"{first}.{last}@test.com", 1
    while normalise(email) in taken:
        number += 1
        email = f"{first}.{last}{number}@test.com"
    taken.add(normalise(email))
    return f"{first} {last}", email


def new_serial(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def birthday(rng: random.Random) -> str:
    """Untrustworthy like the real ones: mostly before 1900, some exactly 1900."""
    roll = rng.random()
    year = rng.randint(900, 1899) if roll < 0.6 else 1900 if roll < 0.75 else rng.randint(1930, 2004)
    return f"{year:04d}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"


def record_readings(rng: random.Random, person: Person, pool: list[int], about: int) -> None:
    """About `about` distinct moments from the global pool, each with a few distinct readings."""
    count = rng.randint((about + 1) // 2, about + about // 2)
    person.instants = sorted(rng.sample(pool, count))
    person.triples = []
    for _ in person.instants:
        choices = TRIPLE_SETS[rng.choice(READINGS_PER_INSTANT)]
        person.triples.append(choices[rng.randrange(len(choices))])


def record_device(rng: random.Random, person: Person) -> None:
    """The person's Step Trainer reads at most of the moments the app recorded, one reading each."""
    person.steps = {
        instant: rng.choice(DISTANCES)
        for instant in person.instants
        if rng.random() < SHARE_INSTANTS_WITH_STEP
    }


def consent_instant(rng: random.Random, registration: int, last_activity: int) -> int | None:
    """Research consent: none for about half; at registration for most others; else days later."""
    if rng.random() >= SHARE_CONSENTING:
        return None
    if rng.random() >= SHARE_LATE_CONSENT:
        return registration
    return registration + rng.randrange(DAY, max(DAY + 1, last_activity - registration))


def new_customer(
    rng: random.Random, pool: list[int], about: int, end_ms: int, taken: set[str], reading_window: int
) -> Person:
    """A customer with one record; most use the app, most app users own a reading device."""
    name, email = unique_name(rng, taken)
    person = Person(email, new_serial(rng), records=[])
    if rng.random() < SHARE_WITH_READINGS:
        record_readings(rng, person, pool, about)
        if rng.random() < SHARE_WITH_DEVICE:
            record_device(rng, person)
        registration = person.instants[0] - rng.randrange(HOUR, 3 * DAY)
        last_activity = person.instants[-1]
    else:
        registration = rng.randrange(end_ms - reading_window - 5 * DAY, end_ms - 11 * DAY)
        last_activity = registration + 10 * DAY
    research = consent_instant(rng, registration, last_activity)
    person.records.append(
        CustomerRecord(
            name=name,
            email=email,
            phone=TEST_PHONE,
            birthday=birthday(rng),
            serial=person.serial,
            registration=registration,
            last_update=max(registration, research or registration),
            research=research,
            public=registration if rng.random() < SHARE_PUBLIC else None,
            friends=registration if rng.random() < SHARE_FRIENDS else None,
        )
    )
    return person
