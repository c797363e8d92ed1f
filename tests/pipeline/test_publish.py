"""Publications: the publication table, atomic replacement, kept publications, rollback, crash safety."""

import json
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from datetime import UTC, date, datetime, timedelta

import duckdb
import pytest

from pipelines import publication as pub
from pipelines.config import PROJECT_ROOT
from pipelines.extracts import BuildInputs, record_built_from
from pipelines.sources import RAW_SCHEMA, SOURCE_FILES, SYSTEMS


def _warehouse(path, rows, extract_dates=None):
    """A warehouse with one mart of `rows` rows, a staging table that must not be published, and raw tables
    whose _extract_date gives the latest extract per system."""
    extract_dates = extract_dates or {"crm": "2026-11-02", "hris": "2026-11-01", "survey": "2026-09-30"}
    with duckdb.connect(str(path)) as con:
        for schema in ("marts", "staging", RAW_SCHEMA):
            con.execute(f"create schema if not exists {schema}")
        con.execute("create or replace table marts.mart_x as select * from range(?) t(i)", [rows])
        con.execute("create or replace table marts.dim_y as select 1 as id")
        con.execute("create or replace table staging.stg_secret as select 1 as employee_id")
        for f in SOURCE_FILES:
            d = extract_dates.get(f.system)
            con.execute(f"create or replace table {RAW_SCHEMA}.{f.raw_table} (_extract_date DATE)")
            if d:
                con.execute(f"insert into {RAW_SCHEMA}.{f.raw_table} values (?::DATE - 1), (?::DATE)", [d, d])


def _clock(start=datetime(2026, 11, 3, 2, 0, tzinfo=UTC)):
    ticks = iter(start + timedelta(minutes=i) for i in range(1000))
    return lambda: next(ticks)


@pytest.fixture
def home(tmp_path):
    class Home:
        wh = tmp_path / "warehouse.duckdb"
        current = tmp_path / "coachwh_marts.duckdb"
        folder = tmp_path / "publications"

        def publish(self, run_id, keep=7, now=None):
            return pub.publish(self.wh, self.current, self.folder, run_id, keep=keep, now=now or clock)

        def mart_rows(self, path=None):
            with duckdb.connect(str(path or self.current), read_only=True) as con:
                return con.execute("select count(*) from marts.mart_x").fetchone()[0]

        def files(self):
            return sorted(p.name for p in tmp_path.rglob("*") if p.is_file() and p.name != ".lock")

    clock = _clock()
    h = Home()
    _warehouse(h.wh, 3)
    return h


def test_the_publication_table_describes_every_table_of_the_file_itself_included(home):
    with duckdb.connect(str(home.wh)) as con:  # a table named after `publication`, as unattributed_activity is
        con.execute("create table marts.unattributed_z as select 1 as id")
    rows = home.publish("run-1").rows
    assert rows == {"dim_y": 1, "mart_x": 3, "publication": 4, "unattributed_z": 1}
    with duckdb.connect(str(home.current), read_only=True) as con:
        got = con.execute(
            "select table_name, row_count, run_id, published_at, as_of_date, crm_extract_date, hris_extract_date, "
            "survey_extract_date, lms_extract_date from marts.publication"  # stored in the order of its grain
        ).fetchall()
        schemas = {r[0] for r in con.execute("select schema_name from information_schema.schemata").fetchall()}
        types = dict(
            con.execute(
                "select column_name, data_type from information_schema.columns where table_name = 'publication'"
            ).fetchall()
        )
    common = (
        "run-1",
        datetime(2026, 11, 3, 2, 0),
        date(2026, 11, 2),
        date(2026, 11, 2),
        date(2026, 11, 1),
        date(2026, 9, 30),
        None,
    )
    assert got == [("dim_y", 1, *common), ("mart_x", 3, *common), ("publication", 4, *common),
                   ("unattributed_z", 1, *common)]  # fmt: skip
    assert "staging" not in schemas and RAW_SCHEMA not in schemas
    assert types["published_at"] == "TIMESTAMP" and types["as_of_date"] == "DATE"


