"""`coachwh run`'s progress names a wait for the warehouse file and who holds it, rather than a slow step or a
retry by the name of Dagster's exception class."""

from __future__ import annotations

import dagster as dg
from dagster._core.events import EngineEventData
from dagster._core.execution.plan.objects import StepRetryData
from dagster._utils.error import SerializableErrorInfo

from pipelines.progress import ProgressPrinter

DBT_LOCK = (
    'IO Error: Could not set lock on file "/srv/coachwh/warehouse.duckdb": Conflicting lock is held in '
    "/usr/bin/python3.11 (PID 18123). However, you would be able to open this database in read-only mode"
)


def _printer() -> tuple[ProgressPrinter, list[str]]:
    lines: list[str] = []
    return ProgressPrinter(lines.append, dbt_models=54, dbt_tests=171, contracts=11), lines


def _retry(cause: SerializableErrorInfo) -> dg.DagsterEvent:
    # what Dagster records: its RetryRequestedFromPolicy, raised from what failed
    error = SerializableErrorInfo(
        message="dagster._core.execution.plan.utils.RetryRequestedFromPolicy\n",
        stack=[],
        cls_name="RetryRequestedFromPolicy",
        cause=cause,
    )
    return dg.DagsterEvent(
        event_type_value="STEP_UP_FOR_RETRY",
        job_name="nightly",
        step_key="coachwh_dbt_models",
        event_specific_data=StepRetryData(error=error, seconds_to_wait=30),
    )


def test_a_retry_on_a_held_warehouse_names_who_holds_it():
    printer, lines = _printer()
    dbt_failed = SerializableErrorInfo(
        message=f"The dbt CLI process with command\n\n`dbt build`\n\nfailed with exit code `2`.\n\n{DBT_LOCK}\n",
        stack=[],
        cls_name="DagsterDbtCliRuntimeError",
    )
    printer.event("coachwh_dbt_models", _retry(dbt_failed))
    assert lines == [
        "retry     coachwh_dbt_models will be retried in 30 s: the warehouse file is held by PID 18123 (python3.11): "
        "a reader keeping it open, or another run"
    ]


def test_any_other_retry_says_the_first_line_of_what_failed():
    printer, lines = _printer()
    printer.event(
        "ingest_crm", _retry(SerializableErrorInfo("ConnectionError: reset by peer\n", [], "ConnectionError"))
    )
    assert lines == ["retry     ingest_crm will be retried in 30 s: ConnectionError: reset by peer"]


def test_a_step_waiting_for_the_warehouse_file_says_so_and_a_killed_gates_leftover_is_named():
    printer, lines = _printer()
    waiting = "waiting: warehouse.duckdb is held by PID 42 (python3.11); waiting up to 600 s for it"
    printer.message("ingest_crm", waiting)
    printer.message("ingest_crm", "loaded crm/2026-11-05")  # a step's other log lines stay out of the progress
    printer.message("ingest_hris", "removed the scratch folder of a gate that was killed: coachwh-ingest-27981-x1")
    assert lines == [
        "wait      ingest_crm: warehouse.duckdb is held by PID 42 (python3.11); waiting up to 600 s for it",
        "gate      removed the scratch folder of a gate that was killed: coachwh-ingest-27981-x1",
    ]


def test_a_run_waiting_for_the_warehouse_pool_says_so_once():
    printer, lines = _printer()
    pool = dg.MetadataValue.pool("duckdb_warehouse")
    for step, message in [
        ("ingest_crm", "Step blocked by limit for pool duckdb_warehouse"),
        ("ingest_hris", "Step blocked by limit for pool duckdb_warehouse"),  # every ready step waits with it
        ("ingest_crm", "Step still blocked by limit for pool duckdb_warehouse"),
    ]:
        blocked = dg.DagsterEvent(
            event_type_value="ENGINE_EVENT",
            job_name="nightly",
            step_key=step,
            message=message,
            event_specific_data=EngineEventData(metadata={"pool": pool}),
        )
        printer.event(step, blocked)
    assert lines == [
        "wait      another run holds the slot of pool duckdb_warehouse (one writer at a time): ingest_crm waits"
    ]


