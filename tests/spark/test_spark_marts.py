"""The warehouse on Spark, end to end on the small sample (`make test-spark`).

The history with the second night, and then the first night, late, are built with `coachwh run --engine spark`,
so the second build runs the incremental models on Spark (insert_overwrite of the touched key buckets) over an
older batch whose versions of some records lose to the newer ones already kept. The same raw tables are then
built by DuckDB from scratch. The published marts must agree cell for cell: same tables,
columns, types and rows in the same order, floats to 1e-9 relative (the two engines may add a sum in another
order).
"""

from __future__ import annotations

import math
from pathlib import Path

import duckdb
import pytest

from tests.delivery import coachwh, deliver, hold_back, published

# slow too, so that `pytest -m "not slow"` (make test-fast) leaves it out as well.
pytestmark = [pytest.mark.spark, pytest.mark.slow]


def same(a, b) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12) or (math.isnan(a) and math.isnan(b))
    return a == b and type(a) is type(b)


@pytest.fixture(scope="module")
def builds(tmp_path_factory) -> tuple[dict, dict, Path]:
    home = tmp_path_factory.mktemp("spark") / "home"
    home.mkdir()
    coachwh(home, "generate", "--profile", "small", "--days", "2")
    landing = home / "landing"
    first_night = sorted(p.name for p in (landing / "crm").iterdir())[1]
    late = hold_back(landing, home.parent / "held", first_night)

    coachwh(home, "run", "--engine", "spark")
    deliver(late, landing)
    coachwh(home, "run", "--engine", "spark")
    on_spark = published(home / "coachwh_marts.duckdb")

    # nothing left to ingest: DuckDB builds the same raw tables, from scratch, and says why
    said = coachwh(home, "run")
    assert "full refresh: no build on duckdb is recorded in this warehouse" in said
    on_duckdb = published(home / "coachwh_marts.duckdb")
    return on_spark, on_duckdb, home


def test_the_second_spark_build_was_incremental_over_records_the_first_kept(builds):
    _, _, home = builds
    # The late night (the crm batch loaded last) re-delivers deals the history already held (edited, reopened,
    # deleted): on its incremental run the model had kept versions to compete with, in the key buckets it had to
    # rewrite.
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        late, late_extract, newest_extract = con.execute(
            "select _batch_id, _extract_date, max(_extract_date) over () from raw.crm_opportunity "
            "order by _loaded_at desc limit 1"
        ).fetchone()
        (again,) = con.execute(
            'select count(distinct night."Id") from raw.crm_opportunity as night '
            'join raw.crm_opportunity as history on history."Id" = night."Id" '
            "and history._extract_date < night._extract_date where night._batch_id = ?",
            [late],
        ).fetchone()
        # and some of its coaching reports are older versions of ones the second night, built before, had changed
        (stale,) = con.execute(
            "select count(*) from raw.crm_coaching_report as night join raw.crm_coaching_report as newer "
            'on newer."Id" = night."Id" and newer._extract_date > night._extract_date '
            'and newer."SystemModstamp" > night."SystemModstamp" where night._batch_id = ?',
            [late],
        ).fetchone()
    assert late_extract < newest_extract  # a newer night was loaded before it
    assert again > 0
    assert stale > 0
    table = home / "spark" / "warehouse" / "staging.db" / "stg_crm__opportunities_with_tombstones"
    assert len(list(table.glob("_key_bucket=*"))) > 1


def test_the_marts_built_on_spark_equal_the_duckdb_marts_cell_for_cell(builds):
    on_spark, on_duckdb, _ = builds
    assert set(on_spark) == set(on_duckdb)
    assert {"mart_manager_coaching", "mart_coaching_effectiveness", "dim_employee"} <= set(on_duckdb)
    for table, (duck_columns, duck_rows) in on_duckdb.items():
        spark_columns, spark_rows = on_spark[table]
        assert spark_columns == duck_columns, table
        assert len(spark_rows) == len(duck_rows), table
        # in the order of the file: the publication stores each mart's rows in grain order, whichever engine built it
        for s, d in zip(spark_rows, duck_rows, strict=True):
            assert all(same(a, b) for a, b in zip(s, d, strict=True)), (table, s, d)
    assert sum(len(rows) for _, rows in on_duckdb.values()) > 1000
