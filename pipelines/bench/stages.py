"""Seconds per stage of a nightly run, read from the Dagster instance the run wrote to.

Steps are grouped by what they do: the gate (ingestion assets), the source contracts (checks on raw),
dbt, publication and the report. What the run took beyond its steps is the fixed cost of starting
Python and Dagster ("start-up"). dbt's own fixed cost (starting its process and parsing the project) is
inside the dbt step: the run's log says how long dbt took to run the models and tests, and the rest of the
step is that start-up (`dbt_start_up`).
"""

from __future__ import annotations

import re
from pathlib import Path

STAGES = ("gate", "contracts", "dbt", "publish", "report")
DBT_START_UP = "dbt start-up and parse"

# dbt's closing line: "Finished running 4 incremental models, ... in 0 hours 0 minutes and 11.91 seconds (11.91s)."
_FINISHED = re.compile(r"Finished running .* \((\d+(?:\.\d+)?)s\)")


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


def dbt_start_up(dbt_step_seconds: float, log_text: str) -> float | None:
    """Seconds of the dbt step before and after dbt ran the models and tests (its process, the parse of the
    project, the events back to Dagster): the step less what dbt's log reports; None without that line."""
    found = _FINISHED.findall(log_text)
    if not found:
        return None
    return max(0.0, dbt_step_seconds - float(found[-1]))
