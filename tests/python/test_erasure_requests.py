"""Erasure requests are never skipped in silence (macros/privacy/refuse_unreadable_erasure_requests.sql):
a request line that cannot be read stops the build before any model, naming the file and the line,
on both engines; requests in the forms exporters write them (a byte-order mark, CRLF line ends, no
requestId, an email in another case, an email nobody has) are applied or logged as not found."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from athena_local import AthenaLocal

from conftest import PROJECT_ROOT, DbtProject
from hostile_landing import write_hostile_landing
from test_athena_target import athena_env, land, local_athena

__all__ = ["local_athena"]  # the fixture: the local Athena with the lake's bucket and subject key

REQUESTS = "erasure/landing/erasure-1655565000000.json"
CUT_OFF = (
    b'{"email":"ok.one@example.com","requestId":"r-1","requestedAt":1655564444000}\n\n{"email":"ok.two@exa'
)


@pytest.fixture(scope="module")
def hostile_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_hostile_landing(tmp_path_factory.mktemp("erasure") / "hostile").root


def landing_with_requests(hostile_root: Path, folder: Path, requests: bytes) -> Path:
    root = folder / "landing"
    shutil.copytree(hostile_root, root)
    (root / REQUESTS).parent.mkdir(parents=True)
    (root / REQUESTS).write_bytes(requests)
    return root


def stedi_tables(project: DbtProject) -> list[tuple[str, str]]:
    if not project.duckdb_path.exists():
        return []
    return project.query(
        "select table_schema, table_name from information_schema.tables "
        "where table_schema like 'stedi_%' and table_schema != 'stedi_landing'"
    )


@pytest.mark.parametrize(
    "broken",
    [
        pytest.param(b'{"email":"ok.two@exa', id="cut-off"),
        pytest.param(b'{"requestId":"r-2","requestedAt":1655564444000}', id="no-email"),
        pytest.param(b'{"email":42,"requestId":"r-2"}', id="email-a-number"),
        pytest.param(b'{"email":"  ","requestId":"r-2"}', id="email-blank"),
    ],
)
def test_a_request_line_that_cannot_be_read_stops_the_build_naming_file_and_line(
    hostile_root: Path, tmp_path: Path, broken: bytes
) -> None:
    requests = b'{"email":"ok.one@example.com","requestId":"r-1","requestedAt":1655564444000}\n\n' + broken
    root = landing_with_requests(hostile_root, tmp_path, requests)
    project = DbtProject(PROJECT_ROOT, tmp_path / "work")

    run = project.dbt("build", variables={"landing_root": str(root)})

    assert run.returncode != 0
    assert "Erasure requests that cannot be read" in run.output
    assert "erasure-1655565000000.json line 3" in run.output
    assert "Traceback" not in run.output
    assert stedi_tables(project) == []  # nothing was built


def test_requests_as_exporters_write_them_are_applied_or_logged_as_not_found(
    hostile_root: Path, tmp_path: Path
) -> None:
    requests = b"\xef\xbb\xbf" + b"\r\n".join(
        [
            b'{"email":" OK.Three@Example.com ","requestId":"r-1","requestedAt":1655564444000}',
            b'{"email":"nobody@example.com","requestId":"r-2","requestedAt":1655564444000}',
            b'{"email":"consent.zero@example.com"}',
        ]
    )
    root = landing_with_requests(hostile_root, tmp_path, requests)
    project = DbtProject(PROJECT_ROOT, tmp_path / "work")

    run = project.dbt("build", variables={"landing_root": str(root)})

    assert run.returncode == 0, run.output
    log = project.query(
        "select request_id, status, customer_found from stedi_audit.erasure_log "
        "order by request_id nulls last"
    )
    assert log == [("r-1", "applied", True), ("r-2", "applied", False), (None, "applied", True)]
    trusted = {email for (email,) in project.query("select email from stedi_trusted.customer_trusted")}
    assert trusted == {"ok.one@example.com", "ok.two@example.com"}


def test_on_athena_a_request_line_that_cannot_be_read_stops_the_build_naming_file_and_line(
    hostile_root: Path, local_athena: AthenaLocal, tmp_path: Path
) -> None:
    root = landing_with_requests(hostile_root, tmp_path, CUT_OFF)
    database = "ci_erasure_landing"
    land(local_athena, root, "erasure-requests", database)
    athena = DbtProject(PROJECT_ROOT, tmp_path / "athena")

    run = athena.dbt(
        "build", variables={"landing_schema": database}, env=athena_env(local_athena, "ci_erasure")
    )

    assert run.returncode != 0
    assert "Erasure requests that cannot be read" in run.output
    # Trino does not number a text file's lines: the line is shown, the email's value masked.
    assert 'erasure-1655565000000.json: {"email":"...' in run.output
    assert "ok.two@exa" not in run.output
    assert "Nothing was built" in run.output
