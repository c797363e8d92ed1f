"""`coachwh run`: the nightly Dagster job, executed once in-process, exactly as the schedule runs it."""

from __future__ import annotations

import os
from pathlib import Path

import dagster as dg

from pipelines.config import Settings


def dagster_instance(cfg: Settings) -> dg.DagsterInstance:
    """The instance the UI reads too ($DAGSTER_HOME, default $COACHWH_HOME/dagster), so CLI runs show up there."""
    home = Path(os.environ.get("DAGSTER_HOME") or cfg.home / "dagster")
    home.mkdir(parents=True, exist_ok=True)
    (home / "dagster.yaml").touch()
    return dg.DagsterInstance.from_config(str(home))


def run_nightly(cfg: Settings, full_refresh: bool = False) -> bool:
    from pipelines.defs.schedules import NIGHTLY_JOB
    from pipelines.defs.warehouse import prepare_manifest

    cfg.home.mkdir(parents=True, exist_ok=True)
    os.environ["COACHWH_HOME"] = str(cfg.home)
    os.environ["COACHWH_LANDING"] = str(cfg.landing)
    prepare_manifest()
    from pipelines.definitions import defs

    job = defs.resolve_job_def(NIGHTLY_JOB)
    run_config = {"ops": {"coachwh_dbt_models": {"config": {"full_refresh": full_refresh}}}}
    with dagster_instance(cfg) as instance:
        result = job.execute_in_process(instance=instance, run_config=run_config, raise_on_error=False)
    failed = [e.step_key for e in result.all_events if e.event_type_value == "STEP_FAILURE"]
    if result.success:
        print(f"nightly run {result.run_id} succeeded; marts published to {cfg.published}")
    else:
        print(f"nightly run {result.run_id} FAILED at {', '.join(failed) or 'an unknown step'}; "
              f"the last good marts stay published at {cfg.published}")
    return result.success