def _freshness(system: str, passed: bool, latest: str, text: str) -> dg.DagsterEvent:
    from dagster._core.definitions.asset_checks.asset_check_evaluation import AssetCheckEvaluation

    evaluation = AssetCheckEvaluation(
        asset_key=dg.AssetKey(["raw", f"{system}_x"]),
        check_name="extract_freshness",
        passed=passed,
        metadata={"latest_extract_date": dg.MetadataValue.text(latest)},
        severity=dg.AssetCheckSeverity.WARN,
        description=text,
    )
    return dg.DagsterEvent(
        event_type_value="ASSET_CHECK_EVALUATION",
        job_name="nightly",
        step_key="extract_freshness",
        event_specific_data=evaluation,
    )


def _step_success(step: str) -> dg.DagsterEvent:
    from dagster._core.execution.plan.objects import StepSuccessData

    return dg.DagsterEvent(
        event_type_value="STEP_SUCCESS",
        job_name="nightly",
        step_key=step,
        event_specific_data=StepSuccessData(duration_ms=100.0),
    )


def test_the_freshness_line_says_when_no_system_has_delivered_anything_yet():
    printer, lines = _printer()
    for system in ("crm", "hris"):  # nothing loaded: each system passes, having nobody to lag behind
        printer.event("extract_freshness", _freshness(system, True, "None", f"no {system} extract loaded yet"))
    printer.event("extract_freshness", _step_success("extract_freshness"))
    assert lines == ["freshness no extract loaded yet  (0.1 s)"]

    printer, lines = _printer()
    printer.event("extract_freshness", _freshness("crm", True, "2026-11-05", "crm latest extract 2026-11-05"))
    printer.event("extract_freshness", _step_success("extract_freshness"))
    assert lines == ["freshness every system is current  (0.1 s)"]


def test_a_step_that_failed_for_good_on_a_held_warehouse_names_who_holds_it_in_the_progress_and_the_report():
    from dagster._core.execution.plan.objects import StepFailureData, UserFailureData

    from pipelines.defs.run_report import _step_failure_reason

    # dagster-dbt's Failure after the last retry: its description begins with the command, the holder deep down
    description = f"The dbt CLI process with command\n\n`dbt build`\n\nfailed with exit code `2`.\n\n{DBT_LOCK}\n"
    data = StepFailureData(
        error=SerializableErrorInfo("Exceeded max_retries of 3\n", [], "RetryRequestedFromPolicy"),
        user_failure_data=UserFailureData(label="intentional-failure", description=description),
    )
    failed = dg.DagsterEvent(
        event_type_value="STEP_FAILURE", job_name="nightly", step_key="coachwh_dbt_models", event_specific_data=data
    )
    printer, lines = _printer()
    printer.event("coachwh_dbt_models", failed)
    reason = "the warehouse file is held by PID 18123 (python3.11): a reader keeping it open, or another run"
    assert lines == [f"FAILED    coachwh_dbt_models: {reason}"]
    assert _step_failure_reason(data) == reason


def test_the_contracts_line_tells_a_refusing_failure_from_a_warning():
    """A warn-level contract that failed on a night that succeeded was said "1 FAILED" beside a summary saying
    "warned"."""
    from dagster._core.definitions.asset_checks.asset_check_evaluation import AssetCheckEvaluation
    from dagster._core.events import StepSuccessData

    from pipelines.progress import CONTRACT_CHECK

    lines: list[str] = []
    printer = ProgressPrinter(lines.append, dbt_models=54, dbt_tests=171, contracts=3)
    outcomes = [
        ("crm_user", True, dg.AssetCheckSeverity.ERROR),
        ("hris_job_history", False, dg.AssetCheckSeverity.WARN),
        ("crm_call", False, dg.AssetCheckSeverity.ERROR),
    ]
    for table, passed, severity in outcomes:
        step = f"raw_{table}_{CONTRACT_CHECK}"
        evaluation = AssetCheckEvaluation(
            asset_key=dg.AssetKey(["raw", table]), check_name=CONTRACT_CHECK, passed=passed, severity=severity
        )
        for kind, data in (
            ("ASSET_CHECK_EVALUATION", evaluation),
            ("STEP_SUCCESS", StepSuccessData(duration_ms=100.0)),
        ):
            event = dg.DagsterEvent(event_type_value=kind, job_name="nightly", event_specific_data=data, step_key=step)
            printer.event(step, event)
    assert lines == [
        "contracts 3 source contracts on the loaded batches: 1 FAILED (raw/crm_call), 1 warned "
        "(raw/hris_job_history)  (0.3 s)"
    ]
