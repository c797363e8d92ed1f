"""The batch registry in schema `ops`: every batch seen, and what became of it.

ops.batch_registry  one row per delivery of a batch folder (delivery 1, 2, ... for the same
                    "<system>/<date>"): status loaded | quarantined | duplicate | waiting, the reason,
                    file/row/byte totals, the files as JSON, where the folder went, and when.
                    A waiting row is replaced by the delivery's final row once its manifest arrives.
ops.batch_files     one row per file of a loaded, duplicate or quarantined delivery (as the manifest
                    names it): checksum, row count, bytes, raw table.

Raw tables are append-only; these bookkeeping tables are the only ones the gate updates.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime

import duckdb

OPS_SCHEMA = "ops"

DDL = (
    f"CREATE SCHEMA IF NOT EXISTS {OPS_SCHEMA}",
    f"""CREATE TABLE IF NOT EXISTS {OPS_SCHEMA}.batch_registry (
        batch_id      VARCHAR NOT NULL,   -- "<system>/<extract-date>", as the folder is named
        system        VARCHAR NOT NULL,
        extract_date  DATE,               -- NULL when the folder name is no date
        delivery      INTEGER NOT NULL,   -- 1 for the first delivery of this batch name, then 2, 3, ...
        status        VARCHAR NOT NULL,   -- loaded | quarantined | duplicate | waiting
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
)


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


def loaded_delivery(con: duckdb.DuckDBPyConnection, batch_id: str) -> tuple[int, datetime, dict[str, str]] | None:
    """(delivery, recorded_at, file -> sha256) of the delivery of `batch_id` that loaded, if any."""
    row = con.execute(
        f"SELECT delivery, recorded_at FROM {OPS_SCHEMA}.batch_registry WHERE batch_id = ? AND status = 'loaded'",
        [batch_id],
    ).fetchone()
    if row is None:
        return None
    files = con.execute(
        f"SELECT file_name, sha256 FROM {OPS_SCHEMA}.batch_files WHERE batch_id = ? AND delivery = ?",
        [batch_id, row[0]],
    ).fetchall()
    return int(row[0]), row[1], dict(files)


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
        con.executemany(
            f"INSERT INTO {OPS_SCHEMA}.batch_files VALUES (?, ?, ?, ?, ?, ?, ?)",
            [[rec.batch_id, rec.delivery, f.name, f.raw_table, f.rows, f.sha256, f.bytes] for f in rec.files],
        )


def record_waiting(con: duckdb.DuckDBPyConnection, rec: BatchRecord, now: datetime) -> None:
    """Note (or refresh) that a batch folder is present without its manifest yet."""
    record(con, rec, now)
