"""Alerts, publication gating and retries, on tiny stand-in assets (no dbt run): fast and exact."""

import contextlib
import json
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import dagster as dg
import duckdb
import pytest
from dagster._core.execution.plan.objects import StepFailureData
from dagster._utils.error import SerializableErrorInfo
from dagster_dbt.errors import DagsterDbtCliRuntimeError

from pipelines import alerts
from pipelines.alerts import send_alert, summary_line
from pipelines.config import Settings
from pipelines.defs.alerts import alert_on_failed_checks, alert_on_run_failure
from pipelines.defs.publish import publish_definitions
from pipelines.defs.resources import CoachwhConfig
from pipelines.defs.retries import NIGHTLY_RETRY_POLICY, is_transient, non_transient
from pipelines.defs.run_report import _check_outcome, _first_sentence, _refusal, _step_failure_reason, read_run
from pipelines.warehouse_file import WarehouseBusy
from tests.pipeline.webhook import Webhook

MART = dg.AssetKey(["marts", "mart_x"])


def _config(tmp_path, **kw) -> CoachwhConfig:
    return CoachwhConfig.from_settings(Settings(home=tmp_path, landing=tmp_path / "landing", **kw))


def _stub_mart(tmp_path, check_passes: bool, severity=dg.AssetCheckSeverity.ERROR, check_name="row_count_sane"):
    """A mart that writes a real warehouse table (beside one loaded raw row: a warehouse that never loaded an
    extract is not published), with a non-blocking check of the given outcome."""

    @dg.asset(key=MART, check_specs=[dg.AssetCheckSpec(check_name, asset=MART)])
    def mart_x():
        with duckdb.connect(str(tmp_path / "warehouse.duckdb")) as con:
            con.execute("create schema if not exists marts; create or replace table marts.mart_x as select 42 as v")
            con.execute(
                "create schema if not exists raw; "
                "create or replace table raw.crm_user as select date '2026-11-02' as _extract_date"
            )
        yield dg.MaterializeResult()
        yield dg.AssetCheckResult(
            check_name=check_name,
            passed=check_passes,
            severity=severity,
            description="mart_x has 1 row, expected at least 10",
        )

    return mart_x


def _run(tmp_path, instance, mart, **resources):
    published = publish_definitions([MART], mart.check_keys).assets
    return dg.materialize(
        [mart, *published],
        instance=instance,
        raise_on_error=False,
        resources={"coachwh": _config(tmp_path, **resources)},
    )


def test_a_failed_error_check_stops_publication_and_names_the_check(tmp_path):
    with dg.instance_for_test() as instance:
        result = _run(tmp_path, instance, _stub_mart(tmp_path, check_passes=False))
        assert not result.success
        report = read_run(instance, result.run_id)
    assert list(report.failed_steps) == ["published__marts"]
    assert "marts/mart_x row_count_sane" in report.failed_steps["published__marts"]
    assert not (tmp_path / "coachwh_marts.duckdb").exists()


def test_a_run_that_did_not_evaluate_a_failed_check_cannot_publish_past_it(tmp_path):
    """Publishing alone from the UI, or a re-execution from failure, evaluates no check: the latest evaluation of
    each ERROR check of the location holds it back until a run evaluates that check again and it passes."""
    check = dg.AssetCheckKey(MART, "row_count_sane")
    publish_alone = publish_definitions([MART], [check]).assets

    def alone(instance):
        return dg.materialize(
            [*publish_alone, _stub_mart(tmp_path, True)],
            selection=[dg.AssetKey(["published", "marts"])],
            instance=instance,
            raise_on_error=False,
            resources={"coachwh": _config(tmp_path)},
        )

    with dg.instance_for_test() as instance:
        assert not _run(tmp_path, instance, _stub_mart(tmp_path, check_passes=False)).success
        blocked = alone(instance)
        assert not blocked.success
        assert "marts/mart_x row_count_sane" in read_run(instance, blocked.run_id).failed_steps["published__marts"]
        assert not (tmp_path / "coachwh_marts.duckdb").exists()
        assert _run(tmp_path, instance, _stub_mart(tmp_path, check_passes=True)).success  # evaluated again: passes
        assert alone(instance).success


