"""The batch registry in schema `ops`: every batch seen, and what became of it.

ops.batch_registry  one row per delivery of a batch folder (delivery 1, 2, ... for the same
                    "<system>/<date>"): status loaded | quarantined | duplicate | waiting, the reason,
                    file/row/byte totals, the files as JSON, where the folder went, and when.
                    A waiting row is replaced by the delivery's final row once its manifest arrives.
ops.batch_files     one row per file of a loaded, duplicate or quarantined delivery (as the manifest
                    names it): checksum, row count, bytes, raw table.
ops.batch_retractions  who retracted which loaded delivery, when and why (`coachwh retract`); its
                    registry row's status becomes `retracted`.
ops.full_refresh_requests  a retraction asks the next dbt build to rebuild from raw (--full-refresh);
                    `done_at` is set once a build after it succeeded.

Raw tables are append-only; these bookkeeping tables are the only ones the gate updates.
"""

from __future__ import annotations

import hashlib
import json
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

from pipelines.warehouse_file import column_exists, connect_waiting, insert_rows, table_exists

if TYPE_CHECKING:
    from pipelines.publication import Publication

OPS_SCHEMA = "ops"

DDL = (
    f"CREATE SCHEMA IF NOT EXISTS {OPS_SCHEMA}",
    f"""CREATE TABLE IF NOT EXISTS {OPS_SCHEMA}.batch_registry (
        batch_id      VARCHAR NOT NULL,   -- "<system>/<extract-date>", as the folder is named
        system        VARCHAR NOT NULL,
        extract_date  DATE,               -- NULL when the folder name is no date
        delivery      INTEGER NOT NULL,   -- 1 for the first delivery of this batch name, then 2, 3, ...
        status        VARCHAR NOT NULL,   -- loaded | quarantined | duplicate | waiting | retracted
        reason        VARCHAR,
        file_count    INTEGER,
        row_count     BIGINT,
        byte_count    BIGINT,
        files         VARCHAR,            -- JSON object: file name -> rows, sha256, bytes
        stored_at     VARCHAR,            -- archive or quarantine folder it was moved to
        first_seen_at TIMESTAMP NOT NULL,
        recorded_at   TIMESTAMP NOT NULL
    )""",
    f"""CREATE TABLE IF NOT EXISTS {OPS_SCHEMA}.batch_files (
        batch_id   VARCHAR NOT NULL,
        delivery   INTEGER NOT NULL,
        file_name  VARCHAR NOT NULL,
        raw_table  VARCHAR,
        row_count  BIGINT,
        sha256     VARCHAR,
        byte_count BIGINT
    )""",
    f"""CREATE TABLE IF NOT EXISTS {OPS_SCHEMA}.batch_retractions (
        batch_id      VARCHAR NOT NULL,
        delivery      INTEGER NOT NULL,
        reason        VARCHAR NOT NULL,
        retracted_by  VARCHAR NOT NULL,
        retracted_at  TIMESTAMP NOT NULL,
        rows_removed  BIGINT NOT NULL,
        moved_to      VARCHAR               -- the quarantine folder its archived files went to
    )""",
    # added later (warehouses made before it gain it here): where the files were, so that a retraction killed
    # between its commit and the move of its folder can be finished by running it again
    f"ALTER TABLE {OPS_SCHEMA}.batch_retractions ADD COLUMN IF NOT EXISTS moved_from VARCHAR",
    # added later: when the delivery had loaded (its registry row's time becomes the retraction's), so that a
    # publication made between the two is known to hold it (`retracted_since_published`)
    f"ALTER TABLE {OPS_SCHEMA}.batch_retractions ADD COLUMN IF NOT EXISTS loaded_at TIMESTAMP",
    f"""CREATE TABLE IF NOT EXISTS {OPS_SCHEMA}.full_refresh_requests (
        requested_at  TIMESTAMP NOT NULL,
        reason        VARCHAR NOT NULL,
        done_at       TIMESTAMP
    )""",
    # added later: each engine keeps incremental tables of its own, so each must do the rebuild (DONE_COLUMN)
    f"ALTER TABLE {OPS_SCHEMA}.full_refresh_requests ADD COLUMN IF NOT EXISTS spark_done_at TIMESTAMP",
)
ENGINE_DONE_DDL = DDL[-1]

