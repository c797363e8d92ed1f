"""`coachwh unarchive`: every delivery that loaded, back into the landing zone, to rebuild a lost or damaged warehouse.

The warehouse is built from the files the gate received and archived, so the next `coachwh run` after this loads
them all again, in extract-date order, and publishes marts equal to those before the loss. What goes back is each
`archive/<system>/<YYYY-MM-DD>` folder: the delivery that loaded under that date. Beside them stay `<date>.2`,
`<date>.3` (repeated deliveries of the same files, never loaded) and the quarantine (refused and retracted
batches stay out, as they stayed out of the warehouse).

Refused, with nothing moved: while a run is going (the run lock), while the warehouse is there and readable
(loading every delivery again into it would only repeat them), and when a landing folder of the same name waits.
A damaged warehouse file is moved aside first, never deleted.
"""

from __future__ import annotations

import errno
import os
import shutil
from datetime import UTC, datetime
from pathlib import Path

from pipelines.config import Settings
from pipelines.errors import CommandError
from pipelines.landing.zone import archived_deliveries
from pipelines.locks import LockTimeout, file_lock
from pipelines.warehouse_file import FileUnreadable, WarehouseBusy, connect_waiting


class UnarchiveRefused(CommandError):
    """The archive cannot be put back as asked; nothing was moved."""


def unarchive(cfg: Settings) -> tuple[list[str], Path | None]:
    """Move every loaded delivery back into the landing zone: the batch ids moved, and where a damaged warehouse
    file was moved aside (None when there was none)."""
    deliveries = archived_deliveries(cfg.archive)
    if not deliveries:  # before the run lock, whose file would make a mistyped home
        raise UnarchiveRefused(f"{cfg.archive} holds no loaded delivery: there is nothing to rebuild from")
    try:
        with file_lock(cfg.run_lock, "coachwh unarchive", wait_seconds=0):
            deliveries = archived_deliveries(cfg.archive)  # again, now that no run moves folders meanwhile
            _refuse_a_readable_warehouse(cfg)
            taken = [cfg.landing / system / folder.name for system, folder in deliveries]
            if waiting := [str(p.relative_to(cfg.landing)) for p in taken if p.exists() or p.is_symlink()]:
                raise UnarchiveRefused(
                    f"the landing zone already holds {', '.join(waiting)}: move those deliveries out of the way "
                    "(they load after the rebuild, as redeliveries), then run this again"
                )
            aside = _move_aside(cfg.warehouse)
            for (_, folder), destination in zip(deliveries, taken, strict=True):
                _move_whole(folder, destination)
    except LockTimeout as e:
        raise UnarchiveRefused(f"nothing moved: {e}; run this after that run ends") from None
    return [f"{system}/{folder.name}" for system, folder in deliveries], aside


def _refuse_a_readable_warehouse(cfg: Settings) -> None:
    if not cfg.warehouse.exists():
        return
    try:
        connect_waiting(cfg.warehouse, read_only=True, wait_seconds=0).close()
    except FileUnreadable:
        return  # damaged: the rebuild's case
    except WarehouseBusy as e:
        raise UnarchiveRefused(f"nothing moved: the warehouse is in use ({e})") from None
    raise UnarchiveRefused(
        f"nothing moved: {cfg.warehouse} is there and DuckDB reads it, so its batches need no loading again. "
        "To rebuild it all the same, move it aside first (`mv warehouse.duckdb warehouse.old`)"
    )


def _move_aside(warehouse: Path) -> Path | None:
    """warehouse.duckdb (and its .wal) -> warehouse.damaged-<UTC time>.duckdb, kept for whoever looks into it."""
    if not warehouse.exists():
        return None
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    aside = warehouse.with_name(f"{warehouse.stem}.damaged-{stamp}{warehouse.suffix}")
    warehouse.rename(aside)
    wal = warehouse.with_name(warehouse.name + ".wal")
    if wal.exists():
        wal.rename(aside.with_name(aside.name + ".wal"))
    return aside


def _move_whole(folder: Path, destination: Path) -> None:
    """Move a delivery folder so that no sensor or run sees it half there: a rename, or on another file system a
    copy under a hidden name (the gate skips names that begin with a dot) renamed when complete."""
    destination.parent.mkdir(parents=True, exist_ok=True)
    try:
        folder.rename(destination)
    except OSError as e:
        if e.errno != errno.EXDEV:  # the landing zone is on another file system
            raise
        partial = destination.with_name(f".unarchive-{destination.name}")
        shutil.rmtree(partial, ignore_errors=True)
        shutil.copytree(folder, partial)
        os.rename(partial, destination)
        shutil.rmtree(folder)