def test_the_rows_of_a_mart_are_published_in_the_order_of_its_columns(home):
    """Whatever order the warehouse holds them in (a Spark build hands them back in any), the published rows are
    sorted by the first column, then the next: (a, 1), (a, 2), (b, 1), (b, NULL), NULL last."""
    with duckdb.connect(str(home.wh)) as con:
        con.execute(
            "create or replace table marts.mart_x as select * from (values ('b', 1), (null, 0), ('a', 2), "
            "('b', null), ('a', 1)) t(k, v)"
        )
    home.publish("run-1")
    with duckdb.connect(str(home.current), read_only=True) as con:
        rows = con.execute("select * from marts.mart_x").fetchall()
    assert rows == [("a", 1), ("a", 2), ("b", 1), ("b", None), (None, 0)]


def test_the_marts_descriptions_go_with_them_as_comments(home):
    """dbt persists the marts' docs as comments in the warehouse; the published file carries them (a quote
    inside a description included), and no comment appears where the warehouse has none."""
    with duckdb.connect(str(home.wh)) as con:
        con.execute("comment on table marts.mart_x is 'One row per i: the manager''s x.'")
        con.execute("comment on column marts.mart_x.i is 'The i, from 0.'")
    home.publish("run-1")
    with duckdb.connect(str(home.current), read_only=True) as con:
        tables = con.execute("select table_name, comment from duckdb_tables() order by 1").fetchall()
        columns = con.execute(
            "select table_name, column_name, comment from duckdb_columns() where comment is not null "
            "and table_name <> 'publication'"
        )
        assert tables == [
            ("dim_y", None),
            ("mart_x", "One row per i: the manager's x."),
            ("publication", pub.PUBLICATION_DESCRIPTION),
        ]
        assert columns.fetchall() == [("mart_x", "i", "The i, from 0.")]


def test_the_publication_table_and_each_of_its_columns_are_described(home):
    """The publication table is no dbt model, so it has no dbt description to carry: its own description and its
    columns' (declared once, beside its DDL) are its comments, a quote included, on every column it has."""
    home.publish("run-1")
    with duckdb.connect(str(home.current), read_only=True) as con:
        (table,) = con.execute("select comment from duckdb_tables() where table_name = 'publication'").fetchone()
        columns = con.execute(
            "select column_name, comment from duckdb_columns() where table_name = 'publication' order by column_index"
        ).fetchall()
    assert table == pub.PUBLICATION_DESCRIPTION and "system's latest extract date" in table
    assert [name for name, _ in columns] == [
        "table_name",
        "row_count",
        "run_id",
        "published_at",
        "as_of_date",
        "crm_extract_date",
        "hris_extract_date",
        "survey_extract_date",
        "lms_extract_date",
    ]
    assert columns == [(name, text) for name, _, text in pub.PUBLICATION_COLUMNS]
    assert all(text.strip() for _, text in columns)
    assert dict(columns)["hris_extract_date"].startswith("The latest HRIS extract date")


def test_a_reader_keeps_its_view_while_the_file_is_replaced(home):
    home.publish("run-1")
    with duckdb.connect(str(home.current), read_only=True) as reader:
        _warehouse(home.wh, 5)
        home.publish("run-2")
        assert reader.execute("select count(*) from marts.mart_x").fetchone()[0] == 3
    assert home.mart_rows() == 5


def test_the_published_file_is_written_in_the_storage_format_older_duckdb_readers_open(home):
    home.publish("run-1")
    with duckdb.connect(str(home.current), read_only=True) as con:
        tags = con.execute("select tags from duckdb_databases() where database_name = current_database()").fetchone()[0]
    assert tags["storage_version"] == f"{pub.PUBLISHED_STORAGE_VERSION}+"
    assert home.mart_rows() == 3


def test_a_publication_kept_in_a_newer_storage_format_is_rolled_back_in_the_published_one(home):
    """Helper P: publications kept by an older version were in DuckDB's newest storage format; a rollback to one
    put back a BI file that a BI tool's older DuckDB refuses ("Trying to read a database file with version
    number ...")."""
    home.publish("run-1")
    (kept,) = pub.list_publications(home.current, home.folder)
    newest = kept.path.with_name("newest.duckdb")
    with duckdb.connect() as con:  # the copy an older version kept: DuckDB's default (newest) storage
        con.execute(f"ATTACH '{kept.path}' AS k (READ_ONLY); ATTACH '{newest}' AS n; COPY FROM DATABASE k TO n")
    os.replace(newest, kept.path)
    _warehouse(home.wh, 4)
    home.publish("run-2")
    assert storage_version(kept.path) != f"{pub.PUBLISHED_STORAGE_VERSION}+"

    pub.rollback(home.current, home.folder, "run-1")
    assert storage_version(home.current) == f"{pub.PUBLISHED_STORAGE_VERSION}+"
    assert home.mart_rows() == 3 and pub.current(home.current).run_id == "run-1"
    with duckdb.connect(str(home.current), read_only=True) as con:  # its comments came along
        assert con.execute("select count(*) from duckdb_tables() where comment is not null").fetchone()[0] > 0


