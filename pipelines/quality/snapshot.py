"""Copy the batch to validate out of the warehouse, holding DuckDB's file lock for seconds only.

DuckDB lets one process write a file and locks every other process out while it is open, readers
included. A validation of a 15M-row call table takes minutes; holding the warehouse open that long would
make a parallel Dagster step (the dbt build, the next ingestion) fail on the lock. So the check opens the
warehouse read-only, COPYs the rows of the latest batch (the columns the suite reads plus lineage) to a
Parquet file in a temporary folder, closes the warehouse, and validates from the copy.

Which rows: the most recent batch in the table, i.e. every row whose `_extract_date` is the table's
maximum. A late batch for an older date is therefore not re-validated when it lands after a newer one
(its rows still pass through the dbt staging tests); choosing max(_extract_date) keeps the check
independent of how the ingestion assets record their runs.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb

from pipelines.sources import RAW_SCHEMA, quote

LINEAGE = ("_batch_id", "_extract_date", "_source_file", "_row_number")


class WarehouseLocked(RuntimeError):
    """Another process kept the warehouse locked longer than we were willing to wait."""


@dataclass(frozen=True)
class BatchSnapshot:
    raw_table: str
    extract_date: date | None
    rows: int
    batch_ids: list[str]
    source_files: list[str]
    path: Path | None  # Parquet file with the rows; None when there are none


def connect_read_only(warehouse: Path, wait_seconds: float) -> duckdb.DuckDBPyConnection:
    """Open the warehouse read-only, waiting while another process holds the write lock."""
    deadline = time.monotonic() + wait_seconds
    delay = 0.1
    while True:
        try:
            con = duckdb.connect(str(warehouse), read_only=True)
            con.execute("SET enable_progress_bar = false")
            return con
        except duckdb.IOException as e:
            if "lock" not in str(e).lower():
                raise
            if time.monotonic() >= deadline:
                raise WarehouseLocked(
                    f"{warehouse} stayed locked by another process for {wait_seconds:.0f}s; "
                    f"the source contract check could not read it: {e}"
                ) from e
            time.sleep(delay)
            delay = min(delay * 2, 2.0)


def snapshot_latest_batch(
    warehouse: Path, raw_table: str, columns: list[str], target: Path, wait_seconds: float = 600.0
) -> BatchSnapshot:
    """Write the latest batch of raw.<raw_table> (`columns` + lineage) to `target` as Parquet."""
    empty = BatchSnapshot(raw_table, None, 0, [], [], None)
    if not warehouse.exists():
        return empty
    con = connect_read_only(warehouse, wait_seconds)
    try:
        exists = con.execute(
            "select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
            [RAW_SCHEMA, raw_table],
        ).fetchone()[0]
        if not exists:
            return empty
        table = f"{RAW_SCHEMA}.{quote(raw_table)}"
        latest = con.execute(f"select max(_extract_date) from {table}").fetchone()[0]
        if latest is None:
            return empty
        select = ", ".join(quote(c) for c in [*columns, *LINEAGE])
        path = str(target).replace("'", "''")
        con.execute(
            f"COPY (SELECT {select} FROM {table} WHERE _extract_date = DATE '{latest.isoformat()}' "
            f"ORDER BY _source_file, _row_number) TO '{path}' (FORMAT parquet)"
        )
        stats = con.execute(
            f"select count(*), list(distinct _batch_id order by _batch_id), "
            f"list(distinct _source_file order by _source_file) from {table} where _extract_date = ?",
            [latest],
        ).fetchone()
    finally:
        con.close()
    return BatchSnapshot(raw_table, latest, stats[0], list(stats[1]), list(stats[2]), target)
