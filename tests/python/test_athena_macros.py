"""The project's athena__ macros, run on the local Athena's engine (Trino) and compared with what
the local target (DuckDB) answers for the same input. The engine's own behaviours are the
harness's tests (harness/tests/)."""

from __future__ import annotations

import re

import duckdb
import pytest
from athena_local import AthenaLocal
from athena_local.pytest_plugin import Ask, probe

from conftest import PROJECT_ROOT


@pytest.fixture(scope="module")
def ask(athena: AthenaLocal) -> Ask:
    return probe(athena, "macro-probes", "macro_probes")


def _athena_macro(name: str) -> str:
    """The athena__ implementation of a project macro, as written in macros/."""
    text = "\n".join(path.read_text() for path in (PROJECT_ROOT / "macros").rglob("*.sql"))
    found = re.search(r"macro athena__" + name + r"\((\w+)\)\s*-%\}(.*?)\{%-?\s*endmacro", text, re.DOTALL)
    assert found, name
    return found.group(2).strip()


EPOCHS = [0, 1, 999, 1500, -1, -86_400_001, 1_655_564_444_103, 1_655_564_444_999, 4_102_444_800_001]


def test_epoch_ms_to_timestamp_is_exact_timestamp_6_and_equals_duckdb(ask: Ask) -> None:
    template = _athena_macro("epoch_ms_to_timestamp")
    athena_sql = "SELECT " + ", ".join(
        template.replace("{{ epoch_ms }}", f"CAST({epoch} AS bigint)") for epoch in EPOCHS
    )
    answer = ask(athena_sql)
    assert answer.state == "SUCCEEDED", answer.reason
    typed = ask(f"SELECT typeof({template.replace('{{ epoch_ms }}', 'CAST(1 AS bigint)')})")
    assert typed.values == [["timestamp(6)"]]
    with duckdb.connect() as local:
        expected = local.execute(
            "SELECT "
            + ", ".join(f"strftime(epoch_ms({epoch}::bigint), '%Y-%m-%d %H:%M:%S.%f')" for epoch in EPOCHS)
        ).fetchone()
    assert answer.values == [list(expected)]
