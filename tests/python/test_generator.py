"""The landing-data generator: real shape, requested defects only, determinism, and a manifest
that an independent reader of the files (reference_pipeline.py) agrees with."""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from reference_pipeline import evaluate, landing_lines, normalise, read_line, typed
from stedi.contract import ACCELEROMETER, CUSTOMER, ENTITIES, STEP_TRAINER, Entity
from stedi.generate import DEFECTS, Settings, generate, generate_command

SMALL = {"customers": 200, "instants_per_customer": 12}
CONSENT_KEYS = {"shareWithResearchAsOfDate", "shareWithPublicAsOfDate", "shareWithFriendsAsOfDate"}
DAY = 86_400_000

MakeLanding = Callable[..., Path]


@pytest.fixture(scope="module")
def landing(tmp_path_factory: pytest.TempPathFactory) -> MakeLanding:
    """Generated landing roots, one per distinct settings, shared by the module's tests."""
    made: dict[Settings, Path] = {}

    def make(**overrides: Any) -> Path:
        settings = Settings(**{**SMALL, **overrides})
        if settings not in made:
            made[settings] = tmp_path_factory.mktemp("landing")
            generate(settings, made[settings])
        return made[settings]

    return make


def objects(root: Path, entity: Entity) -> list[dict]:
    return [json.loads(line) for line in landing_lines(root, entity)]


def snapshot(root: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(root)): path.read_bytes() for path in sorted(root.rglob("*")) if path.is_file()
    }


def consents(root: Path) -> dict[str, tuple[int, int]]:
    """Normalised email -> (registration, research consent) of consenting customers (clean data)."""
    return {
        normalise(c["email"]): (c["registrationDate"], c["shareWithResearchAsOfDate"])
        for c in objects(root, CUSTOMER)
        if "shareWithResearchAsOfDate" in c
    }


# --- determinism -------------------------------------------------------------------------------


def test_same_settings_write_byte_identical_files(tmp_path: Path) -> None:
    settings = Settings(customers=150, instants_per_customer=8, seed=5, defects=tuple(DEFECTS))
    generate(settings, tmp_path / "a")
    generate(settings, tmp_path / "b")
    assert snapshot(tmp_path / "a") == snapshot(tmp_path / "b")


def test_another_seed_writes_different_files(landing: MakeLanding) -> None:
    first, second = snapshot(landing(seed=1)), snapshot(landing(seed=2))
    assert first.keys() != second.keys()  # file names derive from the seed too
    assert sorted(first.values()) != sorted(second.values())


# --- the real shape (clean data) ----------------------------------------------------------------


def test_layout_is_one_customer_file_k_reading_files_and_the_manifest_on_top(landing: MakeLanding) -> None:
    root = landing(files=3)
    assert sorted(path.name for path in root.iterdir()) == [
        "accelerometer",
        "customer",
        "ground_truth.json",
        "step_trainer",
    ]
    end_of_end_date = (date(2022, 7, 1) - date(1970, 1, 1)).days * DAY
    for entity, count in ((CUSTOMER, 1), (ACCELEROMETER, 3), (STEP_TRAINER, 3)):
        assert [path.name for path in (root / entity.name).iterdir()] == ["landing"]
        names = sorted(path.name for path in (root / entity.prefix).iterdir())
        assert len(names) == count
        for name in names:
            stamp = re.fullmatch(rf"{entity.name}-(\d{{13}})\.json", name)
            assert stamp and end_of_end_date < int(stamp[1]) < end_of_end_date + DAY


def test_files_are_json_lines_with_line_ends_and_no_blank_lines(landing: MakeLanding) -> None:
    for path in landing().rglob("*/landing/*.json"):
        text = path.read_text(encoding="utf-8")
        assert text.endswith("\n") and "\n\n" not in text and "\r" not in text
        assert all(isinstance(json.loads(line), dict) for line in text.splitlines())


