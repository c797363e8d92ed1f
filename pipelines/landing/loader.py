"""DuckDB at the gate: open the warehouse, and bulk-load one CSV into its raw table.

The load is a single INSERT ... SELECT over DuckDB's CSV reader: every column VARCHAR from an explicit
column list (no sniffing), RFC 4180 quoting, strict field counts, UTF-8 validated by the reader, and
the header row(s) skipped as records (a quoted line break in a header does not shift the data).

`_row_number` is the record's position among the rows this INSERT appended, taken from DuckDB's
`rowid` right after it, inside the same transaction. With `preserve_insertion_order` on (the default;
we set it explicitly) the parallel CSV scan appends rows in file order, so their row ids are
consecutive in file order. Why not `row_number() OVER ()` in the INSERT: that window is a streaming
operator that cannot run in parallel, so it made the whole scan-and-compress pipeline single-threaded
(the large profile's 15 M calls: 32-40 s, against 21 s this way with the UPDATE and the commit; see
CHECKPOINT_THRESHOLD for the commit). Tests check file order on files with multi-line quoted fields
read by several threads, and numbering per file beside earlier batches and another file of the batch.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import duckdb

from pipelines.sources import LINEAGE_COLUMNS, RAW_SCHEMA, SourceFile, quote
from pipelines.warehouse_file import connect_waiting, sql_literal

# A batch's commit checkpoints instead of writing the WAL. The `_row_number` UPDATE below would otherwise
# go to the WAL row by row at commit (7-10 s for the large profile's 15 M calls) and be replayed into the
# file at the next checkpoint; checkpointing at commit writes the updated column once (under 1 s).
CHECKPOINT_THRESHOLD = "1KB"

# Peak memory target for a load is < 2 GiB for the whole process; DuckDB spills to disk beyond this.
DEFAULT_MEMORY_LIMIT = "1GB"


def connect(
    path: Path, memory_limit: str = DEFAULT_MEMORY_LIMIT, wait_seconds: float = 600.0
) -> duckdb.DuckDBPyConnection:
    """Open the warehouse for writing, waiting while another process (a parallel Dagster step, a dbt
    run) holds DuckDB's file lock. Raises WarehouseBusy after `wait_seconds`."""
    return connect_waiting(
        path,
        config={
            "memory_limit": memory_limit,
            "preserve_insertion_order": True,
            "checkpoint_threshold": CHECKPOINT_THRESHOLD,
        },
        wait_seconds=wait_seconds,
    )


def csv_scan(path: Path, f: SourceFile, skip: int) -> str:
    """The read_csv(...) call for a delivery of `f`: explicit VARCHAR columns, strict, nothing sniffed."""
    columns = "{" + ", ".join(f"{sql_literal(c)}: 'VARCHAR'" for c in f.columns) + "}"
    return (
        f"read_csv({sql_literal(str(path))}, columns = {columns}, header = false, skip = {skip}, "
        "auto_detect = false, delim = ',', quote = '\"', escape = '\"', strict_mode = true, "
        "null_padding = false, encoding = 'utf-8')"
    )


def insert_file(
    con: duckdb.DuckDBPyConnection,
    f: SourceFile,
    csv_path: Path,
    *,
    skip: int,
    batch_id: str,
    extract_date: date,
    source_file: str,
    loaded_at: datetime,
) -> int:
    """Append every data record of `csv_path` to raw.<f.raw_table> with lineage; return the row count.

    Runs inside the caller's transaction. Raises duckdb.Error when the reader refuses the file.
    """
    table = f"{RAW_SCHEMA}.{f.raw_table}"
    target = ", ".join([*(quote(c) for c in f.columns), *(n for n, _ in LINEAGE_COLUMNS)])
    sql = (
        f"INSERT INTO {table} ({target}) "
        f"SELECT *, ?, ?, ?::DATE, ?, NULL, ?::TIMESTAMP FROM {csv_scan(csv_path, f, skip)}"
    )
    row = con.execute(sql, [batch_id, f.system, extract_date, source_file, loaded_at]).fetchone()
    this_file = "_batch_id = ? AND _source_file = ?"
    con.execute(
        f"UPDATE {table} SET _row_number = rowid - (SELECT min(rowid) FROM {table} WHERE {this_file}) + 1 "
        f"WHERE {this_file}",
        [batch_id, source_file, batch_id, source_file],
    )
    return int(row[0]) if row else 0
