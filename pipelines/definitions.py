"""The Dagster code location: assembles the areas of `pipelines/defs/`, nothing more.

The settings are read from the environment once, here, and handed to every area as one
`CoachwhConfig` resource (the same object, so the areas merge).
"""

from __future__ import annotations

import dagster as dg

from pipelines.config import Settings, settings
from pipelines.defs.alerts import alert_definitions
from pipelines.defs.freshness import freshness_definitions
from pipelines.defs.ingest import ingest_definitions
from pipelines.defs.pool_wait import apply as sleep_while_waiting_for_a_pool_slot
from pipelines.defs.publish import publish_definitions
from pipelines.defs.quality import quality_definitions
from pipelines.defs.repairs import repair_definitions
from pipelines.defs.report import report_definitions
from pipelines.defs.resources import CoachwhConfig
from pipelines.defs.schedules import NIGHTLY_JOB, schedule_definitions
from pipelines.defs.warehouse import warehouse_definitions
from pipelines.progress import LOGGER_NAME, progress_logger

# every process that loads the code location runs its steps: the daemon's run workers, `coachwh run`, the UI's
sleep_while_waiting_for_a_pool_slot()

# The code location's name in workspace.yaml (`make ui`, the daemon): runs started outside the UI carry it too.
CODE_LOCATION = "coachwh"


def build_definitions(cfg: Settings | None = None) -> dg.Definitions:
    coachwh = CoachwhConfig.from_settings(cfg or settings())
    warehouse = warehouse_definitions(coachwh)
    mart_keys = [key for assets_def in warehouse.assets or [] for key in assets_def.keys if key.path[0] == "marts"]
    checked = [
        # The landing sensor starts the nightly job as soon as complete batches wait (on by default).
        ingest_definitions(sensor_job_name=NIGHTLY_JOB, sensor_status=dg.DefaultSensorStatus.RUNNING, coachwh=coachwh),
        quality_definitions(coachwh),
        freshness_definitions(),
        warehouse,
    ]
    # every check of the location: publication waits for the latest evaluation of each ERROR one to pass
    checks = [
        key for area in checked for d in [*(area.assets or []), *(area.asset_checks or [])] for key in d.check_keys
    ]
    return dg.Definitions.merge(
        *checked,
        publish_definitions(mart_keys, checks),
        report_definitions(),
        schedule_definitions(),
        repair_definitions(),
        alert_definitions(),
        # One step at a time in one process: DuckDB takes a single writer, and a writer locks out every
        # other process. Across runs, the instance's run queue (1 run) and the `duckdb_warehouse` pool
        # (limit 1) keep runs apart (deploy/dagster.yaml).
        dg.Definitions(
            executor=dg.in_process_executor,
            # `coachwh run` picks the progress logger; everything else gets Dagster's console logger.
            loggers={"console": dg.colored_console_logger, LOGGER_NAME: progress_logger},
        ),
    )


def location_tags() -> dict[str, str]:
    """The tags a run launched from the UI gets from its code location, for a run executed in-process
    (`coachwh run`): the UI lists runs on a job's page and in the Overview timeline by them."""
    from dagster._core.definitions.repository_definition.valid_definitions import SINGLETON_REPOSITORY_NAME
    from dagster._core.storage.tags import CODE_LOCATION_TAG, REPOSITORY_LABEL_TAG

    return {REPOSITORY_LABEL_TAG: f"{SINGLETON_REPOSITORY_NAME}@{CODE_LOCATION}", CODE_LOCATION_TAG: CODE_LOCATION}


defs = build_definitions()
