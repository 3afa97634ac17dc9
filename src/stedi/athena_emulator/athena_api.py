"""Athena's query API (StartQueryExecution, GetQueryExecution, GetQueryResults ...) over the executor.

moto's Athena accepts queries and runs nothing; these operations replace its handlers. A query runs
to completion inside StartQueryExecution, so the first GetQueryExecution a client polls already
reports SUCCEEDED or FAILED (dbt-athena and PyAthena never sleep). Workgroups, data catalogs and
the rest of Athena stay moto's.
"""

from __future__ import annotations

import csv
import io
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from moto.athena.models import athena_backends

from stedi.athena_emulator.catalog import Lake
from stedi.athena_emulator.context import Outcome, QueryContext
from stedi.athena_emulator.errors import QueryFailed
from stedi.athena_emulator.executor import Executor
from stedi.athena_emulator.results import page, result_rows

OPERATIONS = frozenset(
    {
        "StartQueryExecution",
        "GetQueryExecution",
        "GetQueryResults",
        "StopQueryExecution",
        "BatchGetQueryExecution",
        "ListQueryExecutions",
    }
)


class InvalidRequest(Exception):
    """Athena's InvalidRequestException: the API call itself is refused (HTTP 400)."""


@dataclass
class Execution:
    query_id: str
    query: str
    context: dict[str, Any]
    workgroup: str
    output_location: str | None
    submitted: float
    completed: float = 0.0
    outcome: Outcome | None = None
    failure: QueryFailed | None = None
    rows: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        outcome = self.outcome
        status: dict[str, Any] = {
            "State": "SUCCEEDED" if outcome is not None else "FAILED",
            "SubmissionDateTime": self.submitted,
            "CompletionDateTime": self.completed,
        }
        if self.failure is not None:
            status["StateChangeReason"] = str(self.failure)
            status["AthenaError"] = {
                "ErrorCategory": self.failure.category,
                "ErrorType": self.failure.error_type,
                "Retryable": False,
                "ErrorMessage": str(self.failure),
            }
        elapsed = max(int((self.completed - self.submitted) * 1000), 1)
        execution: dict[str, Any] = {
            "QueryExecutionId": self.query_id,
            "Query": self.query,
            "StatementType": outcome.statement_type if outcome else "DML",
            "ResultConfiguration": {"OutputLocation": self.result_location} if self.output_location else {},
            "ResultReuseConfiguration": {"ResultReuseByAgeConfiguration": {"Enabled": False}},
            "QueryExecutionContext": self.context,
            "Status": status,
            "Statistics": {
                "EngineExecutionTimeInMillis": elapsed,
                "DataScannedInBytes": outcome.scanned_bytes if outcome else 0,
                "TotalExecutionTimeInMillis": elapsed + 2,
                "QueryQueueTimeInMillis": 1,
                "ServicePreProcessingTimeInMillis": 1,
                "QueryPlanningTimeInMillis": max(elapsed // 4, 1),
                "ServiceProcessingTimeInMillis": 1,
                "ResultReuseInformation": {"ReusedPreviousResult": False},
            },
            "WorkGroup": self.workgroup,
            "EngineVersion": {
                "SelectedEngineVersion": "AUTO",
                "EffectiveEngineVersion": "Athena engine version 3",
            },
        }
        if outcome is not None:
            execution["SubstatementType"] = outcome.substatement_type
        return execution

    @property
    def result_location(self) -> str:
        suffix = "csv" if self.outcome is None or self.outcome.header else "txt"
        return f"{(self.output_location or '').rstrip('/')}/{self.query_id}.{suffix}"


def _result_file(outcome: Outcome, rows: list[dict[str, Any]]) -> bytes:
    """The result file Athena writes to the output location: quoted CSV for queries, text for DDL."""
    buffer = io.StringIO()
    if outcome.header:
        writer = csv.writer(buffer, quoting=csv.QUOTE_ALL, lineterminator="\n")
        for row in rows:
            writer.writerow([datum.get("VarCharValue", "") for datum in row["Data"]])
    else:
        for row in rows:
            buffer.write("\t".join(datum.get("VarCharValue", "") for datum in row["Data"]) + "\n")
    return buffer.getvalue().encode()


class AthenaApi:
    """The query operations of Athena's JSON API, keyed by X-Amz-Target operation name."""

    def __init__(self, executor: Executor) -> None:
        self._executor = executor
        self._executions: dict[str, Execution] = {}
        self._lock = threading.Lock()

    def handle(self, operation: str, request: dict[str, Any], account_id: str, region: str) -> dict[str, Any]:
        handler = getattr(self, f"_{operation}")
        return dict(handler(request, account_id, region))

    def _execution(self, query_id: str) -> Execution:
        with self._lock:
            execution = self._executions.get(query_id)
        if execution is None:
            raise InvalidRequest(f"QueryExecution {query_id} was not found")
        return execution

    def _StartQueryExecution(self, request: dict[str, Any], account_id: str, region: str) -> dict[str, Any]:
        workgroup_name = request.get("WorkGroup") or "primary"
        workgroup = athena_backends[account_id][region].get_work_group(workgroup_name)
        if workgroup is None:
            raise InvalidRequest(f"WorkGroup {workgroup_name} is not found.")
        configured = workgroup.get("Configuration", {}).get("ResultConfiguration", {})
        output = (request.get("ResultConfiguration") or {}).get("OutputLocation") or configured.get(
            "OutputLocation"
        )
        if not output:
            raise InvalidRequest(
                "No output location provided. An output location is required either through the Workgroup "
                "result configuration setting or as an API input."
            )
        context = request.get("QueryExecutionContext") or {}
        execution = Execution(
            query_id=str(uuid.uuid4()),
            query=request["QueryString"],
            context=context,
            workgroup=workgroup_name,
            output_location=output,
            submitted=time.time(),
        )
        query_context = QueryContext(
            account_id=account_id,
            region=region,
            catalog=str(context.get("Catalog") or "awsdatacatalog"),
            schema=str(context.get("Database") or "default"),
            output_location=output if output.endswith("/") else output + "/",
            query_id=execution.query_id,
        )
        try:
            if not Lake(account_id, region).has_bucket(output):
                bucket = output.removeprefix("s3://").split("/")[0]
                raise QueryFailed("INVALID_INPUT", f"Unable to verify/create output bucket {bucket}")
            execution.outcome = self._executor.run(execution.query, query_context)
            execution.rows = result_rows(execution.outcome)
            Lake(account_id, region).put(
                execution.result_location, _result_file(execution.outcome, execution.rows)
            )
        except QueryFailed as failure:
            execution.failure = failure
            execution.outcome = None
        execution.completed = time.time()
        with self._lock:
            self._executions[execution.query_id] = execution
        return {"QueryExecutionId": execution.query_id}

    def _GetQueryExecution(self, request: dict[str, Any], _account: str, _region: str) -> dict[str, Any]:
        return {"QueryExecution": self._execution(request["QueryExecutionId"]).as_dict()}

    def _BatchGetQueryExecution(self, request: dict[str, Any], _account: str, _region: str) -> dict[str, Any]:
        found, missing = [], []
        for query_id in request.get("QueryExecutionIds", []):
            with self._lock:
                execution = self._executions.get(query_id)
            if execution is None:
                missing.append({"QueryExecutionId": query_id, "ErrorCode": "NotFound"})
            else:
                found.append(execution.as_dict())
        return {"QueryExecutions": found, "UnprocessedQueryExecutionIds": missing}

    def _ListQueryExecutions(self, request: dict[str, Any], _account: str, _region: str) -> dict[str, Any]:
        workgroup = request.get("WorkGroup") or "primary"
        with self._lock:
            ids = [e.query_id for e in reversed(self._executions.values()) if e.workgroup == workgroup]
        return {"QueryExecutionIds": ids}

    def _StopQueryExecution(self, request: dict[str, Any], _account: str, _region: str) -> dict[str, Any]:
        self._execution(request["QueryExecutionId"])  # already finished: nothing to stop
        return {}

    def _GetQueryResults(self, request: dict[str, Any], _account: str, _region: str) -> dict[str, Any]:
        execution = self._execution(request["QueryExecutionId"])
        if execution.outcome is None:
            raise InvalidRequest("Query did not finish successfully. Final query state: FAILED")
        token = request.get("NextToken")
        offset = 0
        if token:
            query_id, _, start = str(token).partition(":")
            if query_id != execution.query_id or not start.isdigit():
                raise InvalidRequest("The token provided is not valid")
            offset = int(start)
        body, following = page(
            execution.rows, execution.outcome, offset, int(request.get("MaxResults") or 1000)
        )
        if following is not None:
            body["NextToken"] = f"{execution.query_id}:{following}"
        return body
