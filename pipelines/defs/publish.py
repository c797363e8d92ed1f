"""Publish the marts to the file BI tools read (`pipelines.publication` does the file work).

Publishing is the last step of the nightly job and happens only when the night's data can be trusted:
- a failed dbt test fails the dbt step, so this step never starts and yesterday's marts stay up;
- any other ERROR-severity asset check that failed in this run (a source contract, a dbt test run as a
  non-blocking check) stops it here, with the checks named;
- a batch refused at the landing gate does not: nothing of it reached the warehouse, the rest of the
  night is sound, so the marts are published from what passed (the gate's check still fails the night).
The step runs after every other step of the run (lowest priority), so every check has reported by then.
"""

import time

import dagster as dg

from pipelines.defs.ingest import GATE_CHECK, WAREHOUSE_POOL
from pipelines.defs.resources import CoachwhConfig
from pipelines.defs.retries import non_transient
from pipelines.publication import PUBLICATION_TABLE, current, publish

PUBLISHED_KEY = dg.AssetKey(["published", "marts"])
# Runs after every step that is ready at the same time (the checks of the raw tables).
LAST = {"dagster/priority": "-100"}
# Checks that do not hold publication back: see the module docstring.
NOT_GATING = {GATE_CHECK}


def failed_error_checks(instance: dg.DagsterInstance, run_id: str) -> list[str]:
    """'asset check: description' for every ERROR check that failed so far in this run (gate excepted)."""
    records = instance.get_records_for_run(run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION).records
    out = []
    for record in records:
        evaluation = record.event_log_entry.dagster_event.event_specific_data
        if evaluation.passed or evaluation.severity != dg.AssetCheckSeverity.ERROR:
            continue
        if evaluation.check_name in NOT_GATING:
            continue
        out.append(
            f"{evaluation.asset_key.to_user_string()} {evaluation.check_name}: {evaluation.description or 'failed'}"
        )
    return out


def publish_definitions(mart_keys: list[dg.AssetKey]) -> dg.Definitions:
    @dg.asset(
        key=PUBLISHED_KEY,
        deps=mart_keys,
        group_name="publish",
        owners=["team:data-engineering"],
        description="The marts and the table marts.publication (what the file holds, from which run, how fresh), "
        "in $COACHWH_HOME/coachwh_marts.duckdb for BI tools: read-only, replaced atomically, the earlier "
        "publications kept in $COACHWH_HOME/publications/ for `coachwh rollback`. Only when every ERROR check "
        "of the run passed (a batch refused at the gate excepted).",
        kinds={"duckdb"},
        pool=WAREHOUSE_POOL,
        op_tags=LAST,
    )
    def published_marts(context: dg.AssetExecutionContext, coachwh: CoachwhConfig) -> dg.MaterializeResult:
        cfg = coachwh.settings
        blocking = failed_error_checks(context.instance, context.run.run_id)
        if blocking:
            raise dg.Failure(
                description=f"not published: {len(blocking)} ERROR check(s) failed in this run; the BI file keeps "
                f"the last good marts. " + "; ".join(blocking),
                metadata={"failed_checks": dg.MetadataValue.json(blocking)},
                allow_retries=False,
            )
        started = time.monotonic()
        with non_transient():
            done = publish(
                cfg.warehouse, cfg.published, cfg.publications, context.run.run_id, keep=cfg.keep_publications
            )
        rows = done.rows
        seconds = round(time.monotonic() - started, 2)
        context.log.info(f"published {len(rows)} tables to {cfg.published} in {seconds}s")
        if done.replaced is not None:
            context.log.info(
                f"the same marts as publication {done.replaced.run_id}, which this one replaces among the kept ones"
            )
        now = current(cfg.published)
        if now is None:
            raise dg.Failure(
                description=f"{cfg.published} has no publication table after publishing", allow_retries=False
            )
        return dg.MaterializeResult(
            metadata={
                "path": dg.MetadataValue.path(str(cfg.published)),
                "tables": dg.MetadataValue.json(rows),
                "as_of_date": str(now.as_of_date),
                "extract_dates": dg.MetadataValue.json({k: str(v) for k, v in now.extract_dates.items()}),
                "rows": sum(n for t, n in rows.items() if t != PUBLICATION_TABLE),
                "seconds": seconds,
                **({"same_marts_as": done.replaced.run_id} if done.replaced is not None else {}),
            }
        )

    return dg.Definitions(assets=[published_marts])