def test_a_warning_or_a_gate_refusal_does_not_stop_publication(tmp_path):
    with dg.instance_for_test() as instance:
        warn = _run(tmp_path, instance, _stub_mart(tmp_path, False, severity=dg.AssetCheckSeverity.WARN))
        assert warn.success
        gate = _run(tmp_path, instance, _stub_mart(tmp_path, False, check_name="landing_gate"))
        assert gate.success
        report = read_run(instance, gate.run_id)
    assert report.published["tables"] == 2  # mart_x and publication
    assert report.went_wrong  # but the night still needs attention (and `coachwh run` exits 1)
    with duckdb.connect(str(tmp_path / "coachwh_marts.duckdb"), read_only=True) as con:
        assert con.execute("select v from marts.mart_x").fetchone() == (42,)


def test_the_failure_sensor_posts_the_failed_step_and_check_to_the_webhook(tmp_path):
    with Webhook() as hook, dg.instance_for_test() as instance:
        result = _run(tmp_path, instance, _stub_mart(tmp_path, check_passes=False))
        context = dg.build_run_status_sensor_context(
            sensor_name="alert_on_run_failure",
            dagster_instance=instance,
            dagster_run=result.dagster_run,
            dagster_event=result.get_run_failure_event(),
            resources={"coachwh": _config(tmp_path, alert_webhook=hook.url)},
        ).for_run_failure()
        alert_on_run_failure(context)
    (body,) = hook.bodies
    assert body["run_id"] == result.run_id and body["status"] == "FAILURE"
    assert [s["step"] for s in body["failed_steps"]] == ["published__marts"]
    assert [(c["asset"], c["check"]) for c in body["failed_checks"]] == [("marts/mart_x", "row_count_sane")]
    assert "row_count_sane" in body["reasons"][0]


def test_the_check_sensor_alerts_on_a_green_run_with_a_refused_batch_and_not_on_a_clean_one(tmp_path):
    tags = {}
    with Webhook() as hook, dg.instance_for_test() as instance:
        for passes in (True, False):
            result = _run(tmp_path, instance, _stub_mart(tmp_path, passes, check_name="landing_gate"))
            context = dg.build_run_status_sensor_context(
                sensor_name="alert_on_failed_checks",
                dagster_instance=instance,
                dagster_run=result.dagster_run,
                dagster_event=result.get_run_success_event(),
                resources={"coachwh": _config(tmp_path, alert_webhook=hook.url)},
            )
            alert_on_failed_checks(context)
            tags[passes] = instance.get_run_by_id(result.run_id).tags
    # the green run that needs attention says so in the UI's Runs list too; the clean one has no such tag
    assert tags[False].get("coachwh/verdict") == "NEEDS ATTENTION" and "coachwh/verdict" not in tags[True]
    (body,) = hook.bodies
    assert body["status"] == "SUCCESS" and body["verdict"] == "NEEDS ATTENTION"  # Dagster's word, and ours
    assert body["failed_checks"][0]["check"] == "landing_gate"


def test_the_alert_command_gets_the_json_on_stdin_and_a_summary_line(tmp_path):
    out = tmp_path / "alert.json"
    write = f"import sys; open('{out}', 'w').write(sys.stdin.read())"
    command = f'{sys.executable} -c "{write}" && test -n "$COACHWH_ALERT_SUMMARY"'
    (d,) = send_alert(
        {"run_id": "r1", "job": "nightly", "status": "FAILURE", "reasons": ["x"]}, None, command, log=lambda s: None
    )
    assert d.ok, d.detail
    assert json.loads(out.read_text())["run_id"] == "r1"


