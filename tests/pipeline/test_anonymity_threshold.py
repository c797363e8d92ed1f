"""The survey's anonymity threshold is "default 5, configurable" (metrics.md): COACHWH_ANONYMITY_THRESHOLD reaches
dbt through `coachwh run`; unset, it adds no dbt variable (dbt_project.yml's default serves, with the parse made at
setup)."""

import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from pipelines.config import ConfigError, settings
from pipelines.defs.warehouse import dbt_build_args
from pipelines.sample import generate


def test_the_threshold_is_a_dbt_variable_only_when_it_is_set(monkeypatch):
    monkeypatch.delenv("COACHWH_ANONYMITY_THRESHOLD", raising=False)
    assert settings().anonymity_threshold is None and settings().dbt_vars() == {}  # dbt_project.yml's 5
    monkeypatch.setenv("COACHWH_ANONYMITY_THRESHOLD", "3")
    assert settings().dbt_vars() == {"anonymity_threshold": 3}
    assert dbt_build_args(dbt_vars=settings().dbt_vars())[-2:] == ["--vars", '{"anonymity_threshold": 3}']
    monkeypatch.setenv("COACHWH_ANONYMITY_THRESHOLD", "0")
    with pytest.raises(ConfigError, match="COACHWH_ANONYMITY_THRESHOLD=0 must be at least 1"):
        settings()


def _engagement(marts: Path) -> list[tuple]:
    with duckdb.connect(str(marts), read_only=True) as con:
        return con.execute(
            "select manager_employee_id, wave, responses, is_suppressed, q_coach_avg is null "
            "from marts.mart_manager_engagement order by all"
        ).fetchall()


@pytest.mark.slow
def test_coachwh_run_publishes_the_scores_of_teams_at_the_configured_threshold(night, tmp_path):
    default_cfg, ok = night  # the small sample's two nights, run with the default threshold
    assert ok
    default = _engagement(default_cfg.published)
    assert {r[3] for r in default} == {True, False}, "the sample has teams on both sides of 5"

    home = tmp_path / "home"
    generate(out=home / "landing", profile="small", days=2)  # the same sample
    env = {k: v for k, v in os.environ.items() if k not in ("COACHWH_LANDING", "DAGSTER_HOME")}
    env |= {"COACHWH_HOME": str(home), "COACHWH_ANONYMITY_THRESHOLD": "2"}
    coachwh = str(Path(sys.executable).parent / "coachwh")
    done = subprocess.run([coachwh, "run"], env=env, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stdout + done.stderr
    at_two = _engagement(home / "coachwh_marts.duckdb")
    # the same teams and responses; suppressed, with every score NULL, exactly where fewer than 2 responded
    assert [r[:3] for r in at_two] == [r[:3] for r in default]
    assert [(r[3], r[4]) for r in at_two] == [(r[2] < 2,) * 2 for r in at_two]
    assert any(r[3] and not s[3] for r, s in zip(default, at_two, strict=True))
