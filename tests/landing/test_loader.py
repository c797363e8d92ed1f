"""The DuckDB side of the gate: waiting on another writer's lock, and the reader's options."""

from __future__ import annotations

import re
import subprocess
import sys
import time
from datetime import datetime

import duckdb
import pytest

from pipelines.landing import loader
from pipelines.sources import source_file
from pipelines.warehouse_file import WarehouseBusy, insert_rows

HOLD = """
import sys, time, duckdb
con = duckdb.connect(sys.argv[1])
print("locked", flush=True)
time.sleep(float(sys.argv[2]))
con.close()
"""


def _hold_lock(path, seconds: float) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-c", HOLD, str(path), str(seconds)], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stdout.readline().strip() == "locked"
    return proc


def test_connect_waits_for_another_writer_says_so_once_then_opens(tmp_path, caplog):
    path = tmp_path / "warehouse.duckdb"
    holder = _hold_lock(path, 1.5)
    started = time.monotonic()
    con = loader.connect(path, wait_seconds=30)
    assert time.monotonic() - started > 0.5
    con.close()
    holder.wait(timeout=10)
    said = [r.getMessage() for r in caplog.records if r.getMessage().startswith("waiting:")]
    # once, however many times it tried; who holds the file comes from DuckDB's own message
    assert len(said) == 1, said
    assert re.fullmatch(
        rf"waiting: warehouse.duckdb is held by PID {holder.pid} \(python[\d.]*\); waiting up to 30 s for it", said[0]
    )


def test_connect_gives_up_with_a_clear_error(tmp_path):
    path = tmp_path / "warehouse.duckdb"
    holder = _hold_lock(path, 5)
    try:
        with pytest.raises(WarehouseBusy, match=rf"stayed locked by PID {holder.pid} \(python[\d.]*\) for 0.5 s"):
            loader.connect(path, wait_seconds=0.5)
    finally:
        holder.kill()
        holder.wait(timeout=10)


def test_csv_scan_reads_every_column_as_text_without_sniffing(tmp_path):
    sql = loader.csv_scan(tmp_path / "it's.csv", source_file("hris_workers"), skip=1)
    assert "/it''s.csv'" in sql and "auto_detect = false" in sql and "strict_mode = true" in sql
    assert "'Employee ID': 'VARCHAR'" in sql and "skip = 1" in sql


def test_insert_rows_appends_every_row_in_order_with_its_nulls_and_types():
    with duckdb.connect() as con:
        con.execute("CREATE TABLE t (id INTEGER, note VARCHAR, seen TIMESTAMP)")
        insert_rows(con, "t", [])  # nothing to write: no statement
        rows = [[1, None, datetime(2026, 11, 26, 2, 0)], [2, "b", None], [3, "c", datetime(2026, 11, 27)]]
        insert_rows(con, "t", rows)
        assert con.execute("SELECT * FROM t ORDER BY rowid").fetchall() == [tuple(r) for r in rows]
