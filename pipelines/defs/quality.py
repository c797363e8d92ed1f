"""Source contract checks: one Great Expectations suite per export file type, as Dagster asset checks.

Each raw asset (`raw/<raw_table>`) gets a check `source_contract` that validates against
expectations/<raw_table>.json: ids present and well-formed, keys unique within a batch, vocabularies,
date and datetime formats, numeric ranges. Severity ERROR, not blocking: the dbt staging tests stop the
build on values that cannot be cast; this check is the per-row report that says which file, which rows,
which column and which rule.

Which rows: the batches that the latest materialisation of the raw asset reports loading (its
`batch_ids` metadata, written by `pipelines.defs.ingest`), so a first run that loads a history batch and
five nightly deltas validates all six, and a late batch for an older date is validated when it lands.
When that materialisation names no batch (nothing new arrived, or the table was loaded outside Dagster,
e.g. `coachwh ingest`), the most recent batch of the table (max `_extract_date`) is validated instead.

The checks share the ingestion's concurrency pool `duckdb_warehouse`: an instance that limits it to 1
queues them with the steps that write the warehouse. Without a limit they still only hold DuckDB's file
lock for the seconds it takes to copy the rows out (see `pipelines.quality.snapshot`), and wait (up to
`LOCK_WAIT_SECONDS`) while a writer holds it.

Great Expectations is imported inside the check (via `pipelines.quality`'s engine), never at load time.
No `from __future__ import annotations` here: Dagster reads the config annotation of the check function.
"""

import dagster as dg

from pipelines.config import settings
from pipelines.defs.ingest import WAREHOUSE_POOL
from pipelines.defs.resources import RESOURCE_KEY, CoachwhConfig
from pipelines.defs.retries import non_transient
from pipelines.quality.report import ValidationReport
from pipelines.quality.runner import DEFAULT_CHUNK_ROWS, validate_batches
from pipelines.sources import SOURCE_FILES, SourceFile

CHECK_NAME = "source_contract"
LOCK_WAIT_SECONDS = 1800.0  # a full dbt build of the large profile can hold the warehouse for minutes
BATCH_IDS_METADATA = "batch_ids"  # written by the ingestion assets on every materialisation


class SourceContractConfig(dg.Config):
    chunk_rows: int = DEFAULT_CHUNK_ROWS
    """Rows handed to Great Expectations at a time (bounds memory; the result does not depend on it)."""


def loaded_batches(instance: dg.DagsterInstance, key: dg.AssetKey) -> list[str] | None:
    """The batch ids the latest materialisation of `key` reports loading, or None when it names none."""
    event = instance.get_latest_materialization_event(key)
    materialization = event.asset_materialization if event else None
    if materialization is None:
        return None
    value = materialization.metadata.get(BATCH_IDS_METADATA)
    ids = getattr(value, "value", value)
    if isinstance(ids, list) and ids and all(isinstance(b, str) for b in ids):
        return ids
    return None


def check_result(report: ValidationReport) -> dg.AssetCheckResult:
    """The Dagster result of one validation: passed, ERROR severity, actionable metadata."""
    metadata: dict[str, object] = {
        "rows validated": report.rows,
        "expectations run": report.expectations_run,
        "expectations failed": len(report.failures),
        "selection": report.selection,
        "seconds": report.seconds,
    }
    if report.rows == 0:
        metadata["status"] = "no rows yet"
        return dg.AssetCheckResult(passed=True, metadata=metadata, description=report.summary())
    metadata.update(
        {
            "extract dates": ", ".join(report.extract_dates),
            "batches": ", ".join(report.batch_ids),
            "source files": ", ".join(report.source_files),
            "chunks": report.chunks,
        }
    )
    if report.failures:
        metadata["failures"] = dg.MetadataValue.md(report.failures_markdown())
        metadata["failure details"] = dg.MetadataValue.json(report.failures_json())
        for i, f in enumerate(report.failures[:20], start=1):
            metadata[f"failure {i}"] = f.message()
    return dg.AssetCheckResult(
        passed=report.passed,
        severity=dg.AssetCheckSeverity.ERROR,
        metadata=metadata,
        description=report.summary(),
    )


def source_contract_check(f: SourceFile) -> dg.AssetChecksDefinition:
    key = dg.AssetKey(["raw", f.raw_table])
    file_name = "responses_<wave>.csv" if f.name == "responses" else "/".join(f"{f.name}.{x}" for x in f.formats)

    @dg.asset_check(
        asset=key,
        name=CHECK_NAME,
        description=(
            f"Great Expectations suite expectations/{f.raw_table}.json on the batches of {f.system} "
            f"{file_name} "
            "loaded by the latest materialisation (else the latest batch): ids present and well-formed, keys "
            "unique within a batch, vocabularies, date formats and numeric ranges of sources.md. "
            "Failures name file, rows, column, value and rule."
        ),
        blocking=False,
        pool=WAREHOUSE_POOL,
        metadata={"suite": f"expectations/{f.raw_table}.json"},
    )
    def _check(
        context: dg.AssetCheckExecutionContext, config: SourceContractConfig, coachwh: CoachwhConfig
    ) -> dg.AssetCheckResult:
        batch_ids = loaded_batches(context.instance, key)
        with non_transient():
            report = validate_batches(
                coachwh.settings.warehouse,
                f.raw_table,
                batch_ids,
                chunk_rows=config.chunk_rows,
                wait_seconds=LOCK_WAIT_SECONDS,
            )
        log = context.log.warning if report.failures else context.log.info
        log(report.summary())
        return check_result(report)

    return _check


def quality_definitions(coachwh: CoachwhConfig | None = None) -> dg.Definitions:
    """One `source_contract` check per raw table of `pipelines.sources.SOURCE_FILES`, with the settings
    resource (`coachwh`, default: from the environment now)."""
    return dg.Definitions(
        asset_checks=[source_contract_check(f) for f in SOURCE_FILES],
        resources={RESOURCE_KEY: coachwh or CoachwhConfig.from_settings(settings())},
    )