def test_records_carry_the_contract_keys_with_their_json_types(landing: MakeLanding) -> None:
    python_types = {"string": str, "bigint": int, "int": int, "double": float}
    for entity in ENTITIES:
        required = {f.json_key for f in entity.fields} - CONSENT_KEYS
        for record in objects(landing(), entity):
            assert required <= record.keys() <= {f.json_key for f in entity.fields}
            for f in entity.fields:
                if f.json_key in record:
                    assert type(record[f.json_key]) is python_types[f.glue_type], (f.json_key, record)


def test_customer_values_look_like_the_real_extract(landing: MakeLanding) -> None:
    customers = objects(landing(), CUSTOMER)
    uuid4 = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")
    assert all(uuid4.fullmatch(c["serialNumber"]) for c in customers)
    assert all(c["phone"].isdigit() for c in customers)
    assert all(re.fullmatch(r"\d{4}-\d{2}-\d{2}", c["birthDay"]) for c in customers)
    assert sum(int(c["birthDay"][:4]) < 1900 for c in customers) > len(customers) / 2
    assert len({normalise(c["email"]) for c in customers}) == len(customers)


def test_non_consenters_lack_the_consent_key_rather_than_carrying_null(landing: MakeLanding) -> None:
    customers = objects(landing(), CUSTOMER)
    assert all(value is not None for c in customers for value in c.values())
    never_agreed = sum("shareWithResearchAsOfDate" not in c for c in customers)
    assert 0.35 < never_agreed / len(customers) < 0.65


def test_about_three_distinct_readings_share_a_user_and_timestamp(landing: MakeLanding) -> None:
    at_instant: defaultdict[tuple[str, int], list[tuple[float, float, float]]] = defaultdict(list)
    for r in objects(landing(), ACCELEROMETER):
        at_instant[(r["user"], r["timestamp"])].append((r["x"], r["y"], r["z"]))
    assert all(len(set(xyz)) == len(xyz) for xyz in at_instant.values())
    assert 2.8 < sum(map(len, at_instant.values())) / len(at_instant) < 3.2


def test_timestamps_are_shared_by_customers_who_both_have_step_readings(landing: MakeLanding) -> None:
    """A join on the timestamp alone must pair different customers' readings."""
    root = landing()
    owner = {c["serialNumber"]: normalise(c["email"]) for c in objects(root, CUSTOMER)}
    users_at: defaultdict[int, set[str]] = defaultdict(set)
    for r in objects(root, ACCELEROMETER):
        users_at[r["timestamp"]].add(normalise(r["user"]))
    distances_at: defaultdict[int, dict[str, int]] = defaultdict(dict)
    for s in objects(root, STEP_TRAINER):
        distances_at[s["sensorReadingTime"]][owner[s["serialNumber"]]] = s["distanceFromObject"]
    shared = [
        time
        for time, by_owner in distances_at.items()
        if len(by_owner) > 1 and len(set(by_owner.values())) > 1 and by_owner.keys() <= users_at[time]
    ]
    assert len(shared) > len(distances_at) / 4


def test_most_consent_at_registration_and_some_days_later(landing: MakeLanding) -> None:
    delays = [research - registration for registration, research in consents(landing()).values()]
    at_registration = sum(delay == 0 for delay in delays)
    assert len(delays) / 2 < at_registration < len(delays)
    assert all(delay == 0 or delay >= DAY for delay in delays)


def test_about_a_fifth_of_consenting_customers_readings_predate_consent(landing: MakeLanding) -> None:
    root = landing(customers=1000)
    consent = consents(root)
    moments = [(normalise(r["user"]), r["timestamp"]) for r in objects(root, ACCELEROMETER)]
    theirs = [(user, time) for user, time in moments if user in consent]
    before = sum(time < consent[user][1] for user, time in theirs)
    assert 0.12 < before / len(theirs) < 0.3


def test_readings_fall_over_the_reading_days_up_to_the_end_date(landing: MakeLanding) -> None:
    """--reading-days spreads the readings (for more days than Athena writes partitions in one
    statement); the default keeps the real extract's month."""
    for days in (30, 140):
        root = landing(reading_days=days)
        instants = [reading["timestamp"] for reading in objects(root, ACCELEROMETER)]
        end = (Settings(**SMALL).end_date - date(1970, 1, 1)).days * DAY + DAY
        assert end - days * DAY <= min(instants) and max(instants) < end
        assert max(instants) - min(instants) > (days - 10) * DAY, days


