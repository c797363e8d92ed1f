"""What happened in one run, read back from the Dagster instance's event log.

One reading for the three places that tell a person about a night: the alert (webhook or command), the
summary at the end of `coachwh run`, and its progress lines. Nothing here opens the warehouse.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime

import dagster as dg
from dagster._core.storage.tags import MAX_RETRIES_TAG, RETRY_NUMBER_TAG, WILL_RETRY_TAG

from pipelines.defs.failing_rows import first_rows_text
from pipelines.defs.ingest import DUPLICATE_BATCHES, GATE_CHECK, LOADED_BATCHES, WAITING_BATCHES
from pipelines.defs.metadata import metadata_value
from pipelines.defs.publish import PUBLISHED_KEY
from pipelines.defs.retries import INTERRUPTED
from pipelines.warehouse_file import damaged_reason, held_reason

RAW_PREFIX = "raw"


@dataclass(frozen=True)
class CheckOutcome:
    asset: str
    check: str
    passed: bool
    severity: str  # ERROR | WARN
    description: str

    @property
    def name(self) -> str:
        return f"{self.asset} {self.check}"


# RunReport list of batch ids <- the ingestion assets' metadata key that carries it
BATCH_LISTS = {"loaded": LOADED_BATCHES, "waiting": WAITING_BATCHES, "duplicates": DUPLICATE_BATCHES}


@dataclass
class RunReport:
    run_id: str | None  # None: a `coachwh run` that crashed before it could read its run back
    job: str
    status: str
    started_at: datetime | None = None
    ended_at: datetime | None = None
    failed_steps: dict[str, str] = field(default_factory=dict)  # step key -> reason
    run_failure: str | None = None
    checks: list[CheckOutcome] = field(default_factory=list)
    loaded: list[str] = field(default_factory=list)
    refused: dict[str, str] = field(default_factory=dict)  # batch id -> one-line reason
    waiting: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)  # delivered again, identical: archived, not loaded
    rows_loaded: int = 0
    published: dict | None = None  # path, as_of_date, rows, tables, same_marts_as (a run id, or None)
    retry: str | None = None  # "Dagster starts it again (retry 1 of 2)": the instance's run retries took it

    @property
    def failed_checks(self) -> list[CheckOutcome]:
        return [c for c in self.checks if not c.passed and c.severity == "ERROR"]

    @property
    def warned_checks(self) -> list[CheckOutcome]:
        return [c for c in self.checks if not c.passed and c.severity != "ERROR"]

    @property
    def went_wrong(self) -> bool:
        """A night someone must hear about: the run failed, an ERROR check failed or a batch was refused."""
        return self.status != "SUCCESS" or bool(self.failed_checks) or bool(self.refused)

    @property
    def verdict(self) -> str:
        """The night in a word for people: a run Dagster calls SUCCESS can still need attention."""
        if not self.went_wrong:
            return "SUCCEEDED"
        return "FAILED" if self.status != "SUCCESS" else "NEEDS ATTENTION"

    def as_alert(self) -> dict:
        """The JSON body of an alert: run id, job, failed steps and checks, the reasons, refused batches."""
        return {
            "source": "coachwh",
            "run_id": self.run_id,
            "job": self.job,
            "status": self.status,  # Dagster's run status
            "verdict": self.verdict,
            "started_at": self.started_at.isoformat() if self.started_at else None,
            "ended_at": self.ended_at.isoformat() if self.ended_at else None,
            "failed_steps": [{"step": k, "reason": v} for k, v in self.failed_steps.items()],
            "failed_checks": [
                {"asset": c.asset, "check": c.check, "severity": c.severity, "reason": c.description}
                for c in self.failed_checks
            ],
            "warnings": [{"asset": c.asset, "check": c.check, "reason": c.description} for c in self.warned_checks],
            "quarantined_batches": [{"batch_id": b, "reason": r} for b, r in self.refused.items()],
            "reasons": self.reasons(),
            "published": self.published,
            "retry": self.retry,
        }

    def reasons(self) -> list[str]:
        out = [f"step {k} failed: {v}" for k, v in self.failed_steps.items()]
        if self.run_failure and not self.failed_steps:
            out.append(self.run_failure)
        out += [f"check {c.name} failed: {c.description}" for c in self.failed_checks if c.check != GATE_CHECK]
        out += [f"batch {b} refused: {r}" for b, r in self.refused.items()]
        return out


def first_line(text: str | None, limit: int = 300) -> str:
    line = next((x.strip() for x in (text or "").splitlines() if x.strip()), "")
    return line if len(line) <= limit else line[: limit - 1] + "…"


def _step_failure_reason(data) -> str:
    retried = ""
    if data.user_failure_data is not None and data.user_failure_data.description:
        text = data.user_failure_data.description
    else:
        error = data.error
        # A step that failed every retry fails with "Exceeded max_retries of 3": the reason is the last attempt's
        # error (the warehouse held by an analyst's PID), said with the retries.
        if error is not None and error.cause is not None and error.message.startswith("Exceeded max_retries"):
            retried = f" ({first_line(error.message).lower()})"
            error = error.cause
        while error is not None and error.cause is not None and "dagster._core.errors" in (error.cls_name or ""):
            error = error.cause
        text = error.message if error else "unknown error"
    # dbt's failure on a held warehouse says "The dbt CLI process with command" first, the holder deep down
    return (held_reason(text) or damaged_reason(text) or _first_sentence(text)) + retried


DBT_FAILED = re.compile(r"The dbt CLI process with command.*?failed with exit code `(-?\d+)`", re.DOTALL)
DBT_ERRORS = "Errors parsed from dbt logs:"
DBT_ERROR_IN = re.compile(r"\w+ Error in ")
ANSI_COLOUR = re.compile(r"\x1b\[[0-9;]*m")


def _first_sentence(text: str, limit: int = 1000) -> str:
    """What a failure says first, on one line. dagster-dbt's failed build begins "The dbt CLI process with
    command", the command, then its exit code, and the errors dbt logged last: said as "dbt failed with exit
    code N: <what failed and why>"."""
    text = ANSI_COLOUR.sub("", text)  # dbt colours its log lines; an alert is plain text
    failed = DBT_FAILED.match(text.strip())
    if failed is None:
        return first_line(text, limit)
    errors = [" ".join(p.split()) for p in text.partition(DBT_ERRORS)[2].split("\n\n")]
    return first_line(f"dbt failed with exit code {failed.group(1)}" + _dbt_cause([e for e in errors if e]), limit)


