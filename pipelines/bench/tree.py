"""Run a command and measure its wall time, the peak memory and the CPU time of its whole process tree.

dbt runs as a child of Dagster and DuckDB inside both, so the peak of one process says little: every
quarter of a second the resident memory of the command and all its descendants is summed (from /proc).
The CPU time is the kernel's account of the children this process has reaped: a process's own time plus
that of every descendant it waited for, so the command's whole tree (dbt is reaped by Dagster, Dagster
here). CPU seconds over wall seconds is how many cores the command kept busy on average: on a 2-core
machine, a run near 2 is bound by its work, one well under 2 waits on something.
"""

from __future__ import annotations

import os
import resource
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Measured:
    seconds: float
    peak_bytes: int
    returncode: int
    stdout: str
    cpu_seconds: float

    @property
    def cores(self) -> float:
        """The cores kept busy on average: CPU seconds of the tree over wall seconds."""
        return self.cpu_seconds / self.seconds if self.seconds > 0 else 0.0


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            # the command name may hold spaces and parentheses: the ppid follows the last ')'
            ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        tree.setdefault(ppid, []).append(int(entry.name))
    return tree


def _rss_bytes(pid: int) -> int:
    try:
        pages = int((Path("/proc") / str(pid) / "statm").read_text().split()[1])
    except (OSError, IndexError, ValueError):
        return 0
    return pages * os.sysconf("SC_PAGE_SIZE")


def tree_rss_bytes(root: int) -> int:
    tree, total, todo = _children(), 0, [root]
    while todo:
        pid = todo.pop()
        total += _rss_bytes(pid)
        todo.extend(tree.get(pid, []))
    return total


def _children_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run(cmd: list[str], env: dict[str, str] | None = None, interval: float = 0.25) -> Measured:
    """Run `cmd` to its end. Commands are measured one at a time: the CPU time is that of every child
    reaped meanwhile."""
    cpu_before = _children_cpu_seconds()
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    peak = 0
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not stop.is_set():
            peak = max(peak, tree_rss_bytes(proc.pid))
            stop.wait(interval)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, _ = proc.communicate()
    stop.set()
    sampler.join()
    seconds = time.perf_counter() - started
    return Measured(seconds, peak, proc.returncode, out, _children_cpu_seconds() - cpu_before)
