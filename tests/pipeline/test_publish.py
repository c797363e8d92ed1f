"""Publishing copies the marts into a fresh file that replaces the BI file atomically."""

import duckdb
import pytest

from pipelines.defs.publish import publish_marts


def _warehouse(path, rows):
    with duckdb.connect(str(path)) as con:
        con.execute("create schema marts; create schema staging")
        con.execute("create table marts.mart_x as select * from range(?) t(i)", [rows])
        con.execute("create table staging.stg_secret as select 1 as employee_id")


def test_publish_copies_only_the_marts_and_replaces_the_file(tmp_path):
    wh, pub = tmp_path / "warehouse.duckdb", tmp_path / "coachwh_marts.duckdb"
    _warehouse(wh, 3)
    assert publish_marts(wh, pub) == {"mart_x": 3}

    with duckdb.connect(str(pub), read_only=True) as reader:
        # A BI reader holding yesterday's file open is not disturbed by tonight's publish.
        with duckdb.connect(str(wh)) as con:
            con.execute("create or replace table marts.mart_x as select * from range(5) t(i)")
        assert publish_marts(wh, pub) == {"mart_x": 5}
        assert reader.execute("select count(*) from marts.mart_x").fetchone()[0] == 3
        schemas = {r[0] for r in reader.execute("select schema_name from information_schema.schemata").fetchall()}
        assert "staging" not in schemas
    with duckdb.connect(str(pub), read_only=True) as fresh:
        assert fresh.execute("select count(*) from marts.mart_x").fetchone()[0] == 5
    assert not (tmp_path / "coachwh_coachwh_marts.duckdb.tmp").exists()


def test_publish_refuses_a_warehouse_without_marts_and_keeps_the_old_file(tmp_path):
    wh, pub = tmp_path / "warehouse.duckdb", tmp_path / "coachwh_marts.duckdb"
    _warehouse(wh, 2)
    publish_marts(wh, pub)
    with duckdb.connect(str(wh)) as con:
        con.execute("drop table marts.mart_x")
    with pytest.raises(RuntimeError, match="nothing to publish"):
        publish_marts(wh, pub)
    with duckdb.connect(str(pub), read_only=True) as con:
        assert con.execute("select count(*) from marts.mart_x").fetchone()[0] == 2