def storage_version(path) -> str:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute("select tags from duckdb_databases() where database_name = current_database()").fetchone()[
            0
        ]["storage_version"]


def test_the_marts_are_dated_by_the_raw_their_build_read_not_by_a_batch_loaded_since(home):
    """`coachwh ingest` after the night, then `published/marts` alone: the marts hold nothing of the new batch."""
    built = {"crm": date(2026, 11, 2), "hris": date(2026, 11, 1), "survey": date(2026, 9, 30), "lms": None}
    record_built_from(home.wh, BuildInputs(built, {}))
    _warehouse(home.wh, 3, {"crm": "2026-11-03", "hris": "2026-11-03", "survey": "2026-09-30"})  # loaded since
    home.publish("run-1")
    current = pub.current(home.current)
    assert current.as_of_date == date(2026, 11, 2) and current.extract_dates == built


def test_a_publication_records_the_deliveries_its_marts_were_built_from_and_leaves_with_them(home):
    """What `registry.retracted_since_published` judges a publication by: beside each kept copy, the deliveries
    the build read (recorded before it started); pruned or replaced, the record goes with the copy."""
    record_built_from(home.wh, BuildInputs(dict.fromkeys(SYSTEMS, date(2026, 11, 2)), {"crm/2026-11-02": "ab" * 32}))
    home.publish("run-1")
    (kept,) = pub.list_publications(home.current, home.folder)
    assert kept.batches == {"crm/2026-11-02": "ab" * 32}
    assert pub.current(home.current).batches is None  # the BI file carries nothing of it
    record_built_from(home.wh, BuildInputs(dict.fromkeys(SYSTEMS, date(2026, 11, 3)), {}))
    _warehouse(home.wh, 4)
    home.publish("run-2")
    pub.prune(home.folder, home.current, keep=0)
    assert sorted(p.name.split("_", 1)[1] for p in home.folder.iterdir() if not p.name.startswith(".")) == [
        "run-2.deliveries.json",
        "run-2.duckdb",
    ]


def test_refuses_a_warehouse_without_marts_and_keeps_the_current_file(home):
    home.publish("run-1")
    with duckdb.connect(str(home.wh)) as con:
        con.execute("drop table marts.mart_x; drop table marts.dim_y")
    with pytest.raises(pub.PublicationError, match="nothing to publish"):
        home.publish("run-2")
    assert home.mart_rows() == 3
    assert [p.run_id for p in pub.list_publications(home.current, home.folder)] == ["run-1"]


def test_refuses_a_warehouse_that_never_loaded_an_extract(home, tmp_path):
    empty = tmp_path / "empty.duckdb"
    _warehouse(empty, 0, extract_dates={"none": "2026-11-02"})  # marts built, but no raw row of any system
    with pytest.raises(pub.PublicationError, match="holds no loaded extract of any system: nothing to publish"):
        pub.publish(empty, home.current, home.folder, "run-1")
    assert not home.current.exists() and pub.list_publications(home.current, home.folder) == []
    with pytest.raises(pub.PublicationError, match="nothing has been published yet"):
        pub.rollback(home.current, home.folder)


def test_keeps_the_newest_and_n_earlier_publications(home):
    for i in range(1, 6):
        _warehouse(home.wh, i)  # other marts each night
        home.publish(f"run-{i}", keep=2)
    kept = pub.list_publications(home.current, home.folder)
    assert [p.run_id for p in kept] == ["run-5", "run-4", "run-3"]
    assert [p.current for p in kept] == [True, False, False]
    assert kept[0].tables == 3 and kept[0].rows == 6 and kept[0].as_of_date == date(2026, 11, 2)


