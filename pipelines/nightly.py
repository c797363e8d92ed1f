"""`coachwh run`: the nightly Dagster job, executed once in-process, exactly as the schedule runs it.

- One at a time: the run holds `$COACHWH_HOME/.run.lock` (fcntl) from start to end; a second `coachwh run`
  says who holds it and waits (`wait=False`: refuses at once). Inside Dagster, the instance's run queue and
  the `duckdb_warehouse` pool keep it apart from runs launched by the daemon or the UI.
- A `coachwh run` killed outright leaves its Dagster run STARTED and its slot of the `duckdb_warehouse` pool
  taken; the next one marks that run failed and frees the slot first (`settle_abandoned_runs`), else it would
  wait for the slot forever.
- It runs on the shipped instance settings ($DAGSTER_HOME/dagster.yaml, see `pipelines.instance`), so the
  run shows in the UI's history, and with the settings as the `CoachwhConfig` resource of `cfg`.
- The terminal shows a line per stage on stderr (`pipelines.progress`; dbt's own output goes to
  $COACHWH_HOME/logs/run-<time>.log; `verbose=True` streams every Dagster and dbt log line instead)
  and ends with the summary of `pipelines.summary` on stdout.
- A night that went wrong (failed, an ERROR check failed, a batch refused) sends the alert of
  `pipelines.alerts` and returns False (the CLI exits 1). The daemon's alert sensors skip such runs.
"""

from __future__ import annotations

import signal
import sys
import threading
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager, redirect_stdout
from datetime import UTC, datetime
from pathlib import Path

from pipelines.config import Settings
from pipelines.instance import dagster_instance, unfinished_run_statuses
from pipelines.locks import LockTimeout, file_lock


def _run_config(defs, full_refresh: bool, verbose: bool, engine: str = "duckdb") -> dict:
    from pipelines.progress import LOGGER_NAME
    from pipelines.sources import SOURCE_FILES

    dbt = next(a for a in defs.assets if getattr(a, "op", None) is not None and a.op.name == "coachwh_dbt_models")
    loggers = (
        {"console": {"config": {"log_level": "DEBUG"}}}
        if verbose
        else {
            LOGGER_NAME: {
                "config": {
                    "dbt_models": len(dbt.keys),
                    "dbt_tests": len(list(dbt.check_specs)),
                    "contracts": len(SOURCE_FILES),
                }
            }
        }
    )
    dbt_config = {"full_refresh": full_refresh, "engine": engine}
    return {"ops": {"coachwh_dbt_models": {"config": dbt_config}}, "loggers": loggers}


@contextmanager
def _quiet(log_path: Path, verbose: bool) -> Iterator[None]:
    """Without --verbose, what dbt and libraries print to stdout goes to `log_path`, warnings are muted;
    the progress lines go to stderr (`pipelines.progress`). With it, that output goes to stderr: stdout holds
    the summary alone either way, for a script that reads it."""
    if verbose:
        with redirect_stdout(sys.stderr):
            yield
        return
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with open(log_path, "w", encoding="utf-8") as log, redirect_stdout(log), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


@contextmanager
def _sigterm_given_back() -> Iterator[None]:
    """SIGTERM's disposition as it was before an in-process Dagster run. Dagster maps SIGTERM to SIGINT's handler
    while a run executes (so `kill` stops the run cleanly) and leaves it so: started with SIGINT ignored (a
    shell's background job, nohup), `coachwh run` would then ignore SIGTERM while it sends the summary and alert."""
    if threading.current_thread() is not threading.main_thread():  # only the main thread sets handlers (as Dagster)
        yield
        return
    before = signal.getsignal(signal.SIGTERM)
    try:
        yield
    finally:
        if before is not None:  # None: set outside Python, nothing to give back
            signal.signal(signal.SIGTERM, before)


def run_nightly(
    cfg: Settings,
    full_refresh: bool = False,
    *,
    verbose: bool = False,
    wait: bool = True,
    out: Callable[[str], None] = lambda line: print(line, flush=True),
    engine: str = "duckdb",
    progress: Callable[[str], None] = lambda line: print(line, file=sys.stderr, flush=True),
) -> bool:
    """Run the nightly job once; True when the night went right (see the module docstring). `engine`: where
    dbt builds the models (pipelines.config.ENGINES; spark: pipelines/spark). The summary goes to `out`; the
    lines said on the way (what it waits for, what it settles) to `progress`, with the stage lines."""
    cfg.home.mkdir(parents=True, exist_ok=True)

    def waiting(who: str) -> None:
        progress(f"{cfg.run_lock} is held by {who}: waiting for it to finish…")

    with file_lock(cfg.run_lock, "coachwh run", wait_seconds=None if wait else 0, on_wait=waiting):
        return _run_locked(cfg, full_refresh, verbose, out, engine, progress, wait)


