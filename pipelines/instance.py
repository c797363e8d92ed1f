"""The Dagster instance coachwh runs on: $DAGSTER_HOME (default $COACHWH_HOME/dagster) with the shipped
settings of deploy/dagster.yaml (one run at a time, the warehouse pool limited to 1, retries only for
transient failures, telemetry off), written there when no dagster.yaml exists yet.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from pipelines.config import PROJECT_ROOT, Settings

TEMPLATE = PROJECT_ROOT / "deploy" / "dagster.yaml"


def ensure_instance_yaml(dagster_home: Path) -> Path:
    """Write the shipped dagster.yaml into `dagster_home` unless one is there (an empty file, as older
    versions of coachwh left, counts as none). Returns its path."""
    dagster_home.mkdir(parents=True, exist_ok=True)
    target = dagster_home / "dagster.yaml"
    if not target.exists() or not target.read_text(encoding="utf-8").strip():
        tmp = target.with_name(".dagster.yaml.tmp")
        shutil.copyfile(TEMPLATE, tmp)
        tmp.replace(target)
    return target


def dagster_instance(cfg: Settings):
    """The instance the UI and the daemon read too, so `coachwh run` shows in the same run history."""
    ensure_instance_yaml(cfg.dagster_home)
    return open_instance(cfg.dagster_home)


def open_instance(dagster_home: Path):
    """The Dagster instance of the folder `dagster_home`. The shipped dagster.yaml names the folder as
    $DAGSTER_HOME (the event log's config), as the UI, the daemon and the run workers they start see it: set
    for the moment the instance reads its settings, so that this process's environment stays as it was."""
    import dagster as dg

    before = os.environ.get("DAGSTER_HOME")
    os.environ["DAGSTER_HOME"] = str(dagster_home)
    try:
        return dg.DagsterInstance.from_config(str(dagster_home))
    finally:
        if before is None:
            del os.environ["DAGSTER_HOME"]
        else:
            os.environ["DAGSTER_HOME"] = before


def unfinished_run_statuses() -> list:
    """The statuses of a Dagster run that has not ended: queued, about to start, going, or being cancelled (a run
    being cancelled still holds what it took, and its step may still be writing)."""
    import dagster as dg

    status = dg.DagsterRunStatus
    return [status.QUEUED, status.NOT_STARTED, status.STARTING, status.STARTED, status.CANCELING]


if __name__ == "__main__":  # `python -m pipelines.instance`: write the settings if absent, print $DAGSTER_HOME
    from pipelines.config import settings

    home = settings().dagster_home
    ensure_instance_yaml(home)
    print(home)