def test_a_publication_of_the_same_marts_takes_the_place_of_the_one_it_replaces(home):
    # run-1 has 3 rows, run-2 5; then three quiet nights publish run-2's marts again, one of them with a later
    # extract date that changed no mart. With keep=2, copies would push run-1 out of reach.
    home.publish("run-1", keep=2)
    _warehouse(home.wh, 5)
    assert home.publish("run-2", keep=2).replaced is None
    replaced = [home.publish("run-3", keep=2).replaced.run_id]
    _warehouse(home.wh, 5, {"crm": "2026-11-03", "hris": "2026-11-01", "survey": "2026-09-30"})
    replaced += [home.publish(f"run-{i}", keep=2).replaced.run_id for i in (4, 5)]
    assert replaced == ["run-2", "run-3", "run-4"]
    kept = pub.list_publications(home.current, home.folder)
    assert [(p.run_id, p.current, p.as_of_date) for p in kept] == [
        ("run-5", True, date(2026, 11, 3)),  # the newest keeps its own run id and freshness
        ("run-1", False, date(2026, 11, 2)),
    ]
    assert pub.rollback(home.current, home.folder).run_id == "run-1" and home.mart_rows() == 3


def test_same_marts_means_the_same_tables_columns_and_rows(home, tmp_path):
    home.publish("run-1")
    first = pub.current(home.current).path
    with duckdb.connect(str(home.wh)) as con:  # the same rows, built in another order: the same marts
        con.execute("create or replace table marts.mart_x as select i::bigint as i from (values (2), (1), (0)) t(i)")
    copy = tmp_path / "copy.duckdb"
    pub._build(home.wh, copy, "run-2", datetime(2026, 11, 4, tzinfo=UTC))
    assert pub.same_marts(first, copy)
    for change in (
        "insert into marts.mart_x values (1)",  # a duplicate row
        "alter table marts.mart_x alter i type double",  # the same values in another type
        "create table marts.dim_z as select 1 as id",  # one more table
    ):
        _warehouse(home.wh, 3)
        with duckdb.connect(str(home.wh)) as con:
            con.execute(change)
        other = tmp_path / f"other-{len(change)}.duckdb"
        pub._build(home.wh, other, "run-3", datetime(2026, 11, 5, tzinfo=UTC))
        assert not pub.same_marts(first, other), change


def test_an_earlier_publication_that_cannot_be_compared_fails_no_publish_and_is_kept(home, monkeypatch):
    home.publish("run-1")

    def unreadable(a, b):
        raise duckdb.IOException("IO Error: the file is damaged")

    monkeypatch.setattr(pub, "same_marts", unreadable)
    assert home.publish("run-2").replaced is None  # the same marts, but that could not be told: both kept
    assert [(p.run_id, p.current) for p in pub.list_publications(home.current, home.folder)] == [
        ("run-2", True),
        ("run-1", False),
    ]


def test_rollback_passes_over_earlier_publications_of_the_same_marts(home):
    home.publish("run-1", keep=1)  # 3 rows
    _warehouse(home.wh, 5)
    home.publish("run-2", keep=1)
    pub.rollback(home.current, home.folder)  # back to run-1's 3 rows: a bad night undone, its data still in raw
    home.publish("run-3", keep=1)  # a rerun publishes run-2's marts again, beside run-2 (the current was run-1)
    assert [p.run_id for p in pub.list_publications(home.current, home.folder)] == ["run-3", "run-2"]
    with pytest.raises(pub.PublicationError, match="the 1 earlier kept publication.* hold the same marts"):
        pub.rollback(home.current, home.folder)  # not "rolled back" to the same bad marts
    assert home.mart_rows() == 5


def test_rollback_passes_over_a_publication_holding_a_batch_retracted_since_unless_it_is_named(home):
    home.publish("run-1", keep=5)  # 3 rows
    _warehouse(home.wh, 4)
    home.publish("run-2", keep=5)  # 4 rows: built with a batch retracted after it was published
    _warehouse(home.wh, 5)
    home.publish("run-3", keep=5)  # 5 rows, the current
    retracted = {"run-2": ["crm/2026-11-02 (amounts in cents)"]}
    assert pub.rollback(home.current, home.folder, retracted=retracted).run_id == "run-1"
    assert home.mart_rows() == 3
    assert pub.rollback(home.current, home.folder, "run-2", retracted=retracted).run_id == "run-2"  # named
    assert home.mart_rows() == 4
    retracted["run-1"] = ["hris/2026-11-01 (wrong managers)"]
    pub.rollback(home.current, home.folder, "run-3")
    with pytest.raises(
        pub.PublicationError, match=r"of the 2 earlier kept publication\(s\), 2 a batch retracted since"
    ):
        pub.rollback(home.current, home.folder, retracted=retracted)
    assert home.mart_rows() == 5


