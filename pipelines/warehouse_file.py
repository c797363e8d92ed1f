"""Opening the DuckDB warehouse file, in one place.

DuckDB lets one process write a file and locks every other process out while it is open, readers
included. Steps of two Dagster runs (a scheduled night and a rerun from the UI) can therefore meet on the
file: whoever comes second waits for the lock, up to a limit, then fails with a message that says so.
"""

from __future__ import annotations

import time
from pathlib import Path

import duckdb


class WarehouseBusy(Exception):
    """The DuckDB warehouse stayed locked by another process for longer than we were willing to wait."""


def sql_literal(text: str) -> str:
    """A SQL string literal (file paths, batch ids) for the places DuckDB takes no bound parameter."""
    return "'" + text.replace("'", "''") + "'"


def connect_waiting(
    path: Path, *, read_only: bool = False, config: dict | None = None, wait_seconds: float = 600.0
) -> duckdb.DuckDBPyConnection:
    """Open `path` (creating its folder when writing), waiting while another process holds DuckDB's file
    lock. Raises WarehouseBusy after `wait_seconds`; any other failure is raised as it is."""
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + wait_seconds
    delay = 0.1
    while True:
        try:
            con = duckdb.connect(str(path), read_only=read_only, config=config or {})
            break
        except duckdb.IOException as e:
            if "lock" not in str(e).lower():
                raise
            if time.monotonic() >= deadline:
                raise WarehouseBusy(f"{path} stayed locked by another process for {wait_seconds:.0f}s: {e}") from e
            time.sleep(delay)
            delay = min(delay * 2, 2.0)
    con.execute("SET enable_progress_bar = false")
    return con
