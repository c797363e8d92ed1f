"""Source contract checks: the gate's validation results, shown on each raw asset as a Dagster check.

The contracts (the GX suites in expectations/) run at the gate, on each batch before it is committed
(`pipelines.landing.contracts`): an error-level failure refuses the batch, so it never reaches raw (the
`landing_gate` check of the ingestion says so, ERROR). What loaded can still carry warn-level failures.
Each raw asset's `source_contract` check reads the stored results (`ops.validation_results`, the same
rows `coachwh check` prints) of the batches that the latest materialisation reports loading (its
`batch_ids` metadata), else of the table's latest batch, and reports them: WARN severity when only
warnings failed, ERROR if an error-level one did (only possible for a contract re-run over loaded data).

It validates nothing itself and holds the warehouse read-only for milliseconds. No `from __future__
import annotations` here: Dagster reads the annotations of the check function.
"""

from pathlib import Path

import dagster as dg

from pipelines.config import settings
from pipelines.defs.ingest import LOADED_BATCHES, WAREHOUSE_POOL
from pipelines.defs.resources import RESOURCE_KEY, CoachwhConfig
from pipelines.defs.retries import NIGHTLY_RETRY_POLICY, non_transient
from pipelines.quality import results
from pipelines.sources import RAW_SCHEMA, SOURCE_FILES, SourceFile, quote
from pipelines.warehouse_file import connect_waiting, table_exists

CHECK_NAME = "source_contract"
LOCK_WAIT_SECONDS = 1800.0  # a full dbt build of the large profile can hold the warehouse for minutes


def loaded_batches(instance: dg.DagsterInstance, key: dg.AssetKey) -> list[str] | None:
    """The batch ids the latest materialisation of `key` reports loading, or None when it names none."""
    event = instance.get_latest_materialization_event(key)
    materialization = event.asset_materialization if event else None
    if materialization is None:
        return None
    value = materialization.metadata.get(LOADED_BATCHES)
    ids = getattr(value, "value", value)
    if isinstance(ids, list) and ids and all(isinstance(b, str) for b in ids):
        return ids
    return None


LATEST_BATCH = "latest batch (max _extract_date)"  # the check's selection when the run loaded no batch of the table


def stored_results(warehouse: Path, raw_table: str, batch_ids: list[str] | None) -> tuple[str, list[results.SuiteRun]]:
    """(how the batches were chosen, the latest stored validation of each) for one raw table."""
    if not warehouse.exists():
        return "no warehouse yet", []
    with connect_waiting(warehouse, read_only=True, wait_seconds=LOCK_WAIT_SECONDS) as con:
        if batch_ids:
            selection = f"batches {', '.join(batch_ids)}"
        else:
            selection = LATEST_BATCH
            table = f"{RAW_SCHEMA}.{quote(raw_table)}"
            exists = table_exists(con, RAW_SCHEMA, raw_table)
            batch_ids = (
                [
                    b
                    for (b,) in con.execute(
                        f"SELECT DISTINCT _batch_id FROM {table} "
                        f"WHERE _extract_date = (SELECT max(_extract_date) FROM {table}) ORDER BY 1"
                    ).fetchall()
                ]
                if exists
                else []
            )
        if not batch_ids:
            return selection, []
        return selection, results.latest(con, batch_ids, suite=raw_table)


def check_result(selection: str, runs: list[results.SuiteRun]) -> dg.AssetCheckResult:
    """The Dagster result of the stored validations of one raw table's batches."""
    metadata: dict[str, object] = {"selection": selection, "batches validated": len(runs)}
    if not runs:
        metadata["status"] = "no validated batch yet"
        return dg.AssetCheckResult(passed=True, metadata=metadata, description="no validated batch yet")
    failures = [(run.batch_id, f) for run in runs for f in run.failures]
    errors = sum(run.errors_failed for run in runs)
    metadata.update(
        {
            "batches": ", ".join(sorted(run.batch_id for run in runs)),
            "expectations run": max(run.expectations for run in runs),
            "errors failed": errors,
            "warnings failed": sum(run.warnings_failed for run in runs),
            "validated at": max(run.validated_at for run in runs).isoformat(timespec="seconds"),
        }
    )
    if failures:
        lines = ["| batch | severity | column | rule | rows | message |", "|---|---|---|---|---|---|"]
        for batch_id, f in failures:
            cells = [
                batch_id,
                f["severity"],
                f["column"] or "",
                f["expectation"],
                str(f["unexpected_count"]),
                f["message"] or "",
            ]
            lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
        metadata["failures"] = dg.MetadataValue.md("\n".join(lines))
        for i, (batch_id, f) in enumerate(failures[:20], start=1):
            metadata[f"failure {i}"] = f"[{f['severity']}] {batch_id}: {f['message']}"
    description = (
        f"{len(failures)} expectation(s) failed in {len({b for b, _ in failures})} of {len(runs)} batch(es)"
        if failures
        else f"every expectation met on {len(runs)} batch(es)"
    )
    if selection == LATEST_BATCH:  # a night that loaded none of this table: its refused batch is not here
        description += (
            f" (the latest loaded, {metadata['batches']}: the run loaded none; a refused batch is on the landing "
            "gate's check)"
        )
    return dg.AssetCheckResult(
        passed=not failures,
        severity=dg.AssetCheckSeverity.ERROR if errors else dg.AssetCheckSeverity.WARN,
        metadata=metadata,
        description=description,
    )


def source_contract_check(f: SourceFile) -> dg.AssetChecksDefinition:
    key = dg.AssetKey(["raw", f.raw_table])

    @dg.asset_check(
        asset=key,
        name=CHECK_NAME,
        description=(
            f"The gate's validation of expectations/{f.raw_table}.json on the batches loaded by the latest "
            "materialisation (else the latest batch), from ops.validation_results: failed warn-level "
            "expectations with file, rows, column, values and rule (error-level ones refuse a batch at the gate)."
        ),
        blocking=False,
        pool=WAREHOUSE_POOL,
        retry_policy=NIGHTLY_RETRY_POLICY,  # in any job: a UI selection too
        metadata={"suite": f"expectations/{f.raw_table}.json"},
    )
    def _check(context: dg.AssetCheckExecutionContext, coachwh: CoachwhConfig) -> dg.AssetCheckResult:
        with non_transient():
            batch_ids = loaded_batches(context.instance, key)
            selection, runs = stored_results(coachwh.settings.warehouse, f.raw_table, batch_ids)
        result = check_result(selection, runs)
        (context.log.warning if not result.passed else context.log.info)(result.description or "")
        return result

    return _check


def quality_definitions(coachwh: CoachwhConfig | None = None) -> dg.Definitions:
    """One `source_contract` check per raw table of `pipelines.sources.SOURCE_FILES`, with the settings
    resource (`coachwh`, default: from the environment now)."""
    return dg.Definitions(
        asset_checks=[source_contract_check(f) for f in SOURCE_FILES],
        resources={RESOURCE_KEY: coachwh or CoachwhConfig.from_settings(settings())},
    )