def test_readings_come_after_registration(landing: MakeLanding) -> None:
    root = landing()
    registered = {normalise(c["email"]): c["registrationDate"] for c in objects(root, CUSTOMER)}
    assert all(r["timestamp"] > registered[normalise(r["user"])] for r in objects(root, ACCELEROMETER))


def test_every_step_reading_is_at_an_accelerometer_timestamp_of_its_owner(landing: MakeLanding) -> None:
    root = landing()
    owner = {c["serialNumber"]: normalise(c["email"]) for c in objects(root, CUSTOMER)}
    moments = {(normalise(r["user"]), r["timestamp"]) for r in objects(root, ACCELEROMETER)}
    steps = [(s["serialNumber"], s["sensorReadingTime"]) for s in objects(root, STEP_TRAINER)]
    assert len(set(steps)) == len(steps)  # one reading per (serial, time)
    assert all((owner[serial], time) in moments for serial, time in steps)
    device_owners = {owner[serial] for serial, _ in steps}
    assert device_owners < {user for user, _ in moments}  # some app users have no device readings
    owners_moments = [moment for moment in moments if moment[0] in device_owners]
    assert len(owners_moments) / 2 < len(steps) < len(owners_moments)  # most moments, not all


# --- defects: each appears when asked, and not otherwise -------------------------------------


def rows(root: Path, entity: Entity) -> list[dict]:
    """Lines as a lenient reader sees them (wrong types and non-objects read as nulls)."""
    return [read_line(line, entity) for line in landing_lines(root, entity)]


def shares_serials(root: Path) -> bool:
    emails: defaultdict[str, set[str]] = defaultdict(set)
    for c in rows(root, CUSTOMER):
        if c["serialNumber"] and c["email"] and "@" in c["email"] and " " not in c["email"].strip():
            emails[c["serialNumber"]].add(normalise(c["email"]))
    return any(len(members) > 1 for members in emails.values())


def updates_customers(root: Path) -> bool:
    """Several records for one email, a tie on lastUpdateDate that differs in consent, a repeated line."""
    by_email: defaultdict[str, list[dict]] = defaultdict(list)
    for c in rows(root, CUSTOMER):
        if c["email"]:
            by_email[normalise(c["email"])].append(c)
    tie = any(
        len({c["shareWithResearchAsOfDate"] for c in records if c["lastUpdateDate"] == update}) > 1
        for records in by_email.values()
        for update in {c["lastUpdateDate"] for c in records}
    )
    repeated = max(Counter(landing_lines(root, CUSTOMER)).values()) > 1
    return tie and repeated and any(len(records) > 1 for records in by_email.values())


def varies_emails(root: Path) -> bool:
    written = {normalise(c["email"]): c["email"] for c in rows(root, CUSTOMER) if c["email"]}
    users = {r["user"] for r in rows(root, ACCELEROMETER) if r["user"]}
    padded_record = any(email != email.strip() for email in written.values())
    return padded_record and any(user != written.get(normalise(user), user) for user in users)


def breaks_fields(root: Path) -> bool:
    """A JSON object of the entity with a required key missing or a value of the wrong type."""
    for entity in ENTITIES:
        keys = {f.json_key for f in entity.fields}
        for line in landing_lines(root, entity):
            try:
                record = json.loads(line)
            except json.JSONDecodeError:
                continue
            if not isinstance(record, dict) or not keys & record.keys():
                continue
            missing = (keys - CONSENT_KEYS) - record.keys()
            wrong = [
                f
                for f in entity.fields
                if f.json_key in record and typed(record[f.json_key], f.glue_type) is None
            ]
            if missing or wrong:
                return True
    return False


