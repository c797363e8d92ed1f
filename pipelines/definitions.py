"""The Dagster code location: assembles the areas of `pipelines/defs/`, nothing more."""

from __future__ import annotations

import dagster as dg

from pipelines.defs.ingest import ingest_definitions
from pipelines.defs.publish import publish_definitions
from pipelines.defs.quality import quality_definitions
from pipelines.defs.schedules import NIGHTLY_JOB, schedule_definitions
from pipelines.defs.warehouse import warehouse_definitions


def build_definitions() -> dg.Definitions:
    warehouse = warehouse_definitions()
    mart_keys = [
        key
        for assets_def in warehouse.assets or []
        for key in assets_def.keys
        if key.path[0] == "marts"
    ]
    return dg.Definitions.merge(
        # The landing sensor starts the nightly job as soon as complete batches wait (on by default).
        ingest_definitions(sensor_job_name=NIGHTLY_JOB, sensor_status=dg.DefaultSensorStatus.RUNNING),
        quality_definitions(),
        warehouse,
        publish_definitions(mart_keys),
        schedule_definitions(),
        # One step at a time in one process: DuckDB takes a single writer, and a writer locks out every
        # other process. Steps in parallel processes would only queue on the file lock (or fail on it).
        dg.Definitions(executor=dg.in_process_executor),
    )


defs = build_definitions()
