"""Advisory file locks (fcntl.flock) for the things that must happen one at a time on this machine.

`$COACHWH_HOME/.run.lock` is held by `coachwh run` (and `coachwh docs`) for the whole run, so a second
run waits for the first instead of meeting it on DuckDB's file lock in the middle of a dbt build; the
publications folder has its own short lock for publish and rollback. The kernel drops a flock when its
process dies, so a crashed run never leaves a stale lock behind. The lock file says who holds it.
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path


class LockTimeout(Exception):
    """Another process held the lock for longer than we were willing to wait."""


def holder(path: Path) -> str:
    """What the lock file says about its holder ('pid 123 since 2026-11-03T02:00:01Z: coachwh run')."""
    try:
        return path.read_text(encoding="utf-8").strip() or "another process"
    except OSError:
        return "another process"


@contextmanager
def file_lock(
    path: Path,
    purpose: str,
    *,
    wait_seconds: float | None = None,
    on_wait: Callable[[str], None] | None = None,
) -> Iterator[None]:
    """Hold an exclusive lock on `path` while the block runs.

    When another process holds it, `on_wait` is told once (with who holds it) and we wait: forever when
    `wait_seconds` is None, else up to `wait_seconds`, then LockTimeout. `wait_seconds=0` refuses at once.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            who = holder(path)
            if wait_seconds == 0:
                raise LockTimeout(f"{path} is held by {who}") from None
            if on_wait:
                on_wait(who)
            _wait(fd, path, who, wait_seconds)
        stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"pid {os.getpid()} since {stamp}: {purpose}\n".encode(), 0)
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock


def _wait(fd: int, path: Path, who: str, wait_seconds: float | None) -> None:
    if wait_seconds is None:
        fcntl.flock(fd, fcntl.LOCK_EX)
        return
    deadline = time.monotonic() + wait_seconds
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if time.monotonic() >= deadline:
                raise LockTimeout(f"{path} stayed held by {who} for {wait_seconds:.0f}s") from None
            time.sleep(0.2)
