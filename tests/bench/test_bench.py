"""`coachwh bench` end to end on the small profile (the figures themselves are never asserted)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from pipelines.bench import main, tree
from pipelines.bench.stages import stage_of


def test_stage_of_names_what_each_step_does():
    assert stage_of("coachwh_dbt_models") == "dbt"
    assert stage_of("published__marts") == "publish"
    assert stage_of("raw__crm_call_source_contract") == "contracts"
    assert stage_of("ingest_crm") == "gate"


def test_tree_peak_counts_the_children():
    # a child that holds ~200 MB while its parent holds little: the tree's peak must include it
    hold = "x = bytearray(200_000_000); import time; time.sleep(1.5)"
    code = f"import subprocess, sys; subprocess.run([sys.executable, '-c', {hold!r}])"
    m = tree.run([sys.executable, "-c", code])
    assert m.returncode == 0 and m.peak_bytes > 200_000_000


@pytest.mark.slow
def test_bench_runs_on_the_small_profile(tmp_path, capsys):
    assert main("small", tmp_path / "bench", repeat=2, with_medium=False) == 0
    out = capsys.readouterr().out
    assert "floor: DuckDB reads the history into tables" in out and "first run (small" in out
    assert "one more night (small)" in out and "  dbt" in out and "contracts: every suite" in out
    result = json.loads((tmp_path / "bench" / "bench-small.json").read_text())
    assert result["first_run"]["stages"]["dbt"] > 0 and result["night"]["peak_bytes"] > 0
    assert result["contracts"]["seconds"] > 0
    # two repeats, each its own runs and its floor read before and after them; the figures are their medians
    assert len(result["repeats"]) == 2
    for r in result["repeats"]:
        assert r["floor"] == pytest.approx((r["floor_before"] + r["floor_after"]) / 2)
    assert result["floor"]["seconds"] == pytest.approx(sum(r["floor"] for r in result["repeats"]) / 2)
    assert result["night"]["seconds"] == pytest.approx(sum(r["night"] for r in result["repeats"]) / 2)
    assert set(result["targets"]) >= {
        "first run <= 3x floor",
        "one night <= 30 s",
        "contracts of the history <= 0.3x floor",
    }


def test_cli_knows_the_bench_options():
    out = subprocess.run(
        [sys.executable, "-m", "pipelines.cli", "bench", "--help"], capture_output=True, text=True, env=os.environ
    ).stdout
    assert "--repeat" in out and "--medium" in out
