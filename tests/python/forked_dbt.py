"""dbt commands started by fork from a process that has imported dbt once.

Each dbt command the tests run is a new process, as when someone types it, and about 2 s of its
CPU is Python importing dbt and its adapter before it reads an argument: some 90 local
commands a suite, on a 2-core machine. A zygote process imports all of that once; each command is
a fork of it (copy-on-write, nothing shared afterwards) that sets the command's working folder,
environment and arguments, points its stdout and stderr at files, and runs dbt's own command-line
entry point (what the `dbt` script runs), then exits with its exit code. Every command still
starts from the same state, the imported modules and nothing else, and dbt reads its flags, the
profile and the project as it does when started from the shell.

Only commands on the local (DuckDB) target are forked. A command on the athena target runs as a
plain subprocess: forked, dbt-athena's builds took longer, not less (the hostile landing's
Athena build 137 s against 109 s; py-spy put five times the samples in dbt-athena's boto3
session and client creation, cause not found). So do a command asked for while the zygote is
busy (another thread of the test) and every command when STEDI_TEST_FORKED_DBT=0.
"""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import tempfile
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path

ZYGOTE = r"""
import json, os, random, sys

# As the dbt script runs: its own folder first on the path, not the folder the zygote started in.
sys.path[0] = os.path.dirname(os.path.realpath(sys.argv[1]))
import dbt.cli.main
import dbt.adapters.duckdb

requests, replies = sys.stdin, sys.stdout
for line in requests:
    request = json.loads(line)
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:
        code = 70
        try:
            null = os.open(os.devnull, os.O_RDONLY)
            os.dup2(null, 0)
            for fd, path in ((1, request["stdout"]), (2, request["stderr"])):
                handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
                os.dup2(handle, fd)
                os.close(handle)
            sys.stdin = open(0, closefd=False)
            sys.stdout = open(1, "w", closefd=False, encoding="utf-8", errors="backslashreplace")
            sys.stderr = open(2, "w", closefd=False, encoding="utf-8", errors="backslashreplace")
            os.chdir(request["cwd"])
            os.environ.clear()
            os.environ.update(request["env"])
            random.seed()
            sys.argv = ["dbt", *request["args"]]
            try:
                dbt.cli.main.cli(args=request["args"], prog_name="dbt")
                code = 0
            except SystemExit as exit:
                code = exit.code if isinstance(exit.code, int) else (0 if exit.code is None else 1)
            except BaseException:
                import traceback
                traceback.print_exc()
                code = 1
        finally:
            try:
                import logging
                logging.shutdown()
                sys.stdout.flush()
                sys.stderr.flush()
            finally:
                os._exit(code)
    _, status = os.waitpid(pid, 0)
    replies.write(json.dumps({"code": os.waitstatus_to_exitcode(status)}) + "\n")
    replies.flush()
"""


def on_the_local_target(command: Sequence[str], env: Mapping[str, str]) -> bool:
    """Whether a dbt command builds the local target: no --target / -t flag or STEDI_TARGET naming
    another (profiles.example.yml's default target is STEDI_TARGET, else local)."""
    flags = [value for flag, value in itertools.pairwise(command) if flag in ("--target", "-t")]
    return (flags[-1] if flags else env.get("STEDI_TARGET") or "local") == "local"


class ForkedDbt:
    """One zygote per test process, started on first use and stopped with `close`."""

    def __init__(self, python: Path, env: Mapping[str, str]) -> None:
        self._python = python
        self._env = dict(env)
        self._process: subprocess.Popen[str] | None = None
        self._lock = threading.Lock()

    def _zygote(self) -> subprocess.Popen[str]:
        if self._process is None or self._process.poll() is not None:
            self._process = subprocess.Popen(
                [str(self._python), "-c", ZYGOTE, str(self._python.parent / "dbt")],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                env=self._env,
                text=True,
            )
        return self._process

    def run(
        self, command: Sequence[str], *, cwd: Path, env: Mapping[str, str]
    ) -> subprocess.CompletedProcess[str]:
        """`subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True)`, where
        command[0] is the dbt script of this Python."""
        if (
            not on_the_local_target(command, env)
            or os.environ.get("STEDI_TEST_FORKED_DBT") == "0"
            or not self._lock.acquire(blocking=False)
        ):
            return subprocess.run(
                command, cwd=cwd, env=dict(env), capture_output=True, text=True, check=False
            )
        try:
            return self._run(command, cwd, env)
        finally:
            self._lock.release()

    def _run(
        self, command: Sequence[str], cwd: Path, env: Mapping[str, str]
    ) -> subprocess.CompletedProcess[str]:
        with tempfile.TemporaryDirectory(prefix="forked-dbt-") as folder:
            out, err = Path(folder) / "stdout", Path(folder) / "stderr"
            request = {"args": list(command[1:]), "cwd": str(cwd), "env": dict(env)}
            request |= {"stdout": str(out), "stderr": str(err)}
            zygote = self._zygote()
            assert zygote.stdin is not None and zygote.stdout is not None
            zygote.stdin.write(json.dumps(request) + "\n")
            zygote.stdin.flush()
            reply = zygote.stdout.readline()
            if not reply:
                raise RuntimeError(f"the dbt zygote exited ({zygote.poll()}) running: {' '.join(command)}")
            code = json.loads(reply)["code"]
            read = {"encoding": "utf-8", "errors": "backslashreplace"}
            return subprocess.CompletedProcess(
                list(command), code, out.read_text(**read), err.read_text(**read)
            )

    def close(self) -> None:
        if self._process is not None and self._process.poll() is None:
            assert self._process.stdin is not None
            self._process.stdin.close()
            try:
                self._process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        self._process = None
