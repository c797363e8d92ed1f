"""The two repairs a data engineer makes after a bad night, as jobs to launch from the Dagster UI.

`retract_batch` takes a loaded batch back out of raw (what `coachwh retract` does) and `rollback_publication`
makes an earlier publication the BI file again (`coachwh rollback`). Launched from the UI's Launchpad with the
config they ask for, each is a run of its own: who asked, when and why stays in the run history beside the
nights it repairs, and a refusal (no such batch, no reason given) fails the run once with the reason.
"""

# (no `from __future__ import annotations`: Dagster reads the config classes from the real annotations)
import getpass
from datetime import datetime
from pathlib import Path

import dagster as dg
from pydantic import Field

from pipelines.config import Settings
from pipelines.defs.ingest import WAREHOUSE_POOL
from pipelines.defs.publish import PUBLISHED_KEY
from pipelines.defs.report import REPORT_KEY
from pipelines.defs.resources import CoachwhConfig
from pipelines.defs.retries import non_transient
from pipelines.instance import unfinished_run_statuses
from pipelines.publication import Publication, rollback_lock

RETRACT_JOB = "retract_batch"
ROLLBACK_JOB = "rollback_publication"
REPAIR_JOBS = (RETRACT_JOB, ROLLBACK_JOB)  # runs that never publish


class RetractConfig(dg.Config):
    batch: str = Field(description="The loaded batch to take out, SYSTEM/YYYY-MM-DD, e.g. crm/2026-11-26.")
    reason: str = Field(description="Why: kept in the registry and in RETRACTED.md beside the quarantined files.")


class RollbackConfig(dg.Config):
    run_id: str | None = Field(
        default=None,
        description="The run (or a unique prefix of it) whose publication to bring back; empty: the newest one "
        "before the current whose marts differ from it and that holds no batch retracted since.",
    )


@dg.op(pool=WAREHOUSE_POOL, description="Take the batch's rows out of raw; the next nightly run rebuilds without it.")
def retract_loaded_batch(context: dg.OpExecutionContext, config: RetractConfig, coachwh: CoachwhConfig) -> None:
    from pipelines.landing.retract import retract

    who = f"{getpass.getuser()} (Dagster run {context.run_id})"
    with non_transient():
        refuse_retraction_while_a_run_builds(context.instance, this_run=context.run_id)
        context.log.info(retract(coachwh.settings, config.batch, config.reason, who=who))


@dg.op(description="Make the chosen earlier publication the BI file, atomically, and rebuild the report page.")
def bring_back_publication(context: dg.OpExecutionContext, config: RollbackConfig, coachwh: CoachwhConfig) -> None:
    cfg = coachwh.settings
    # A queued rollback may start only after a nightly run published: it must not undo what it never saw.
    asked = context.instance.get_run_record_by_id(context.run_id).create_timestamp
    with non_transient(), rollback_lock(cfg.run_lock):
        p, page, events, held = roll_back(cfg, config.run_id, context.instance, asked_at=asked, this_run=context.run_id)
    context.log.info(f"{cfg.published} now holds publication {p.run_id} (as of {p.as_of_date}); report: {page}")
    if held:
        context.log.warning(f"publication {p.run_id} holds batches retracted since: {', '.join(held)}")
    for event in events:
        context.log_event(event)


