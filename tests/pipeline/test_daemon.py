"""The Dagster daemon, as deploy/ runs it (shipped dagster.yaml, workspace.yaml), loads the schedule and
the sensors and evaluates the sensors: what an unattended night depends on."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pipelines.config import PROJECT_ROOT
from pipelines.defs.warehouse import prepare_manifest
from pipelines.instance import TEMPLATE, ensure_instance_yaml

pytestmark = pytest.mark.slow  # starts the daemon and a code server (about a minute)

BIN = Path(sys.executable).parent
EXPECTED_TICKS = (
    "Sensor landing_zone_sensor skipped: no complete batch waiting in the landing zone",
    "Sensor alert_on_run_failure skipped",
    "Sensor alert_on_failed_checks skipped",
    "Sensor settle_dead_runs skipped: every started run's worker is alive",
)


@pytest.fixture
def env(tmp_path):
    prepare_manifest()
    ensure_instance_yaml(tmp_path / "dagster")
    assert (tmp_path / "dagster" / "dagster.yaml").read_text() == TEMPLATE.read_text()
    out = {k: v for k, v in os.environ.items() if k != "COACHWH_LANDING"}
    out.update(COACHWH_HOME=str(tmp_path), DAGSTER_HOME=str(tmp_path / "dagster"))
    (tmp_path / "landing").mkdir()  # the systems' drop folder, empty tonight
    return out


def test_the_daemon_evaluates_the_landing_and_alert_sensors(env, tmp_path):
    log = tmp_path / "daemon.log"
    with open(log, "w") as out:
        daemon = subprocess.Popen(
            [str(BIN / "dagster-daemon"), "run", "-w", "workspace.yaml"],
            cwd=PROJECT_ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
        try:
            deadline = time.monotonic() + 240
            while not all(t in log.read_text() for t in EXPECTED_TICKS):
                assert daemon.poll() is None, log.read_text()[-3000:]
                assert time.monotonic() < deadline, log.read_text()[-3000:]
                time.sleep(2)
        finally:
            daemon.terminate()
            daemon.wait(timeout=60)
    text = log.read_text()
    assert "QueuedRunCoordinatorDaemon" in text and "SchedulerDaemon" in text and "MonitoringDaemon" in text


def test_the_schedule_loads_and_is_running_with_the_shipped_instance(env):
    done = subprocess.run(
        [str(BIN / "dagster"), "schedule", "list", "-w", "workspace.yaml"],
        cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=240,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    assert "Schedule: nightly_0200_utc [RUNNING]" in done.stdout
    assert "Cron Schedule: 0 2 * * *" in done.stdout


def test_the_shipped_instance_settings(env):
    from pipelines.event_log import PooledSqliteEventLogStorage
    from pipelines.instance import open_instance

    with open_instance(Path(env["DAGSTER_HOME"])) as instance:
        assert isinstance(instance.event_log_storage, PooledSqliteEventLogStorage)
        concurrency = instance.get_concurrency_config()
        assert concurrency.run_queue_config.max_concurrent_runs == 1
        assert concurrency.pool_config.default_pool_limit == 1
        assert type(instance.run_coordinator).__name__ == "QueuedRunCoordinator"
        assert instance.run_retries_enabled and instance.run_retries_max_retries == 2
        assert instance.run_retries_retry_on_asset_or_op_failure is False
        assert instance.get_settings("telemetry") == {"enabled": False}
        assert instance.get_settings("nux") == {"enabled": False}