def test_without_a_channel_the_alert_is_one_log_line_and_a_dead_webhook_is_reported_not_raised():
    lines = []
    send_alert({"run_id": "r1", "job": "nightly", "status": "FAILURE", "reasons": ["boom"]}, None, None, lines.append)
    assert len(lines) == 1 and "nobody was told" in lines[0] and "boom" in lines[0]
    refused = {"run_id": "r2", "job": "nightly", "status": "SUCCESS", "verdict": "NEEDS ATTENTION", "reasons": ["b"]}
    send_alert(refused, None, None, lines.append)
    assert "run r2 NEEDS ATTENTION: b" in lines[-1]  # not "SUCCESS: batch ... refused"
    (d,) = send_alert({"run_id": "r1"}, "http://127.0.0.1:9/none", None, lines.append)
    assert not d.ok and "FAILED" in lines[-1]


def test_a_webhook_that_trickles_its_answer_or_a_command_that_hangs_gives_up_in_time_and_leaves_nothing(
    tmp_path, monkeypatch
):
    """urllib's timeout bounds each read: a server sending one header a second would hold the run (and its
    lock) for good. A hung command is killed with what it started, not only its shell."""
    monkeypatch.setattr(alerts, "TIMEOUT_SECONDS", 1.5)
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()

    def trickle():
        peer, _ = server.accept()
        peer.recv(65536)
        peer.sendall(b"HTTP/1.1 200 OK\r\n")
        for i in range(30):  # never ends its headers
            time.sleep(0.5)
            with contextlib.suppress(OSError):
                peer.sendall(f"X-Wait-{i}: 1\r\n".encode())
        peer.close()

    threading.Thread(target=trickle, daemon=True).start()
    started = time.monotonic()
    (d,) = send_alert({"run_id": "r1"}, f"http://127.0.0.1:{server.getsockname()[1]}/hook", None, lambda s: None)
    assert not d.ok and "no answer within 1.5 s" in d.detail and time.monotonic() - started < 5
    server.close()

    pid_file = tmp_path / "sleep.pid"
    (d,) = send_alert({"run_id": "r1"}, None, f"sleep 600 & echo $! > {pid_file}; wait", lambda s: None)
    assert not d.ok and "killed" in d.detail
    sleeper = int(pid_file.read_text())
    time.sleep(0.2)
    assert not Path(f"/proc/{sleeper}").exists() or "Z" in Path(f"/proc/{sleeper}/stat").read_text().split()[2]


def test_only_transient_failures_are_retried():
    assert NIGHTLY_RETRY_POLICY.max_retries == 3 and NIGHTLY_RETRY_POLICY.backoff == dg.Backoff.EXPONENTIAL
    assert is_transient(WarehouseBusy("locked for 600s"))
    assert is_transient(duckdb.IOException('IO Error: Could not set lock on file "w.duckdb": Conflicting lock'))
    assert not is_transient(ValueError("workers.csv line 3: bad date"))
    assert not is_transient(duckdb.CatalogException("Catalog Error: Table with name locks does not exist!"))
    with pytest.raises(dg.Failure) as failure, non_transient():
        raise ValueError("workers.csv line 3: bad date")
    assert failure.value.allow_retries is False
    with pytest.raises(WarehouseBusy), non_transient():
        raise WarehouseBusy("locked")
    # dagster-dbt raises a failed build as a Failure that allows retries: a model error is not retried...
    with pytest.raises(dg.Failure) as failure, non_transient():
        raise DagsterDbtCliRuntimeError("dbt build failed: Binder Error: Set operations can only apply to ...")
    assert failure.value.allow_retries is False and "Binder Error" in failure.value.description
    # ...a warehouse held by another process is
    with pytest.raises(DagsterDbtCliRuntimeError) as failure, non_transient():
        raise DagsterDbtCliRuntimeError('IO Error: Could not set lock on file "warehouse.duckdb"')
    assert failure.value.allow_retries is not False


def test_a_transient_failure_is_retried_by_the_policy_and_a_refusal_is_not(tmp_path):
    attempts = {"flaky": 0, "refused": 0}

    @dg.asset
    def flaky():
        attempts["flaky"] += 1
        with non_transient():
            if attempts["flaky"] < 2:
                raise WarehouseBusy("held by another process")

    @dg.asset
    def refused():
        attempts["refused"] += 1
        with non_transient():
            raise ValueError("batch crm/2026-11-03 breaks its manifest")

    policy = dg.RetryPolicy(max_retries=3, delay=0)
    job = dg.define_asset_job("j", op_retry_policy=policy)
    defs = dg.Definitions(assets=[flaky, refused], jobs=[job])
    result = defs.resolve_job_def("j").execute_in_process(raise_on_error=False)
    assert attempts == {"flaky": 2, "refused": 1}
    assert not result.success