def references_unknowns(root: Path) -> bool:
    customers = rows(root, CUSTOMER)
    emails = {normalise(c["email"]) for c in customers if c["email"]}
    serials = {normalise(c["serialNumber"]) for c in customers if c["serialNumber"]}
    unknown_user = any(normalise(r["user"]) not in emails for r in rows(root, ACCELEROMETER) if r["user"])
    unknown_serial = any(
        normalise(s["serialNumber"]) not in serials for s in rows(root, STEP_TRAINER) if s["serialNumber"]
    )
    return unknown_user and unknown_serial


def duplicates_readings(root: Path) -> bool:
    """In both reading entities: a file delivered twice, and a line repeated within distinct files."""
    for entity in (ACCELEROMETER, STEP_TRAINER):
        contents = [path.read_text(encoding="utf-8") for path in (root / entity.prefix).iterdir()]
        lines = [line for text in set(contents) for line in text.splitlines()]
        if len(set(contents)) == len(contents) or len(set(lines)) == len(lines):
            return False
    return True


def has_malformed_lines(root: Path) -> bool:
    """In every entity: a file cut off mid-line, and lines that are not JSON objects of fields."""
    for entity in ENTITIES:
        texts = [path.read_text(encoding="utf-8") for path in (root / entity.prefix).iterdir()]
        if all(text.endswith("\n") for text in texts):
            return False
        if all(any(value is not None for value in row.values()) for row in rows(root, entity)):
            return False
    return True


DETECTORS: dict[str, Callable[[Path], bool]] = {
    "shared_serials": shares_serials,
    "customer_updates": updates_customers,
    "email_variants": varies_emails,
    "missing_and_wrong_types": breaks_fields,
    "unknown_references": references_unknowns,
    "duplicate_readings": duplicates_readings,
    "malformed_lines": has_malformed_lines,
}


def test_every_defect_has_a_detector() -> None:
    assert DETECTORS.keys() == DEFECTS.keys()


def test_clean_data_has_no_defect(landing: MakeLanding) -> None:
    root = landing()
    assert [name for name, found in DETECTORS.items() if found(root)] == []


@pytest.mark.parametrize("defect", list(DEFECTS))
def test_a_requested_defect_appears_and_no_other(landing: MakeLanding, defect: str) -> None:
    root = landing(defects=(defect,))
    found = {name for name, detect in DETECTORS.items() if detect(root)}
    assert found == {defect}


def test_all_defects_appear_together(landing: MakeLanding) -> None:
    root = landing(defects=tuple(DEFECTS))
    assert all(detect(root) for detect in DETECTORS.values())


# --- the command line ----------------------------------------------------------------------------


