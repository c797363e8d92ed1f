"""`coachwh bench` runs end to end on the small profile (the figures themselves are not asserted)."""

from __future__ import annotations

import pytest

from pipelines.bench import main


@pytest.mark.slow
def test_bench_runs_on_the_small_profile(tmp_path, capsys):
    assert main("small", tmp_path / "bench") == 0
    out = capsys.readouterr().out
    assert "bare DuckDB read_csv" in out and "coachwh ingest" in out and "ratio" in out
    assert (tmp_path / "bench" / "generated").is_dir() and not (tmp_path / "bench" / "run").exists()