# When each engine did a requested full rebuild: DuckDB's incremental tables are in the warehouse, Spark's in its
# own (pipelines/spark), and a rebuild on one leaves the other's with the retracted rows.
DONE_COLUMN = {"duckdb": "done_at", "spark": "spark_done_at"}


@dataclass(frozen=True)
class FileRecord:
    name: str
    raw_table: str | None
    rows: int | None
    sha256: str | None
    bytes: int | None


@dataclass
class BatchRecord:
    batch_id: str
    system: str
    extract_date: date | None
    delivery: int
    status: str
    reason: str | None = None
    files: list[FileRecord] = field(default_factory=list)
    stored_at: str | None = None


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    for statement in DDL:
        con.execute(statement)


def next_delivery(con: duckdb.DuckDBPyConnection, batch_id: str) -> int:
    row = con.execute(
        f"SELECT coalesce(max(delivery), 0) FROM {OPS_SCHEMA}.batch_registry"
        " WHERE batch_id = ? AND status <> 'waiting'",
        [batch_id],
    ).fetchone()
    return int(row[0]) + 1


@dataclass(frozen=True)
class LoadedDelivery:
    """The delivery of a batch id that loaded."""

    delivery: int
    recorded_at: datetime
    files: dict[str, str]  # file name -> sha256
    stored_at: str | None  # the archive folder it was moved to, as recorded (Settings.in_home reads it)


def loaded_delivery(con: duckdb.DuckDBPyConnection, batch_id: str) -> LoadedDelivery | None:
    """The delivery of `batch_id` that loaded, if any."""
    row = con.execute(
        f"SELECT delivery, recorded_at, stored_at FROM {OPS_SCHEMA}.batch_registry "
        "WHERE batch_id = ? AND status = 'loaded'",
        [batch_id],
    ).fetchone()
    if row is None:
        return None
    return LoadedDelivery(int(row[0]), row[1], delivery_files(con, batch_id, row[0]), row[2])


def delivery_files(con: duckdb.DuckDBPyConnection, batch_id: str, delivery: int) -> dict[str, str]:
    """file name -> sha256 of one delivery, as the registry recorded them."""
    rows = con.execute(
        f"SELECT file_name, sha256 FROM {OPS_SCHEMA}.batch_files WHERE batch_id = ? AND delivery = ?",
        [batch_id, delivery],
    ).fetchall()
    return dict(rows)


def delivery_fingerprint(files: dict[str, str]) -> str:
    """What a delivery is, whatever the registry that numbered it: the sha256 over its files' names and sha256s.
    The same files delivered again, or loaded again into a rebuilt warehouse, have the same fingerprint."""
    listing = "\n".join(f"{name}:{sha}" for name, sha in sorted(files.items()))
    return hashlib.sha256(listing.encode()).hexdigest()


def loaded_fingerprints(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """batch id -> the fingerprint of its loaded delivery, for every batch whose rows are in raw now."""
    rows = con.execute(
        f"SELECT r.batch_id, f.file_name, f.sha256 FROM {OPS_SCHEMA}.batch_registry AS r "
        f"JOIN {OPS_SCHEMA}.batch_files AS f USING (batch_id, delivery) WHERE r.status = 'loaded'"
    ).fetchall()
    files: dict[str, dict[str, str]] = {}
    for batch_id, name, sha in rows:
        files.setdefault(batch_id, {})[name] = sha
    return {batch_id: delivery_fingerprint(f) for batch_id, f in files.items()}


def _first_seen(con: duckdb.DuckDBPyConnection, batch_id: str, now: datetime) -> datetime:
    row = con.execute(
        f"SELECT min(first_seen_at) FROM {OPS_SCHEMA}.batch_registry WHERE batch_id = ? AND status = 'waiting'",
        [batch_id],
    ).fetchone()
    return row[0] if row and row[0] is not None else now


def record(con: duckdb.DuckDBPyConnection, rec: BatchRecord, now: datetime) -> None:
    """Write the registry rows of one delivery (replacing its waiting row), in the caller's transaction."""
    first_seen = _first_seen(con, rec.batch_id, now)
    con.execute(f"DELETE FROM {OPS_SCHEMA}.batch_registry WHERE batch_id = ? AND status = 'waiting'", [rec.batch_id])
    known = [f for f in rec.files if f.rows is not None]
    files_json = json.dumps(
        {f.name: {"rows": f.rows, "sha256": f.sha256, "bytes": f.bytes} for f in rec.files}, sort_keys=True
    )
    con.execute(
        f"INSERT INTO {OPS_SCHEMA}.batch_registry VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            rec.batch_id,
            rec.system,
            rec.extract_date,
            rec.delivery,
            rec.status,
            rec.reason,
            len(rec.files),
            sum(f.rows for f in known) if known else None,
            sum(f.bytes or 0 for f in rec.files),
            files_json,
            rec.stored_at,
            first_seen,
            now,
        ],
    )
    if rec.status != "waiting" and rec.files:
        insert_rows(
            con,
            f"{OPS_SCHEMA}.batch_files",
            [[rec.batch_id, rec.delivery, f.name, f.raw_table, f.rows, f.sha256, f.bytes] for f in rec.files],
        )