def test_rollback_to_the_previous_then_to_a_named_run_and_the_current_one_survives_pruning(home):
    home.publish("run-1", keep=1)
    _warehouse(home.wh, 5)
    home.publish("run-2", keep=1)
    assert pub.rollback(home.current, home.folder).run_id == "run-1"
    assert home.mart_rows() == 3
    with pytest.raises(pub.PublicationError, match="no earlier publication"):
        pub.rollback(home.current, home.folder)
    assert pub.rollback(home.current, home.folder, "run-2").run_id == "run-2"
    assert home.mart_rows() == 5
    pub.rollback(home.current, home.folder, "run-1")
    _warehouse(home.wh, 7)
    home.publish("run-3", keep=0)  # keep=0 would drop run-2 and run-1, but run-1 was current until now
    assert [p.run_id for p in pub.list_publications(home.current, home.folder)] == ["run-3"]
    with pytest.raises(pub.PublicationError, match="match run id 'nope'"):
        pub.rollback(home.current, home.folder, "nope")


READER = """
import json, sys, duckdb, pathlib
path, stop = sys.argv[1], pathlib.Path(sys.argv[2])
seen, errors = set(), []
while not stop.exists():
    try:
        with duckdb.connect(path, read_only=True) as con:
            seen.add(con.execute("select count(*) from marts.mart_x").fetchone()[0])
    except Exception as e:
        errors.append(repr(e))
print(json.dumps({"seen": sorted(seen), "errors": errors[:3]}))
"""


def test_rollback_while_a_reader_in_another_process_keeps_querying(home, tmp_path):
    """A BI reader opens the current file over and over while we roll back and forth: it never fails and
    only ever sees one whole publication or the other."""
    home.publish("run-1")
    _warehouse(home.wh, 5)
    home.publish("run-2")
    stop = tmp_path / "stop"
    reader = subprocess.Popen(
        [sys.executable, "-c", READER, str(home.current), str(stop)], stdout=subprocess.PIPE, text=True
    )
    try:
        time.sleep(1.0)  # the reader is querying
        for _ in range(5):
            assert pub.rollback(home.current, home.folder, "run-1").run_id == "run-1"
            assert pub.rollback(home.current, home.folder, "run-2").run_id == "run-2"
            time.sleep(0.1)
    finally:
        stop.touch()
        out, _ = reader.communicate(timeout=60)
    got = json.loads(out)
    assert got["errors"] == []
    assert got["seen"] == [3, 5]  # both publications were seen, nothing else
    assert home.mart_rows() == 5


def test_a_bi_tool_holding_the_current_file_open_for_writing_is_named_not_taken_for_no_publication(
    home, monkeypatch, capsys
):
    from pipelines.cli import main
    from pipelines.config import Settings
    from pipelines.status import status_lines

    home.publish("run-1")
    _warehouse(home.wh, 5)
    home.publish("run-2")
    assert pub.held_open(home.current) is None
    hold = "import sys, time, duckdb; c = duckdb.connect(sys.argv[1]); print('held', flush=True); time.sleep(30)"
    bi = subprocess.Popen([sys.executable, "-c", hold, str(home.current)], stdout=subprocess.PIPE, text=True)
    try:
        assert bi.stdout.readline().strip() == "held"
        held = pub.held_open(home.current)
        assert held is not None and held.startswith(f"{home.current} is held open for writing by PID {bi.pid} (")
        assert held.endswith(
            "BI tools must open it read-only (README, 'For analysts and BI tools'); close that connection"
        )
        with pytest.raises(pub.PublicationError, match=rf"by PID {bi.pid} .*, or name the run id to roll back to"):
            pub.rollback(home.current, home.folder)
        home.wh.rename(home.wh.with_name("aside.duckdb"))  # this fake warehouse has no registry for status to read
        cfg = Settings(home=home.wh.parent, landing=home.wh.parent / "landing")
        assert status_lines(cfg)[-2:] == ["warehouse not built yet: run `coachwh run`", f"published: {held}"]
        monkeypatch.setenv("COACHWH_HOME", str(cfg.home))
        assert main(["publications"]) == 0
        listing = capsys.readouterr().out
        assert not [line for line in listing.splitlines() if line.startswith("* ") and "run-" in line], listing
        assert f"which one is current is unknown: {held}" in listing, listing
        # a named publication can still be brought back: the held file is replaced, its holder keeps the old one
        assert pub.rollback(home.current, home.folder, "run-1").run_id == "run-1"
    finally:
        bi.kill()
        bi.wait(timeout=10)
    assert home.mart_rows() == 3


