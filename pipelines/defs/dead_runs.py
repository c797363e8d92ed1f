"""Runs whose worker process is gone: marked failed, so they alert, retry and stop blocking the nights after them.

The shipped instance launches each run in a process of its own on this machine (Dagster's default run launcher).
When that process dies with the daemon (a power cut, the OOM killer, a SIGKILL of the whole service), nothing
marks the run failed: Dagster's run monitoring cannot ask the default launcher whether a worker lives, so the run
stays STARTED, holds the one place of the run queue and the `duckdb_warehouse` slot, and every later night
(the 02:00 schedule included) queues behind it, with no alert. The worker's process id is in the run's event
log ("Started process for run (pid: N)"); a sensor, and every `coachwh run` before it starts, looks it up.
"""

from __future__ import annotations

import os
from pathlib import Path

import dagster as dg


def worker_pid(instance: dg.DagsterInstance, run_id: str) -> int | None:
    """The process id of run `run_id`'s worker, from the engine event its launcher writes; None before it is known
    (a run in-process, as `coachwh run`'s, writes none)."""
    for entry in instance.all_logs(run_id, of_type=dg.DagsterEventType.ENGINE_EVENT):
        event = entry.dagster_event
        if event is None or not entry.message.startswith("Started process for run"):
            continue
        pid = event.engine_event_data.metadata.get("pid")
        if pid is not None:
            return int(pid.value)
    return None


def process_is_gone(pid: int) -> bool:
    """True when no process `pid` runs here, or the one that does is no Python (the id was given out again)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # another user's process: alive
        return False
    if not Path("/proc/self").exists():  # no /proc (not Linux): the signal's answer stands
        return False
    try:
        return b"python" not in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:  # it exited meanwhile
        return True


def settle_dead_runs(instance: dg.DagsterInstance) -> dict[str, str]:
    """Mark failed every STARTED run whose worker process is gone, and free its warehouse slot, as well as the slot of
    a run that ended with its worker gone: run id -> one line.

    The failure is a run failure, not a step's, so the alert sensor reports it and the instance's run retries
    start it again."""
    lines = {}
    started = instance.get_runs(filters=dg.RunsFilter(statuses=[dg.DagsterRunStatus.STARTED]))
    for run in started:
        pid = worker_pid(instance, run.run_id)
        if pid is None or not process_is_gone(pid):
            continue
        said = (
            f"its run worker (PID {pid}) is gone: the process died with the daemon or the machine (power, the OOM "
            "killer, a SIGKILL of the service) before the run ended; marked failed so the nights after it can run"
        )
        instance.report_run_failed(run, message=said)
        instance.event_log_storage.free_concurrency_slots_for_run(run.run_id)
        lines[run.run_id] = f"run {run.run_id} ({run.job_name}): {said}"
    return lines | _free_slots_of_ended_runs(instance)


def _free_slots_of_ended_runs(instance: dg.DagsterInstance) -> dict[str, str]:
    """Free the warehouse slot still held by a run that ended with its worker gone: run id -> one line.

    A worker killed outright can be marked failed by Dagster itself (its run monitoring) before the loop above sees
    it; its claimed slot then stays taken until the instance's `free_slots_after_run_end_seconds` (5 minutes), and the
    run's retry, or the next night, waits that long for nothing. A run whose worker lives is left to Dagster."""
    lines = {}
    for run_id in sorted(instance.event_log_storage.get_concurrency_run_ids()):
        run = instance.get_run_by_id(run_id)
        if run is None or not run.is_finished:
            continue
        pid = worker_pid(instance, run_id)
        if pid is None or not process_is_gone(pid):
            continue
        instance.event_log_storage.free_concurrency_slots_for_run(run_id)
        lines[run_id] = (
            f"run {run_id} ({run.job_name}) ended ({run.status.value}) with its warehouse slot still held and its "
            f"worker (PID {pid}) gone: the slot is freed for the runs waiting on it"
        )
    return lines


@dg.sensor(
    name="settle_dead_runs",
    minimum_interval_seconds=60,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Marks failed a started run whose worker process is gone (it died with the daemon or the machine), "
    "so that it alerts and retries instead of blocking every later night.",
)
def settle_dead_runs_sensor(context: dg.SensorEvaluationContext):
    settled = settle_dead_runs(context.instance)
    for line in settled.values():
        context.log.warning(line)
    if not settled:
        return dg.SkipReason("every started run's worker is alive")
    return dg.SkipReason(f"settled: {'; '.join(settled.values())}")
