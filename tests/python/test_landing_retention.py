"""Landing retention is a supported operation: the landing zone's retention process deletes reading
files the lake has read, and nothing the lake built changes; when the owner of readings withheld
from a deleted file consents later, those readings are counted under landing_file_retired (the
lake never copied them) and the ones still in landing are admitted; the reconciliation accounts
for a retired file with what the ledger counted when it read it; and no dbt command fails for a
file that is gone, nor for a landing root that moved.

One small landing set, two deliveries of readings: `old` files (read by the first build, then
retired) and `new` ones. Customers: `keeps` consents from the start; `late`
consents only after the old files were retired. Each has a phone and a step trainer.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import boto3
from athena_local import AthenaLocal

from conftest import BIN, PROJECT_ROOT, DbtProject
from hostile_landing import T0, customer, reading, step
from test_athena_target import (
    BUCKET,
    SCENARIO_BUILD,
    athena_env,
    athena_query,
    aws_env,
    client_settings,
    land,
    local_athena,
    model_relations,
)

__all__ = ["local_athena"]  # the fixture: the local Athena with the lake's bucket and subject key

DAY = 86_400_000
KEEPS, LATE = "keeps@example.com", "late@example.com"
OLD_FILES = ("accelerometer/landing/accelerometer-old.json", "step_trainer/landing/step_trainer-old.json")
# Per customer, readings in the old files and in the new ones.
OLD_READINGS, NEW_READINGS = 3, 2
ZONES = (
    "customer_trusted",
    "accelerometer_trusted",
    "step_trainer_trusted",
    "customers_curated",
    "machine_learning_curated",
    "quarantined_customer_records",
    "quarantined_accelerometer_readings",
    "quarantined_step_trainer_readings",
    "stg_stedi__accelerometer_ledger",
    "stg_stedi__step_trainer_ledger",
    "landing_reconciliation",
)


def lines(records: list[dict]) -> str:
    return "".join(json.dumps(record) + "\n" for record in records)


def write_landing(root: Path) -> None:
    consent_later = {"shareWithResearchAsOfDate": None}
    first_customers = [
        customer(KEEPS, "dev-keeps"),
        customer(LATE, "dev-late", **consent_later),
    ]
    files = {
        "customer/landing/customer-1.json": lines(first_customers),
        OLD_FILES[0]: lines(
            [reading(email, T0 + DAY + n * 1000) for email in (KEEPS, LATE) for n in range(OLD_READINGS)]
        ),
        OLD_FILES[1]: lines(
            [
                step(serial, T0 + DAY + n * 1000, 40 + n)
                for serial in ("dev-keeps", "dev-late")
                for n in range(OLD_READINGS)
            ]
        ),
        "accelerometer/landing/accelerometer-new.json": lines(
            [reading(email, T0 + 2 * DAY + n * 1000) for email in (KEEPS, LATE) for n in range(NEW_READINGS)]
        ),
        "step_trainer/landing/step_trainer-new.json": lines(
            [
                step(serial, T0 + 2 * DAY + n * 1000, 50 + n)
                for serial in ("dev-keeps", "dev-late")
                for n in range(NEW_READINGS)
            ]
        ),
    }
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)


def consent_file() -> tuple[str, str]:
    """The customer file in which `late` consents (before any of their readings)."""
    later = {"lastUpdateDate": T0 + 3 * DAY, "shareWithResearchAsOfDate": T0 + 1}
    return "customer/landing/customer-2.json", lines([customer(LATE, "dev-late", **later)])


class LocalLake:
    def __init__(self, work: Path) -> None:
        self.root = work / "landing"
        self.project = DbtProject(PROJECT_ROOT, work / "lake")
        write_landing(self.root)

    def build(self, *args: str, variables: dict | None = None) -> str:
        run = self.project.dbt(
            "build", *args, variables={"landing_root": str(self.root), **(variables or {})}
        )
        assert run.returncode == 0, run.output[-4000:]
        return run.output

    def retire(self) -> None:
        for name in OLD_FILES:
            (self.root / name).unlink()

    def deliver(self, name: str, text: str) -> None:
        (self.root / name).write_text(text)

    def rows(self, model: str) -> list[tuple]:
        schema = self.project.query(
            "select table_schema from information_schema.tables "
            "where table_name = ? and table_schema like 'stedi_%'",
            [model],
        )[0][0]
        columns = self.columns(schema, model)
        return sorted(self.project.query(f"select {columns} from {schema}.{model}"), key=repr)

    def columns(self, schema: str, model: str) -> str:
        names = self.project.query(
            "select column_name from information_schema.columns where table_schema = ? and table_name = ? "
            "order by ordinal_position",
            [schema, model],
        )
        # read_at says when a row was written: a rebuilt table differs there and nowhere else
        return ", ".join(f'"{name}"' for (name,) in names if name not in ("read_at", "exported_at"))

    def query(self, sql: str) -> list[tuple]:
        return self.project.query(sql)


def test_retiring_read_files_changes_no_zone_and_a_late_consent_counts_their_readings_as_retired(
    tmp_path: Path,
) -> None:
    lake = LocalLake(tmp_path)
    lake.build("--exclude", "resource_type:test")
    before = {model: lake.rows(model) for model in ZONES}

    lake.retire()
    lake.build()
    assert {model: lake.rows(model) for model in ZONES} == before

    # No dbt command fails for a file that is gone or a landing root that moved, even before the
    # next build has listed the landing zone again (`docs generate` compiles every node first, as
    # `dbt compile` does, then reads the catalog).
    moved = tmp_path / "moved"
    shutil.move(lake.root, moved)
    for command in (("docs", "generate"), ("ls",)):
        run = lake.project.dbt(*command, variables={"landing_root": str(moved)})
        assert run.returncode == 0, (command, run.output[-3000:])
    lake.root = moved

    lake.deliver(*consent_file())
    lake.build(variables={"full_checks": True})  # the reconciliation counts the landing files themselves

    trusted = lake.query(
        "select customer_email, count(*) from stedi_trusted.accelerometer_trusted group by 1 order by 1"
    )
    assert trusted == [(KEEPS, OLD_READINGS + NEW_READINGS), (LATE, NEW_READINGS)]
    devices = lake.query(
        "select serial_number, count(*) from stedi_trusted.step_trainer_trusted group by 1 order by 1"
    )
    assert devices == [("dev-keeps", OLD_READINGS + NEW_READINGS), ("dev-late", NEW_READINGS)]
    assert lake.query(
        "select customer_email, landing_record_count from stedi_staging.stg_stedi__accelerometer_ledger "
        "where row_type = 'retired'"
    ) == [(LATE, OLD_READINGS)]
    assert lake.query(
        "select serial_number, landing_record_count from stedi_staging.stg_stedi__step_trainer_ledger "
        "where row_type = 'retired'"
    ) == [("dev-late", OLD_READINGS)]
    assert sorted(
        lake.query(
            "select entity, outcome, landing_record_count from stedi_audit.landing_reconciliation "
            "where reason = 'landing_file_retired'"
        )
    ) == [("accelerometer", "excluded", OLD_READINGS), ("step_trainer", "excluded", OLD_READINGS)]


class AthenaLake:
    """The same landing set on the local Athena: landed with `stedi land`, retired as a retention
    process would (the S3 objects deleted, then `stedi land --inventory-only`)."""

    def __init__(self, local_athena: AthenaLocal, work: Path, name: str) -> None:
        self.athena, self.root, self.prefix = local_athena, work / "landing", name
        self.database = f"{name}_landing"
        self.project = DbtProject(PROJECT_ROOT, work / "athena")
        self.relations: dict[str, tuple[str, str]] = {}
        write_landing(self.root)
        land(local_athena, self.root, name, self.database)

    def build(self, *args: str, variables: dict | None = None) -> None:
        run = self.project.dbt(
            "build",
            *(args or SCENARIO_BUILD),
            variables={"landing_schema": self.database, **(variables or {})},
            env=athena_env(self.athena, self.prefix),
        )
        assert run.returncode == 0, run.output[-4000:]
        self.relations = model_relations(run.target_path)

    def retire(self) -> None:
        s3 = boto3.client("s3", **client_settings(self.athena))
        for name in OLD_FILES:
            s3.delete_object(Bucket=BUCKET, Key=f"{self.prefix}/{name}")
            (self.root / name).unlink()  # the folder later deliveries are landed from
        self.land("--inventory-only")

    def deliver(self, name: str, text: str) -> None:
        (self.root / name).write_text(text)
        land(self.athena, self.root, self.prefix, self.database)

    def land(self, *args: str) -> None:
        command = [str(BIN / "stedi"), "land", "--bucket", BUCKET, "--prefix", self.prefix, *args]
        completed = subprocess.run(
            [*command, "--database", self.database],
            env={**DbtProject.base_env(), **aws_env(self.athena)},
            capture_output=True,
            text=True,
            check=False,
        )
        assert completed.returncode == 0, completed.stderr

    def rows(self, model: str) -> list[tuple]:
        schema, table = self.relations[model]
        names = athena_query(
            self.athena,
            "select column_name from information_schema.columns "
            f"where table_schema = '{schema}' and table_name = '{table}' order by ordinal_position",
        )
        columns = ", ".join(f'"{name}"' for (name,) in names if name not in ("read_at", "exported_at"))
        return sorted(athena_query(self.athena, f'select {columns} from "{schema}"."{table}"'), key=repr)

    def query(self, sql: str) -> list[tuple]:
        for model, (schema, table) in self.relations.items():
            sql = sql.replace(f"{{{model}}}", f'"{schema}"."{table}"')
        return athena_query(self.athena, sql)


def test_on_athena_retiring_read_files_changes_no_zone_and_a_late_consent_counts_them_as_retired(
    local_athena: AthenaLocal, tmp_path: Path
) -> None:
    lake = AthenaLake(local_athena, tmp_path, "ci_retention")
    lake.build("--exclude", "resource_type:test")
    before = {model: lake.rows(model) for model in ZONES}

    lake.retire()
    lake.build()
    assert {model: lake.rows(model) for model in ZONES} == before

    lake.deliver(*consent_file())
    lake.build(variables={"full_checks": True})  # the reconciliation counts the landing files themselves

    assert sorted(lake.query("select customer_email, count(*) from {accelerometer_trusted} group by 1")) == [
        (KEEPS, OLD_READINGS + NEW_READINGS),
        (LATE, NEW_READINGS),
    ]
    assert sorted(lake.query("select serial_number, count(*) from {step_trainer_trusted} group by 1")) == [
        ("dev-keeps", OLD_READINGS + NEW_READINGS),
        ("dev-late", NEW_READINGS),
    ]
    assert sorted(
        lake.query(
            "select entity, outcome, landing_record_count from {landing_reconciliation} "
            "where reason = 'landing_file_retired'"
        )
    ) == [("accelerometer", "excluded", OLD_READINGS), ("step_trainer", "excluded", OLD_READINGS)]
