"""The fingerprint of the code that builds the incremental models, and its record in the warehouse."""

import json

import duckdb

from pipelines.model_code import built_fingerprints, code_fingerprint, record_fingerprint


def _manifest(tmp_path, incremental="select 1", table="select 2", macro="{% macro m() %}x{% endmacro %}"):
    path = tmp_path / "manifest.json"
    path.write_text(
        json.dumps(
            {
                "metadata": {"project_name": "coachwh"},
                "nodes": {
                    "model.coachwh.inc": {"package_name": "coachwh", "raw_code": incremental,
                                          "config": {"materialized": "incremental"}},
                    "model.coachwh.tab": {"package_name": "coachwh", "raw_code": table,
                                          "config": {"materialized": "table"}},
                    "model.other.inc": {"package_name": "other", "raw_code": "select 3",
                                        "config": {"materialized": "incremental"}},
                },
                "macros": {
                    "macro.coachwh.m": {"package_name": "coachwh", "macro_sql": macro},
                    "macro.dbt.builtin": {"package_name": "dbt", "macro_sql": "whatever"},
                },
            }
        )
    )  # fmt: skip
    return path


def test_the_fingerprint_follows_the_incremental_models_and_the_macros_only(tmp_path):
    base = code_fingerprint(_manifest(tmp_path))
    assert code_fingerprint(_manifest(tmp_path)) == base  # stable
    assert code_fingerprint(_manifest(tmp_path, incremental="select 1 as x")) != base
    assert code_fingerprint(_manifest(tmp_path, macro="{% macro m() %}y{% endmacro %}")) != base
    assert code_fingerprint(_manifest(tmp_path, table="select 2 as y")) == base  # rebuilt every night anyway


def test_the_last_recorded_fingerprint_of_each_engine_is_read_back(tmp_path):
    warehouse = tmp_path / "warehouse.duckdb"
    assert built_fingerprints(warehouse) == {}  # no warehouse yet: a first build
    record_fingerprint(warehouse, "a")
    record_fingerprint(warehouse, "b")
    # each engine keeps its own incremental tables: Spark's were made by no code yet, and a Spark build says why it
    # rebuilds in full (another engine built here)
    assert built_fingerprints(warehouse) == {"duckdb": "b"}
    record_fingerprint(warehouse, "c", "spark")
    assert built_fingerprints(warehouse) == {"duckdb": "b", "spark": "c"}


def test_records_from_before_the_engine_column_are_duckdbs(tmp_path):
    warehouse = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(warehouse)) as con:
        con.execute("create schema ops")
        con.execute("create table ops.incremental_code (fingerprint varchar not null, built_at timestamp not null)")
        con.execute("insert into ops.incremental_code values ('old', '2026-11-01 02:00')")
    assert built_fingerprints(warehouse) == {"duckdb": "old"}
    record_fingerprint(warehouse, "new", "spark")
    assert built_fingerprints(warehouse) == {"duckdb": "old", "spark": "new"}