def _dbt_cause(errors: list[str]) -> str:
    """ ": <what dbt said failed and why>", from the error lines dbt logged. dbt logs "12 of 54 ERROR creating ...
    model x" as it goes, then in its closing summary "Failure in model x (path)" followed by the cause ("Runtime
    Error in model x (path) Binder Error: ...", or a test's "Got 3 results, configured to fail if != 0")."""
    failure = next((i for i, e in enumerate(errors) if e.startswith("Failure in ")), None)
    if failure is None:
        return f": {errors[0]}" if errors else ""
    cause = errors[failure + 1] if failure + 1 < len(errors) else ""
    if DBT_ERROR_IN.match(cause):
        return f": {cause}"  # it names the node itself
    return f": {errors[failure]}" + (f": {cause}" if cause else "")


def _refusal(reason: str | None, stored_at: str | None) -> str:
    """A refused batch's reason, every rule it broke (the gate joins them on one line), then where its REJECTED.md
    is: an alert of one rule out of several sent someone to fix one thing and deliver again."""
    where = f" (REJECTED.md in {stored_at})" if stored_at else ""
    return first_line(reason, 1500) + where


def _check_outcome(passed: bool, metadata) -> str:
    """What a check without a description of its own (a dbt test's) found, from dagster-dbt's metadata and the
    first rows the step read again (pipelines/defs/failing_rows.py): a test that errored never ran (a model before
    it failed, the engine went away) and says so, not "failed"."""
    if passed:
        return "passed"
    status, rows = metadata_value(metadata, "status"), metadata_value(metadata, "dagster_dbt/failed_row_count")
    if status == "error":
        return "did not run: dbt errored on it (see the failed step)"
    if isinstance(rows, int) and status in ("fail", "warn"):
        return (f"{rows:,} rows break it" if rows != 1 else "1 row breaks it") + first_rows_text(metadata)
    return "failed"


# The engine event in which Dagster's code server says how a run's worker process ended under it.
WORKER_CRASH = "Run execution process for "


# Dagster's words for a run interrupted between steps (a SIGTERM while it waited for the warehouse slot): it adds
# "No user initiated termination request was found, treating as failure", which reads like a fault of its own
INTERRUPTED_BETWEEN_STEPS = "Execution was interrupted unexpectedly"