def test_refuses_a_non_empty_out_without_force_in_one_line(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("keep me", encoding="utf-8")
    result = CliRunner().invoke(generate_command, ["--out", str(tmp_path), "--customers", "20"])
    assert result.exit_code == 2
    assert (
        result.output.count("\n") == 1 and result.output.startswith("Error:") and "--force" in result.output
    )
    assert "Traceback" not in result.output
    assert sorted(path.name for path in tmp_path.iterdir()) == ["notes.txt"]


def test_force_replaces_only_the_landing_folders_and_the_manifest(tmp_path: Path) -> None:
    runner = CliRunner()
    assert (
        runner.invoke(
            generate_command, ["--out", str(tmp_path), "--customers", "20", "--files", "3"]
        ).exit_code
        == 0
    )
    (tmp_path / "notes.txt").write_text("keep me", encoding="utf-8")
    args = ["--out", str(tmp_path), "--customers", "30", "--files", "2", "--seed", "9", "--force"]
    result = runner.invoke(generate_command, args)
    assert result.exit_code == 0, result.output
    assert (tmp_path / "notes.txt").read_text(encoding="utf-8") == "keep me"
    assert len(list((tmp_path / ACCELEROMETER.prefix).iterdir())) == 2
    assert json.loads((tmp_path / "ground_truth.json").read_text(encoding="utf-8"))["generator"]["seed"] == 9


@pytest.mark.parametrize(
    "args",
    [
        ["--defects", "shared_serials,typo"],
        ["--defects", "all", "--customers", "50"],
        ["--end-date", "30/06/2022"],
    ],
)
def test_bad_arguments_are_usage_errors(tmp_path: Path, args: list[str]) -> None:
    result = CliRunner().invoke(generate_command, ["--out", str(tmp_path / "out"), *args])
    assert result.exit_code == 2
    assert not (tmp_path / "out").exists()


def test_manifest_records_the_generator_arguments(tmp_path: Path) -> None:
    args = ["--out", str(tmp_path), "--customers", "120", "--instants-per-customer", "5", "--seed", "3"]
    result = CliRunner().invoke(
        generate_command, [*args, "--defects", "malformed_lines,shared_serials", "--end-date", "2022-07-31"]
    )
    assert result.exit_code == 0, result.output
    manifest = json.loads((tmp_path / "ground_truth.json").read_text(encoding="utf-8"))
    assert manifest["generator"] == {
        "seed": 3,
        "customers": 120,
        "instants_per_customer": 5,
        "defects": ["shared_serials", "malformed_lines"],
        "end_date": "2022-07-31",
        "files": 4,
        "reading_days": 30,
    }


# --- the manifest against an independent reading of the files ----------------------------------


@pytest.mark.parametrize(
    ("defects", "seed"), [((), 1), ((), 2), (tuple(DEFECTS), 1), (tuple(DEFECTS), 2), (tuple(DEFECTS), 3)]
)
def test_manifest_matches_the_reference_pipeline(
    landing: MakeLanding, defects: tuple[str, ...], seed: int
) -> None:
    root = landing(defects=defects, seed=seed)
    manifest = json.loads((root / "ground_truth.json").read_text(encoding="utf-8"))
    reference = evaluate(root)
    assert {key: manifest[key] for key in reference} == reference


def test_all_defects_exercise_every_reject_reason_and_policies_differ(landing: MakeLanding) -> None:
    manifest = json.loads((landing(defects=tuple(DEFECTS)) / "ground_truth.json").read_text(encoding="utf-8"))
    assert all(count > 0 for reasons in manifest["rejects"].values() for count in reasons.values())
    as_of_consent, any_time = manifest["zones"]["as_of_consent"], manifest["zones"]["any_time"]
    for table in ("accelerometer_trusted", "step_trainer_trusted", "machine_learning_curated"):
        assert 0 < as_of_consent[table] < any_time[table]


def test_reference_pipeline_applies_the_rules_to_handwritten_lines(tmp_path: Path) -> None:
    """The reference itself, on lines whose answer is worked out by hand (instants are offsets
    from t, in June 2022; every customer registered at t; c's consent of 0 is no consent)."""
    t = 1_655_564_444_000
    lines = {
        CUSTOMER: [
            {
                "email": "a@x.com",
                "registrationDate": t,
                "serialNumber": "s1",
                "lastUpdateDate": t + 10,
                "shareWithResearchAsOfDate": t + 5,
            },
            {
                "email": " A@X.com",
                "registrationDate": t,
                "serialNumber": "s1",
                "lastUpdateDate": t + 10,
            },  # tie: no consent wins
            {
                "email": "b@x.com",
                "registrationDate": t,
                "serialNumber": "s3",
                "lastUpdateDate": t + 10,
                "shareWithResearchAsOfDate": t + 3,
            },
            {
                "email": "b@x.com",
                "registrationDate": t,
                "serialNumber": "s3",
                "lastUpdateDate": t + 10,
                "shareWithResearchAsOfDate": t + 7,
            },
            {
                "email": "c@x.com",
                "registrationDate": t,
                "serialNumber": "s2",
                "lastUpdateDate": t + 1,
                "shareWithResearchAsOfDate": 0,
            },  # a placeholder: no consent
            {
                "email": "d@x.com",
                "registrationDate": t,
                "serialNumber": " S2",
                "lastUpdateDate": t + 1,
            },  # s2 is ambiguous
            {"email": "e@x.com", "registrationDate": t, "lastUpdateDate": "yesterday"},
            {"email": "f at x.com", "registrationDate": t, "lastUpdateDate": t + 1},
            {"email": "  ", "registrationDate": t, "lastUpdateDate": t + 1},
            {},
        ],
        ACCELEROMETER: [
            {"user": "b@x.com", "timestamp": t + 5, "x": 1.0, "y": 0.0, "z": 0.0},  # before b's consent
            {"user": "b@x.com", "timestamp": t + 8, "x": 1.0, "y": 0.0, "z": 0.0},
            {"user": "b@x.com", "timestamp": t + 8, "x": 1.0, "y": 0.0, "z": 0.0},
            {"user": " B@x.com ", "timestamp": t + 8, "x": 1.0, "y": 0.0, "z": 0.0},
            {"user": "b@x.com", "timestamp": t + 8, "x": 0.0, "y": 1.0, "z": 0.0},
            {"user": "b@x.com", "timestamp": t + 9, "x": "high", "y": 0.0, "z": 0.0},
            {"user": "ghost@x.com", "timestamp": t + 8, "x": 1.0, "y": 0.0, "z": 0.0},
            {"user": "b@x.com", "timestamp": True, "x": 1.0, "y": 0.0, "z": 0.0},
            {"user": "c@x.com", "timestamp": t + 8, "x": 1, "y": 0, "z": 0},
            {"user": "a@x.com", "timestamp": t + 8, "x": 1.0, "y": 0.0, "z": 0.0},  # no consent: withheld
        ],
        STEP_TRAINER: [
            {"sensorReadingTime": t + 8, "serialNumber": "S3", "distanceFromObject": 100},
            {"sensorReadingTime": t + 9, "serialNumber": "s3", "distanceFromObject": 100},
            {"sensorReadingTime": t + 9, "serialNumber": "s3", "distanceFromObject": 120},
            {"sensorReadingTime": t + 8, "serialNumber": "s2", "distanceFromObject": 5},
            {"sensorReadingTime": t + 8, "serialNumber": "zz", "distanceFromObject": 1},
            {"sensorReadingTime": t + 5, "serialNumber": "s3", "distanceFromObject": 1.5},  # implausible
            {"sensorReadingTime": t + 5, "serialNumber": "s3", "distanceFromObject": 7},
            # s1 is a's alone, and a has no consent: withheld, conflict or not
            {"sensorReadingTime": t + 8, "serialNumber": "s1", "distanceFromObject": 3},
            {"sensorReadingTime": t + 8, "serialNumber": "s1", "distanceFromObject": 4},
        ],
    }
    for entity, records in lines.items():
        (tmp_path / entity.prefix).mkdir(parents=True)
        text = "".join(json.dumps(record) + "\n" for record in records)
        if entity is STEP_TRAINER:
            text += '{"sensorReadingTime":9,"serialNumber":"s'
        (tmp_path / entity.prefix / entity.file_name(1)).write_text(text, encoding="utf-8")
    assert evaluate(tmp_path) == {
        "landing_records": {"customer": 10, "accelerometer": 10, "step_trainer": 10},
        "staging": {
            "stg_stedi__customers": 4,
            "stg_stedi__accelerometer_readings": 4,
            "stg_stedi__step_trainer_readings": 6,
        },
        "rejects": {
            "customer": {
                "malformed_record": 1,
                "missing_email": 1,
                "invalid_email": 1,
                "missing_last_update_date": 1,
            },
            "accelerometer": {
                "malformed_record": 0,
                "missing_user": 0,
                "missing_timestamp": 1,
                "missing_acceleration": 1,
                "unknown_user": 1,
            },
            "step_trainer": {
                "malformed_record": 1,
                "missing_serial_number": 0,
                "missing_sensor_reading_time": 0,
                "missing_distance": 0,
                "unknown_serial_number": 1,
                "ambiguous_serial_number": 1,
                "conflicting_reading": 2,
                "implausible_distance": 1,
            },
        },
        "zones": {
            "as_of_consent": {
                "customer_trusted": 1,
                "accelerometer_trusted": 2,
                "step_trainer_trusted": 1,
                "customers_curated": 1,
                "machine_learning_curated": 2,
            },
            "any_time": {
                "customer_trusted": 1,
                "accelerometer_trusted": 3,
                "step_trainer_trusted": 2,
                "customers_curated": 1,
                "machine_learning_curated": 3,
            },
        },
    }
