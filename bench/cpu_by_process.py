"""CPU seconds by kind of process while something runs: where `make test`'s CPU goes.

    python bench/cpu_by_process.py OUT -- make test

runs the command and, every second until it ends, reads the CPU time (user + system) of every
process from /proc, keeps the last figure of each (a process is known by its pid and start
time), classifies it by its command line when first seen (dbt, trino, moto, pytest worker,
chromium, ...) and writes the totals to OUT, largest first. Linux only. A process that lives
under a second may be missed; processes that were running before the command (the kernel's,
the machine's own) are listed too, with all their CPU since they started.
"""

from __future__ import annotations

import collections
import os
import subprocess
import sys
import time
from pathlib import Path

TICKS = os.sysconf("SC_CLK_TCK")
KINDS = (
    ("trino", ("TrinoServer",)),
    ("dbt", ("bin/dbt",)),
    ("moto", ("moto",)),
    ("pytest worker", ("import sys;exec(eval", "pytest")),
    ("chromium", ("chrom",)),
    ("stedi", ("bin/stedi",)),
    ("sqlfluff", ("sqlfluff",)),
    ("pip", ("pip install",)),
)


def kind_of(command_line: str, name: str) -> str:
    for kind, marks in KINDS:
        if any(mark in command_line for mark in marks):
            return kind
    return f"other: {(command_line or name)[:60]}"


def sample(cpu: dict[tuple[str, str], float], kinds: dict[tuple[str, str], str]) -> None:
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
            name = stat[stat.index("(") + 1 : stat.rindex(")")]
            fields = stat.rsplit(")", 1)[1].split()
            key = (pid, fields[19])  # pid and start time: a pid may be reused
            if key not in kinds:
                command_line = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
                # no command line: a kernel thread (named k...), or a process that already exited
                # (left unknown rather than named by its parent's command line)
                if command_line or name.startswith("k"):
                    kinds[key] = kind_of(command_line, name)
            cpu[key] = (int(fields[11]) + int(fields[12])) / TICKS
        except (OSError, ValueError, IndexError):
            continue  # gone meanwhile


def totals(cpu: dict[tuple[str, str], float], kinds: dict[tuple[str, str], str]) -> str:
    by_kind: collections.Counter[str] = collections.Counter()
    for key, seconds in cpu.items():
        by_kind[kinds.get(key, "unknown (exited before its command line was read)")] += seconds
    return "".join(f"{seconds:9.1f}  {kind}\n" for kind, seconds in by_kind.most_common())


def main(argv: list[str]) -> int:
    if len(argv) < 3 or argv[1] != "--":
        print("usage: python bench/cpu_by_process.py OUT -- COMMAND [ARG ...]", file=sys.stderr)
        return 2
    out, command = Path(argv[0]), argv[2:]
    cpu: dict[tuple[str, str], float] = {}
    kinds: dict[tuple[str, str], str] = {}
    process = subprocess.Popen(command)
    while process.poll() is None:
        sample(cpu, kinds)
        out.write_text(totals(cpu, kinds))
        time.sleep(1)
    sample(cpu, kinds)
    out.write_text(totals(cpu, kinds))
    return process.returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
