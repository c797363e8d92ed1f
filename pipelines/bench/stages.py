"""Seconds per stage of a nightly run, read from the Dagster instance the run wrote to.

Steps are grouped by what they do: the gate (ingestion assets), the source contracts (checks on raw),
dbt, publication and the report. What the run took beyond its steps is the fixed cost of starting
Python, Dagster and dbt ("start-up").
"""

from __future__ import annotations

from pathlib import Path

STAGES = ("gate", "contracts", "dbt", "publish", "report")


def stage_of(step_key: str) -> str:
    key = step_key.lower()
    if "dbt" in key:
        return "dbt"
    if "publish" in key:
        return "publish"
    if "report" in key:
        return "report"
    if "contract" in key or "quality" in key:
        return "contracts"
    return "gate"


def latest_run_stages(dagster_home: Path) -> dict[str, float]:
    """{stage: seconds} of the newest run in the instance at `dagster_home`."""
    from pipelines.instance import open_instance

    with open_instance(dagster_home) as instance:
        records = instance.get_run_records(limit=1)
        if not records:
            return {}
        seconds = dict.fromkeys(STAGES, 0.0)
        for step in instance.get_run_step_stats(records[0].dagster_run.run_id):
            if step.start_time is not None and step.end_time is not None:
                seconds[stage_of(step.step_key)] += step.end_time - step.start_time
        return seconds