def record_waiting(con: duckdb.DuckDBPyConnection, rec: BatchRecord, now: datetime) -> None:
    """Note (or refresh) that a batch folder is present without its manifest yet."""
    record(con, rec, now)


@dataclass(frozen=True)
class Retraction:
    """One row of ops.batch_retractions: which delivery, why, who, when, and its folder's move."""

    batch_id: str
    delivery: int
    reason: str
    who: str
    at: datetime
    rows: int
    moved_to: str
    moved_from: str | None  # None for retractions recorded before the column existed
    loaded_at: datetime | None = None  # when the delivery had loaded; None for retractions recorded before


def record_retraction(con: duckdb.DuckDBPyConnection, r: Retraction) -> None:
    """Mark a loaded delivery retracted and ask for a full rebuild, in the caller's transaction."""
    con.execute(
        f"UPDATE {OPS_SCHEMA}.batch_registry SET status = 'retracted', reason = ?, stored_at = ?, "
        "recorded_at = ? WHERE batch_id = ? AND delivery = ? AND status = 'loaded'",
        [f"retracted by {r.who}: {r.reason}", r.moved_to, r.at, r.batch_id, r.delivery],
    )
    con.execute(
        f"INSERT INTO {OPS_SCHEMA}.batch_retractions (batch_id, delivery, reason, retracted_by, retracted_at, "
        "rows_removed, moved_to, moved_from, loaded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [r.batch_id, r.delivery, r.reason, r.who, r.at, r.rows, r.moved_to, r.moved_from, r.loaded_at],
    )
    con.execute(
        f"INSERT INTO {OPS_SCHEMA}.full_refresh_requests (requested_at, reason) VALUES (?, ?)",
        [r.at, f"{r.batch_id} retracted: {r.reason}"],
    )


def latest_retraction(con: duckdb.DuckDBPyConnection, batch_id: str) -> Retraction | None:
    """The newest retraction of `batch_id`, or None. Read by name, so that a warehouse opened read-only before a
    write added `moved_from` reads it as None."""
    cur = con.execute(
        f"SELECT * FROM {OPS_SCHEMA}.batch_retractions WHERE batch_id = ? "
        "ORDER BY retracted_at DESC, delivery DESC LIMIT 1",
        [batch_id],
    )
    row = cur.fetchone()
    if row is None:
        return None
    return _retraction(dict(zip([d[0] for d in cur.description], row, strict=True)))


def _retraction(r: dict) -> Retraction:
    """A Retraction from a row of ops.batch_retractions, read by name (columns added later may be missing)."""
    return Retraction(
        r["batch_id"], r["delivery"], r["reason"], r["retracted_by"], r["retracted_at"], r["rows_removed"],
        r["moved_to"], r.get("moved_from"), r.get("loaded_at"),
    )  # fmt: skip


def write_missing_retraction_records(con: duckdb.DuckDBPyConnection, in_home: Callable[[str], Path]) -> list[Path]:
    """Retractions made by a version before `RETRACTION_RECORD` existed (an install upgraded since): their quarantine
    folders get the record now, while this warehouse still knows them, so that a warehouse rebuilt from the
    archive later does not forget them. Returns the records written. `in_home` is `Settings.in_home`."""
    written = []
    for r in _warehouse_retractions(con):
        folder = in_home(r["moved_to"])
        if not folder.is_dir() or (folder / RETRACTION_RECORD).exists() or (folder / WITHDRAWN_RECORD).exists():
            continue
        write_retraction_record(folder, replace(_retraction(r), loaded_at=r["loaded_at"]), r["fingerprint"])
        written.append(folder / RETRACTION_RECORD)
    return written


