"""`coachwh run` progress a person can follow: a line per stage, with counts and times.

A Dagster logger (`coachwh_progress`) that reads the structured events of the run instead of printing
every log line: one line per gate step (batches, rows, refusals), one for the source contracts when the
last of them reports, dbt as n/N models at each quarter of the way and a final line with the tests, one for
freshness and one for the publication. `coachwh run --verbose` uses Dagster's console logger instead.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from dataclasses import dataclass, field

import dagster as dg

from pipelines.defs.ingest import DUPLICATE_BATCHES, LOADED_BATCHES
from pipelines.defs.warehouse import FULL_REFRESH
from pipelines.landing.scratch import REMOVED as SCRATCH_REMOVED
from pipelines.warehouse_file import WAITING, held_reason

LOGGER_NAME = "coachwh_progress"
DBT_STEP = "coachwh_dbt_models"
PUBLISH_STEP = "published__marts"
CONTRACT_CHECK = "source_contract"
FRESHNESS_CHECK = "extract_freshness"
POOL_BLOCKED = "Step blocked by limit for pool"  # Dagster's event when a step waits for a pool's slot (once)


def _n(x: int) -> str:
    return f"{x:,}"


def _meta(event, key: str):
    """The value of one metadata entry of an event (a check evaluation), None when it has none."""
    entry = (getattr(event, "metadata", None) or {}).get(key)
    return getattr(entry, "value", entry)


def _listed(metadata, key: str) -> list:
    """The list a materialisation's metadata holds under `key`; empty when it holds none."""
    return (metadata[key].value or []) if key in metadata else []


@dataclass
class _Stage:
    rows: int = 0
    batch_ids: set = field(default_factory=set)
    refused: int = 0
    duplicates: set = field(default_factory=set)
    checks: list = field(default_factory=list)


class ProgressPrinter:
    """Turns Dagster events into progress lines; `out` receives each line."""

    def __init__(self, out: Callable[[str], None], dbt_models: int, dbt_tests: int, contracts: int):
        self.out = out
        self.dbt_models, self.dbt_tests, self.contracts = dbt_models, dbt_tests, contracts
        self.stages: dict[str, _Stage] = {}
        self.contract_results: list = []
        self.contract_seconds = 0.0
        self.models_done = 0
        self.tests: list = []
        self.next_quarter = 1
        self.pools_waited: set[str] = set()

    def event(self, step: str | None, event: dg.DagsterEvent) -> None:
        kind = event.event_type
        stage = self.stages.setdefault(step or "", _Stage())
        if kind == dg.DagsterEventType.ASSET_MATERIALIZATION:
            self._materialized(step, stage, event.event_specific_data.materialization)
        elif kind == dg.DagsterEventType.ASSET_CHECK_EVALUATION:
            self._checked(step, stage, event.event_specific_data)
        elif kind == dg.DagsterEventType.STEP_SUCCESS:
            self._done(step, stage, event.event_specific_data.duration_ms / 1000, ok=True)
        elif kind == dg.DagsterEventType.STEP_FAILURE:
            self.out(f"FAILED    {step}: {_reason(event)}")
        elif kind == dg.DagsterEventType.STEP_UP_FOR_RETRY:
            later = event.event_specific_data.seconds_to_wait
            when = f" in {later:.0f} s" if later else ""
            self.out(f"retry     {step} will be retried{when}: {_reason(event)}")
        elif kind == dg.DagsterEventType.ENGINE_EVENT and (event.message or "").startswith(POOL_BLOCKED):
            pool = event.message.removeprefix(POOL_BLOCKED).strip()
            if pool not in self.pools_waited:  # the run's ready steps all wait: one line says it
                self.pools_waited.add(pool)
                self.out(f"wait      another run holds the slot of pool {pool} (one writer at a time): {step} waits")

    def message(self, step: str | None, text: str) -> None:
        """A step's own log line: only why dbt rebuilds everything is worth a line of its own (a retraction, an
        upgrade: the build takes longer than a night's, and the reader should know why), a step that waits for
        the warehouse file (held by another process: the wait must not pass for a slow step), and what a gate
        cleared after a killed one."""
        if step == DBT_STEP and text.startswith(FULL_REFRESH):
            self.out(f"dbt       {text}")
        elif text.startswith(WAITING):
            self.out(f"wait      {step}: {text.removeprefix(WAITING).strip()}")
        elif text.startswith(SCRATCH_REMOVED):
            self.out(f"gate      {text}")

    def _materialized(self, step, stage: _Stage, m) -> None:
        if step == DBT_STEP:
            self.models_done += 1
            quarter_mark = self.models_done * 4 >= self.next_quarter * self.dbt_models
            if self.dbt_models and quarter_mark and self.models_done < self.dbt_models:
                self.next_quarter = self.models_done * 4 // self.dbt_models + 1
                self.out(f"dbt       {self.models_done}/{self.dbt_models} models")
            return
        md = m.metadata
        if step == PUBLISH_STEP and "tables" in md:
            stage.rows = len(md["tables"].value)
        if "rows_loaded" in md:
            stage.rows += int(md["rows_loaded"].value)
            stage.batch_ids.update(_listed(md, LOADED_BATCHES))
            stage.duplicates.update(_listed(md, DUPLICATE_BATCHES))

    def _checked(self, step, stage: _Stage, e) -> None:
        if step == DBT_STEP:
            self.tests.append(e)
        elif e.check_name == CONTRACT_CHECK:
            self.contract_results.append(e)
        else:
            stage.checks.append(e)
            if e.check_name == "landing_gate" and not e.passed:
                md = e.metadata.get("quarantined")
                stage.refused = max(stage.refused, len(md.value) if md is not None else 1)

    def _done(self, step, stage: _Stage, seconds: float, ok: bool) -> None:
        if step and step.startswith("ingest_"):
            system = step.removeprefix("ingest_")
            refused = f", {stage.refused} REFUSED" if stage.refused else ""
            again = f", {len(stage.duplicates)} duplicate" if stage.duplicates else ""
            loaded = f"{len(stage.batch_ids)} batch(es) loaded{refused}{again}, {_n(stage.rows)} rows"
            self.out(f"gate      {system:<7} {loaded}  ({seconds:.1f} s)")
        elif step == DBT_STEP:
            failed = sum(1 for t in self.tests if not t.passed and t.severity == dg.AssetCheckSeverity.ERROR)
            warned = sum(1 for t in self.tests if not t.passed and t.severity != dg.AssetCheckSeverity.ERROR)
            self.out(
                f"dbt       {self.models_done}/{self.dbt_models} models, {len(self.tests)} tests: "
                f"{failed} failed, {warned} warned  ({seconds:.1f} s)"
            )
        elif step == PUBLISH_STEP:
            self.out(f"publish   {stage.rows} tables  ({seconds:.1f} s)")
        elif any(c.check_name == FRESHNESS_CHECK for c in stage.checks):
            stale = [c.description for c in stage.checks if not c.passed]
            # a system that never delivered passes only while no system has (nothing to lag behind)
            nothing = any(_meta(c, "latest_extract_date") == "None" for c in stage.checks)
            verdict = "; ".join(stale) if stale else "no extract loaded yet" if nothing else "every system is current"
            self.out(f"freshness {verdict}  ({seconds:.1f} s)")
        elif self.contract_results and step and CONTRACT_CHECK in step:
            self.contract_seconds += seconds
            if len(self.contract_results) == self.contracts:
                errors = dg.AssetCheckSeverity.ERROR
                failed = [e for e in self.contract_results if not e.passed]
                parts = [
                    f"{len(named)} {word} ({', '.join(e.asset_key.to_user_string() for e in named)})"
                    for word, named in (
                        ("FAILED", [e for e in failed if e.severity == errors]),
                        ("warned", [e for e in failed if e.severity != errors]),
                    )
                    if named
                ]
                tail = ": " + ", ".join(parts) if parts else ": all passed"
                # the checks read what is in raw: a batch its contract refused at the gate is on its gate line
                self.out(
                    f"contracts {len(self.contract_results)} source contracts on the loaded batches{tail}  "
                    f"({self.contract_seconds:.1f} s)"
                )


