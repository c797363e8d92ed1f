"""Opening the DuckDB warehouse file, in one place.

DuckDB lets one process write a file and locks every other process out while it is open, readers
included. Steps of two Dagster runs (a scheduled night and a rerun from the UI) can therefore meet on the
file: whoever comes second waits for the lock, up to a limit, then fails with a message that says so.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from pathlib import Path

import duckdb

from pipelines.errors import CommandError

WAITING = "waiting:"  # how the line that says so begins (pipelines/progress.py shows it in `coachwh run`)
_HOLDER = re.compile(r"held in (\S+) \(PID (\d+)\)")


# DuckDB's memory cap for a step that reads the warehouse in the run's own process (the checks of the source
# contracts, a failed dbt test's rows read again): with Dagster beside it, the run stays under 2 GiB.
READER_MEMORY_LIMIT = "1GB"


class WarehouseBusy(CommandError):
    """The DuckDB warehouse stayed locked by another process for longer than we were willing to wait. A
    CommandError at the command line (one line, exit 2); in a Dagster step, transient: retried."""


class WarehouseStillHeld(CommandError):
    """The same process already waited out this holder as often as one step tries: not transient, not retried."""


class FileUnreadable(CommandError):
    """DuckDB cannot open a file that is there, for another reason than a lock: not transient."""


DAMAGED_ADVICE = (
    "a damaged file? Restore it from a backup, or rebuild it from the archive: `coachwh unarchive`, then "
    "`coachwh run` (README, 'A lost or damaged warehouse')"
)


# What DuckDB says of a database file it cannot read (truncated, overwritten): not transient, every step fails alike.
DAMAGED_SYMPTOMS = ("Could not read enough bytes from file", "is not a valid DuckDB database file")


def damaged_reason(error: BaseException | str) -> str | None:
    """DuckDB's error on a damaged file, with the way back (once: a FileUnreadable already says it); None for any
    other failure."""
    lines = [line.strip() for line in str(error).splitlines() if any(s in line for s in DAMAGED_SYMPTOMS)]
    if not lines:
        return None
    return lines[0] if lines[0].endswith(DAMAGED_ADVICE) else f"{lines[0][:300]}: {DAMAGED_ADVICE}"


# Child processes of this one that hold the warehouse while they run (dbt), with how to stop each: pid -> stop.
# Registered while a step follows one (pipelines/defs/dbt_stream.py). A step that fails in the middle of its
# events may leave its generator unclosed, and so its dbt running; the warehouse's steps run one at a time (its
# pool has one slot), so a later step of this process that finds the file held by one of these stops it rather
# than wait for it to give up.
HELD_BY_OWN_CHILD: dict[int, Callable[[], None]] = {}


# Holders of the warehouse this process waited out in full, and how often: pid -> waits that ran out. A night's
# steps run one after another in one process (the in-process executor). The run waits for one holder as often as
# one step tries, then no step waits for it again: the night fails and alerts after about 45 minutes of an
# analyst's connection left open all night, not after every step's attempts (more than two hours).
WAITED_OUT: dict[int, int] = {}
WAITS_PER_HOLDER = 4  # one step's attempts: its first and NIGHTLY_RETRY_POLICY's 3 retries (pipelines/defs/retries.py)


def sql_literal(text: str) -> str:
    """A SQL string literal (file paths, batch ids) for the places DuckDB takes no bound parameter."""
    return "'" + text.replace("'", "''") + "'"


def table_exists(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> bool:
    """Whether `schema.table` exists in the database `con` opened (the ops tables appear with their first write)."""
    return bool(
        con.execute(
            "SELECT count(*) FROM duckdb_tables() WHERE schema_name = ? AND table_name = ?", [schema, table]
        ).fetchone()[0]
    )


def insert_rows(con: duckdb.DuckDBPyConnection, table: str, rows: list[list]) -> None:
    """Append `rows` (each a full row of `table`, in column order) in one INSERT. `executemany` runs one
    INSERT per row: a crm batch's 124 validation results took 0.14 s that way, 0.03 s in one."""
    if rows:
        one = "(" + ", ".join("?" for _ in rows[0]) + ")"
        con.execute(f"INSERT INTO {table} VALUES {', '.join(one for _ in rows)}", [v for row in rows for v in row])


def is_lock_error(error: BaseException) -> bool:
    """Whether DuckDB refused a file because another process holds its lock, also when another error quotes
    it (dbt's). DuckDB has no exception type of its own for it, only the words of its IO Error: 'Could not set
    lock on file "…": Conflicting lock is held in /usr/bin/python3.11 (PID 18123)'."""
    text = str(error).lower()
    return "could not set lock on file" in text or "conflicting lock is held" in text