def test_a_step_interrupted_by_terminate_is_not_retried_into_a_successful_run():
    """Terminate in the UI interrupts the step; Dagster would honour the retry policy on the interrupt and the run
    would go on to publish as a success."""
    from dagster._core.errors import DagsterExecutionInterruptedError

    attempts = {"build": 0}

    @dg.asset
    def build():
        attempts["build"] += 1
        with non_transient():
            if attempts["build"] == 1:
                raise DagsterExecutionInterruptedError()

    @dg.asset(deps=[build])
    def publish():
        pass

    job = dg.define_asset_job("j", op_retry_policy=dg.RetryPolicy(max_retries=3, delay=0))
    result = (
        dg.Definitions(assets=[build, publish], jobs=[job])
        .resolve_job_def("j")
        .execute_in_process(raise_on_error=False)
    )
    assert attempts == {"build": 1} and not result.success
    assert not result.get_asset_materialization_events()


def test_a_step_that_failed_every_retry_reports_the_cause_not_the_retry_count(tmp_path):
    """An analyst holding the warehouse all night: the alert names the holder, not only 'Exceeded max_retries'."""

    @dg.asset
    def held():
        with non_transient():
            raise WarehouseBusy("warehouse.duckdb stayed locked by PID 18123 (python3.11) for 600 s")

    job = dg.define_asset_job("j", op_retry_policy=dg.RetryPolicy(max_retries=2, delay=0))
    defs = dg.Definitions(assets=[held], jobs=[job])
    with dg.instance_for_test() as instance:
        result = defs.resolve_job_def("j").execute_in_process(instance=instance, raise_on_error=False)
        report = read_run(instance, result.run_id)
    reason = report.failed_steps["held"]
    assert "PID 18123 (python3.11)" in reason and "exceeded max_retries of 2" in reason


def test_a_failed_dbt_build_is_said_with_its_exit_code_and_the_first_error_dbt_logged():
    """dagster-dbt's failure begins with "The dbt CLI process with command" on a line of its own: the one line of
    the summary and the alert must carry what failed instead."""
    killed = "The dbt CLI process with command\n\n`dbt build`\n\nfailed with exit code `-9`. Check the stdout."
    assert _first_sentence(killed) == "dbt failed with exit code -9"
    coloured = killed + "\n\nErrors parsed from dbt logs:\n\n77 of 244 ERROR x [\x1b[31mERROR\x1b[0m in 0.18s]"
    assert _first_sentence(coloured) == "dbt failed with exit code -9: 77 of 244 ERROR x [ERROR in 0.18s]"
    errors = (
        killed.replace("-9", "2") + "\n\nErrors parsed from dbt logs:\n\nRuntime Error in model mart_x\n  boom\n\nmore"
    )
    assert _first_sentence(errors) == "dbt failed with exit code 2: Runtime Error in model mart_x boom"
    # dbt 1.11's error lines as it logs them (a model and a test failed): the closing summary's cause, not the
    # "N of M ERROR creating" line that comes first
    logged = [
        "1 of 3 ERROR creating sql view model main.bad ..... [\x1b[31mERROR\x1b[0m in 0.12s]",
        "3 of 3 FAIL 1 not_null_good_a ..... [\x1b[31mFAIL 1\x1b[0m in 0.05s]",
        "\x1b[31mFailure in model bad (models/bad.sql)\x1b[0m",
        '  Runtime Error in model bad (models/bad.sql)\n  Binder Error: Referenced column "y" not found in FROM '
        "clause!\n  \n  LINE 5:     select y from (select 1 as z)",
        "\x1b[31mFailure in test not_null_good_a (models/s.yml)\x1b[0m",
        "  Got 1 result, configured to fail if != 0",
    ]
    failed = killed.replace("-9", "1") + "\n\nErrors parsed from dbt logs:\n\n" + "\n\n".join(logged)
    assert _first_sentence(failed) == (
        'dbt failed with exit code 1: Runtime Error in model bad (models/bad.sql) Binder Error: Referenced column "y" '
        "not found in FROM clause! LINE 5: select y from (select 1 as z)"
    )
    a_test = killed.replace("-9", "1") + "\n\nErrors parsed from dbt logs:\n\n" + "\n\n".join(logged[1:2] + logged[4:])
    assert _first_sentence(a_test) == (
        "dbt failed with exit code 1: Failure in test not_null_good_a (models/s.yml): Got 1 result, configured to "
        "fail if != 0"
    )
    assert _first_sentence("KeyError: 'x'\nTraceback ...") == "KeyError: 'x'"