def test_a_bi_tool_that_wrote_to_the_current_file_and_died_leaves_no_log_that_breaks_the_next_publication(home):
    home.publish("run-1")
    write = (
        "import sys, os, duckdb; c = duckdb.connect(sys.argv[1]); "
        "c.execute('create table marts.mine as select 1 x'); os._exit(0)"
    )
    subprocess.run([sys.executable, "-c", write, str(home.current)], check=True)
    wal = home.current.with_name(home.current.name + ".wal")
    assert wal.exists()  # the killed writer's log, of the file about to be replaced
    _warehouse(home.wh, 5)
    home.publish("run-2")
    assert not wal.exists()
    assert home.mart_rows() == 5 and pub.current(home.current).run_id == "run-2"
    assert pub.rollback(home.current, home.folder).run_id == "run-1"
    assert home.mart_rows() == 3


def test_a_failure_during_publication_leaves_the_current_file_and_no_stray_files(home, monkeypatch):
    home.publish("run-1")
    before = home.files()
    _warehouse(home.wh, 5)
    real = pub.publication_ddl

    def crash(table):  # the marts are copied, the publication table is next: fail here
        raise OSError("disk full (simulated)")

    monkeypatch.setattr(pub, "publication_ddl", crash)
    with pytest.raises(OSError, match="simulated"):
        home.publish("run-2")
    assert home.mart_rows() == 3
    assert home.files() == before

    monkeypatch.setattr(pub, "publication_ddl", real)
    monkeypatch.setattr(pub.shutil, "copyfile", lambda *a: (_ for _ in ()).throw(OSError("copy failed (simulated)")))
    with pytest.raises(OSError, match="simulated"):
        home.publish("run-3")
    assert home.mart_rows() == 3  # kept as run-3 in the folder, but not current
    assert not [f for f in home.files() if f.endswith((pub.PARTIAL, pub.SWAP))]


@pytest.mark.slow
def test_a_publisher_killed_outright_leaves_the_current_file_and_the_next_one_sweeps(home):
    home.publish("run-1")
    _warehouse(home.wh, 200_000)
    script = textwrap.dedent(
        f"""
        import time
        from pathlib import Path
        from pipelines import publication as pub
        real = pub.publication_ddl
        def slow(table):
            print("copied", flush=True)
            time.sleep(60)
            return real(table)
        pub.publication_ddl = slow
        pub.publish(Path({str(home.wh)!r}), Path({str(home.current)!r}), Path({str(home.folder)!r}), "killed")
        """
    )
    proc = subprocess.Popen([sys.executable, "-c", script], cwd=PROJECT_ROOT, stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "copied"
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=30)
    assert home.mart_rows() == 3
    assert [f for f in home.files() if f.endswith(pub.PARTIAL)]  # what a kill leaves...
    assert [p.run_id for p in pub.list_publications(home.current, home.folder)] == ["run-1"]  # ...is not listed
    home.publish("run-2")
    assert not [f for f in home.files() if f.endswith((pub.PARTIAL, pub.SWAP, ".wal"))]  # ...and is swept
    assert home.mart_rows() == 200_000


def test_the_publication_lock_serialises_publishers(home):
    """A rollback started while a publish runs waits for it (the folder lock), then applies on top."""
    home.publish("run-1")
    order = []
    real = pub._make_current

    def slow_make_current(source, published):
        order.append(("start", source.name.split("_", 1)[1]))
        time.sleep(0.5)
        real(source, published)
        order.append(("end", source.name.split("_", 1)[1]))

    pub._make_current, saved = slow_make_current, real
    _warehouse(home.wh, 5)  # other marts than run-1's, which run-2 would otherwise replace
    try:
        t = threading.Thread(target=lambda: home.publish("run-2"))
        t.start()
        time.sleep(0.1)
        pub.rollback(home.current, home.folder, "run-1")
        t.join()
    finally:
        pub._make_current = saved
    assert order[:2] == [("start", "run-2.duckdb"), ("end", "run-2.duckdb")]
    assert order[2:] == [("start", "run-1.duckdb"), ("end", "run-1.duckdb")]