def settle_abandoned_runs(instance) -> dict[str, str]:
    """Mark failed the runs of earlier `coachwh run`s that never ended, and free what they held: run id -> one line.

    A `coachwh run` killed outright (kill -9, a reboot, the OOM killer) leaves its Dagster run STARTED, holding
    its slot of the `duckdb_warehouse` pool (limit 1): every later run's first step would wait for that slot
    forever, saying nothing. Only called under `.run.lock`, which every `coachwh run` holds from start to end,
    so no run of this tag can still be going; runs the daemon or the UI launched are left to Dagster."""
    import dagster as dg

    from pipelines.defs.alerts import ALERTED_BY_CLI, ALERTED_TAG

    unfinished = dg.RunsFilter(statuses=unfinished_run_statuses(), tags={ALERTED_TAG: ALERTED_BY_CLI})
    abandoned = instance.get_runs(filters=unfinished)
    lines = {}
    for run in abandoned:
        instance.report_run_failed(
            run,
            message="its coachwh run ended without finishing it (killed or crashed); marked failed by the next "
            "coachwh run",
        )
        instance.event_log_storage.free_concurrency_slots_for_run(run.run_id)
        lines[run.run_id] = (
            f"run {run.run_id} of an earlier coachwh run never finished (its process was killed or crashed): marked "
            "failed, its warehouse slot freed; this run loads and builds what it left undone"
        )
    return lines


def run_going_elsewhere(instance) -> str | None:
    """A run the UI or the daemon launched that is queued or going, in words; None when there is none. `.run.lock`
    keeps `coachwh run`s apart; those runs meet this one only at the warehouse pool's one slot."""
    import dagster as dg

    from pipelines.defs.alerts import ALERTED_BY_CLI, ALERTED_TAG

    for run in instance.get_runs(filters=dg.RunsFilter(statuses=unfinished_run_statuses()), limit=20):
        if run.tags.get(ALERTED_TAG) != ALERTED_BY_CLI:
            return f"run {run.run_id} ({run.job_name}, launched from the UI or by the daemon) is {run.status.value}"
    return None


def _run_locked(
    cfg: Settings,
    full_refresh: bool,
    verbose: bool,
    out: Callable[[str], None],
    engine: str,
    progress: Callable[[str], None],
    wait: bool = True,
) -> bool:
    from pipelines.defs.warehouse import prepare_manifest

    # First: importing pipelines.definitions builds definitions from the manifest as it is (a parse clears what
    # dagster-dbt kept of it, so the definitions built below are the new manifest's either way)
    prepare_manifest()

    from pipelines.alerts import send_alert
    from pipelines.definitions import build_definitions, location_tags
    from pipelines.defs.alerts import ALERTED_BY_CLI, ALERTED_TAG, tag_verdict
    from pipelines.defs.dead_runs import settle_dead_runs
    from pipelines.defs.run_report import read_run
    from pipelines.defs.schedules import NIGHTLY_JOB
    from pipelines.summary import summary_lines

    defs = build_definitions(cfg)
    job = defs.resolve_job_def(NIGHTLY_JOB)
    run_config = _run_config(defs, full_refresh, verbose, engine)
    log_path = cfg.home / "logs" / f"run-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.log"
    with dagster_instance(cfg) as instance:
        # a run of the daemon whose worker died with it would hold the warehouse slot forever (the daemon's
        # alert sensor reports its failure once it runs again)
        settled = settle_dead_runs(instance)
        going = run_going_elsewhere(instance)
        if going is not None and not wait:
            raise LockTimeout(going)  # before any line: a refusal is one line
        progress(
            f"coachwh run: nightly job on {cfg.home}"
            + (" (full refresh)" if full_refresh else "")
            + (f" (dbt on {engine})" if engine != "duckdb" else "")
        )
        for line in settled.values():
            progress(line)
        for run_id, line in settle_abandoned_runs(instance).items():
            progress(line)
            # a night killed outright (kill -9, a reboot) alerted nobody: the daemon's sensors leave the runs of
            # `coachwh run` to it, and it was dead
            send_alert(read_run(instance, run_id).as_alert(), cfg.alert_webhook, cfg.alert_command, log=out)
        if going is not None:
            progress(f"{going}: this run's steps wait for the warehouse slot it holds")
        try:
            with _quiet(log_path, verbose), _sigterm_given_back():
                result = job.execute_in_process(
                    instance=instance,
                    run_config=run_config,
                    raise_on_error=False,
                    tags={ALERTED_TAG: ALERTED_BY_CLI, **location_tags()},
                )
                report = read_run(instance, result.run_id)
                tag_verdict(instance, report)
        except Exception as e:
            # Dagster's own storage failing (a full disk: "database or disk is full") ends the run before it has a
            # report: the night went wrong all the same, and nobody is told unless we say so here.
            send_alert(_crash_alert(e), cfg.alert_webhook, cfg.alert_command, log=out)
            raise
    for line in summary_lines(report, cfg.published):
        out(line)
    if not verbose:
        out(f"log       {log_path} (dbt's output); every event in the Dagster UI (make ui)")
    if report.went_wrong:
        send_alert(report.as_alert(), cfg.alert_webhook, cfg.alert_command, log=out)
    return not report.went_wrong


def _crash_alert(error: BaseException) -> dict:
    """The alert of a `coachwh run` that crashed before its run could be read back: a report of no run."""
    from pipelines.defs.run_report import RunReport, first_line
    from pipelines.defs.schedules import NIGHTLY_JOB

    reason = f"coachwh run crashed: {type(error).__name__}: {first_line(str(error), 1000)}"
    crashed = RunReport(run_id=None, job=NIGHTLY_JOB, status="CRASHED", ended_at=datetime.now(UTC), run_failure=reason)
    return crashed.as_alert()