def _holder_pid(error: BaseException | str) -> int | None:
    found = _HOLDER.search(str(error))
    return int(found.group(2)) if found else None


def column_exists(con: duckdb.DuckDBPyConnection, schema: str, table: str, column: str) -> bool:
    """Whether a column added to a table later is there (a warehouse opened read-only may predate it)."""
    return bool(
        con.execute(
            "SELECT count(*) FROM duckdb_columns() WHERE schema_name = ? AND table_name = ? AND column_name = ?",
            [schema, table, column],
        ).fetchone()[0]
    )


def lock_holder(error: BaseException | str) -> str | None:
    """Who holds a DuckDB file, from the text of DuckDB's lock error ('PID 18123 (python3.11)'); None without one."""
    found = _HOLDER.search(str(error))
    return f"PID {found.group(2)} ({Path(found.group(1)).name})" if found else None


def held_reason(error: BaseException | str) -> str | None:
    """What to say of a step that failed because another process held the warehouse file (dbt's error says it deep
    down, under its own first line), naming the holder; None for any other failure."""
    held = lock_holder(error) if is_lock_error(error) else None
    return f"the warehouse file is held by {held}: a reader keeping it open, or another run" if held else None


def _waiting(open_fn, path: Path, wait_seconds: float, on_wait=None):
    """Call `open_fn` until DuckDB stops refusing `path` for a lock; WarehouseBusy after `wait_seconds`. Says
    once that it waits, and for whom: a wait of minutes must not look like a slow load, or like a hang."""
    deadline = time.monotonic() + wait_seconds
    delay = 0.1
    said = False
    while True:
        try:
            return open_fn()
        except duckdb.IOException as e:
            if not is_lock_error(e):
                if (damaged := damaged_reason(e)) is not None:  # every later attempt fails alike
                    raise FileUnreadable(damaged) from e
                raise
            held = lock_holder(e) or "another process"
            pid = _holder_pid(e)
            stop = HELD_BY_OWN_CHILD.pop(pid, None)
            if stop is not None:
                (on_wait or _say)(
                    f"{WAITING} {path.name} is held by {held}, left running by a step that failed; stopping it"
                )
                stop()
                continue
            if WAITED_OUT.get(pid, 0) >= WAITS_PER_HOLDER:
                raise WarehouseStillHeld(
                    f"{path} is still held by {held}, which this run already waited for {WAITED_OUT[pid]} times "
                    f"(up to {wait_seconds:g} s each): not waiting again; try again when that process is done"
                ) from None
            if time.monotonic() >= deadline:
                if pid is not None:
                    WAITED_OUT[pid] = WAITED_OUT.get(pid, 0) + 1
                raise WarehouseBusy(
                    f"{path} stayed locked by {held} for {wait_seconds:g} s (DuckDB lets one process open it, readers "
                    "included): try again when that process is done"
                ) from e
            if not said:
                (on_wait or _say)(f"{WAITING} {path.name} is held by {held}; waiting up to {wait_seconds:g} s for it")
                said = True
            time.sleep(delay)
            delay = min(delay * 2, 2.0)


def _say(line: str) -> None:
    """A warning line: in a Dagster step, a line of the step's log (and of `coachwh run`'s progress); elsewhere,
    on stderr. Dagster is imported only here, on the rare path, so that the commands that use this module
    without it stay quick to start."""
    import dagster as dg

    dg.get_dagster_logger("coachwh.warehouse").warning(line)


def connect_waiting(
    path: Path, *, read_only: bool = False, config: dict | None = None, wait_seconds: float = 600.0, on_wait=None
) -> duckdb.DuckDBPyConnection:
    """Open `path` (creating its folder when writing), waiting while another process holds DuckDB's file
    lock. Raises WarehouseBusy after `wait_seconds`; any other failure is raised as it is. The one line that says it
    waits goes to `on_wait` (default: the Dagster step's log, or stderr)."""
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    con = _waiting(
        lambda: duckdb.connect(str(path), read_only=read_only, config=config or {}), path, wait_seconds, on_wait
    )
    con.execute("SET enable_progress_bar = false")
    return con


def attach_waiting(
    con: duckdb.DuckDBPyConnection, path: Path, alias: str, *, read_only: bool = True, wait_seconds: float = 600.0
) -> None:
    """ATTACH `path` AS `alias` on `con`, waiting like `connect_waiting` while another process holds it."""
    mode = " (READ_ONLY)" if read_only else ""
    _waiting(lambda: con.execute(f"ATTACH {sql_literal(str(path))} AS {alias}{mode}"), path, wait_seconds)
