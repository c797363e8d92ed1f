"""The nightly job and its schedule.

Steps that fail for a transient reason are retried with back-off (`NIGHTLY_RETRY_POLICY`); the rest fail
at once (see `pipelines.defs.retries`).
"""

from __future__ import annotations

import dagster as dg

from pipelines.defs.retries import NIGHTLY_RETRY_POLICY

NIGHTLY_JOB = "nightly"
NIGHTLY_SCHEDULE = "nightly_0200_utc"

nightly_job = dg.define_asset_job(
    NIGHTLY_JOB,
    selection=dg.AssetSelection.all(),
    description="Ingest every complete batch waiting in the landing zone, build the dbt warehouse "
    "(models and tests), then publish the marts for BI.",
    op_retry_policy=NIGHTLY_RETRY_POLICY,
)

nightly_schedule = dg.ScheduleDefinition(
    name=NIGHTLY_SCHEDULE,
    job=nightly_job,
    cron_schedule="0 2 * * *",
    execution_timezone="UTC",
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Every night at 02:00 UTC, after the source systems have dropped their exports.",
)


def schedule_definitions() -> dg.Definitions:
    return dg.Definitions(jobs=[nightly_job], schedules=[nightly_schedule])
