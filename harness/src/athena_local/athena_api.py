"""Athena's query API (StartQueryExecution, GetQueryExecution, GetQueryResults ...) over Trino.

moto's Athena accepts queries and runs nothing; these operations replace its handlers and hand each
query to the engine (engine.py). A query runs on a worker thread; StartQueryExecution waits for it
up to ``quick_seconds`` (most statements of a dbt build finish well within that), so the first
GetQueryExecution a client polls usually reports SUCCEEDED or FAILED and dbt-athena seldom sleeps;
a longer query is reported QUEUED/RUNNING until it ends, as on Athena. Workgroups, data catalogs
and the rest of Athena stay moto's.
"""

from __future__ import annotations

import csv
import io
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import wait as wait_for
from dataclasses import dataclass, field
from typing import Any

from moto.athena.models import athena_backends
from moto.s3.models import s3_backends
from moto.utilities.utils import get_partition

from athena_local.athena_sql import Context
from athena_local.engine import Engine, QueryFailed
from athena_local.results import Outcome, page, result_rows

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
    running: Future[None] | None = None
    cancel: Callable[[], None] | None = None
    cancelled: bool = False

    @property
    def state(self) -> str:
        if self.running is not None and not self.running.done():
            return "RUNNING"
        if self.cancelled:
            return "CANCELLED"
        return "SUCCEEDED" if self.outcome is not None else "FAILED"

    def as_dict(self) -> dict[str, Any]:
        state = self.state
        outcome = self.outcome if state == "SUCCEEDED" else None
        status: dict[str, Any] = {
            "State": state,
            "SubmissionDateTime": self.submitted,
        }
        if state != "RUNNING":
            status["CompletionDateTime"] = self.completed
        if self.failure is not None and state == "FAILED":
            status["StateChangeReason"] = str(self.failure)
            status["AthenaError"] = {
                "ErrorCategory": self.failure.category,
                "ErrorType": self.failure.code,
                "Retryable": False,
                "ErrorMessage": str(self.failure),
            }
        elapsed = max(int(((self.completed or time.time()) - self.submitted) * 1000), 1)
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
        return self.result_location_for(self.outcome)

    def result_location_for(self, outcome: Outcome | None) -> str:
        suffix = "csv" if outcome is None or outcome.header else "txt"
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


def _bucket_exists(account_id: str, region: str, uri: str) -> bool:
    bucket = uri.removeprefix("s3://").split("/")[0]
    return bucket in s3_backends[account_id][get_partition(region)].buckets


def _put(account_id: str, region: str, uri: str, body: bytes) -> None:
    bucket, _, key = uri.removeprefix("s3://").partition("/")
    s3_backends[account_id][get_partition(region)].put_object(bucket, key, body)


class AthenaApi:
    """The query operations of Athena's JSON API, keyed by X-Amz-Target operation name."""

    def __init__(self, engine: Engine, *, workers: int = 8, quick_seconds: float = 10.0) -> None:
        self._engine = engine
        self._executions: dict[str, Execution] = {}
        self._lock = threading.Lock()
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="athena-query")
        self._quick_seconds = quick_seconds

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)

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
        query_context = Context(
            schema=str(context.get("Database") or "default").lower(),
            output_location=output if output.endswith("/") else output + "/",
            query_id=execution.query_id,
        )
        with self._lock:
            self._executions[execution.query_id] = execution
        execution.running = self._pool.submit(self._run, execution, query_context, account_id, region)
        wait_for([execution.running], timeout=self._quick_seconds)
        return {"QueryExecutionId": execution.query_id}

    def _run(self, execution: Execution, context: Context, account_id: str, region: str) -> None:
        try:
            if not _bucket_exists(account_id, region, context.output_location):
                bucket = context.output_location.removeprefix("s3://").split("/")[0]
                raise QueryFailed("INVALID_INPUT", f"Unable to verify/create output bucket {bucket}")
            outcome = self._engine.run(
                execution.query,
                account_id=account_id,
                region=region,
                context=context,
                on_start=lambda cancel: setattr(execution, "cancel", cancel),
            )
            execution.rows = result_rows(outcome)
            _put(
                account_id,
                region,
                execution.result_location_for(outcome),
                _result_file(outcome, execution.rows),
            )
            execution.outcome = outcome
        except QueryFailed as failure:
            execution.failure = failure
            execution.outcome = None
        except Exception as unexpected:  # a harness bug: report it as Athena reports an internal error
            execution.failure = QueryFailed(
                "GENERIC_INTERNAL_ERROR", f"{type(unexpected).__name__}: {unexpected}", 1
            )
            execution.outcome = None
        execution.completed = time.time()

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
        execution = self._execution(request["QueryExecutionId"])
        if execution.state == "RUNNING" and execution.cancel is not None:
            execution.cancelled = True
            execution.cancel()  # Trino stops the query; the worker thread then ends
        return {}

    def _GetQueryResults(self, request: dict[str, Any], _account: str, _region: str) -> dict[str, Any]:
        execution = self._execution(request["QueryExecutionId"])
        state = execution.state
        if state == "RUNNING":
            raise InvalidRequest(f"Query has not yet finished. Current state: {state}")
        if state == "CANCELLED":
            raise InvalidRequest("Query did not finish successfully. Final query state: CANCELLED")
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
