"""DuckDB at the gate: open the warehouse, and bulk-load one CSV into its raw table.

The load is a single INSERT ... SELECT over DuckDB's CSV reader: every column VARCHAR from an explicit
column list (no sniffing), RFC 4180 quoting, strict field counts, UTF-8 validated by the reader, and
the header row(s) skipped as records (a quoted line break in a header does not shift the data).

`_row_number` is `row_number() OVER ()`. DuckDB documents that window functions with an empty OVER
clause keep the original row order (docs: SQL dialect > order preservation), and its CSV scan emits
rows in file order while `preserve_insertion_order` is on (the default; we set it explicitly). It runs
as a streaming window, so it costs little; tests check it on a file with multi-line quoted fields.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import duckdb

from pipelines.sources import LINEAGE_COLUMNS, RAW_SCHEMA, SourceFile, quote
from pipelines.warehouse_file import connect_waiting, sql_literal

# Peak memory target for a load is < 2 GiB for the whole process; DuckDB spills to disk beyond this.
DEFAULT_MEMORY_LIMIT = "1GB"


def connect(
    path: Path, memory_limit: str = DEFAULT_MEMORY_LIMIT, wait_seconds: float = 600.0
) -> duckdb.DuckDBPyConnection:
    """Open the warehouse for writing, waiting while another process (a parallel Dagster step, a dbt
    run) holds DuckDB's file lock. Raises WarehouseBusy after `wait_seconds`."""
    return connect_waiting(
        path,
        config={"memory_limit": memory_limit, "preserve_insertion_order": True},
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
    target = ", ".join([*(quote(c) for c in f.columns), *(n for n, _ in LINEAGE_COLUMNS)])
    sql = (
        f"INSERT INTO {RAW_SCHEMA}.{f.raw_table} ({target}) "
        f"SELECT *, ?, ?, ?::DATE, ?, row_number() OVER (), ?::TIMESTAMP FROM {csv_scan(csv_path, f, skip)}"
    )
    row = con.execute(sql, [batch_id, f.system, extract_date, source_file, loaded_at]).fetchone()
    return int(row[0]) if row else 0