def test_a_step_that_fails_on_a_damaged_warehouse_says_the_way_back():
    error = (
        'IOException: IO Error: Could not read enough bytes from file "/h/warehouse.duckdb": attempted to read '
        "6144 bytes from location 792576\n\nTraceback ..."
    )
    data = StepFailureData(error=SerializableErrorInfo(error, [], "IOException"), user_failure_data=None)
    reason = _step_failure_reason(data)
    assert "IO Error: Could not read enough bytes from file" in reason and "Traceback" not in reason
    assert reason.endswith("(README, 'A lost or damaged warehouse')")
    # a FileUnreadable (DuckDB refused to open the file) already gives the advice: said once
    unreadable = SerializableErrorInfo(reason, [], "FileUnreadable")
    said = _step_failure_reason(StepFailureData(error=unreadable, user_failure_data=None))
    assert said == reason


def test_the_waits_for_one_holder_are_one_steps_attempts_under_the_nightly_retry_policy():
    """warehouse_file cannot import Dagster (commands that open the warehouse start without it): its count is tied
    to the policy here."""
    from pipelines import warehouse_file

    assert warehouse_file.WAITS_PER_HOLDER == NIGHTLY_RETRY_POLICY.max_retries + 1


def test_a_run_waits_out_one_holder_only_as_often_as_one_step_would_then_fails_at_once(tmp_path, monkeypatch):
    """An analyst's connection left open all night: the run waits for it as often as one step tries (its first
    attempt and its retries), then no step waits for it again, so the night fails and alerts hours sooner than
    if every step waited through all its attempts."""
    from pipelines import warehouse_file

    monkeypatch.setattr(warehouse_file, "WAITED_OUT", {})
    monkeypatch.setattr(warehouse_file, "WAITS_PER_HOLDER", 2)  # one step's attempts under the policy below
    path = tmp_path / "warehouse.duckdb"
    hold = "import sys, time, duckdb\ncon = duckdb.connect(sys.argv[1])\nprint('locked', flush=True)\ntime.sleep(60)"
    holder = subprocess.Popen([sys.executable, "-c", hold, str(path)], stdout=subprocess.PIPE, text=True)
    assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
    attempts = []

    def step(name):
        @dg.asset(name=name)
        def _step():
            attempts.append(name)
            with non_transient():
                warehouse_file.connect_waiting(path, wait_seconds=0.2, on_wait=lambda line: None).close()

        return _step

    job = dg.define_asset_job("j", op_retry_policy=dg.RetryPolicy(max_retries=1, delay=0))
    defs = dg.Definitions(assets=[step("gate_crm"), step("gate_hris"), step("gate_lms")], jobs=[job])
    try:
        with dg.instance_for_test() as instance:
            result = defs.resolve_job_def("j").execute_in_process(instance=instance, raise_on_error=False)
            report = read_run(instance, result.run_id)
    finally:
        holder.kill()
        holder.wait(timeout=10)
    assert warehouse_file.WAITED_OUT == {holder.pid: 2}  # two full waits in the whole run, not one per attempt
    # Dagster tries each step once, then the retries: crm and hris wait it out, lms and both retries fail at once
    # and are not retried again (without the limit: 3 steps x 2 attempts, each a full wait)
    assert attempts == ["gate_crm", "gate_hris", "gate_lms", "gate_crm", "gate_hris"]
    assert set(report.failed_steps) == {"gate_crm", "gate_hris", "gate_lms"}
    for reason in report.failed_steps.values():
        assert reason.startswith(f"WarehouseStillHeld: {path} is still held by PID {holder.pid} ("), reason
        assert "which this run already waited for 2 times (up to 0.2 s each): not waiting again" in reason


