"""A `coachwh run` killed outright must not stop every later one: the next run settles what it left behind and
alerts for it; one that crashes (Dagster's own storage on a full disk) alerts before it ends."""

from __future__ import annotations

import json
import sqlite3
import sys

import dagster as dg
import pytest

from pipelines.config import Settings
from pipelines.defs.alerts import ALERTED_BY_CLI, ALERTED_TAG
from pipelines.defs.ingest import WAREHOUSE_POOL
from pipelines.defs.run_report import read_run
from pipelines.instance import dagster_instance
from pipelines.nightly import run_nightly, settle_abandoned_runs
from tests.pipeline.runs import add_run


def test_a_killed_cli_run_is_marked_failed_and_its_warehouse_slot_freed(tmp_path):
    cfg = Settings(home=tmp_path / "home", landing=tmp_path / "landing")
    with dagster_instance(cfg) as instance:
        killed = add_run(instance, tags={ALERTED_TAG: ALERTED_BY_CLI}).run_id  # its process died mid-gate
        by_daemon = add_run(instance).run_id  # may well be going: Dagster's to judge
        finished = add_run(instance, dg.DagsterRunStatus.SUCCESS, tags={ALERTED_TAG: ALERTED_BY_CLI}).run_id
        slots = instance.event_log_storage
        slots.initialize_concurrency_limit_to_default(WAREHOUSE_POOL)  # the shipped limit: 1
        slots.claim_concurrency_slot(WAREHOUSE_POOL, killed, "ingest_crm")
        held = slots.claim_concurrency_slot(WAREHOUSE_POOL, "the next run", "ingest_crm")
        assert held.slot_status.value == "BLOCKED"  # what hung every later run, without a word

        lines = settle_abandoned_runs(instance)

        assert lines == {
            killed: f"run {killed} of an earlier coachwh run never finished (its process was killed or crashed): "
            "marked failed, its warehouse slot freed; this run loads and builds what it left undone"
        }
        alert = read_run(instance, killed).as_alert()  # what the next coachwh run sends for it
        assert alert["verdict"] == "FAILED" and "ended without finishing it (killed or crashed)" in alert["reasons"][0]
        assert alert["retry"] is None  # an in-process run: the daemon cannot start it again
        status = {r: instance.get_run_by_id(r).status for r in (killed, by_daemon, finished)}
        assert status == {
            killed: dg.DagsterRunStatus.FAILURE,
            by_daemon: dg.DagsterRunStatus.STARTED,
            finished: dg.DagsterRunStatus.SUCCESS,
        }
        assert slots.claim_concurrency_slot(WAREHOUSE_POOL, "the next run", "ingest_crm").slot_status.value == "CLAIMED"
        assert settle_abandoned_runs(instance) == {}  # settled once


def test_a_run_that_crashes_before_its_report_is_read_still_alerts(tmp_path, monkeypatch):
    """Dagster's event log on a full disk ends `coachwh run` with an exception, not a failed run: the alert goes
    out all the same, then the exception (exit 1, its traceback in the terminal)."""
    received = tmp_path / "alert.json"
    cfg = Settings(
        home=tmp_path / "home",
        landing=tmp_path / "landing",
        alert_command=f"{sys.executable} -c \"import sys; open('{received}', 'w').write(sys.stdin.read())\"",
    )

    def full_disk(*args, **kwargs):
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(dg.JobDefinition, "execute_in_process", full_disk)
    lines = []
    with pytest.raises(sqlite3.OperationalError):
        run_nightly(cfg, out=lines.append, progress=lines.append)
    alert = json.loads(received.read_text())
    assert alert["verdict"] == "FAILED" and alert["status"] == "CRASHED"
    assert alert["reasons"] == ["coachwh run crashed: OperationalError: database or disk is full"]
    assert any(line.startswith("alert via command sent") for line in lines), lines


def test_a_daemon_run_whose_worker_died_is_marked_failed_and_its_slot_freed(tmp_path):
    """The daemon, its code server and the run worker killed together leave a run STARTED for ever: the queue's one
    place and the warehouse slot stay taken, and every later night waits, with no alert. The worker's process id in
    the run's event log tells a dead worker from a live one."""
    import os

    from pipelines.defs.dead_runs import settle_dead_runs, settle_dead_runs_sensor
    from tests.pipeline.runs import vacant_pid

    cfg = Settings(home=tmp_path / "home", landing=tmp_path / "landing")
    gone = vacant_pid()
    with dagster_instance(cfg) as instance:
        dead = add_run(instance, worker=gone)
        alive = add_run(instance, worker=os.getpid())  # this test's own process, a Python one
        unknown = add_run(instance)  # no worker known yet (in-process: `coachwh run`'s own)
        slots = instance.event_log_storage
        slots.initialize_concurrency_limit_to_default(WAREHOUSE_POOL)
        slots.claim_concurrency_slot(WAREHOUSE_POOL, dead.run_id, "coachwh_dbt_models")

        lines = settle_dead_runs(instance)

        assert list(lines) == [dead.run_id]
        assert f"its run worker (PID {gone}) is gone" in lines[dead.run_id]
        status = {r.run_id: instance.get_run_by_id(r.run_id).status for r in (dead, alive, unknown)}
        assert status == {
            dead.run_id: dg.DagsterRunStatus.FAILURE,
            alive.run_id: dg.DagsterRunStatus.STARTED,
            unknown.run_id: dg.DagsterRunStatus.STARTED,
        }
        alert = read_run(instance, dead.run_id).as_alert()  # what the alert sensor sends for it
        assert alert["verdict"] == "FAILED" and "died with the daemon or the machine" in alert["reasons"][0]
        claimed = slots.claim_concurrency_slot(WAREHOUSE_POOL, "the next run", "ingest_crm")
        assert claimed.slot_status.value == "CLAIMED"
        # a run that Dagster itself marked failed, its worker gone, still holding the slot (auditor R: the retry
        # waited 5 minutes for it); one that ended with its worker alive is Dagster's to settle
        slots.free_concurrency_slots_for_run("the next run")
        ended = add_run(instance, dg.DagsterRunStatus.FAILURE, worker=gone)
        ended_alive = add_run(instance, dg.DagsterRunStatus.CANCELED, worker=os.getpid())
        slots.claim_concurrency_slot(WAREHOUSE_POOL, ended.run_id, "coachwh_dbt_models")
        slots.claim_concurrency_slot(WAREHOUSE_POOL, ended_alive.run_id, "publish")
        lines = settle_dead_runs(instance)
        assert (
            list(lines) == [ended.run_id]
            and "ended (FAILURE) with its warehouse slot still held" in lines[ended.run_id]
        )
        assert slots.get_concurrency_run_ids() == {ended_alive.run_id}
        slots.free_concurrency_slots_for_run(ended_alive.run_id)
        # the daemon's sensor does the same each minute; nothing left to settle now
        tick = settle_dead_runs_sensor(dg.build_sensor_context(instance=instance))
        assert isinstance(tick, dg.SkipReason) and "alive" in tick.skip_message
