"""The shipped instance's event log (pipelines/event_log.py): Dagster's SQLite files, written through
connections kept open. If a Dagster upgrade stops the override applying, the engine count says so."""

import os
from pathlib import Path
from unittest.mock import patch

import dagster as dg
from dagster._core.storage.event_log import SqliteEventLogStorage

from pipelines import event_log
from pipelines.instance import ensure_instance_yaml, open_instance


@dg.asset(check_specs=[dg.AssetCheckSpec(f"check_{i}", asset="numbers") for i in range(20)])
def numbers():
    checks = [dg.AssetCheckResult(check_name=f"check_{i}", passed=True) for i in range(20)]
    return dg.MaterializeResult(check_results=checks)


def test_a_run_writes_dagsters_own_files_through_one_engine_per_file(tmp_path: Path):
    ensure_instance_yaml(tmp_path)
    with open_instance(tmp_path) as instance:
        assert isinstance(instance.event_log_storage, event_log.PooledSqliteEventLogStorage)
        with patch.object(event_log, "create_engine", wraps=event_log.create_engine) as engines:
            runs = [dg.materialize([numbers], instance=instance) for _ in range(3)]
        # per run its own file, plus the cross-run index once: not one engine per event (about 50 a run)
        assert 1 <= engines.call_count <= 1 + len(runs), engines.call_count
        assert all(r.success for r in runs)
        stored = instance.get_records_for_run(runs[-1].run_id).records
        evaluated = dg.DagsterEventType.ASSET_CHECK_EVALUATION
        assert sum(r.event_log_entry.dagster_event_type == evaluated for r in stored) == 20

    # Dagster's default storage reads the same history from the same folder
    plain = SqliteEventLogStorage(str(tmp_path / "history" / "runs"))
    latest = plain.get_latest_materialization_events([dg.AssetKey("numbers")])[dg.AssetKey("numbers")]
    assert latest is not None and latest.run_id == runs[-1].run_id
    with open_instance(tmp_path) as instance:
        assert len(plain.get_records_for_run(runs[0].run_id).records) == len(
            instance.get_records_for_run(runs[0].run_id).records
        )


def test_the_instance_folder_is_dagster_home_only_while_the_instance_reads_its_settings(tmp_path, monkeypatch):
    monkeypatch.setenv("DAGSTER_HOME", "/somewhere/else")
    ensure_instance_yaml(tmp_path)
    with open_instance(tmp_path) as instance:
        assert Path(instance.event_log_storage._base_dir).parent.parent == tmp_path
    assert os.environ["DAGSTER_HOME"] == "/somewhere/else"
