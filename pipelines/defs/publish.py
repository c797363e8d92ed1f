"""Publish the marts to the file BI tools read (`pipelines.publication` does the file work).

Publishing is the last step of the nightly job and happens only when the night's data can be trusted:
- a failed dbt test fails the dbt step, so this step never starts and yesterday's marts stay up;
- any other ERROR-severity asset check whose latest evaluation failed (a source contract, a dbt test run as a
  non-blocking check) stops it here, with the checks named: in a night, this night's evaluation; in a run that
  did not evaluate it (a re-execution from failure, publishing alone from the UI), the one before;
- a batch refused at the landing gate does not: nothing of it reached the warehouse, the rest of the
  night is sound, so the marts are published from what passed (the gate's check still fails the night).
The step runs after every other step of the run (lowest priority), so every check has reported by then.
"""

import time
from collections.abc import Iterable

import dagster as dg
from dagster._core.storage.asset_check_execution_record import AssetCheckExecutionRecordStatus

from pipelines.defs.ingest import GATE_CHECK, WAREHOUSE_POOL
from pipelines.defs.resources import CoachwhConfig
from pipelines.defs.retries import NIGHTLY_RETRY_POLICY, non_transient
from pipelines.publication import PUBLICATION_TABLE, current, publish

PUBLISHED_KEY = dg.AssetKey(["published", "marts"])
# Runs after every step that is ready at the same time (the checks of the raw tables).
LAST = {"dagster/priority": "-100"}
# Checks that do not hold publication back: see the module docstring.
NOT_GATING = {GATE_CHECK}
# The statuses of a check execution that evaluated (not merely planned in a run that stopped before it).
EVALUATED = {AssetCheckExecutionRecordStatus.SUCCEEDED, AssetCheckExecutionRecordStatus.FAILED}


def failed_error_checks(instance: dg.DagsterInstance, check_keys: Iterable[dg.AssetCheckKey]) -> list[str]:
    """'asset check: description' for every ERROR check of `check_keys` (gate excepted) whose latest evaluation
    failed. In a night every check has reported by then, so these are the night's own; a run that did not evaluate
    a check (a re-execution from failure, `published/marts` materialized alone from the UI) is held back by the
    evaluation before, until a run evaluates it again and it passes."""
    out = []
    for key in sorted(check_keys, key=lambda k: (k.asset_key.to_user_string(), k.name)):
        if key.name in NOT_GATING:
            continue
        latest = instance.event_log_storage.get_asset_check_execution_history(key, limit=1, status=EVALUATED)
        evaluation = latest[0].evaluation if latest else None
        if evaluation is None or evaluation.passed or evaluation.severity != dg.AssetCheckSeverity.ERROR:
            continue
        out.append(f"{key.asset_key.to_user_string()} {key.name}: {evaluation.description or 'failed'}")
    return out


def publish_definitions(mart_keys: list[dg.AssetKey], gating_checks: Iterable[dg.AssetCheckKey]) -> dg.Definitions:
    """The published file as an asset after `mart_keys`, held back by the ERROR checks of `gating_checks` (every
    check of the code location)."""
    gating = frozenset(gating_checks)

    @dg.asset(
        key=PUBLISHED_KEY,
        deps=mart_keys,
        group_name="publish",
        owners=["team:data-engineering"],
        description="The marts and the table marts.publication (what the file holds, from which run, how fresh), "
        "in $COACHWH_HOME/coachwh_marts.duckdb for BI tools: read-only, replaced atomically, the earlier "
        "publications kept in $COACHWH_HOME/publications/ for `coachwh rollback`. Only when the latest evaluation "
        "of every ERROR check passed (a batch refused at the gate excepted).",
        kinds={"duckdb"},
        pool=WAREHOUSE_POOL,
        retry_policy=NIGHTLY_RETRY_POLICY,  # in any job: a UI selection too
        op_tags=LAST,
    )
    def published_marts(context: dg.AssetExecutionContext, coachwh: CoachwhConfig) -> dg.MaterializeResult:
        cfg = coachwh.settings
        blocking = failed_error_checks(context.instance, gating)
        if blocking:
            raise dg.Failure(
                description=f"not published: {len(blocking)} ERROR check(s) failed in their latest evaluation; the "
                f"BI file keeps the last good marts. " + "; ".join(blocking),
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
