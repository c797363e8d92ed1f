"""What a person at the command line can fix is said in one line on stderr, exit 2, without a traceback."""

from __future__ import annotations

import subprocess
import sys

import duckdb
import pytest

from pipelines import dbt_docs, extracts, warehouse_file
from pipelines.cli import main
from pipelines.config import settings
from pipelines.locks import file_lock


@pytest.fixture
def empty_home(tmp_path, monkeypatch):
    monkeypatch.setenv("COACHWH_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("COACHWH_LANDING", raising=False)
    monkeypatch.delenv("COACHWH_KEEP_PUBLICATIONS", raising=False)
    return tmp_path / "home"


@pytest.mark.parametrize(
    "argv, says",
    [
        (["generate", "--days", "-1"], "coachwh generate: days must be 0 or more"),
        (["report"], "coachwh_marts.duckdb: no published marts yet (run `coachwh run` first)"),
        (["ingest"], "/landing does not exist (or is no folder): set COACHWH_LANDING"),
        (["rollback"], "coachwh rollback: nothing has been published yet"),
        (["retract", "crm-2026-11-26", "--reason", "typo"], "coachwh retract: 'crm-2026-11-26' is no batch id"),
        (["docs"], "/warehouse.duckdb yet: run `coachwh run` (or `make demo`) first"),
        (["unarchive"], "/archive holds no loaded delivery: there is nothing to rebuild from"),
    ],
)
def test_a_fixable_error_is_one_line_and_exit_2(empty_home, capsys, argv, says):
    code = main([*argv, "--out", str(empty_home / "out")] if argv[0] == "generate" else argv)
    captured = capsys.readouterr()
    assert code == 2, captured
    text = captured.err
    assert text.startswith(f"coachwh {argv[0]}: ") and text.count("\n") == 1, captured  # one line, on stderr
    assert says in text and "Traceback" not in text, text
    if argv[0] in ("rollback", "report", "docs", "unarchive"):  # a mistyped home is left as it was
        assert not empty_home.exists() or not any(empty_home.iterdir()), sorted(empty_home.rglob("*"))


def test_run_no_wait_refuses_at_once_while_another_run_holds_the_lock(empty_home, capsys):
    with file_lock(settings().run_lock, "the test's run"):
        code = main(["run", "--no-wait"])
    captured = capsys.readouterr()
    assert code == 2, captured
    assert captured.err.startswith("coachwh run: refused: ") and captured.err.count("\n") == 1, captured
    assert "held by pid " in captured.err and "the test's run" in captured.err, captured


def test_run_no_wait_refuses_at_once_while_a_run_the_ui_launched_is_going(empty_home, capsys):
    """A run of the UI or the daemon holds no `.run.lock`: without this, `--no-wait` waited for its warehouse slot
    and went on, step by step beside it."""
    import dagster as dg

    from pipelines.instance import dagster_instance

    with dagster_instance(settings()) as instance:
        instance.add_run(dg.DagsterRun(job_name="nightly", run_id="ui-run-1", status=dg.DagsterRunStatus.STARTED))
    code = main(["run", "--no-wait"])
    captured = capsys.readouterr()
    assert code == 2, captured
    assert captured.err.startswith(
        "coachwh run: refused: run ui-run-1 (nightly, launched from the UI or by the daemon) is STARTED; another run"
    ), captured
    assert captured.err.count("\n") == 1, captured


def test_run_on_spark_without_its_packages_or_java_is_refused_before_anything_loads(empty_home, capsys, monkeypatch):
    monkeypatch.setenv("PATH", str(empty_home))  # no java on it
    monkeypatch.delenv("JAVA_HOME", raising=False)  # nor there
    landing = empty_home / "landing"
    landing.mkdir(parents=True)
    code = main(["run", "--engine", "spark"])
    captured = capsys.readouterr()
    assert code == 2, captured
    assert captured.err.startswith("coachwh run: --engine spark needs ") and captured.err.count("\n") == 1, captured
    assert "a Java runtime (java on PATH, or JAVA_HOME)" in captured.err, captured
    assert "make setup-spark" in captured.err, captured
    assert not (empty_home / "warehouse.duckdb").exists() and not (empty_home / "dagster").exists()


def test_rollback_refuses_at_once_while_a_run_holds_the_lock(empty_home, capsys):
    settings().publications.mkdir(parents=True)  # a home that has published
    with file_lock(settings().run_lock, "the test's run"):
        code = main(["rollback"])
    captured = capsys.readouterr()
    assert code == 2, captured
    assert captured.err.startswith("coachwh rollback: not rolled back: ") and captured.err.count("\n") == 1, captured
    assert "held by pid " in captured.err and "the test's run (a coachwh run publishes when it ends)" in captured.err


def test_a_setting_that_cannot_be_used_is_named(empty_home, capsys, monkeypatch):
    monkeypatch.setenv("COACHWH_KEEP_PUBLICATIONS", "seven")
    assert main(["status"]) == 2
    assert "coachwh status: COACHWH_KEEP_PUBLICATIONS='seven' is not a whole number" in capsys.readouterr().err


def test_a_warehouse_held_by_another_process_is_said_while_waiting_then_one_line_and_exit_2(
    empty_home, capsys, caplog, monkeypatch
):
    warehouse = settings().warehouse
    warehouse.parent.mkdir(parents=True)
    hold = "import sys, time, duckdb; con = duckdb.connect(sys.argv[1]); print('locked', flush=True); time.sleep(30)"
    holder = subprocess.Popen([sys.executable, "-c", hold, str(warehouse)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        # `coachwh check` waits 60 s; the test, half a second
        wait = warehouse_file.connect_waiting
        monkeypatch.setattr(
            "pipelines.quality.check.connect_waiting", lambda path, **kw: wait(path, **{**kw, "wait_seconds": 0.5})
        )
        code = main(["check"])
    finally:
        holder.kill()
        holder.wait(timeout=10)
    err = capsys.readouterr().err
    assert code == 2, err
    # the wait, said once (a warning: on stderr outside pytest, which captures it here)
    waiting = [r.getMessage() for r in caplog.records if r.getMessage().startswith("waiting:")]
    assert len(waiting) == 1 and waiting[0].startswith(f"waiting: warehouse.duckdb is held by PID {holder.pid} (")
    assert waiting[0].endswith("; waiting up to 0.5 s for it")
    refusal = f"coachwh check: {warehouse} stayed locked by PID {holder.pid} ("  # one line, no traceback
    assert err.startswith(refusal) and err.count("\n") == 1, err
    assert err.endswith("for 0.5 s (DuckDB lets one process open it, readers included): try again when that "
                        "process is done\n"), err  # fmt: skip


def test_docs_waits_for_a_process_holding_the_warehouse_and_names_it_then_gives_up_in_one_line(
    empty_home, capsys, monkeypatch
):
    empty_home.mkdir()
    warehouse = empty_home / "warehouse.duckdb"
    duckdb.connect(str(warehouse)).close()
    monkeypatch.setattr(dbt_docs, "WAIT_SECONDS", 0.5)
    hold = (
        "import sys, time, duckdb; c = duckdb.connect(sys.argv[1], read_only=True); print('held', flush=True); "
        "time.sleep(30)"
    )
    reader = subprocess.Popen([sys.executable, "-c", hold, str(warehouse)], stdout=subprocess.PIPE, text=True)
    try:
        assert reader.stdout.readline().strip() == "held"
        code = main(["docs", "--no-serve"])
    finally:
        reader.kill()
        reader.wait(timeout=10)
    captured = capsys.readouterr()
    assert code == 2, captured
    assert f"warehouse.duckdb is held by PID {reader.pid} (" in captured.out  # the wait, said once
    assert captured.err.startswith("coachwh docs: ") and captured.err.count("\n") == 1, captured
    assert f"stayed locked by PID {reader.pid} (" in captured.err and "Traceback" not in captured.err


def test_report_names_a_bi_tool_holding_the_published_file_open_for_writing_in_one_line(empty_home, capsys):
    empty_home.mkdir()
    published = empty_home / "coachwh_marts.duckdb"
    duckdb.connect(str(published)).close()
    hold = "import sys, time, duckdb; c = duckdb.connect(sys.argv[1]); print('held', flush=True); time.sleep(30)"
    bi = subprocess.Popen([sys.executable, "-c", hold, str(published)], stdout=subprocess.PIPE, text=True)
    try:
        assert bi.stdout.readline().strip() == "held"
        code = main(["report"])
    finally:
        bi.kill()
        bi.wait(timeout=10)
    captured = capsys.readouterr()
    assert code == 2, captured
    assert captured.err.startswith("coachwh report: ") and captured.err.count("\n") == 1, captured
    assert f"held open for writing by PID {bi.pid} (" in captured.err and "read-only" in captured.err


def test_the_extract_dates_read_before_dbt_wait_for_a_reader_of_the_warehouse_as_dbt_would_fail_on_it(
    tmp_path, monkeypatch
):
    """dbt opens the warehouse for writing and fails at once on a file an analyst holds, even read-only: the
    step reads the extract dates first, opening the file as dbt will, and so waits there (here 0.5 s)."""
    warehouse = tmp_path / "warehouse.duckdb"
    duckdb.connect(str(warehouse)).close()
    wait = warehouse_file.connect_waiting
    monkeypatch.setattr(extracts, "connect_waiting", lambda path, **kw: wait(path, **{**kw, "wait_seconds": 0.5}))
    hold = "import sys, time, duckdb; c = duckdb.connect(sys.argv[1], read_only=True); print('held', flush=True); "
    reader = subprocess.Popen([sys.executable, "-c", hold + "time.sleep(30)", str(warehouse)], stdout=subprocess.PIPE)
    try:
        assert reader.stdout.readline().strip() == b"held"
        with pytest.raises(warehouse_file.WarehouseBusy, match=f"PID {reader.pid} "):
            extracts.build_inputs_in(warehouse)
    finally:
        reader.kill()
        reader.wait(timeout=10)
    assert extracts.build_inputs_in(warehouse).extract_dates == dict.fromkeys(("crm", "hris", "survey", "lms"))
