"""A moto server on 127.0.0.1 for tests that talk to "AWS" over HTTP, as real clients do.

Tests run the tooling as a subprocess with AWS_ENDPOINT_URL pointing here, so what they check is
what a user gets: real botocore requests, real signing, real HTTP errors. The server binds only to
the loopback address, on a free port chosen by the OS, and runs in a thread of the test process.
"""

from __future__ import annotations

import logging
import urllib.request
from types import TracebackType

from moto.server import ThreadedMotoServer


class MotoServer:
    """Start, reset and stop moto's threaded server; `endpoint_url` is what clients point at."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        self._server = ThreadedMotoServer(ip_address=host, port=0, verbose=False)
        self._endpoint_url: str | None = None

    @property
    def endpoint_url(self) -> str:
        if self._endpoint_url is None:
            raise RuntimeError("the moto server is not started")
        return self._endpoint_url

    def start(self) -> None:
        # One access-log line per request would drown pytest's output.
        logging.getLogger("werkzeug").setLevel(logging.ERROR)
        self._server.start()
        host, port = self._server.get_host_and_port()
        self._endpoint_url = f"http://{host}:{port}"

    def stop(self) -> None:
        self._server.stop()
        self._endpoint_url = None

    def reset(self) -> None:
        """Forget every resource (buckets, tables, IAM users) and stop enforcing IAM."""
        self._post("/moto-api/reset", b"")
        self.enforce_iam(False)

    def enforce_iam(self, enabled: bool) -> None:
        """Make moto check each request's signature and its caller's IAM policies, or stop doing so.

        Moto allows everything by default; once enforced, a request signed with keys unknown to its
        IAM backend, or whose user's policies do not allow the action, gets AccessDenied.
        """
        self._post("/moto-api/reset-auth", b"0" if enabled else b"inf")

    def _post(self, path: str, body: bytes) -> None:
        # text/plain: a form content type would make moto's Flask app swallow the body.
        request = urllib.request.Request(
            self.endpoint_url + path, data=body, method="POST", headers={"Content-Type": "text/plain"}
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            response.read()

    def __enter__(self) -> MotoServer:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()
