"""`coachwh replay DATE --into DIR`: a landing zone that rebuilds the marts as of a past extract date.

Time comes from the data: the marts of a night depend only on the batches loaded, never on the clock. So
the marts as of DATE, beyond the publications kept for rollback, are those of a new home whose landing zone
holds every delivery that loaded with an extract date up to DATE. The registry (`ops.batch_registry`) says
which deliveries those are and where the gate archived them: a refused, repeated or retracted delivery is
not `loaded`, so it stays out, as it stayed out of the warehouse. The folders are copied, never linked (the
gate refuses links), and the original home is only read.

The replay differs from the night's publication only by what was learnt since: a batch for a date up to DATE
that arrived after that night (a late batch) is in the replay, and one retracted since is not, as in every
build after them.
"""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

from pipelines.config import Settings
from pipelines.errors import CommandError
from pipelines.landing.registry import OPS_SCHEMA
from pipelines.warehouse_file import connect_waiting


class ReplayError(CommandError):
    """The replay cannot be prepared as asked (no warehouse, nothing loaded up to the date, a used folder)."""


def loaded_deliveries(cfg: Settings, until: date) -> list[tuple[str, str, date, Path]]:
    """(batch id, system, extract date, archived folder) of each delivery that loaded, up to `until`."""
    if not cfg.warehouse.exists():
        raise ReplayError(f"no warehouse at {cfg.warehouse}: nothing has loaded")
    with connect_waiting(cfg.warehouse, read_only=True) as con:
        rows = con.execute(
            f"SELECT batch_id, system, extract_date, stored_at FROM {OPS_SCHEMA}.batch_registry "
            "WHERE status = 'loaded' AND extract_date <= ? ORDER BY extract_date, system",
            [until],
        ).fetchall()
    return [(batch_id, system, day, cfg.in_home(stored)) for batch_id, system, day, stored in rows]


def prepare_replay(cfg: Settings, until: date, into: Path) -> list[str]:
    """Copy the deliveries that loaded up to `until` into `into`/landing; the batch ids copied."""
    if into.exists() and any(into.iterdir()):  # the home being replayed among them
        raise ReplayError(f"{into} is not empty: a replay starts a new home")
    deliveries = loaded_deliveries(cfg, until)
    if not deliveries:
        raise ReplayError(f"no batch loaded with an extract date up to {until.isoformat()} (see `coachwh status`)")
    missing = [f"{batch_id} ({folder})" for batch_id, _, _, folder in deliveries if not folder.is_dir()]
    if missing:
        raise ReplayError(f"archived deliveries are missing: {', '.join(missing)}")
    for _, system, day, folder in deliveries:
        shutil.copytree(folder, into / "landing" / system / day.isoformat())
    return [batch_id for batch_id, *_ in deliveries]
