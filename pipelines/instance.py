"""The Dagster instance coachwh runs on: $DAGSTER_HOME (default $COACHWH_HOME/dagster) with the shipped
settings of deploy/dagster.yaml (one run at a time, the warehouse pool limited to 1, retries only for
transient failures, telemetry off), written there when no dagster.yaml exists yet.
"""

from __future__ import annotations

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
    import dagster as dg

    ensure_instance_yaml(cfg.dagster_home)
    return dg.DagsterInstance.from_config(str(cfg.dagster_home))


if __name__ == "__main__":  # `python -m pipelines.instance`: write the settings if absent, print $DAGSTER_HOME
    from pipelines.config import settings

    home = settings().dagster_home
    ensure_instance_yaml(home)
    print(home)