def roll_back(
    cfg: Settings,
    run_id: str | None,
    instance: dg.DagsterInstance,
    *,
    asked_at: datetime | None = None,
    this_run: str | None = None,
) -> tuple[Publication, Path, list[dg.AssetMaterialization], list[str]]:
    """The rollback of `coachwh rollback` and of the job: the publication of `run_id` (default: the newest earlier
    one whose marts differ from the current's) becomes the BI file, the report page is rebuilt from it (it shows
    the current publication), the events that tell the catalog so (the caller records them: in its run, or in
    the instance), and the batches retracted since that publication was made, which it holds (brought back by its
    run id: the default passes such publications over).

    The caller holds `publication.rollback_lock` (no `coachwh run` is going or starts meanwhile). Refused while
    another run of the `instance` that may publish is queued or going (any but the repairs): it would publish over
    the rollback. Refused too when the current file was put there after `asked_at` (a rollback queued behind a
    nightly run): "the one before" would then undo a publication nobody has looked at."""
    from pipelines.landing.registry import retracted_since_published
    from pipelines.publication import list_publications, rollback
    from pipelines.report import build_report

    _refuse_while_a_run_is_going(instance, this_run)
    retracted = retracted_since_published(
        cfg.warehouse, list_publications(cfg.published, cfg.publications), cfg.quarantine
    )
    p = rollback(cfg.published, cfg.publications, run_id, asked_at=asked_at, retracted=retracted)
    page = build_report(cfg.published, cfg.report_dir)
    said = f"rolled back to the publication of run {p.run_id} (as of {p.as_of_date})"
    held = retracted.get(p.run_id, [])  # only when asked for by its run id
    if held:
        said += f"; WARNING: it holds batches retracted since: {', '.join(held)}"
    events = [
        dg.AssetMaterialization(
            asset_key=PUBLISHED_KEY,
            description=said,
            metadata={
                "path": dg.MetadataValue.path(str(cfg.published)),
                "publication_run_id": p.run_id,
                "as_of_date": str(p.as_of_date),
                "rows": p.rows,
            },
        ),
        dg.AssetMaterialization(
            asset_key=REPORT_KEY, description=said, metadata={"path": dg.MetadataValue.path(str(page))}
        ),
    ]
    return p, page, events, held


def other_runs(instance: dg.DagsterInstance, this_run: str | None, statuses: list) -> list[str]:
    """The runs (id and status) the UI or the daemon launched in one of `statuses`, other than `this_run` and the
    repairs. A run whose worker process is gone is no run going: it is marked failed first (`settle_dead_runs`, as
    `coachwh run` does before it starts). A `coachwh run`'s own run is judged by the run lock the callers hold: one
    still marked going is one whose process was killed (the next `coachwh run` settles it), no reason to refuse."""
    from pipelines.defs.alerts import ALERTED_BY_CLI, ALERTED_TAG
    from pipelines.defs.dead_runs import settle_dead_runs

    settle_dead_runs(instance)
    return [
        f"{r.run_id} ({r.status.value})"
        for r in instance.get_runs(filters=dg.RunsFilter(statuses=statuses))
        if r.run_id != this_run and r.job_name not in REPAIR_JOBS and r.tags.get(ALERTED_TAG) != ALERTED_BY_CLI
    ]


def refuse_retraction_while_a_run_builds(instance: dg.DagsterInstance, this_run: str | None = None) -> None:
    """A run going now builds the marts from raw as it was when its dbt step began, and publishes them: a batch
    retracted meanwhile would be in that publication. A queued run starts after the retraction: it is no reason."""
    from pipelines.landing.retract import RetractError

    status = dg.DagsterRunStatus
    if going := other_runs(instance, this_run, [status.STARTING, status.STARTED, status.CANCELING]):
        raise RetractError(
            f"not retracted: run {', '.join(going)} may publish the batch when it ends; retract after it (a run "
            "whose process was killed stays STARTED: terminate it in the UI's Runs page first)"
        )


def _refuse_while_a_run_is_going(instance: dg.DagsterInstance, this_run: str | None) -> None:
    from pipelines.publication import PublicationError

    if going := other_runs(instance, this_run, unfinished_run_statuses()):
        raise PublicationError(
            f"not rolled back: run {', '.join(going)} may publish when it ends; roll back after it (a run whose "
            "process was killed stays STARTED, one the daemon never picks up stays QUEUED: terminate it in the UI's "
            "Runs page first)"
        )


@dg.job(
    name=RETRACT_JOB,
    description="Take a loaded batch back out of raw, as if it never arrived (`coachwh retract`): for a batch "
    "found bad after it loaded. Its files go to the quarantine with the reason; the next nightly run rebuilds "
    "the warehouse without it, and a corrected redelivery of that date can load.",
)
def retract_batch_job():
    retract_loaded_batch()


@dg.job(
    name=ROLLBACK_JOB,
    description="Make an earlier publication the BI file again (`coachwh rollback`); the next successful "
    "nightly run publishes over it.",
)
def rollback_publication_job():
    bring_back_publication()


def repair_definitions() -> dg.Definitions:
    return dg.Definitions(jobs=[retract_batch_job, rollback_publication_job])
