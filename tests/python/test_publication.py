"""Write, audit, publish (local target, macros/publish.sql): what consumers read (the published copy
of the lake, the Parquet export, the report `make run` writes from them) changes only when the
build's privacy tests and reconciliation pass. A planted privacy violation fails the build, and
consumers still read the last good state; a failing build that applies an erasure request
withdraws what was published before it, since an erasure reaches everything."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import duckdb

from conftest import DbtProject, Edit, copy_project
from hostile_landing import write_hostile_landing

# The planted violation: the training set carries the customer's email instead of its pseudonym.
EMAIL_IN_THE_TRAINING_SET = Edit(
    "models/curated/machine_learning_curated.sql",
    "{{ subject_id('customer_email') }} as subject_id",
    "customer_email as subject_id",
)


def published_rows(project: DbtProject, sql: str) -> list[tuple]:
    with duckdb.connect(str(project.work_dir / "published" / "stedi.duckdb"), read_only=True) as lake:
        return lake.execute(sql).fetchall()


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_build_that_fails_its_privacy_tests_publishes_nothing_and_consumers_keep_the_last_good_state(
    tmp_path: Path,
) -> None:
    root = write_hostile_landing(tmp_path / "landing").root
    project_dir = copy_project(tmp_path / "project")
    project = DbtProject(project_dir, tmp_path / "work")
    variables = {"landing_root": str(root)}
    training_set = "select subject_id from stedi_curated.machine_learning_curated order by 1"
    export = project.export_dir / "machine_learning_curated__as_of_consent.parquet"

    good = project.dbt("build", variables=variables)
    assert good.returncode == 0, good.output[-3000:]
    assert "Published the audited lake" in good.output
    published = published_rows(project, training_set)
    assert published and not any("@" in subject_id for (subject_id,) in published)
    exported = digest(export)
    marker = json.loads((project.work_dir / "published" / "stedi.duckdb.json").read_text())
    assert marker["built_at"]

    EMAIL_IN_THE_TRAINING_SET.apply(project_dir)
    bad = project.dbt("build", variables=variables)

    assert bad.returncode != 0
    assert "FAIL" in bad.output and "assert_no_direct_identifiers_in_machine_learning_curated" in bad.output
    assert "Not published: failed: " in bad.output
    assert "assert_no_direct_identifiers_in_machine_learning_curated (fail)" in bad.output
    assert any("@" in subject_id for (subject_id,) in project.query(training_set))  # the violation, written
    assert published_rows(project, training_set) == published  # consumers: the last good state
    assert digest(export) == exported

    # A command that did not run the audit publishes nothing either.
    run_only = project.dbt("run", variables=variables)
    assert run_only.returncode == 0, run_only.output[-3000:]
    assert "did not run" in run_only.output and "Not published" in run_only.output
    assert published_rows(project, training_set) == published

    # The violation stays, and an erasure request arrives: the lake published before the request
    # still holds the person, so it is withdrawn, with the export.
    requests = root / "erasure" / "landing"
    requests.mkdir(parents=True, exist_ok=True)
    (requests / "erasure-1655565000000.json").write_text(
        '{"email": "ok.one@example.com", "requestId": "r-1"}\n'
    )
    erasing = project.dbt("build", variables=variables)
    assert erasing.returncode != 0
    assert "were withdrawn: they were made before an erasure request this build applies" in erasing.output
    assert not (project.work_dir / "published" / "stedi.duckdb").exists()
    assert not export.exists()

    # The rule restored, `dbt test` after `dbt run` audits what the run wrote and publishes it.
    (project_dir / EMAIL_IN_THE_TRAINING_SET.path).write_text(
        (project_dir / EMAIL_IN_THE_TRAINING_SET.path)
        .read_text()
        .replace(EMAIL_IN_THE_TRAINING_SET.new, EMAIL_IN_THE_TRAINING_SET.old)
    )
    assert project.dbt("run", variables=variables).returncode == 0
    audited = project.dbt("test", variables=variables)
    assert audited.returncode == 0, audited.output[-3000:]
    assert "Published the audited lake" in audited.output
    republished = published_rows(project, training_set)
    assert republished and not any("@" in subject_id for (subject_id,) in republished)
    assert export.exists()
