"""The local AWS endpoint: moto's server (S3, Glue, STS, Athena, ...) with Athena queries executed.

moto's ThreadedMotoServer runs in-process, so the executor works on the very backend objects the
HTTP API serves. A WSGI layer in front of moto's app does two things:

- routes Athena's query operations (X-Amz-Target ``AmazonAthena.StartQueryExecution`` etc.) to
  athena_api.py instead of moto's do-nothing handlers; every other request goes to moto unchanged;
- records every request as (service, operation), which is how the README's list of the AWS calls
  a dbt-athena build makes was observed.

Usage::

    with AthenaEmulator() as emulator:      # starts on 127.0.0.1 and a free port
        boto3.client("glue", endpoint_url=emulator.endpoint_url, ...)
"""

from __future__ import annotations

import io
import json
import logging
import os
import re
import tempfile
import threading
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs

from moto.core.base_backend import BackendDict
from moto.iam.models import get_account_id_from
from moto.moto_server.threaded_moto_server import ThreadedMotoServer
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
from werkzeug.serving import make_server

from stedi.athena_emulator.athena_api import OPERATIONS, AthenaApi, InvalidRequest
from stedi.athena_emulator.executor import Executor
from stedi.athena_emulator.lake_formation import answer_lf_tags_like_aws

_CREDENTIAL = re.compile(r"Credential=([^/]+)/[^/]+/([^/]+)/([^/]+)/")
_S3_SUBRESOURCES = {
    "uploads": "CreateMultipartUpload",
    "delete": "DeleteObjects",
    "list-type": "ListObjectsV2",
    "location": "GetBucketLocation",
    "versioning": "GetBucketVersioning",
    "tagging": "ObjectTagging",
}

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


@dataclass(frozen=True)
class ObservedRequest:
    service: str
    operation: str


def _s3_operation(method: str, path: str, query: dict[str, list[str]]) -> str:
    for key, name in _S3_SUBRESOURCES.items():
        if key in query:
            return name
    if "uploadId" in query:
        return {"PUT": "UploadPart", "POST": "CompleteMultipartUpload", "DELETE": "AbortMultipartUpload"}.get(
            method, "ListParts"
        )
    on_object = "/" in path.strip("/")
    kind = "Object" if on_object else "Bucket"
    verbs = {"GET": "Get" if on_object else "ListObjects", "PUT": "Put" if on_object else "Create"}
    verb = verbs.get(method, {"HEAD": "Head", "DELETE": "Delete", "POST": "Post"}.get(method, method))
    return verb if verb == "ListObjects" else f"{verb}{kind}"


class _Front:
    """WSGI app in front of moto: answers Athena query operations, logs every request."""

    def __init__(self, moto_app: WsgiApp, api: AthenaApi, log: list[ObservedRequest]) -> None:
        self._moto_app = moto_app
        self._api = api
        self._log = log
        self._log_lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        environ["wsgi.input"] = io.BytesIO(body)
        credential = _CREDENTIAL.search(environ.get("HTTP_AUTHORIZATION", ""))
        access_key, region, service = credential.groups() if credential else ("", "us-east-1", "unknown")
        target = environ.get("HTTP_X_AMZ_TARGET", "")
        operation = self._operation(environ, target, service, body)
        with self._log_lock:
            self._log.append(ObservedRequest(service, operation))
        if target.startswith("AmazonAthena.") and operation in OPERATIONS:
            account_id = os.environ.get("MOTO_ACCOUNT_ID") or get_account_id_from(access_key)
            return self._athena(operation, body, account_id, region, start_response)
        return self._moto_app(environ, start_response)

    @staticmethod
    def _operation(environ: dict[str, Any], target: str, service: str, body: bytes) -> str:
        if target:
            return target.split(".")[-1]
        query = parse_qs(environ.get("QUERY_STRING", ""), keep_blank_values=True)
        if service == "s3":
            return _s3_operation(environ.get("REQUEST_METHOD", "GET"), environ.get("PATH_INFO", "/"), query)
        form = parse_qs(body.decode(errors="replace")) if body and b"Action=" in body else query
        if "Action" in form:
            return form["Action"][0]
        return environ.get("PATH_INFO", "/").strip("/").split("/")[0] or environ.get("REQUEST_METHOD", "")

    def _athena(
        self, operation: str, body: bytes, account_id: str, region: str, start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        try:
            payload = self._api.handle(operation, json.loads(body or b"{}"), account_id, region)
            status = "200 OK"
        except InvalidRequest as refused:
            payload = {"__type": "InvalidRequestException", "Message": str(refused)}
            status = "400 Bad Request"
        data = json.dumps(payload).encode()
        start_response(
            status, [("Content-Type", "application/x-amz-json-1.1"), ("Content-Length", str(len(data)))]
        )
        return [data]


class _Server(ThreadedMotoServer):
    def __init__(self, host: str, port: int, front: Callable[[WsgiApp], WsgiApp]) -> None:
        super().__init__(ip_address=host, port=port, verbose=False)
        self._front = front

    def _server_entry(self) -> None:
        app = self._front(DomainDispatcherApplication(create_backend_app))
        self._server = make_server(
            self._ip_address, self._port, app, True, request_handler=MotoRequestHandler
        )
        self._server_ready_event.set()
        self._server.serve_forever()


class AthenaEmulator:
    """S3, Glue, STS and Athena on ``http://127.0.0.1:<port>``, with Athena queries executed in DuckDB.

    ``port=0`` picks a free port. Starting resets moto's in-process state, so each emulator starts
    from an empty account; DuckDB data and mirrored S3 files live in a temporary folder removed at
    stop.
    """

    def __init__(self, port: int = 0, host: str = "127.0.0.1") -> None:
        self._host = host
        self._port = port
        self._server: _Server | None = None
        self._workdir: tempfile.TemporaryDirectory[str] | None = None
        self._executor: Executor | None = None
        self.requests: list[ObservedRequest] = []

    @property
    def endpoint_url(self) -> str:
        if self._server is None:
            raise RuntimeError("the emulator is not running")
        host, port = self._server.get_host_and_port()
        return f"http://{host}:{port}"

    def start(self) -> str:
        """Start serving; returns the endpoint URL (``http://127.0.0.1:<port>``)."""
        logging.getLogger("sqlglot").setLevel(logging.ERROR)
        logging.getLogger("werkzeug").setLevel(logging.ERROR)
        BackendDict.reset()
        answer_lf_tags_like_aws()
        self._workdir = tempfile.TemporaryDirectory(prefix="athena-emulator-")
        self._executor = Executor(Path(self._workdir.name))
        api = AthenaApi(self._executor)
        self._server = _Server(self._host, self._port, lambda app: _Front(app, api, self.requests))
        self._server.start()
        return self.endpoint_url

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop()
            self._server = None
        if self._executor is not None:
            self._executor.close()
            self._executor = None
        if self._workdir is not None:
            self._workdir.cleanup()
            self._workdir = None

    def operations(self) -> Counter[ObservedRequest]:
        """How often each (service, operation) was requested since start."""
        return Counter(self.requests)

    def __enter__(self) -> AthenaEmulator:
        self.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.stop()
