"""Dagster runs as the daemon's launcher or `coachwh run` leave them, for the tests of what judges them."""

from __future__ import annotations

import subprocess
import sys
import uuid

import dagster as dg
from dagster._core.events import EngineEventData


def add_run(
    instance: dg.DagsterInstance,
    status: dg.DagsterRunStatus = dg.DagsterRunStatus.STARTED,
    *,
    worker: int | None = None,
    tags: dict[str, str] | None = None,
) -> dg.DagsterRun:
    """A nightly run in `status`; with `worker`, the engine event in which the launcher names its process id."""
    run = dg.DagsterRun(job_name="nightly", run_id=str(uuid.uuid4()), status=status, tags=tags or {})
    instance.add_run(run)
    if worker is not None:
        instance.report_engine_event(
            f"Started process for run (pid: {worker}).", run, EngineEventData.in_process(worker)
        )
    return run


def vacant_pid() -> int:
    """A process id that no process holds now (one that just ended)."""
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    return gone.pid
