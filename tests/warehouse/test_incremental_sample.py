"""End to end on the small sample: a nightly incremental build after one more night of exports, and
incremental builds of batches that arrive newest first, give the same staging, intermediate and marts as a
--full-refresh build (floats compared to 1e-9 relative: DuckDB's parallel sums may add in another order from
one run to the next, incremental or not).
"""

from __future__ import annotations

import math
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from pipelines.config import DBT_PROJECT_DIR
from tests.delivery import deliver, hold_back

pytestmark = pytest.mark.slow

BIN = Path(sys.executable).parent


def _run(home: Path, *cmd: str) -> None:
    """In a subprocess: dbt-duckdb in-process keeps the warehouse file open, which would lock out the
    ingestion's own process."""
    env = {**os.environ, "COACHWH_HOME": str(home), "COACHWH_LANDING": str(home / "landing")}
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, f"{' '.join(cmd)} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"


def coachwh(home: Path, *args: str) -> None:
    _run(home, str(BIN / "coachwh"), *args)


def run_dbt(home: Path, *args: str) -> None:
    _run(
        home,
        str(BIN / "dbt"),
        *args,
        "--project-dir",
        str(DBT_PROJECT_DIR),
        "--profiles-dir",
        str(DBT_PROJECT_DIR),
        "--target-path",
        str(home / "dbt_target"),
        "--log-path",
        str(home / "dbt_logs"),
    )


def snapshot(path: Path) -> dict[str, list[tuple]]:
    with duckdb.connect(str(path)) as con:
        tables = con.execute(
            "select table_schema, table_name from information_schema.tables "
            "where table_schema in ('staging', 'intermediate', 'marts')"
        ).fetchall()
        return {f"{s}.{t}": sorted(con.execute(f'select * from {s}."{t}"').fetchall(), key=repr) for s, t in tables}


def same(a, b) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9) or (math.isnan(a) and math.isnan(b))
    return a == b


def assert_same_tables(incremental: dict[str, list[tuple]], full: dict[str, list[tuple]]) -> None:
    assert incremental.keys() == full.keys()
    assert any(k.startswith("marts.mart_") for k in full)
    for table in full:
        inc_rows, full_rows = incremental[table], full[table]
        assert len(inc_rows) == len(full_rows), table

        # sort keys can differ by a float's last bit: match rows by their non-float cells first
        def key(row):
            return repr(tuple(None if isinstance(v, float) else v for v in row))

        inc_sorted, full_sorted = sorted(inc_rows, key=key), sorted(full_rows, key=key)
        for a, b in zip(inc_sorted, full_sorted, strict=True):
            assert all(same(x, y) for x, y in zip(a, b, strict=True)), (table, a, b)


def load_and_build(home: Path) -> None:
    """What a night does: the gate loads what is pending, then dbt builds incrementally."""
    coachwh(home, "ingest")
    run_dbt(home, "run")


def assert_rebuild_changes_nothing(home: Path) -> None:
    """The incrementally built warehouse equals a --full-refresh build of the same raw tables."""
    incremental = snapshot(home / "warehouse.duckdb")
    run_dbt(home, "run", "--full-refresh")
    assert_same_tables(incremental, snapshot(home / "warehouse.duckdb"))


def test_incremental_nightly_equals_full_refresh_on_the_sample(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    coachwh(home, "generate", "--profile", "small", "--days", "1")
    # Hold the last night back, build the history, then deliver the night and build incrementally.
    landing = home / "landing"
    last_night = max(p.name for p in (landing / "crm").iterdir())
    night = hold_back(landing, tmp_path / "held", last_night)
    load_and_build(home)
    deliver(night, landing)
    load_and_build(home)
    assert_rebuild_changes_nothing(home)


def test_batches_arriving_newest_first_build_what_a_rebuild_gives(tmp_path):
    """sources.md: a batch for an older date that arrives late still loads, and a record's later state wins
    by its own stamp, not by arrival; a snapshot of an older date is history only. Here every batch arrives
    late: the last night first, then the night before, then the history, each built incrementally."""
    home = tmp_path / "home"
    home.mkdir()
    coachwh(home, "generate", "--profile", "small", "--days", "2")
    landing = home / "landing"
    dates = sorted(p.name for p in (landing / "crm").iterdir())
    assert len(dates) == 3, dates
    held = [hold_back(landing, tmp_path / "held", d) for d in dates]
    for batches in reversed(held):
        deliver(batches, landing)
        load_and_build(home)
    assert_rebuild_changes_nothing(home)