def _warehouse_retractions(con: duckdb.DuckDBPyConnection) -> list[dict]:
    """Every row of ops.batch_retractions, read by name (a warehouse opened read-only before a write added a column
    reads it as missing), with the fingerprint of the delivery's files, and as `loaded_at` the time the batch was
    first seen where the retraction was recorded before its load time was kept (no later)."""
    if not table_exists(con, OPS_SCHEMA, "batch_retractions"):
        return []
    cur = con.execute(
        f"SELECT r.*, b.first_seen_at FROM {OPS_SCHEMA}.batch_retractions AS r "
        f"JOIN {OPS_SCHEMA}.batch_registry AS b USING (batch_id, delivery)"
    )
    names = [d[0] for d in cur.description]
    rows = [dict(zip(names, row, strict=True)) for row in cur.fetchall()]
    for r in rows:
        r["loaded_at"] = r.get("loaded_at") or r["first_seen_at"]
        r["fingerprint"] = delivery_fingerprint(delivery_files(con, r["batch_id"], r["delivery"]))
    return rows


def retracted_since_published(
    warehouse: Path, publications: Iterable[Publication], quarantine: Path | None = None
) -> dict[str, list[str]]:
    """run id -> the retracted batches (with the reason) that the run's publication holds: what it shows that the
    warehouse no longer does, or should not.

    A publication records the deliveries its marts were built from (`Publication.batches`: batch id -> delivery
    fingerprint): it holds a retracted batch when it was built from that very delivery, whenever it was published
    (a retraction made after a rebuild from the archive, a warehouse backup restored from before a retraction). A
    publication made before that record existed is judged by time: it holds the batches that had loaded when it was
    made and were retracted after (times are naive UTC, as the registry's).
    The retractions come from the warehouse and from the `RETRACTION_RECORD` each one leaves in `quarantine`: a
    warehouse rebuilt from the archive (`coachwh unarchive`) no longer knows those made before it. A retraction
    withdrawn (its record renamed to `WITHDRAWN_RECORD`, as the gate tells the operator to when it was a mistake)
    holds nothing back, though the warehouse still lists it: its very files may have loaded again since."""
    publications = list(publications)
    if not publications:
        return {}
    retractions = {_retraction_key(r): r for r in recorded_retractions(quarantine)}
    if warehouse.exists():
        with connect_waiting(warehouse, read_only=True, wait_seconds=60) as con:
            retractions.update({_retraction_key(r): r for r in _warehouse_retractions(con)})
    for withdrawn in recorded_retractions(quarantine, WITHDRAWN_RECORD):
        retractions.pop(_retraction_key(withdrawn), None)
    ordered = sorted(retractions.values(), key=_retraction_key)
    held_by: dict[str, list[str]] = {}
    for p in publications:
        held = [f"{r['batch_id']} ({r['reason']})" for r in ordered if _holds(p, r)]
        if held:
            held_by[p.run_id] = list(dict.fromkeys(held))  # a batch retracted twice, from one delivery: once
    return held_by


def _retraction_key(r: dict) -> tuple[str, datetime]:
    """One retraction, whether read from the warehouse or from a record in the quarantine."""
    return r["batch_id"], r["retracted_at"]


def _holds(p: Publication, r: dict) -> bool:
    if p.batches is not None and r.get("fingerprint"):
        return p.batches.get(r["batch_id"]) == r["fingerprint"]
    return r.get("loaded_at") is not None and r["loaded_at"] <= p.published_at < r["retracted_at"]


# What a retraction leaves beside RETRACTED.md in the quarantine: the facts `retracted_since_published` needs,
# kept where a lost warehouse cannot take them along.
RETRACTION_RECORD = "retraction.json"
# The same record renamed by someone who found the retraction a mistake: no longer read, never written again.
WITHDRAWN_RECORD = "retraction.withdrawn.json"