def _reason(event: dg.DagsterEvent) -> str:
    data = event.event_specific_data
    user = getattr(data, "user_failure_data", None)
    if user is not None and user.description:
        text = user.description
    else:
        error = getattr(data, "error", None)
        # a retry's error is Dagster's RetryRequestedFromPolicy: what failed is the error it was raised from
        while error is not None and error.cause is not None and error.cls_name.startswith("RetryRequested"):
            error = error.cause
        text = error.message if error is not None else event.message or ""
    # the usual transient failure, retried or failed for good (dbt's Failure after the last retry): say who holds
    # the file, which dbt's error says only deep down
    return held_reason(text) or next((line.strip() for line in text.splitlines() if line.strip()), "")


class _Handler(logging.Handler):
    def __init__(self, printer: ProgressPrinter):
        super().__init__(level=logging.DEBUG)
        self.printer = printer

    def emit(self, record: logging.LogRecord) -> None:
        meta = getattr(record, "dagster_meta", None) or {}
        event = meta.get("dagster_event")
        try:  # progress must never break a run
            if event is not None:
                self.printer.event(meta.get("step_key") or event.step_key, event)
            elif meta.get("orig_message"):
                self.printer.message(meta.get("step_key"), str(meta["orig_message"]))
        except Exception as e:
            print(f"(progress display: {e})", file=sys.stderr)


@dg.logger(
    config_schema={
        "dbt_models": dg.Field(int, default_value=0),
        "dbt_tests": dg.Field(int, default_value=0),
        "contracts": dg.Field(int, default_value=0),
    },
    description="coachwh run's terminal progress: a line per stage (used by `coachwh run` without --verbose).",
)
def progress_logger(init_context: dg.InitLoggerContext) -> logging.Logger:
    c = init_context.logger_config
    logger = logging.Logger(LOGGER_NAME, level=logging.DEBUG)
    printer = ProgressPrinter(
        lambda line: print(line, file=sys.stderr, flush=True), c["dbt_models"], c["dbt_tests"], c["contracts"]
    )
    logger.addHandler(_Handler(printer))
    return logger
