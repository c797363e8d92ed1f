"""`coachwh status`: what has landed, what waits, what was refused, how fresh it is, what BI sees.

Two kinds of freshness, both warnings and never a reason to refuse correct data:
- LATE: a system's latest loaded extract lags the newest system's by more than its limit (the same
  verdict as the `extract_freshness` checks of the nightly job; relative to the data, not the clock);
- STALE: no extract of a system for a while by the wall clock (the one place that looks at it: the
  whole feed may have stopped). The marts' as-of date always comes from the extracts themselves.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import duckdb

from pipelines.config import Settings
from pipelines.extracts import dated_in_future, freshness_verdicts, latest_extract_dates
from pipelines.landing.ingest import WarehouseMissing, require_warehouse_of_archive
from pipelines.landing.manifest import MANIFEST_NAME
from pipelines.landing.registry import loaded_fingerprints, retracted_files, retracted_yet_loaded
from pipelines.landing.retract import unfinished_retraction
from pipelines.landing.zone import (
    MANIFEST_SETTLE_SECONDS,
    STRAY_WHY,
    LandingZoneMissing,
    discover,
    require_landing,
    stored_batch_id,
    stray_entries,
)
from pipelines.warehouse_file import damaged_reason, is_lock_error, lock_holder


def status_lines(cfg: Settings, today: date | None = None) -> list[str]:
    today = today or datetime.now(UTC).date()  # UTC, as the freshness check and the verdicts it words say
    lines = [f"home      {cfg.home}"]
    try:
        require_landing(cfg.landing)
        lines.append(f"landing   {cfg.landing}")
        pending = discover(cfg.landing)
    except LandingZoneMissing as missing:  # the gate's own verdict: no batch can load until it exists
        lines.append(f"landing   {cfg.landing}  MISSING: {missing}")
        pending = []
    waiting = [b for b in pending if not b.complete]
    ready = [b.batch_id for b in pending if b.complete]
    lines.append(
        f"pending   {len(ready)} complete batch(es) ready to load, {len(waiting)} without a complete manifest yet"
    )
    lines += [f"          waiting: {b.batch_id} ({_waiting_for(b)})" for b in waiting]
    lines += [f"stray     '{e}' {STRAY_WHY}" for e in stray_entries(cfg.landing)]  # none where it is missing

    if not cfg.warehouse.exists():
        try:
            require_warehouse_of_archive(cfg)
            lines.append("warehouse not built yet: run `coachwh run`")
        except WarehouseMissing as missing:  # the gate's own verdict: no batch loads until it is back
            lines.append(f"warehouse MISSING: {missing}")
        return lines + _publication_lines(cfg)
    try:
        with duckdb.connect(str(cfg.warehouse), read_only=True) as con:
            per_system, latest, unsettled, unfinished, known, in_raw = _registry(cfg, con)
    except duckdb.Error as e:
        if is_lock_error(e):
            held = lock_holder(e) or "another process"
            lines.append(f"warehouse is held by {held} (a run writing it, or a reader); try again when it is done")
        elif (damaged := damaged_reason(e)) is not None:  # truncated, overwritten: every night fails on it
            lines.append(f"warehouse DAMAGED: {damaged}")
        else:
            raise
        return lines + _publication_lines(cfg)  # BI's file is another one: it can be read meanwhile

    # the marts' own definition (int_calendar__as_of, extracts.py): the rows in raw, not the registry's batches, so a
    # retracted batch, or a survey wave that brought no response, does not move it
    as_of = max((d for d in latest.values() if d is not None), default=None)
    lines.append(f"as-of     {as_of or 'nothing loaded yet'} (latest extract date loaded, over all systems)")
    for system, last, loaded, quarantined, duplicates in per_system:
        age = (today - last).days if last else None
        stale = age is not None and age > cfg.stale_after(system)
        alert = f"  STALE: no {system} extract for {age} days" if stale else ""
        lines.append(
            f"  {system:<7} last loaded {last}  loaded {loaded}  quarantined {quarantined}  "
            f"duplicates {duplicates}{alert}"
        )
    for system, (fresh, text) in freshness_verdicts(latest, cfg, today).items():
        if not fresh:
            lines.append(f"  {'FUTURE' if dated_in_future(latest[system], today) else 'LATE'}: {text}")
    for status, batch_id, reason, stored_at in unsettled:
        label = {"quarantined": "REFUSED", "retracted": "RETRACTED"}[status]
        lines.append(f"  {label} {batch_id}: {reason}  ({stored_at})")
        if batch_id in unfinished:
            lines.append(f"    its files have not reached the quarantine: run `coachwh retract {batch_id}` again")
    lines += _retracted_yet_loaded(cfg, in_raw)
    if unknown := _quarantined_before_the_warehouse(cfg, known, in_raw):
        shown = ", ".join(unknown[:10]) + (f" and {len(unknown) - 10} more" if len(unknown) > 10 else "")
        lines.append(
            f"  quarantine also holds {len(unknown)} folder(s) of batches not loaded now that this warehouse has no "
            f"record of (refused or retracted before it was rebuilt or restored, or put there by hand; see the "
            f"REJECTED.md or RETRACTED.md in each): {shown}"
        )

    return lines + _publication_lines(cfg)


def _quarantined_before_the_warehouse(cfg: Settings, known: set[Path], loaded: dict[str, str]) -> list[str]:
    """The quarantine's batch folders that no registry row names, of batches not loaded now: a warehouse rebuilt
    from the archive (`coachwh unarchive`) starts a new registry, and the refusals and retractions made before it
    are only these folders. One whose batch loaded since (a corrected redelivery) is settled."""
    if not cfg.quarantine.is_dir():
        return []
    folders = sorted(f for f in cfg.quarantine.glob("*/*") if f.is_dir() and not f.name.startswith("."))
    return [str(f.relative_to(cfg.quarantine)) for f in folders if f not in known and stored_batch_id(f) not in loaded]


def _retracted_yet_loaded(cfg: Settings, loaded: dict[str, str]) -> list[str]:
    """Batches whose rows are in raw from the very files of a delivery retracted before (by its record in the
    quarantine): a warehouse backup restored from before the retraction. The next gate takes them out again
    (`retract.uphold_recorded_retractions`); until then a publication made from them is flagged by `coachwh
    publications`."""
    retracted = retracted_files(cfg.quarantine)
    return [
        f"  RETRACTED YET LOADED {r['batch_id']}: raw holds the very files retracted at "
        f"{r['retracted_at']:%Y-%m-%d %H:%M:%S} UTC ({r['reason']}): a warehouse restored from before the "
        "retraction? The next run's gate takes them out again (as `coachwh retract` did)"
        for _, r in retracted_yet_loaded(loaded, retracted)
    ]


def _registry(cfg: Settings, con: duckdb.DuckDBPyConnection):
    """Per system: the loads, refusals and duplicates; the latest extract dates; the refusals still to act on; the
    folders the registry knows."""
    per_system = con.execute(
        """
        select system,
               max(extract_date) filter (where status = 'loaded') as last_loaded,
               count(*) filter (where status = 'loaded') as loaded,
               count(*) filter (where status = 'quarantined') as quarantined,
               count(*) filter (where status = 'duplicate') as duplicates
        from ops.batch_registry group by system order by system
        """
    ).fetchall()
    latest = latest_extract_dates(con)
    # refused and retracted batches still to act on: one whose corrected redelivery loaded since is settled
    unsettled = con.execute(
        """
        select status, batch_id, reason, stored_at from ops.batch_registry as refusal
        where status in ('quarantined', 'retracted')
          and not exists (
              select 1 from ops.batch_registry as later
              where later.batch_id = refusal.batch_id and later.status = 'loaded'
                and later.recorded_at > refusal.recorded_at
          )
        order by recorded_at desc limit 10
        """
    ).fetchall()
    unfinished = {b for s, b, _, _ in unsettled if s == "retracted" and unfinished_retraction(cfg, con, b)}
    # every archive and quarantine folder the registry knows (`_quarantined_before_the_warehouse`)
    stored = con.execute("select distinct stored_at from ops.batch_registry where stored_at is not null")
    known = {cfg.in_home(path) for (path,) in stored.fetchall()}
    return per_system, latest, unsettled, unfinished, known, loaded_fingerprints(con)


STUCK_AFTER = timedelta(hours=1)


def _waiting_for(batch) -> str:
    """How long a batch folder has waited for its manifest, by the wall clock: the time since its newest file was
    written. A copy takes minutes; past STUCK_AFTER, say what may have happened and what to do."""
    if (batch.path / MANIFEST_NAME).is_file():
        settle = MANIFEST_SETTLE_SECONDS // 60
        return f"manifest.json is being written (no JSON yet; refused if it still is none {settle} min after it was)"
    written = batch.path.stat().st_mtime
    for p in batch.path.iterdir():
        try:
            written = max(written, p.stat().st_mtime)
        except FileNotFoundError:  # renamed or removed since listed: a copy at work (rsync's temporary files)
            pass
    quiet = datetime.now(UTC) - datetime.fromtimestamp(written, UTC)
    minutes = int(quiet.total_seconds() // 60)
    since = f"no manifest.json; last written {minutes // 60} h {minutes % 60} min ago"
    if quiet < STUCK_AFTER:
        return since
    return (
        f"{since}: a copy that stopped, or files that came after their batch was refused; deliver the whole "
        "folder again, manifest.json last"
    )


def _publication_lines(cfg: Settings) -> list[str]:
    """What BI sees: the current publication, or why it cannot be told."""
    from pipelines.publication import current, held_open, list_publications

    now = current(cfg.published)
    if now is not None:
        kept = len(list_publications(cfg.published, cfg.publications))
        return [
            f"published {cfg.published}: run {now.run_id}, {now.published_at:%Y-%m-%d %H:%M:%S} UTC, "
            f"as of {now.as_of_date}, {now.tables} tables ({kept} publication(s) kept: coachwh publications)"
        ]
    if not cfg.published.exists():
        return ["published nothing yet"]
    if held := held_open(cfg.published):
        return [f"published: {held}"]
    stamp = datetime.fromtimestamp(cfg.published.stat().st_mtime).isoformat(timespec="seconds")
    return [f"published {cfg.published} (replaced {stamp}; no publication table)"]
