"""Copy the batches to validate out of the warehouse, holding DuckDB's file lock for seconds only.

DuckDB lets one process write a file and locks every other process out while it is open, readers
included. A validation of the 15M-row history of the call table takes minutes; holding the warehouse open
that long would make a parallel Dagster step (the dbt build, the next ingestion) fail on the lock. So the
check opens the warehouse read-only, COPYs the rows of the chosen batches (the columns the suite reads
plus lineage) to a Parquet file in a temporary folder, closes the warehouse, and validates the copy.

Which batches: those named by the caller (the Dagster check passes the `batch_ids` that the latest
materialisation of the raw asset reports loading), else the most recent batch in the table (every row of
the maximum `_extract_date`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb

from pipelines.sources import RAW_SCHEMA, quote
from pipelines.warehouse_file import connect_waiting, sql_literal

LINEAGE = ("_batch_id", "_extract_date", "_source_file", "_row_number")
MEMORY_LIMIT = "1GB"  # DuckDB's share while copying (the ORDER BY spills to the temporary folder beyond it)


@dataclass(frozen=True)
class BatchSnapshot:
    raw_table: str
    rows: int
    batch_ids: list[str]
    extract_dates: list[str]
    path: Path | None  # Parquet file with the rows; None when there are none
    selection: str  # how the batches were chosen, for the check's metadata


def connect_read_only(warehouse: Path, wait_seconds: float, spill_dir: Path | None = None) -> duckdb.DuckDBPyConnection:
    """Open the warehouse read-only (DuckDB memory capped, spilling to `spill_dir`), waiting while
    another process holds the write lock."""
    config = {"memory_limit": MEMORY_LIMIT}
    if spill_dir is not None:
        config["temp_directory"] = str(spill_dir)
    return connect_waiting(warehouse, read_only=True, config=config, wait_seconds=wait_seconds)


def snapshot_batches(
    warehouse: Path,
    raw_table: str,
    columns: list[str],
    target: Path,
    batch_ids: list[str] | None = None,
    wait_seconds: float = 600.0,
) -> BatchSnapshot:
    """Write the rows of `batch_ids` (or of the latest batch) of raw.<raw_table> to `target` as Parquet:
    `columns` plus the lineage columns, in batch, file and row order."""
    selection = f"batches {', '.join(batch_ids)}" if batch_ids else "latest batch (max _extract_date)"
    empty = BatchSnapshot(raw_table, 0, [], [], None, selection)
    if not warehouse.exists():
        return empty
    con = connect_read_only(warehouse, wait_seconds, spill_dir=target.parent)
    try:
        exists = con.execute(
            "select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
            [RAW_SCHEMA, raw_table],
        ).fetchone()[0]
        if not exists:
            return empty
        table = f"{RAW_SCHEMA}.{quote(raw_table)}"
        if batch_ids:
            where = f"_batch_id IN ({', '.join(sql_literal(b) for b in batch_ids)})"
        else:
            where = f"_extract_date = (SELECT max(_extract_date) FROM {table})"
        rows, found, dates = con.execute(
            f"select count(*), list(distinct _batch_id order by _batch_id), "
            f"list(distinct CAST(_extract_date AS VARCHAR) ORDER BY CAST(_extract_date AS VARCHAR)) "
            f"from {table} where {where}"
        ).fetchone()
        if not rows:
            return empty
        select = ", ".join(quote(c) for c in [*columns, *LINEAGE])
        con.execute(
            f"COPY (SELECT {select} FROM {table} WHERE {where} "
            "ORDER BY _batch_id, _source_file, _row_number) "
            f"TO {sql_literal(str(target))} (FORMAT parquet)"
        )
    finally:
        con.close()
    return BatchSnapshot(raw_table, rows, list(found), list(dates or []), target, selection)
