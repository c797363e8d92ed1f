"""Every model and every column is described, and no BI-facing table carries a survey respondent's id."""

import json

import pytest

from pipelines.config import DBT_PROJECT_DIR
from pipelines.defs.warehouse import prepare_manifest
from pipelines.publication import PUBLICATION_COLUMNS, PUBLISHED_SCHEMA


@pytest.fixture(scope="module")
def manifest():
    prepare_manifest()
    return json.loads((DBT_PROJECT_DIR / "target" / "manifest.json").read_text())


def _models(manifest):
    return [n for n in manifest["nodes"].values() if n["resource_type"] == "model"]


def test_every_model_and_column_has_a_description(manifest):
    models = _models(manifest)
    assert len(models) > 30
    missing = [m["name"] for m in models if not m["description"].strip()]
    assert not missing, f"models without a description: {missing}"
    for m in models:
        undescribed = [c for c, spec in m["columns"].items() if not spec["description"].strip()]
        assert not undescribed, f"{m['name']}: columns without a description: {undescribed}"
        assert m["columns"], f"{m['name']} documents no columns"


def test_the_spec_marts_exist_with_their_columns_documented(manifest):
    by_name = {m["name"]: m for m in _models(manifest)}
    expected = {
        "mart_manager_engagement": [
            "manager_employee_id",
            "wave",
            "wave_close_date",
            "responses",
            "is_suppressed",
            "q_coach_avg",
            "q_feedback_avg",
            "q_growth_avg",
            "q_recognition_avg",
            "q_intent_stay_avg",
            "q_coach_favorable_pct",
            "enps",
        ],
        "mart_coaching_impact": [
            "quarter",
            "coaching_intensity_quartile",
            "managers",
            "avg_coaching_hours_per_direct_report",
            "avg_next_quarter_attainment_pct",
            "avg_next_quarter_turnover_rate",
            "managers_coached_by_slm",
            "avg_next_quarter_attainment_pct_coached_by_slm",
            "avg_next_quarter_attainment_pct_not_coached_by_slm",
        ],
    }
    for model, columns in expected.items():
        assert set(columns) <= set(by_name[model]["columns"]), model
        assert by_name[model]["config"]["schema"] == "marts"


def test_no_bi_facing_model_carries_a_respondent_id(manifest):
    models = {m["name"]: m for m in _models(manifest)}
    # The respondent's EmployeeID stops at raw: staging already drops it.
    survey_columns = {c.lower() for c in models["stg_survey__responses"]["columns"]}
    assert not survey_columns & {"employeeid", "employee_id", "respondent_employee_id"}
    # The published marts hold no single response either.
    for m in models.values():
        if m["config"].get("schema") == "marts":
            names = {c.lower() for c in m["columns"]}
            assert not names & {"employeeid", "respondent_employee_id", "response_id", "responseid"}, m["name"]


def test_layers_point_one_way(manifest):
    # staging reads only sources, intermediate never reads a mart: the calendar lives in intermediate/calendar.
    nodes = manifest["nodes"]
    layer = {uid: n["config"].get("schema") for uid, n in nodes.items() if n["resource_type"] == "model"}
    for uid, schema in layer.items():
        parents = [p for p in nodes[uid]["depends_on"]["nodes"] if p in layer]
        if schema == "staging":
            assert all(layer[p] == "staging" for p in parents), uid
        if schema == "intermediate":
            assert not [p for p in parents if layer[p] == "marts"], uid


def test_the_docs_site_opens_on_the_published_file_and_describes_its_publication_table(manifest):
    overview = manifest["docs"].get("doc.coachwh.__overview__")
    assert overview, "no project overview: the docs site opens on dbt's generic welcome page"
    text = overview["block_contents"]
    assert "coachwh_marts.duckdb" in text and f"schema **`{PUBLISHED_SCHEMA}`**" in text
    missing = [name for name, _, _ in PUBLICATION_COLUMNS if f"`{name}`" not in text]
    assert not missing, f"publication columns the overview does not describe: {missing}"


@pytest.mark.slow  # runs dbt docs generate
def test_coachwh_docs_stopped_by_sigterm_leaves_nothing_serving(tmp_path):
    """A service manager (or `kill`) stops `coachwh docs` with SIGTERM: the server itself must stop, not only a
    parent that leaves a child serving the port."""
    import signal
    import socket
    import subprocess
    import time

    def serving(port: int) -> bool:
        with socket.socket() as s:
            return s.connect_ex(("127.0.0.1", port)) == 0

    with socket.socket() as s:  # a free port
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    # started ignoring SIGTERM, as a child of a process that ignores it (a shell's background job after an in-process
    # Dagster run: Dagster gives SIGTERM the ignored SIGINT's disposition, and an ignored signal survives exec)
    docs = _docs_on_an_empty_warehouse(
        tmp_path / "home", "--port", str(port), preexec_fn=lambda: signal.signal(signal.SIGTERM, signal.SIG_IGN)
    )
    try:
        deadline = time.monotonic() + 180
        while not serving(port):
            assert docs.poll() is None and time.monotonic() < deadline, "coachwh docs never served"
            time.sleep(0.5)
        docs.send_signal(signal.SIGTERM)
        docs.wait(timeout=30)
        time.sleep(1)
        assert not serving(port), "a process still serves the docs after coachwh docs was stopped"
    finally:
        docs.kill()
        docs.wait(timeout=10)
        subprocess.run(["pkill", "-f", f"docs serve --port {port}"], check=False)


@pytest.mark.slow
def test_coachwh_docs_stopped_by_sigterm_while_it_builds_stops_the_build_too(tmp_path):
    """Helper Q: SIGTERM during `dbt docs generate` ended `coachwh docs` alone; dbt went on writing, with the run
    lock already given back."""
    import os
    import signal
    import time
    from pathlib import Path

    home = tmp_path / "home"

    def generating() -> list[int]:  # the `dbt docs generate` processes of this home
        found = []
        for proc in Path("/proc").iterdir():
            try:
                command = (proc / "cmdline").read_bytes().split(b"\0")
                environ = (proc / "environ").read_bytes().split(b"\0")
            except OSError:
                continue
            if b"generate" in command and f"COACHWH_HOME={home}".encode() in environ:
                found.append(int(proc.name))
        return found

    docs = _docs_on_an_empty_warehouse(home, "--no-serve")
    try:
        deadline = time.monotonic() + 120
        while not generating():
            assert docs.poll() is None and time.monotonic() < deadline, "dbt docs generate never started"
            time.sleep(0.2)
        docs.send_signal(signal.SIGTERM)
        docs.wait(timeout=60)
        # coachwh docs waits for the build it stopped: none is left the moment it has ended
        assert not generating(), "dbt docs generate goes on after coachwh docs was stopped"
    finally:
        docs.kill()
        docs.wait(timeout=10)
        for pid in generating():
            os.kill(pid, signal.SIGKILL)


def _docs_on_an_empty_warehouse(home, *args: str, **popen):
    """`coachwh docs ARGS` in a process of its own, for a home whose warehouse is empty (the site still builds);
    `popen`: more arguments of its Popen."""
    import os
    import subprocess
    import sys

    import duckdb

    from pipelines.config import PROJECT_ROOT

    home.mkdir()
    duckdb.connect(str(home / "warehouse.duckdb")).close()
    return subprocess.Popen(
        [sys.executable, "-m", "pipelines.cli", "docs", *args],
        cwd=PROJECT_ROOT,
        env={**os.environ, "COACHWH_HOME": str(home)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        **popen,
    )
