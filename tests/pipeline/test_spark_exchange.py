"""The Spark engine's plumbing that needs no Spark: the Parquet exchange, the dbt command lines, the lock.

The build on Spark itself is tests/spark (`make test-spark`)."""

import json
import re

import duckdb
import pytest

from pipelines.cli import build_parser
from pipelines.config import PROJECT_ROOT, Settings
from pipelines.sources import create_raw_tables
from pipelines.spark import exchange
from pipelines.spark.build import SparkNotInstalled, _lost_session, check_spark_installed, spark_view


def test_every_raw_table_goes_out_as_parquet_with_its_rows_and_names(tmp_path):
    wh = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(wh)) as con:
        create_raw_tables(con)
        con.execute(
            'insert into raw.lms_transcripts ("User ID", "LO ID", _extract_date, _row_number) '
            "values ('12', 'LO-1', date '2026-11-01', 1), ('13', 'LO-2', date '2026-11-02', 2)"
        )
    rows = exchange.stage_raw(wh, tmp_path / "exchange")
    assert set(rows) == set(exchange.raw_tables()) and rows["lms_transcripts"] == 2
    assert rows["crm_call"] == 0
    folder = tmp_path / "exchange" / "raw" / "lms_transcripts"
    with duckdb.connect() as con:
        got = con.execute(f"select \"User ID\", _extract_date from read_parquet('{folder}/*.parquet') order by 1")
        assert [(r[0], str(r[1])) for r in got.fetchall()] == [("12", "2026-11-01"), ("13", "2026-11-02")]
    # Staging again replaces the folder whole, leaving no half-written sibling behind.
    exchange.stage_raw(wh, tmp_path / "exchange")
    assert sorted(p.name for p in (tmp_path / "exchange" / "raw").iterdir()) == sorted(exchange.raw_tables())


def test_the_exported_marts_replace_theirs_in_the_warehouse_and_leave_the_others(tmp_path):
    wh, ex = tmp_path / "warehouse.duckdb", tmp_path / "exchange"
    (ex / "marts" / "mart_x").mkdir(parents=True)
    with duckdb.connect(str(wh)) as con:
        con.execute("create schema marts")
        con.execute("create table marts.mart_x as select 1 as old")
        con.execute("create table marts.publication as select 'kept' as note")
        con.execute(f"copy (select range as i from range(3)) to '{ex}/marts/mart_x/part-0.parquet' (format parquet)")
    assert exchange.load_marts(ex, wh) == {"mart_x": 3}
    with duckdb.connect(str(wh), read_only=True) as con:
        assert con.execute("select sum(i) from marts.mart_x").fetchone()[0] == 3
        assert con.execute("select note from marts.publication").fetchone()[0] == "kept"


def test_no_exported_mart_is_an_error_not_an_empty_publication(tmp_path):
    with pytest.raises(RuntimeError, match="no exported mart"):
        exchange.load_marts(tmp_path / "exchange", tmp_path / "warehouse.duckdb")


def test_the_spark_build_targets_spark_with_the_exchange_folder(tmp_path):
    cfg = Settings(home=tmp_path, landing=tmp_path / "landing")
    args = exchange.spark_build_args(cfg, full_refresh=True)
    assert args[:3] == ["build", "--target", "spark"] and args[-1] == "--full-refresh"
    assert "--exclude-resource-type unit_test" in " ".join(args)  # as on DuckDB: unit tests are the suite's
    assert json.loads(args[args.index("--vars") + 1]) == {"spark_exchange": str(tmp_path / "spark" / "exchange")}


def test_coachwh_run_takes_an_engine():
    parser = build_parser()
    assert parser.parse_args(["run"]).engine == "duckdb"
    assert parser.parse_args(["run", "--engine", "spark"]).engine == "spark"
    with pytest.raises(SystemExit):
        parser.parse_args(["run", "--engine", "postgres"])


def test_without_the_spark_packages_the_engine_says_how_to_install_them(monkeypatch):
    monkeypatch.setattr("pipelines.spark.build._missing", lambda module: True)
    with pytest.raises(SparkNotInstalled, match="make setup-spark"):
        check_spark_installed()


def test_a_java_older_than_17_is_refused_before_the_night_with_what_to_do(monkeypatch, tmp_path):
    """Auditor S: with Java 11 on PATH the gate loaded, then dbt failed with "Java gateway process exited" and the
    night alerted; pyspark 4 needs Java 17. JAVA_HOME, which pyspark prefers to PATH, is the one judged."""
    from pipelines.spark.build import java_major_version

    def fake_java(folder, said):
        java = folder / "bin" / "java"
        java.parent.mkdir(parents=True)
        java.write_text(f"#!/bin/sh\necho '{said}' >&2\n")
        java.chmod(0o755)
        return folder

    monkeypatch.setattr("pipelines.spark.build._missing", lambda module: False)
    old = fake_java(tmp_path / "jdk11", 'openjdk version "11.0.22" 2024-01-16')
    monkeypatch.setenv("JAVA_HOME", str(old))
    with pytest.raises(SparkNotInstalled, match=r"Java 17 or later \(.*jdk11/bin/java is Java 11\).*make setup-spark"):
        check_spark_installed()
    assert java_major_version(str(fake_java(tmp_path / "jdk8", 'java version "1.8.0_402"') / "bin" / "java")) == 8
    monkeypatch.setenv("JAVA_HOME", str(fake_java(tmp_path / "jdk21", 'openjdk version "21.0.2" 2024-01-16')))
    check_spark_installed()  # recent enough
    monkeypatch.setenv("JAVA_HOME", str(tmp_path / "nowhere"))
    with pytest.raises(SparkNotInstalled, match="a Java runtime"):
        check_spark_installed()


