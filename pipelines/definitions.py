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
        ingest_definitions(sensor_job_name=NIGHTLY_JOB),
        quality_definitions(),
        warehouse,
        publish_definitions(mart_keys),
        schedule_definitions(),
    )


defs = build_definitions()
