"""The local Athena as pytest fixtures, for the harness's own tests and for any project's.

Installed with the package (entry point ``pytest11``), so a test names ``athena`` and gets one
running local Athena per test process (one per xdist worker): moto's S3, Glue and STS plus Trino,
started on first use and stopped at the end of the session. Trino comes from ``ATHENA_LOCAL_HOME``
(else ``.athena-local/`` of the folder pytest started in), fetched first if it is not there.

``probe(athena, bucket, database)`` sends one statement as dbt-athena does (StartQueryExecution,
then GetQueryExecution until it ends, then GetQueryResults) and returns Athena's answer.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from athena_local.server import AthenaLocal

REGION = "us-east-1"


@pytest.fixture(scope="session")
def athena(request: pytest.FixtureRequest) -> Iterator[AthenaLocal]:
    """The local Athena (moto's S3/Glue/STS + Trino behind the Athena API), one per test process."""
    from athena_local.server import AthenaLocal

    # .athena-local/ of the folder pytest was started in, whatever folder a test moves to
    home = os.environ.get("ATHENA_LOCAL_HOME") or request.config.invocation_params.dir / ".athena-local"
    with AthenaLocal(trino_home=Path(home)) as running:
        yield running


def aws_client(athena: AthenaLocal, service: str) -> Any:
    """A boto3 client of one service of the local Athena's endpoint."""
    import boto3

    return boto3.client(
        service,
        endpoint_url=athena.endpoint_url,
        region_name=REGION,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


@dataclass
class Answer:
    """What Athena answered to one statement."""

    state: str
    reason: str
    rows: list[list[str | None]]
    execution: dict[str, Any]
    update_count: int | None

    @property
    def values(self) -> list[list[str | None]]:
        """The rows without the label row of a query's result (a query that did not succeed has
        none: asking for them fails with its state and reason, not with an empty list)."""
        assert self.state == "SUCCEEDED", f"{self.state}: {self.reason}"
        return self.rows[1:] if self.execution["StatementType"] == "DML" and self.rows else self.rows


Ask = Callable[[str], Answer]


def probe(athena: AthenaLocal, bucket: str, database: str) -> Ask:
    """A function that sends one statement to the local Athena in `database`, its results under
    s3://`bucket`/results/ (the bucket and the database are created first)."""
    aws_client(athena, "s3").create_bucket(Bucket=bucket)
    client = aws_client(athena, "athena")

    def ask(sql: str) -> Answer:
        query_id = client.start_query_execution(
            QueryString=sql,
            QueryExecutionContext={"Database": database},
            ResultConfiguration={"OutputLocation": f"s3://{bucket}/results/"},
        )["QueryExecutionId"]
        deadline = time.monotonic() + 120
        while True:
            execution = client.get_query_execution(QueryExecutionId=query_id)["QueryExecution"]
            if execution["Status"]["State"] not in ("QUEUED", "RUNNING") or time.monotonic() > deadline:
                break
            time.sleep(0.1)
        state = execution["Status"]["State"]
        rows: list[list[str | None]] = []
        update_count = None
        if state == "SUCCEEDED":
            results = client.get_query_results(QueryExecutionId=query_id)
            rows = [
                [datum.get("VarCharValue") for datum in row["Data"]] for row in results["ResultSet"]["Rows"]
            ]
            update_count = results.get("UpdateCount")
        return Answer(state, execution["Status"].get("StateChangeReason", ""), rows, execution, update_count)

    created = ask(f"CREATE DATABASE IF NOT EXISTS `{database}`")
    assert created.state == "SUCCEEDED", created.reason
    return ask
