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
    run_config = {
        "ops": {"coachwh_dbt_models": {"config": {"full_refresh": full_refresh}}},
        # The terminal shows progress (batches, dbt models, checks), not every engine event; the UI has them all.
        "loggers": {"console": {"config": {"log_level": "INFO"}}},
    }
    with dagster_instance(cfg) as instance:
        result = job.execute_in_process(instance=instance, run_config=run_config, raise_on_error=False)
    failed = [e.step_key for e in result.all_events if e.event_type_value == "STEP_FAILURE"]
    if not result.success:
        print(f"nightly run {result.run_id} FAILED at {', '.join(failed) or 'an unknown step'}; "
              f"the last good marts stay published at {cfg.published}")
        return False
    alarms = failed_error_checks(result)
    for alarm in alarms:
        print(f"CHECK FAILED {alarm}")
    if alarms:
        print(f"nightly run {result.run_id} built and published the marts from the data that passed the gate, "
              f"but {len(alarms)} check(s) failed: see above and the Dagster UI")
        return False
    print(f"nightly run {result.run_id} succeeded; marts published to {cfg.published}")
    return True


def failed_error_checks(result: dg.ExecuteInProcessResult) -> list[str]:
    """'asset/key check_name: description' for every ERROR-severity asset check that did not pass."""
    out = []
    for event in result.all_events:
        if event.event_type_value != "ASSET_CHECK_EVALUATION":
            continue
        evaluation = event.event_specific_data
        if not evaluation.passed and evaluation.severity == dg.AssetCheckSeverity.ERROR:
            out.append(f"{evaluation.asset_key.to_user_string()} {evaluation.check_name}: {evaluation.description}")
    return out
