"""The Dagster webserver, started on a local port with the shipped instance settings, serves the whole
code location: every mart, the publication asset, the checks, the nightly schedule and the sensors."""

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from pipelines.config import PROJECT_ROOT
from pipelines.defs.warehouse import prepare_manifest
from pipelines.instance import ensure_instance_yaml
from tests.pipeline.test_definitions import MARTS

pytestmark = pytest.mark.slow  # starts a webserver (about a minute)

QUERY = """
{
  assetNodes { assetKey { path } groupName
    assetChecksOrError { ... on AssetChecks { checks { name } } } }
  repositoriesOrError { ... on RepositoryConnection { nodes {
    name schedules { name cronSchedule scheduleState { status } }
    sensors { name sensorState { status } } jobs { name } } } }
}
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str, body: bytes | None = None) -> dict:
    request = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


@pytest.fixture(scope="module")
def graphql(tmp_path_factory):
    prepare_manifest()
    home = tmp_path_factory.mktemp("home")
    dagster_home = home / "dagster"
    ensure_instance_yaml(dagster_home)
    port = _free_port()
    env = {**os.environ, "COACHWH_HOME": str(home), "DAGSTER_HOME": str(dagster_home)}
    env.pop("COACHWH_LANDING", None)
    webserver = str(Path(sys.executable).parent / "dagster-webserver")
    proc = subprocess.Popen(
        [webserver, "-w", "workspace.yaml", "-h", "127.0.0.1", "-p", str(port)],
        cwd=PROJECT_ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 240
        while True:
            assert proc.poll() is None, proc.stderr.read()[-3000:]
            try:
                _get(f"{base}/server_info")
                result = _get(f"{base}/graphql", json.dumps({"query": QUERY}).encode())
                if result.get("data", {}).get("assetNodes"):
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline, "the webserver did not serve the code location within 240 s"
            time.sleep(2)
        yield result["data"]
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()


def test_every_mart_and_the_publication_asset_are_served(graphql):
    keys = {"/".join(n["assetKey"]["path"]) for n in graphql["assetNodes"]}
    assert {f"marts/{m}" for m in MARTS} <= keys
    assert "published/marts" in keys


def test_the_checks_are_served(graphql):
    checks = {
        ("/".join(n["assetKey"]["path"]), c["name"])
        for n in graphql["assetNodes"]
        for c in (n["assetChecksOrError"] or {}).get("checks", [])
    }
    names = {name for _, name in checks}
    assert {"landing_gate", "source_contract", "extract_freshness"} <= names
    assert ("raw/crm_user", "extract_freshness") in checks
    assert ("marts/mart_manager_coaching", "mart_manager_coaching__not_null") in checks  # dbt tests


def test_the_schedule_and_the_sensors_are_served_and_on(graphql):
    (repo,) = graphql["repositoriesOrError"]["nodes"]
    schedules = {s["name"]: (s["cronSchedule"], s["scheduleState"]["status"]) for s in repo["schedules"]}
    assert schedules["nightly_0200_utc"] == ("0 2 * * *", "RUNNING")
    sensors = {s["name"]: s["sensorState"]["status"] for s in repo["sensors"]}
    assert sensors == {"landing_zone_sensor": "RUNNING", "alert_on_run_failure": "RUNNING",
                       "alert_on_failed_checks": "RUNNING", "settle_dead_runs": "RUNNING"}  # fmt: skip
    assert "nightly" in {j["name"] for j in repo["jobs"]}