def write_retraction_record(folder: Path, r: Retraction, fingerprint: str) -> None:
    """Written whole or not at all (a temporary file renamed over), so that a retraction killed while it wrote
    leaves no half a record for `coachwh publications` and `coachwh rollback` to stumble on."""
    record = {
        "batch_id": r.batch_id,
        "delivery": r.delivery,
        "fingerprint": fingerprint,
        "reason": r.reason,
        "retracted_by": r.who,
        "retracted_at": r.at.isoformat(),
        "loaded_at": r.loaded_at.isoformat() if r.loaded_at else None,
    }
    partial = folder / f".{RETRACTION_RECORD}.partial"
    partial.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    partial.replace(folder / RETRACTION_RECORD)


def retracted_files(quarantine: Path | None) -> dict[tuple[str, str], dict]:
    """(batch id, delivery fingerprint) -> the record of its retraction: the files that must not be in raw again."""
    return {(r["batch_id"], r["fingerprint"]): r for r in recorded_retractions(quarantine) if r.get("fingerprint")}


def retracted_yet_loaded(loaded: dict[str, str], retracted: dict[tuple[str, str], dict]) -> list[tuple[str, dict]]:
    """(batch id, retraction record) of each batch whose loaded delivery (`loaded_fingerprints`) is the very files of
    a recorded retraction (`retracted_files`): a warehouse restored from before the retraction."""
    return [
        (batch_id, retracted[(batch_id, fp)]) for batch_id, fp in sorted(loaded.items()) if (batch_id, fp) in retracted
    ]


def recorded_retractions(quarantine: Path | None, record: str = RETRACTION_RECORD) -> list[dict]:
    """The retraction records (or, with `record=WITHDRAWN_RECORD`, the withdrawn ones) in
    `quarantine/<system>/<folder>/`, times as naive UTC datetimes. A record that cannot be read (edited by hand, a
    disk error) is left out with a warning on stderr rather than stop a rollback."""
    if quarantine is None or not quarantine.is_dir():
        return []
    records = []
    for path in sorted(quarantine.glob(f"*/*/{record}")):
        try:
            r = json.loads(path.read_text(encoding="utf-8"))
            at = r.get("loaded_at")
            records.append(
                {
                    **r,
                    "record": path,
                    "retracted_at": datetime.fromisoformat(r["retracted_at"]),
                    "loaded_at": datetime.fromisoformat(at) if at else None,
                }
            )
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as e:
            print(
                f"WARNING: {path} is no readable retraction record ({type(e).__name__}: {e}); left out", file=sys.stderr
            )
    return records


def full_refresh_requests(con: duckdb.DuckDBPyConnection, engine: str = "duckdb") -> list[tuple[datetime, str]]:
    """(requested_at, reason) of every full rebuild asked for and not yet done by `engine`; [] without the table."""
    if not table_exists(con, OPS_SCHEMA, "full_refresh_requests"):
        return []
    column = DONE_COLUMN[engine]
    # a warehouse from before the column: no request done on that engine
    undone = f"{column} IS NULL" if column_exists(con, OPS_SCHEMA, "full_refresh_requests", column) else "TRUE"
    return con.execute(
        f"SELECT requested_at, reason FROM {OPS_SCHEMA}.full_refresh_requests WHERE {undone} ORDER BY requested_at"
    ).fetchall()


def full_refresh_done(con: duckdb.DuckDBPyConnection, upto: datetime, now: datetime, engine: str = "duckdb") -> None:
    """Mark the requests made up to `upto` done by `engine` (a full build on it that started after them succeeded)."""
    con.execute(ENGINE_DONE_DDL)  # on a warehouse whose registry is older than the engine columns
    column = DONE_COLUMN[engine]
    con.execute(
        f"UPDATE {OPS_SCHEMA}.full_refresh_requests SET {column} = ? WHERE {column} IS NULL AND requested_at <= ?",
        [now, upto],
    )


def pending_full_refresh(warehouse: Path, engine: str = "duckdb") -> list[tuple[datetime, str]]:
    """The full rebuilds asked for (by `coachwh retract`) and not yet done by `engine`, read from the warehouse
    file; the hook `pipelines/defs/warehouse.py` calls before a dbt build."""
    if not warehouse.exists():
        return []
    with connect_waiting(warehouse, read_only=True) as con:
        return full_refresh_requests(con, engine)


def mark_full_refresh_done(warehouse: Path, upto: datetime, engine: str = "duckdb") -> None:
    """After a successful full build on `engine`: its requests up to `upto` are done."""
    with connect_waiting(warehouse) as con:
        full_refresh_done(con, upto, datetime.now(UTC).replace(tzinfo=None), engine)
