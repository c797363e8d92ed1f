"""A snapshot of the Dagster graph, so that a change to it shows in review.

Keys, dependencies, groups, checks (with severity-bearing names), jobs, schedules and sensors are written to
tests/pipeline/snapshots/asset_graph.json. When you change the graph on purpose (a new asset, model, test or
job), refresh the snapshot and commit it with your change:

    UPDATE_SNAPSHOTS=1 .venv/bin/pytest tests/pipeline/test_graph_snapshot.py
"""

import difflib
import json
import os
from pathlib import Path

import pytest

from pipelines.defs.warehouse import prepare_manifest

SNAPSHOT = Path(__file__).parent / "snapshots" / "asset_graph.json"


def graph_snapshot(defs) -> dict:
    graph = defs.resolve_asset_graph()
    assets = {}
    for key in sorted(graph.get_all_asset_keys(), key=lambda k: k.to_user_string()):
        node = graph.get(key)
        assets[key.to_user_string()] = {
            "group": node.group_name,
            "deps": sorted(k.to_user_string() for k in node.parent_keys),
            "checks": sorted(c.name for c in node.check_keys),
        }
    jobs = {}
    for job in sorted(defs.resolve_all_job_defs(), key=lambda j: j.name):
        if job.name.startswith("__"):
            continue
        selected = sorted(k.to_user_string() for k in job.asset_layer.selected_asset_keys)
        jobs[job.name] = "every asset" if len(selected) == len(assets) else selected
    return {
        "assets": assets,
        "jobs": jobs,
        "schedules": {
            s.name: {
                "job": s.job_name,
                "cron": s.cron_schedule,
                "timezone": s.execution_timezone,
                "default_status": s.default_status.value,
            }
            for s in sorted(defs.schedules or [], key=lambda s: s.name)
        },  # fmt: skip
        "sensors": {
            s.name: {
                "job": getattr(s, "job_name", None) if s.targets else None,
                "default_status": s.default_status.value,
            }
            for s in sorted(defs.sensors or [], key=lambda s: s.name)
        },
    }


@pytest.fixture(scope="module")
def defs():
    prepare_manifest()
    from pipelines.definitions import defs

    return defs


def test_the_graph_matches_its_snapshot(defs):
    got = json.dumps(graph_snapshot(defs), indent=1, sort_keys=True) + "\n"
    if os.environ.get("UPDATE_SNAPSHOTS") == "1":
        SNAPSHOT.parent.mkdir(parents=True, exist_ok=True)
        SNAPSHOT.write_text(got)
    want = SNAPSHOT.read_text() if SNAPSHOT.exists() else ""
    if got != want:
        diff = "".join(difflib.unified_diff(want.splitlines(True), got.splitlines(True), "snapshot", "now", n=2))
        pytest.fail(
            "the Dagster graph changed; if on purpose, refresh the snapshot with\n"
            "    UPDATE_SNAPSHOTS=1 .venv/bin/pytest tests/pipeline/test_graph_snapshot.py\n"
            f"and commit it.\n{diff[:6000]}"
        )