def test_a_dbt_test_in_the_summary_says_how_many_rows_break_it_or_that_it_never_ran():
    """dbt tests come without a description: the summary said "failed" both for a test that found rows and for one
    that errored because the engine went away before it (a Spark JVM killed mid-build: seven tests "failed")."""
    meta = {"status": dg.MetadataValue.text("fail"), "dagster_dbt/failed_row_count": dg.MetadataValue.int(3)}
    assert _check_outcome(False, meta) == "3 rows break it"
    assert _check_outcome(False, {**meta, "dagster_dbt/failed_row_count": dg.MetadataValue.int(1)}) == "1 row breaks it"
    assert _check_outcome(False, {"status": dg.MetadataValue.text("error")}) == (
        "did not run: dbt errored on it (see the failed step)"
    )
    assert _check_outcome(True, meta) == "passed"
    assert _check_outcome(False, {}) == "failed"  # any other check that says nothing


def test_a_refused_batch_is_said_with_every_rule_it_broke_and_where_its_rejected_md_is():
    """The alert cut the gate's reason at 300 characters: of a batch breaking two rules, it said one."""
    reason = "; ".join(f"Opportunity.csv row {i}: Amount -12.5 is below 0 (error-level rule)" for i in range(1, 9))
    said = _refusal(reason, "/srv/coachwh/data/quarantine/crm/2026-11-05")
    assert said == f"{reason} (REJECTED.md in /srv/coachwh/data/quarantine/crm/2026-11-05)" and len(reason) > 300
    assert _refusal("a bad manifest", None) == "a bad manifest"


def test_a_run_whose_worker_was_killed_says_how_in_the_alert(tmp_path):
    """The run worker killed alone (the OOM killer, kill -9): Dagster's code server says how it ended in an engine
    event, then fails the run with "marked as failed from outside the execution context". The alert says both."""
    import uuid

    import dagster as dg
    from dagster._core.remote_origin import GrpcServerCodeLocationOrigin, RemoteJobOrigin, RemoteRepositoryOrigin

    from pipelines.config import Settings
    from pipelines.defs.run_report import read_run
    from pipelines.instance import dagster_instance

    with dagster_instance(Settings(home=tmp_path / "home", landing=tmp_path / "landing")) as instance:
        origin = RemoteJobOrigin(  # launched by the daemon from the code location, as `make ui` serves it
            RemoteRepositoryOrigin(GrpcServerCodeLocationOrigin("localhost", 4000, location_name="coachwh"), "coachwh"),
            "nightly",
        )
        run = dg.DagsterRun(
            job_name="nightly", run_id=str(uuid.uuid4()), status=dg.DagsterRunStatus.STARTED, remote_job_origin=origin
        )
        instance.add_run(run)
        instance.report_engine_event(  # Dagster's own words (dagster._utils.get_run_crash_explanation)
            f"Run execution process for {run.run_id} was terminated by signal 9 (SIGKILL). This usually indicates "
            "that the process was killed by the operating system due to running out of memory. Possible solutions "
            "include increasing the amount of memory available to the run.",
            run,
        )
        instance.report_run_failed(run)
        alert = read_run(instance, run.run_id).as_alert()
    (reason,) = alert["reasons"]
    # the shipped dagster.yaml retries a run whose worker died (twice): the alert says the night is not over
    assert alert["retry"] == "Dagster starts it again (retry 1 of 2)"
    assert f"run {run.run_id} FAILED [Dagster starts it again (retry 1 of 2)]: Run execution" in summary_line(alert)
    assert reason.startswith(f"Run execution process for {run.run_id} was terminated by signal 9 (SIGKILL).")
    assert "running out of memory." in reason and "Possible solutions" not in reason
    assert reason.endswith("marked as failed from outside the execution context.")
