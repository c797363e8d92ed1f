"""A selection in the Dagster UI builds only what it selected: after `coachwh retract`, it must not use up the full
rebuild the retraction asked for, or the models it did not select would keep the retracted rows for good."""

from __future__ import annotations

import duckdb
import pytest

from pipelines.landing.registry import pending_full_refresh
from tests.delivery import coachwh

pytestmark = pytest.mark.slow


def _calls_of(home, batch_id: str) -> int:
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        return con.execute(
            "select count(*) from staging.stg_crm__calls_with_tombstones where _batch_id = ?", [batch_id]
        ).fetchone()[0]


def test_a_selection_after_a_retract_leaves_the_full_rebuild_to_the_next_build_of_every_model(tmp_path, monkeypatch):
    import dagster as dg

    from pipelines.config import settings
    from pipelines.definitions import build_definitions
    from pipelines.instance import dagster_instance

    home = tmp_path / "home"
    home.mkdir()
    coachwh(home, "generate", "--profile", "small", "--days", "1")
    coachwh(home, "run")
    night = f"crm/{max(p.name for p in (home / 'archive' / 'crm').iterdir())}"
    assert _calls_of(home, night) > 0
    coachwh(home, "retract", night, "--reason", "customer recalled the export")

    # one mart, as selected in the UI's asset graph, in the code location's own process
    monkeypatch.setenv("COACHWH_HOME", str(home))
    monkeypatch.setenv("COACHWH_LANDING", str(home / "landing"))
    monkeypatch.delenv("DAGSTER_HOME", raising=False)
    cfg = settings()
    job = build_definitions(cfg).resolve_implicit_global_asset_job_def()
    with dagster_instance(cfg) as instance:
        result = job.execute_in_process(
            instance=instance, asset_selection=[dg.AssetKey(["marts", "mart_manager_coaching"])]
        )
    assert result.success
    assert pending_full_refresh(home / "warehouse.duckdb")  # still asked for
    assert _calls_of(home, night) > 0  # the staging models were not selected: they still hold the batch

    coachwh(home, "run")  # the next build of every model does it
    assert pending_full_refresh(home / "warehouse.duckdb") == []
    assert _calls_of(home, night) == 0
