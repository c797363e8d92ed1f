"""`coachwh retract SYSTEM/DATE --reason TEXT`: take a loaded batch back out, as if it never arrived.

For a batch found bad after it loaded (a contract added later, a customer's recall). In one DuckDB
transaction: its rows leave every raw table, its registry row becomes `retracted` (reason, who, when in
`ops.batch_retractions`), and `ops.full_refresh_requests` asks the next dbt build for a full refresh, so
the incremental models forget the batch too (`pipelines/defs/warehouse.py` reads the request, passes
`--full-refresh` once, and marks it done after a successful build). Then its archived folder moves to
the quarantine beside a RETRACTED.md. A corrected redelivery of that date loads normally afterwards: the
gate only refuses a changed file under a batch name that is still `loaded`.
"""

from __future__ import annotations

import getpass
from datetime import UTC, datetime
from pathlib import Path

from pipelines.config import Settings
from pipelines.errors import CommandError
from pipelines.landing import loader, registry
from pipelines.landing.manifest import parse_extract_date
from pipelines.landing.zone import free_destination
from pipelines.locks import LockTimeout, file_lock
from pipelines.sources import RAW_SCHEMA, SOURCE_FILES, SYSTEMS


class RetractError(CommandError):
    """The retraction cannot be done as asked (no such loaded batch, no reason given)."""


def retract(cfg: Settings, batch_id: str, reason: str, who: str | None = None) -> str:
    """Retract the loaded delivery of `batch_id`; return what was done, in words. Run again after a retraction
    killed between its commit and the move of its folder, it finishes that move."""
    system, _, name = batch_id.partition("/")
    if system not in SYSTEMS or parse_extract_date(name) is None:
        raise RetractError(f"'{batch_id}' is no batch id: expected SYSTEM/YYYY-MM-DD, SYSTEM one of {SYSTEMS}")
    if not reason.strip():
        raise RetractError("the reason must say why (it is kept in the registry and the quarantine)")
    if not cfg.warehouse.exists():
        raise RetractError(f"no warehouse at {cfg.warehouse}: nothing has loaded")
    who = who or getpass.getuser()
    try:
        with file_lock(cfg.run_lock, "coachwh retract", wait_seconds=0):
            return _retract(cfg, batch_id, system, name, reason, who)
    except LockTimeout as e:
        raise RetractError(
            f"not retracted: {e}, which builds the marts from raw as it is now and publishes them: retract after it"
        ) from None


def _retract(cfg: Settings, batch_id: str, system: str, name: str, reason: str, who: str) -> str:
    con = loader.connect(cfg.warehouse)  # waits while another process holds the warehouse
    try:
        registry.ensure_schema(con)
        loaded = registry.loaded_delivery(con, batch_id)
        if loaded is None:
            unfinished = unfinished_retraction(cfg, con, batch_id)
            if unfinished is None:
                raise RetractError(f"{batch_id} has no loaded delivery (`coachwh status` lists what loaded)")
            done = unfinished
        else:
            destination = free_destination(cfg.quarantine, system, name)
            done = _take_out(con, batch_id, loaded, reason, who, str(destination), loaded.stored_at)
        # which delivery it was, whatever registry numbers it later (a warehouse rebuilt from the archive)
        fingerprint = registry.delivery_fingerprint(registry.delivery_files(con, batch_id, done.delivery))
    finally:
        con.close()
    destination = _move_to_quarantine(cfg, done, fingerprint)
    finished = "" if loaded is not None else f" (finishing the retraction recorded at {done.at:%Y-%m-%d %H:%M:%S})"
    return (
        f"{batch_id}: retracted delivery {done.delivery} ({done.rows:,} raw rows removed) -> {destination}{finished}; "
        "the next run rebuilds with --full-refresh"
    )


