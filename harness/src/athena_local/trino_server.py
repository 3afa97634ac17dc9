"""One Trino server on 127.0.0.1: the engine behind the local Athena.

The catalogs are the ones Athena's ``awsdatacatalog`` is made of, both over the emulated Glue and
S3 of the same endpoint:

- ``awsdatacatalog``: the Hive connector, Glue as its metastore. Landing tables (OpenX JSON),
  seeds' CSV tables, Hive CTAS (dbt-athena's unit tests and stored failures) and every view live
  here; its timestamps are millisecond precision, as on Athena.
- ``iceberg``: the Iceberg connector with Glue as its catalog, for ``table_type='ICEBERG'``.

Each catalog redirects the other's tables (``hive.iceberg-catalog-name`` and
``iceberg.hive-catalog-name``), so ``"awsdatacatalog"."zone"."table"`` reads, merges into, renames
and drops an Iceberg table as it does on Athena. Only CREATE names the catalog, which the Athena
front chooses from the ``table_type`` property.

Glue's column-statistics and user-defined-function calls that moto lacks are answered by the
endpoint (glue_extras.py); the connectors' statistics are switched off besides, as the harness
has no use for them.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

from athena_local.trino_dist import find_java, install

HIVE_CATALOG = "awsdatacatalog"
ICEBERG_CATALOG = "iceberg"
ACCESS_KEY = "testing"
SECRET_KEY = "testing"


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


def _properties(values: dict[str, str | int | bool]) -> str:
    def text(value: str | int | bool) -> str:
        return str(value).lower() if isinstance(value, bool) else str(value)

    return "".join(f"{key}={text(value)}\n" for key, value in values.items())


def _aws(endpoint: str, region: str) -> dict[str, str | int | bool]:
    return {
        "hive.metastore.glue.region": region,
        "hive.metastore.glue.endpoint-url": endpoint,
        "hive.metastore.glue.aws-access-key": ACCESS_KEY,
        "hive.metastore.glue.aws-secret-key": SECRET_KEY,
        "fs.native-s3.enabled": True,
        "s3.endpoint": endpoint,
        "s3.region": region,
        "s3.path-style-access": True,
        "s3.aws-access-key": ACCESS_KEY,
        "s3.aws-secret-key": SECRET_KEY,
    }


def catalogs(
    endpoint: str, region: str, *, parquet_small_file_threshold: str | None = None
) -> dict[str, dict[str, str | int | bool]]:
    """Catalog name -> properties of the two connectors behind ``awsdatacatalog``.

    ``parquet_small_file_threshold``: Trino reads a Parquet file smaller than this (3 MB by default)
    whole, every column, and counts all of it as read; the files of a small test lake all are. A
    tiny threshold (``"1B"``) makes a query read only the columns it needs, as Athena does on the
    large files of a production lake, so the bytes scanned it reports are what column pruning costs
    at that scale (bench/bench.py sets it; the tests keep Trino's default, fewer reads per file).
    """
    small_files = (
        {"parquet.small-file-threshold": parquet_small_file_threshold} if parquet_small_file_threshold else {}
    )
    return {
        HIVE_CATALOG: {
            "connector.name": "hive",
            "hive.metastore": "glue",
            **_aws(endpoint, region),
            "hive.iceberg-catalog-name": ICEBERG_CATALOG,
            # Athena writes CTAS results of Hive tables to their external_location.
            "hive.non-managed-table-writes-enabled": True,
            "hive.non-managed-table-creates-enabled": True,
            # Athena's limit: a CTAS or INSERT writes at most 100 partitions (with one writer a
            # statement, config.properties).
            "hive.max-partitions-per-writers": 100,
            "hive.table-statistics-enabled": False,
            "hive.collect-column-statistics-on-write": False,
            "hive.storage-format": "PARQUET",
            **small_files,
        },
        ICEBERG_CATALOG: {
            "connector.name": "iceberg",
            "iceberg.catalog.type": "glue",
            **_aws(endpoint, region),
            "iceberg.hive-catalog-name": HIVE_CATALOG,
            "iceberg.file-format": "PARQUET",
            # Athena reads a table's files at each query. Trino's in-memory cache of Iceberg files
            # answered a table whose files were deleted with its old rows.
            "iceberg.metadata-cache.enabled": False,
            # Athena's limit: a CTAS, INSERT or MERGE writes at most 100 partitions.
            "iceberg.max-partitions-per-writer": 100,
            "iceberg.table-statistics-enabled": False,
            "iceberg.extended-statistics.enabled": False,
            "iceberg.extended-statistics.collect-on-write": False,
            # Athena's VACUUM expires by the table's vacuum_max_snapshot_age_seconds (5 days by
            # default), below Trino's own 7-day floor.
            "iceberg.expire-snapshots.min-retention": "0s",
            "iceberg.remove-orphan-files.min-retention": "0s",
            **small_files,
        },
    }


def _die_with_parent() -> None:
    """Linux: Trino gets SIGTERM when the thread that started it ends (a killed test run leaves no
    JVM behind), so start the server from a thread that lives as long as it should, such as the
    main thread. Elsewhere nothing happens and stop() is the only way out."""
    if sys.platform.startswith("linux"):
        import ctypes

        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


class TrinoServer:
    """Start a Trino coordinator (which is also its only worker) on 127.0.0.1; stop it again."""

    def __init__(
        self,
        endpoint: str,
        region: str = "us-east-1",
        *,
        port: int = 0,
        home: Path | None = None,
        heap: str | None = None,
        parquet_small_file_threshold: str | None = None,
    ) -> None:
        self.endpoint = endpoint
        self.parquet_small_file_threshold = parquet_small_file_threshold
        self.region = region
        self.port = port or free_port()
        self._home = home
        self._heap = heap or os.environ.get("ATHENA_LOCAL_TRINO_HEAP", "3G")
        self._process: subprocess.Popen[bytes] | None = None
        self._workdir: Path | None = None

    def _write_config(self, etc: Path, data_dir: Path) -> None:
        (etc / "catalog").mkdir(parents=True)
        memory = {"query.max-memory": "2GB", "query.max-memory-per-node": "2GB"}
        (etc / "config.properties").write_text(
            _properties(
                {
                    "coordinator": True,
                    "node-scheduler.include-coordinator": True,
                    "http-server.http.port": self.port,
                    "discovery.uri": f"http://127.0.0.1:{self.port}",
                    "node.id": f"athena-local-{self.port}",
                    "node.bind-ip": "127.0.0.1",
                    "node.internal-address": "127.0.0.1",
                    "catalog.config-dir": str(etc / "catalog"),
                    **memory,
                    # one machine of two cores: no point in Trino's many parallel drivers per query
                    "task.concurrency": 2,
                    # One writer per statement: Trino's partition limit (hive.max-partitions-per-
                    # writers, iceberg.max-partitions-per-writer) is per writer, Athena's is per
                    # statement; with a single writer on the single node they are the same.
                    "task.min-writer-count": 1,
                    "task.max-writer-count": 1,
                    "task.scale-writers.enabled": False,
                    "scale-writers": False,
                    "http-server.log.enabled": False,
                }
            )
        )
        for name, values in catalogs(
            self.endpoint, self.region, parquet_small_file_threshold=self.parquet_small_file_threshold
        ).items():
            (etc / "catalog" / f"{name}.properties").write_text(_properties(values))
        (etc / "log.properties").write_text("io.trino=WARN\norg.apache.iceberg=WARN\nio.airlift=WARN\n")

    def start(self, timeout: float = 180.0) -> None:
        server = install(self._home)
        java = find_java()
        self._workdir = Path(tempfile.mkdtemp(prefix="athena-local-trino-"))
        etc, data_dir = self._workdir / "etc", self._workdir / "data"
        data_dir.mkdir()
        self._write_config(etc, data_dir)
        command = [
            str(java),
            f"-Xmx{self._heap}",
            # One node, small queries, two cores: the serial collector has no concurrent threads
            # competing with the queries (measured: a hostile-landing dbt build took 130 s of CPU
            # instead of G1's 143 s, 94 s instead of 99 s of wall time).
            "-XX:+UseSerialGC",
            # The JVM's default tiered compilation: a test session sends one Trino many builds'
            # queries, and the C2 compiler's code pays for its warm-up within a few builds
            # (measured: three Athena test histories, 7 dbt builds, 394 s and 630 s of CPU with
            # it; 454 s and 685 s with the C1 compiler alone, -XX:TieredStopAtLevel=1). Extra
            # options: ATHENA_LOCAL_JVM_OPTIONS.
            *os.environ.get("ATHENA_LOCAL_JVM_OPTIONS", "").split(),
            "-XX:+ExitOnOutOfMemoryError",
            "-Djdk.attach.allowAttachSelf=true",
            "--enable-native-access=ALL-UNNAMED",
            "-Duser.timezone=UTC",
            "-Dfile.encoding=UTF-8",
            "-Dnode.environment=athena_local",
            f"-Dnode.data-dir={data_dir}",
            f"-Dlog.output-file={self._workdir / 'trino.log'}",
            f"-Dconfig={etc / 'config.properties'}",
            f"-Dlog.levels-file={etc / 'log.properties'}",
            f"-Dplugin.dir={server / 'plugin'}",
            "-cp",
            str(server / "lib" / "*"),
            "io.trino.server.TrinoServer",
        ]
        log = (self._workdir / "launcher.log").open("wb")
        self._process = subprocess.Popen(
            command,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            cwd=self._workdir,
            preexec_fn=_die_with_parent,
        )
        log.close()
        self._wait_ready(timeout)

    def _wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        url = f"http://127.0.0.1:{self.port}/v1/info"
        while time.monotonic() < deadline:
            if self._process is not None and self._process.poll() is not None:
                raise RuntimeError(
                    f"Trino exited during start-up (code {self._process.returncode}):\n{self._tail()}"
                )
            try:
                with urllib.request.urlopen(url, timeout=2) as response:
                    if not json.loads(response.read()).get("starting", True) and self._has_active_node():
                        return
            except (urllib.error.URLError, OSError, ValueError):
                pass
            time.sleep(0.25)
        self.stop()
        raise RuntimeError(f"Trino did not start within {timeout:.0f} s")

    def _has_active_node(self) -> bool:
        """The coordinator schedules work only once it has seen itself as a worker node."""
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.port}/v1/statement",
            data=b"SELECT count(*) FROM system.runtime.nodes WHERE state = 'active'",
            headers={"X-Trino-User": "athena-local"},
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            answer = json.loads(response.read())
        data = list(answer.get("data") or [])
        while "nextUri" in answer:
            with urllib.request.urlopen(answer["nextUri"], timeout=10) as response:
                answer = json.loads(response.read())
            data.extend(answer.get("data") or [])
        return not answer.get("error") and bool(data) and data[0][0] >= 1

    def _tail(self, lines: int = 30) -> str:
        if self._workdir is None:
            return ""
        text = []
        for name in ("launcher.log", "trino.log"):
            path = self._workdir / name
            if path.is_file():
                text.extend(path.read_text(errors="replace").splitlines()[-lines:])
        return "\n".join(line for line in text if not line.startswith("WARNING:"))

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if self._workdir is not None:
            shutil.rmtree(self._workdir, ignore_errors=True)
            self._workdir = None
