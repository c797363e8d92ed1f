"""A `coachwh run` killed outright must not stop every later one: the next run settles what it left behind."""

from __future__ import annotations

import uuid

import dagster as dg

from pipelines.config import Settings
from pipelines.defs.alerts import ALERTED_BY_CLI, ALERTED_TAG
from pipelines.defs.ingest import WAREHOUSE_POOL
from pipelines.instance import dagster_instance
from pipelines.nightly import settle_abandoned_runs


def test_a_killed_cli_run_is_marked_failed_and_its_warehouse_slot_freed(tmp_path):
    cfg = Settings(home=tmp_path / "home", landing=tmp_path / "landing")
    with dagster_instance(cfg) as instance:

        def run(status: dg.DagsterRunStatus, tags: dict[str, str]) -> str:
            r = dg.DagsterRun(job_name="nightly", run_id=str(uuid.uuid4()), status=status, tags=tags)
            instance.add_run(r)
            return r.run_id

        killed = run(dg.DagsterRunStatus.STARTED, {ALERTED_TAG: ALERTED_BY_CLI})  # its process died mid-gate
        by_daemon = run(dg.DagsterRunStatus.STARTED, {})  # may well be going: Dagster's to judge
        finished = run(dg.DagsterRunStatus.SUCCESS, {ALERTED_TAG: ALERTED_BY_CLI})
        slots = instance.event_log_storage
        slots.initialize_concurrency_limit_to_default(WAREHOUSE_POOL)  # the shipped limit: 1
        slots.claim_concurrency_slot(WAREHOUSE_POOL, killed, "ingest_crm")
        held = slots.claim_concurrency_slot(WAREHOUSE_POOL, "the next run", "ingest_crm")
        assert held.slot_status.value == "BLOCKED"  # what hung every later run, without a word

        lines = settle_abandoned_runs(instance)

        assert lines == [
            f"run {killed} of an earlier coachwh run never finished (its process was killed): marked failed, its "
            "warehouse slot freed; this run loads and builds what it left undone"
        ]
        status = {r: instance.get_run_by_id(r).status for r in (killed, by_daemon, finished)}
        assert status == {
            killed: dg.DagsterRunStatus.FAILURE,
            by_daemon: dg.DagsterRunStatus.STARTED,
            finished: dg.DagsterRunStatus.SUCCESS,
        }
        assert slots.claim_concurrency_slot(WAREHOUSE_POOL, "the next run", "ingest_crm").slot_status.value == "CLAIMED"
        assert settle_abandoned_runs(instance) == []  # settled once