def _take_out(
    con, batch_id: str, loaded: registry.LoadedDelivery, reason: str, who: str, moved_to: str, moved_from: str | None
) -> registry.Retraction:
    """In one transaction: the loaded delivery's rows leave every raw table of its system, and the registry records
    the retraction (and asks for a full rebuild). Returns the retraction recorded."""
    system = batch_id.partition("/")[0]
    con.execute("BEGIN TRANSACTION")
    try:
        removed = sum(
            con.execute(f"DELETE FROM {RAW_SCHEMA}.{f.raw_table} WHERE _batch_id = ?", [batch_id]).fetchone()[0]
            for f in SOURCE_FILES
            if f.system == system
        )
        now = datetime.now(UTC).replace(tzinfo=None)  # once the warehouse is ours: the rows leave now
        done = registry.Retraction(
            batch_id, loaded.delivery, reason, who, now, removed, moved_to, moved_from, loaded_at=loaded.recorded_at
        )
        registry.record_retraction(con, done)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return done


def uphold_recorded_retractions(con, retracted: dict[tuple[str, str], dict], systems: set[str]) -> list[str]:
    """Take out of raw again the rows of any delivery of `systems` that the quarantine records as retracted
    (`registry.retracted_files`): a warehouse restored from a backup made before the retraction holds them, and would
    publish them again. Each goes as `coachwh retract` took it (registry, full-refresh request), under the recorded
    reason and retracter; its files are already in the quarantine beside the record. Returns what was done, in words.
    A retraction withdrawn (its record renamed) is no longer recorded, so its rows stay."""
    done = []
    for batch_id, record in registry.retracted_yet_loaded(registry.loaded_fingerprints(con), retracted):
        if batch_id.partition("/")[0] not in systems:
            continue
        loaded = registry.loaded_delivery(con, batch_id)
        who = record.get("retracted_by") or "unknown"
        # its files are in the quarantine folder of the record already: nothing moves
        r = _take_out(con, batch_id, loaded, record["reason"], who, str(record["record"].parent), None)
        done.append(
            f"{batch_id}: raw held the very files retracted at {record['retracted_at']:%Y-%m-%d %H:%M:%S} UTC "
            f"({record['reason']}), a warehouse restored from before the retraction: {r.rows:,} rows taken out again, "
            "the marts rebuild without them (full refresh)"
        )
    return done


def unfinished_retraction(cfg: Settings, con, batch_id: str) -> registry.Retraction | None:
    """The newest retraction of `batch_id` if it was killed between its commit and its folder's move: the quarantine
    folder it names is missing and the archive folder it came from is still there. Running `retract` again
    finishes it; `coachwh status` says so."""
    last = registry.latest_retraction(con, batch_id)
    if last is None or last.moved_from is None or cfg.in_home(last.moved_to).exists():
        return None
    return last if cfg.in_home(last.moved_from).is_dir() else None


def _move_to_quarantine(cfg: Settings, r: registry.Retraction, fingerprint: str) -> Path:
    """The retracted delivery's folder to the quarantine, beside a RETRACTED.md; returns where it went."""
    archived = cfg.in_home(r.moved_from) if r.moved_from else None  # (a loaded delivery always has its folder)
    destination = cfg.in_home(r.moved_to)
    if archived is not None and archived.is_dir():
        destination.parent.mkdir(parents=True, exist_ok=True)
        archived.rename(destination)
    else:
        destination.mkdir(parents=True)
    (destination / "RETRACTED.md").write_text(
        f"# Retracted: {r.batch_id} (delivery {r.delivery})\n\n"
        f"Retracted at {r.at.isoformat(timespec='seconds')} UTC by {r.who}: {r.reason}\n\n"
        f"Its {r.rows:,} raw rows were removed; the next run rebuilds the warehouse without them "
        "(full refresh). A corrected delivery of this date can now be dropped into the landing zone.\n",
        encoding="utf-8",
    )
    registry.write_retraction_record(destination, r, fingerprint)
    return destination