def _pins(path):
    return dict(re.findall(r"^([A-Za-z0-9_.\-\[\]]+)==(\S+)", path.read_text(), re.MULTILINE))


def test_the_spark_lock_is_the_base_lock_plus_the_spark_packages_and_names_no_host():
    base, spark = _pins(PROJECT_ROOT / "requirements.lock"), _pins(PROJECT_ROOT / "requirements-spark.lock")
    assert {name: spark.get(name) for name in base} == base
    assert {"dbt-spark", "pyspark"} <= set(spark) - set(base)
    text = (PROJECT_ROOT / "requirements-spark.lock").read_text()
    assert "://" not in text and "--index-url" not in text and "--find-links" not in text


def test_the_exchange_folder_can_be_one_a_cluster_shares(tmp_path, monkeypatch):
    cfg = Settings(home=tmp_path / "home", landing=tmp_path / "landing")
    monkeypatch.delenv("COACHWH_SPARK_EXCHANGE", raising=False)
    assert exchange.exchange_dir(cfg) == tmp_path / "home" / "spark" / "exchange"
    monkeypatch.delenv("COACHWH_SPARK_EXCHANGE_URI", raising=False)
    monkeypatch.setenv("COACHWH_SPARK_EXCHANGE", str(tmp_path / "mnt" / "exchange"))
    assert exchange.exchange_dir(cfg) == tmp_path / "mnt" / "exchange"
    assert json.loads(exchange.spark_vars(cfg))["spark_exchange"] == str(tmp_path / "mnt" / "exchange")
    # auditor S: a cluster names the shared folder its own way (DBFS mounted at /dbfs here is dbfs:/ to Spark)
    monkeypatch.setenv("COACHWH_SPARK_EXCHANGE_URI", "dbfs:/mnt/exchange")
    assert exchange.exchange_dir(cfg) == tmp_path / "mnt" / "exchange"
    assert json.loads(exchange.spark_vars(cfg))["spark_exchange"] == "dbfs:/mnt/exchange"
    # a URI where the path here belongs was read as a relative folder `file:/mnt/shared` under the working directory
    monkeypatch.setenv("COACHWH_SPARK_EXCHANGE", "file:///mnt/shared")
    with pytest.raises(
        exchange.ExchangeUnusable, match="is a URI, not a path on this machine.*COACHWH_SPARK_EXCHANGE_URI"
    ):
        exchange.exchange_dir(cfg)


def test_an_exchange_folder_that_cannot_be_written_is_refused_in_one_line_naming_it_and_the_setting(tmp_path):
    exchange.require_exchange(tmp_path / "new" / "exchange")  # a missing folder is made
    assert (tmp_path / "new" / "exchange").is_dir() and not any((tmp_path / "new" / "exchange").iterdir())
    (tmp_path / "afile").write_text("")
    with pytest.raises(exchange.ExchangeUnusable) as refused:
        exchange.require_exchange(tmp_path / "afile" / "exchange")
    said = str(refused.value)
    assert said.startswith(f"the Spark exchange folder {tmp_path / 'afile' / 'exchange'} cannot be written (Not a dir")
    assert "COACHWH_SPARK_EXCHANGE" in said and "\n" not in said


def test_a_spark_event_finds_its_node_under_the_id_duckdb_gave_it():
    # The same castable test on a quoted raw column: dbt hashes the target's quoting into the id.
    name = "test.coachwh.source_castable_raw_x__Hire_Date"
    duck_id, spark_id = f"{name}.aaa", f"{name}.bbb"
    node = {"name": "source_castable_raw_x__Hire_Date", "unique_id": duck_id, "test_metadata": {"name": "castable"}}
    models = {"model.coachwh.m": {}, "model.coachwh.n": {}, "test.coachwh.assert_a": {}, "test.coachwh.assert_b": {}}
    manifest = {
        "nodes": {duck_id: node, **models},
        "parent_map": {duck_id: ["source.coachwh.raw.x"]},
        "child_map": {},
        "metadata": {},
    }
    view = spark_view(manifest)
    assert view["nodes"][spark_id] is node and view["nodes"].get(spark_id) is node and spark_id in view["nodes"]
    assert view["parent_map"].get(spark_id) == ["source.coachwh.raw.x"]
    assert view["nodes"].get("test.coachwh.another.ccc") is None and "test.coachwh.another.ccc" not in view["nodes"]
    with pytest.raises(KeyError):
        view["nodes"]["test.coachwh.another.ccc"]
    assert view["metadata"] is manifest["metadata"]
    assert "model.coachwh.o" not in view["nodes"] and view["nodes"]["model.coachwh.n"] == {}


def test_a_build_whose_spark_session_died_says_so_not_the_first_model_that_met_it():
    """What dbt-spark's errors say after the JVM was killed mid-build (a run of this project): each model and test
    names the socket only. The step's reason must name the session, not one model of the many."""
    dbt_failed = (
        "The dbt CLI process with command\n\n`dbt build --target spark`\n\nfailed with exit code `1`.\n\n"
        "Errors parsed from dbt logs:\n\nFailure in model mart_manager_engagement (models/marts/"
        "mart_manager_engagement.sql)\n\n  Runtime Error in model mart_manager_engagement (models/marts/"
        "mart_manager_engagement.sql)\n  [Errno 111] Connection refused"
    )
    lost = _lost_session(RuntimeError(dbt_failed))
    assert lost is not None and str(lost).startswith(
        "the Spark session's JVM stopped during the build (dbt's errors say 'Connection refused')"
    )
    assert "spark.driver.memory" in str(lost) and "\n" not in str(lost)
    assert _lost_session(RuntimeError("Runtime Error in model x: [PARSE_SYNTAX_ERROR] near 'FROM'")) is None