def _run_failure(message: str | None) -> str:
    return INTERRUPTED if INTERRUPTED_BETWEEN_STEPS in (message or "") else first_line(message)


def _retry(instance: dg.DagsterInstance, run: dg.DagsterRun) -> str | None:
    """Whether the instance's run retries (dagster.yaml `run_retries`) start this failed run again: Dagster decides
    when it records the failure and tags the run, and the daemon launches the retry soon after. An alert that says
    so tells the reader to look at the retry before doing anything."""
    if run.tags.get(WILL_RETRY_TAG) != "true" or run.remote_job_origin is None:
        return None  # not retried; or run in-process (`coachwh run`), which the daemon cannot start again
    number = int(run.tags.get(RETRY_NUMBER_TAG, "0")) + 1
    most = run.tags.get(MAX_RETRIES_TAG) or instance.run_retries_max_retries
    return f"Dagster starts it again (retry {number} of {most})"


def read_run(instance: dg.DagsterInstance, run_id: str) -> RunReport:
    run = instance.get_run_by_id(run_id)
    if run is None:
        raise LookupError(f"no run {run_id} in the Dagster instance at {instance.root_directory}")
    report = RunReport(run_id=run_id, job=run.job_name, status=run.status.value, retry=_retry(instance, run))
    gate_quarantined: dict[str, str] = {}
    crash = None  # how the run's worker process ended, when it died under the run
    for record in instance.get_records_for_run(run_id, limit=1_000_000).records:
        entry = record.event_log_entry
        event = entry.dagster_event
        if event is None:
            continue
        when = datetime.fromtimestamp(entry.timestamp, UTC)
        kind = event.event_type
        if kind == dg.DagsterEventType.RUN_START:
            report.started_at = when
        elif kind == dg.DagsterEventType.ENGINE_EVENT and entry.message.startswith(WORKER_CRASH):
            # Dagster's code server says how the worker ended (a signal: the OOM killer, kill -9) in an engine
            # event, then fails the run with a sentence that says nothing of it
            crash = first_line(entry.message.split(" Possible solutions")[0])
        elif kind in (dg.DagsterEventType.RUN_SUCCESS, dg.DagsterEventType.RUN_FAILURE):
            report.ended_at = when
            if kind == dg.DagsterEventType.RUN_FAILURE:
                report.run_failure = _run_failure(event.message)
        elif kind == dg.DagsterEventType.STEP_FAILURE:
            report.failed_steps[event.step_key] = _step_failure_reason(event.event_specific_data)
        elif kind == dg.DagsterEventType.ASSET_CHECK_EVALUATION:
            e = event.event_specific_data
            report.checks.append(
                CheckOutcome(
                    asset=e.asset_key.to_user_string(),
                    check=e.check_name,
                    passed=e.passed,
                    severity=e.severity.value,
                    description=first_line(e.description) or _check_outcome(e.passed, e.metadata),
                )
            )
            if e.check_name == GATE_CHECK and not e.passed:
                for batch, info in (metadata_value(e.metadata, "quarantined", {}) or {}).items():
                    gate_quarantined[batch] = _refusal((info or {}).get("reason"), (info or {}).get("stored_at"))
        elif kind == dg.DagsterEventType.ASSET_MATERIALIZATION:
            m = event.event_specific_data.materialization
            if m.asset_key == PUBLISHED_KEY:
                report.published = {
                    "path": metadata_value(m.metadata, "path"),
                    "as_of_date": metadata_value(m.metadata, "as_of_date"),
                    "rows": metadata_value(m.metadata, "rows"),
                    "tables": len(metadata_value(m.metadata, "tables", {}) or {}),
                    "same_marts_as": metadata_value(m.metadata, "same_marts_as"),
                }
            elif m.asset_key.path[0] == RAW_PREFIX:
                report.rows_loaded += int(metadata_value(m.metadata, "rows_loaded", 0) or 0)
                for attribute, key in BATCH_LISTS.items():
                    getattr(report, attribute).extend(metadata_value(m.metadata, key, []) or [])
    report.refused = gate_quarantined
    if crash is not None and report.run_failure is not None:
        report.run_failure = f"{crash} {report.run_failure}"
    for attribute in BATCH_LISTS:  # a batch shows on each raw table it fed
        setattr(report, attribute, sorted(set(getattr(report, attribute))))
    return report
