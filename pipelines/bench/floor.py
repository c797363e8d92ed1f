"""The floor: bare DuckDB reading the history files into tables (all text), with the gate's own reader.

No design avoids this much work; every other figure of the benchmark is shown as a multiple of it. It
runs in a child process (`python -m pipelines.bench floor FILES_JSON DB`) so its memory is its own.
"""

from __future__ import annotations

import json
import time
from pathlib import Path


def read_into_tables(files: list[tuple[str, str]], db: Path) -> dict:
    """CREATE TABLE AS SELECT * FROM read_csv(...) for each (system, path), as the gate reads them."""
    import duckdb

    from pipelines.landing.loader import csv_scan
    from pipelines.sources import classify

    started = time.perf_counter()
    con = duckdb.connect(str(db))
    con.execute("SET enable_progress_bar = false")
    rows = 0
    for i, (system, path) in enumerate(files):
        f = classify(system, Path(path).name)
        assert f is not None, path
        con.execute(f"CREATE TABLE t{i} AS SELECT * FROM {csv_scan(Path(path), f, f.header_rows)}")
        rows += con.execute(f"SELECT count(*) FROM t{i}").fetchone()[0]
    con.close()
    return {"seconds": time.perf_counter() - started, "rows": rows}


def main(files_json: str, db: str) -> None:
    print(json.dumps(read_into_tables(json.loads(files_json), Path(db))))
