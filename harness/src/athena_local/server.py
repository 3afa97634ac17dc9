"""The local Athena: one AWS endpoint (moto's S3, Glue, STS, Athena, ...) with Trino behind Athena.

moto's ThreadedMotoServer runs in-process on 127.0.0.1; Trino runs as a child process whose Hive
and Iceberg connectors use that same endpoint as their Glue and S3. A WSGI layer in front of
moto's app:

- routes Athena's query operations (X-Amz-Target ``AmazonAthena.StartQueryExecution`` etc.) to
  athena_api.py, which hands each statement to Trino, instead of moto's do-nothing handlers;
- answers the Glue statistics and user-defined-function calls moto lacks (glue_extras.py);
- passes every other request to moto unchanged, and records every request as (service,
  operation) so tests can see which AWS calls a dbt-athena build makes.

Usage::

    with AthenaLocal() as athena:      # 127.0.0.1, free ports
        boto3.client("glue", endpoint_url=athena.endpoint_url, ...)
"""

from __future__ import annotations

import io
import json
import logging
import os
import re
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs

from moto.core.base_backend import BackendDict
from moto.glue.models import glue_backends
from moto.iam.models import get_account_id_from
from moto.moto_server.threaded_moto_server import ThreadedMotoServer
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
from werkzeug.serving import make_server

from athena_local import glue_extras
from athena_local.athena_api import OPERATIONS, AthenaApi, InvalidRequest
from athena_local.engine import Engine
from athena_local.lake_formation import answer_lf_tags_like_aws
from athena_local.trino_server import TrinoServer

DEFAULT_ACCOUNT = "123456789012"

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
        if (
            target.startswith("AWSGlue.")
            and operation in glue_extras.TABLE_WRITES
            and glue_extras.is_trino_client(environ.get("HTTP_USER_AGENT", ""))
        ):
            body = glue_extras.as_athena_writes_it(body)
            environ["wsgi.input"], environ["CONTENT_LENGTH"] = io.BytesIO(body), str(len(body))
        if target.startswith("AmazonAthena.") and operation in OPERATIONS:
            account_id = os.environ.get("MOTO_ACCOUNT_ID") or get_account_id_from(access_key)
            return self._athena(operation, body, account_id, region, start_response)
        if target.startswith("AWSGlue.") and operation in glue_extras.OPERATIONS:
            return self._json(start_response, "200 OK", glue_extras.answer(operation))
        if (
            target.startswith("AWSGlue.")
            and operation in glue_extras.VIEW_READS
            and glue_extras.is_trino_client(environ.get("HTTP_USER_AGENT", ""))
        ):
            return self._views_for_trino(environ, start_response, operation)
        return self._moto_app(environ, start_response)

    def _views_for_trino(
        self, environ: dict[str, Any], start_response: Callable[..., Any], operation: str
    ) -> Iterable[bytes]:
        captured: dict[str, Any] = {}

        def capture(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Callable[..., Any]:
            captured["status"], captured["headers"] = status, headers
            return lambda _data: None

        body = b"".join(self._moto_app(environ, capture))
        if captured["status"].startswith("200"):
            body = json.dumps(glue_extras.views_as_athena_reads_them(operation, json.loads(body))).encode()
        headers = [(k, v) for k, v in captured["headers"] if k.lower() != "content-length"]
        start_response(captured["status"], [*headers, ("Content-Length", str(len(body)))])
        return [body]

    @staticmethod
    def _json(start_response: Callable[..., Any], status: str, payload: dict[str, Any]) -> Iterable[bytes]:
        data = json.dumps(payload).encode()
        start_response(
            status, [("Content-Type", "application/x-amz-json-1.1"), ("Content-Length", str(len(data)))]
        )
        return [data]

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
        return self._json(start_response, status, payload)


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


class AthenaLocal:
    """S3, Glue, STS and Athena on ``http://127.0.0.1:<port>``, with Athena's queries run by Trino.

    ``port=0`` picks a free port. Starting resets moto's in-process state, so each instance starts
    from an empty account (with Glue's ``default`` database, as every Athena account has), and
    starts a Trino server of its own; ``stop`` ends it. ``parquet_small_file_threshold``: see
    ``trino_server.catalogs`` (the bench sets it so that bytes scanned are counted per column).
    """

    def __init__(
        self,
        port: int = 0,
        host: str = "127.0.0.1",
        *,
        trino_home: Path | None = None,
        parquet_small_file_threshold: str | None = None,
    ) -> None:
        self._host = host
        self._port = port
        self._trino_home = trino_home
        self._parquet_small_file_threshold = parquet_small_file_threshold
        self._server: _Server | None = None
        self._trino: TrinoServer | None = None
        self._api: AthenaApi | None = None
        self.requests: list[ObservedRequest] = []
        self.startup_seconds = 0.0

    @property
    def endpoint_url(self) -> str:
        if self._server is None:
            raise RuntimeError("the local Athena is not running")
        host, port = self._server.get_host_and_port()
        return f"http://{host}:{port}"

    @property
    def trino_port(self) -> int:
        if self._trino is None:
            raise RuntimeError("the local Athena is not running")
        return self._trino.port

    def start(self) -> str:
        """Start serving; returns the endpoint URL (``http://127.0.0.1:<port>``)."""
        started = time.monotonic()
        logging.getLogger("werkzeug").setLevel(logging.ERROR)
        BackendDict.reset()
        answer_lf_tags_like_aws()
        for region in ("us-east-1", os.environ.get("AWS_REGION") or "us-east-1"):
            glue = glue_backends[DEFAULT_ACCOUNT][region]
            if "default" not in glue.databases:
                glue.create_database("default", {"Name": "default"})
        self._trino = TrinoServer(
            "http://127.0.0.1:0",
            home=self._trino_home,
            parquet_small_file_threshold=self._parquet_small_file_threshold,
        )
        self._api = AthenaApi(Engine(self._trino.port))
        self._server = _Server(self._host, self._port, lambda app: _Front(app, self._api, self.requests))
        self._server.start()
        try:
            self._trino.endpoint = self.endpoint_url
            self._trino.start()
        except BaseException:
            self.stop()
            raise
        self.startup_seconds = time.monotonic() - started
        return self.endpoint_url

    def stop(self) -> None:
        if self._trino is not None:
            self._trino.stop()
            self._trino = None
        if self._server is not None:
            self._server.stop()
            self._server = None
        if self._api is not None:
            self._api.close()
            self._api = None

    def operations(self) -> Counter[ObservedRequest]:
        """How often each (service, operation) was requested since start."""
        return Counter(self.requests)

    def __enter__(self) -> AthenaLocal:
        self.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.stop()
