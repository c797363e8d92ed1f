"""`coachwh retract`: a loaded batch leaves raw, its files go to the quarantine with the reason, the
registry says who/why/when, a full rebuild is requested, and a corrected redelivery of the date loads;
retraction followed by a run equals a run that never saw the batch (incremental models included)."""

from __future__ import annotations

import shutil

import pytest

from pipelines.config import Settings
from pipelines.landing.registry import mark_full_refresh_done, pending_full_refresh
from pipelines.landing.retract import RetractError, retract
from tests.landing.kit import default_files, write_batch


def test_retract_removes_the_rows_records_why_and_lets_a_corrected_redelivery_load(gate):
    write_batch(gate.landing, "hris", "2026-11-25", default_files("hris"))
    write_batch(gate.landing, "hris", "2026-11-26", default_files("hris", start=10))
    gate.ingest()
    assert gate.count("hris_workers") == 6

    message = retract(gate.cfg, "hris/2026-11-26", "impossible hire dates", who="tester")
    assert "6 raw rows removed" in message and "--full-refresh" in message
    assert gate.query("SELECT DISTINCT _batch_id FROM raw.hris_workers") == [("hris/2026-11-25",)]
    moved = gate.cfg.quarantine / "hris" / "2026-11-26"
    assert (moved / "workers.csv").is_file() and not (gate.cfg.archive / "hris" / "2026-11-26").exists()
    assert "impossible hire dates" in (moved / "RETRACTED.md").read_text()
    (who, why, rows) = gate.query("SELECT retracted_by, reason, rows_removed FROM ops.batch_retractions")[0]
    assert (who, why, rows) == ("tester", "impossible hire dates", 6)
    statuses = [(r["batch_id"], r["delivery"], r["status"]) for r in gate.registry()]
    assert ("hris/2026-11-26", 1, "retracted") in statuses
    assert "RETRACTED hris/2026-11-26: retracted by tester: impossible hire dates" in gate.status()
    assert [reason for _, reason in pending_full_refresh(gate.cfg.warehouse)] == [
        "hris/2026-11-26 retracted: impossible hire dates"
    ]

    write_batch(gate.landing, "hris", "2026-11-26", default_files("hris", start=20))  # the corrected export
    report = gate.ingest()
    assert [o.batch_id for o in report.loaded] == ["hris/2026-11-26"] and not report.quarantined
    assert ("hris/2026-11-26", 2, "loaded") in [(r["batch_id"], r["delivery"], r["status"]) for r in gate.registry()]
    assert gate.count("hris_workers") == 6
    assert "hris/2026-11-26" not in gate.status()  # settled by the redelivery


def test_a_publication_made_between_a_batchs_load_and_its_retraction_is_known_to_hold_it(gate):
    from datetime import timedelta
    from types import SimpleNamespace

    from pipelines.landing.registry import retracted_since_published

    write_batch(gate.landing, "lms", "2026-11-25", default_files("lms"))
    gate.ingest()
    ((loaded_at,),) = gate.query("SELECT recorded_at FROM ops.batch_registry WHERE batch_id = 'lms/2026-11-25'")
    retract(gate.cfg, "lms/2026-11-25", "scores out of 1000", who="tester")
    ((retracted_at,),) = gate.query("SELECT retracted_at FROM ops.batch_retractions")
    second = timedelta(seconds=1)
    published = {"before": loaded_at - second, "between": loaded_at + (retracted_at - loaded_at) / 2}
    published["after"] = retracted_at + second
    # made before publications recorded their deliveries: judged by time
    publications = [SimpleNamespace(run_id=r, published_at=at, batches=None) for r, at in published.items()]
    held = {"between": ["lms/2026-11-25 (scores out of 1000)"]}
    assert retracted_since_published(gate.cfg.warehouse, publications) == held
    # a retraction recorded before `loaded_at` existed: the time the batch was first seen stands in for it
    import duckdb

    with duckdb.connect(str(gate.cfg.warehouse)) as con:
        con.execute("ALTER TABLE ops.batch_retractions DROP COLUMN loaded_at")
    assert retracted_since_published(gate.cfg.warehouse, publications) == held


def test_retract_refuses_what_it_cannot_do(gate):
    write_batch(gate.landing, "lms", "2026-11-26", default_files("lms"))
    gate.ingest()
    with pytest.raises(RetractError, match="no loaded delivery"):
        retract(gate.cfg, "lms/2026-11-27", "typo")
    with pytest.raises(RetractError, match="no batch id"):
        retract(gate.cfg, "lms-2026-11-26", "typo")
    with pytest.raises(RetractError, match="must say why"):
        retract(gate.cfg, "lms/2026-11-26", "  ")
    assert gate.count("lms_courses") == 3


def test_each_engine_does_the_rebuild_a_retraction_asks_for(gate):
    """DuckDB's incremental tables are in the warehouse, Spark's in its own: a full build on one leaves the
    other's with the retracted rows, so the request stays pending for the engine that has not rebuilt yet."""
    write_batch(gate.landing, "lms", "2026-11-26", default_files("lms"))
    gate.ingest()
    retract(gate.cfg, "lms/2026-11-26", "recalled")
    warehouse = gate.cfg.warehouse
    ((requested_at, _),) = pending_full_refresh(warehouse, "duckdb")
    mark_full_refresh_done(warehouse, requested_at, "duckdb")
    assert pending_full_refresh(warehouse, "duckdb") == []
    assert [r for r, _ in pending_full_refresh(warehouse, "spark")] == [requested_at]
    mark_full_refresh_done(warehouse, requested_at, "spark")
    assert pending_full_refresh(warehouse, "spark") == []


@pytest.mark.slow
def test_retract_then_rebuild_equals_a_build_that_never_saw_the_batch(tmp_path):
    """dbt runs as the nightly job's dbt asset decides: --full-refresh while a request is pending."""
    from tests.warehouse.test_incremental_sample import coachwh, run_dbt

    def build(home):
        requests = pending_full_refresh(home / "warehouse.duckdb")
        run_dbt(home, "run", *(["--full-refresh"] if requests else []))  # models only: faster
        if requests:
            mark_full_refresh_done(home / "warehouse.duckdb", requests[-1][0])

    seen, never = tmp_path / "seen", tmp_path / "never"
    for home in (seen, never):
        home.mkdir()
        coachwh(home, "generate", "--profile", "small", "--days", "1")
    night = max(p.name for p in (never / "landing" / "crm").iterdir())
    shutil.rmtree(never / "landing" / "crm" / night)

    coachwh(seen, "ingest")
    build(seen)  # the night's crm batch is in raw and in the incremental models
    coachwh(seen, "retract", f"crm/{night}", "--reason", "customer recalled the export")
    assert pending_full_refresh(seen / "warehouse.duckdb")
    build(seen)  # a full refresh, once
    assert pending_full_refresh(seen / "warehouse.duckdb") == []
    coachwh(never, "ingest")
    build(never)

    after, base = snapshot(seen / "warehouse.duckdb"), snapshot(never / "warehouse.duckdb")
    assert after.keys() == base.keys() and any(k.startswith("staging.stg_crm__calls") for k in base)
    for table in base:
        assert after[table] == base[table], table


def snapshot(path) -> dict[str, list[tuple]]:
    """Every staging, intermediate and mart table, rows sorted, without the load's wall-clock stamp."""
    import duckdb

    with duckdb.connect(str(path), read_only=True) as con:
        tables = con.execute(
            "SELECT table_schema, table_name, list(column_name) FROM information_schema.columns "
            "WHERE table_schema IN ('staging', 'intermediate', 'marts') GROUP BY ALL"
        ).fetchall()
        return {
            f"{s}.{t}": sorted(
                (
                    _rounded(row)
                    for row in con.execute(
                        f'SELECT * {"EXCLUDE (_loaded_at)" if "_loaded_at" in cols else ""} FROM {s}."{t}"'
                    ).fetchall()
                ),
                key=repr,
            )
            for s, t, cols in tables
        }


def _rounded(row: tuple) -> tuple:
    """Doubles to 12 significant digits: a mean of doubles may differ in its last bit with the order in
    which DuckDB's threads add them up, which says nothing about the data."""
    return tuple(float(f"{v:.12g}") if isinstance(v, float) else v for v in row)


def _launch(gate, job_name: str, config: dict):
    """A repair job as the Dagster UI's Launchpad starts it: the job of the code location, with its config."""
    import dagster as dg

    from pipelines.defs.repairs import repair_definitions
    from pipelines.defs.resources import CoachwhConfig

    defs = dg.Definitions.merge(
        repair_definitions(), dg.Definitions(resources={"coachwh": CoachwhConfig.from_settings(gate.cfg)})
    )
    job = defs.resolve_job_def(job_name)
    (op,) = job.graph.node_dict  # a repair job is one op
    return job.execute_in_process(run_config={"ops": {op: {"config": config}}}, raise_on_error=False)


def test_the_retract_job_of_the_dagster_ui_retracts_and_a_refusal_fails_it_once(gate):
    write_batch(gate.landing, "lms", "2026-11-26", default_files("lms"))
    gate.ingest()
    result = _launch(gate, "retract_batch", {"batch": "lms/2026-11-26", "reason": "recalled by the vendor"})
    assert result.success
    assert gate.count("lms_courses") == 0
    (who, why) = gate.query("SELECT retracted_by, reason FROM ops.batch_retractions")[0]
    assert why == "recalled by the vendor" and f"(Dagster run {result.run_id})" in who

    refused = _launch(gate, "retract_batch", {"batch": "lms/2026-11-26", "reason": "again"})
    assert not refused.success
    (failure,) = [e for e in refused.all_events if e.is_step_failure]
    assert "lms/2026-11-26 has no loaded delivery" in failure.step_failure_data.user_failure_data.description
    assert not [e for e in refused.all_events if e.event_type_value == "STEP_UP_FOR_RETRY"]


def test_a_home_copied_elsewhere_retracts_its_own_files_not_the_originals(gate, tmp_path):
    write_batch(gate.landing, "hris", "2026-11-26", default_files("hris"))
    gate.ingest()
    original = gate.cfg.archive / "hris" / "2026-11-26"
    assert original.is_dir()
    copy = tmp_path / "restored"
    shutil.copytree(gate.cfg.home, copy)  # a backup restored to another path: the registry names the old one
    restored = Settings(home=copy, landing=copy / "landing")
    retract(restored, "hris/2026-11-26", "recalled", who="tester")
    assert (original / "workers.csv").is_file()  # the original home keeps its archive
    assert (copy / "quarantine" / "hris" / "2026-11-26" / "workers.csv").is_file()
    assert not (copy / "archive" / "hris" / "2026-11-26").exists()


def test_a_retraction_killed_before_its_folder_moved_is_finished_by_running_it_again(gate, monkeypatch):
    write_batch(gate.landing, "hris", "2026-11-26", default_files("hris"))
    gate.ingest()
    archived = gate.cfg.archive / "hris" / "2026-11-26"

    def killed(*_):  # the process dies after the commit, before the folder moves
        raise SystemExit("killed")

    with monkeypatch.context() as m:
        m.setattr("pipelines.landing.retract._move_to_quarantine", killed)
        with pytest.raises(SystemExit):
            retract(gate.cfg, "hris/2026-11-26", "recalled", who="tester")
    assert gate.count("hris_workers") == 0 and archived.is_dir()  # committed; the files still in the archive
    assert "its files have not reached the quarantine: run `coachwh retract hris/2026-11-26` again" in gate.status()

    message = retract(gate.cfg, "hris/2026-11-26", "again", who="someone else")
    moved = gate.cfg.quarantine / "hris" / "2026-11-26"
    assert message.startswith(f"hris/2026-11-26: retracted delivery 1 (6 raw rows removed) -> {moved} (finishing")
    assert not archived.exists() and (moved / "workers.csv").is_file()
    assert "by tester: recalled" in (moved / "RETRACTED.md").read_text()  # what was recorded, not the rerun's
    assert gate.query("SELECT count(*) FROM ops.batch_retractions")[0][0] == 1
    with pytest.raises(RetractError, match="no loaded delivery"):  # finished: nothing left to do
        retract(gate.cfg, "hris/2026-11-26", "a third time")
    assert "have not reached the quarantine" not in gate.status()
    shutil.rmtree(moved)  # quarantined files cleared by hand: nothing a rerun could finish, nothing to ask for
    assert "have not reached the quarantine" not in gate.status()


def test_a_retraction_is_refused_while_a_run_builds_the_marts(gate):
    """A run going now builds from raw as its dbt step found it, and publishes: a batch retracted meanwhile went out
    in that publication, with nothing to say so (helper Q: `coachwh retract` during a night's dbt step)."""
    import dagster as dg

    from pipelines.defs.alerts import ALERTED_BY_CLI, ALERTED_TAG
    from pipelines.defs.repairs import refuse_retraction_while_a_run_builds
    from pipelines.instance import dagster_instance
    from pipelines.locks import file_lock
    from tests.pipeline.runs import add_run, vacant_pid

    write_batch(gate.landing, "hris", "2026-11-26", default_files("hris"))
    gate.ingest()
    loaded = gate.count("hris_workers")
    with file_lock(gate.cfg.run_lock, "coachwh run"):  # a `coachwh run` going
        with pytest.raises(RetractError, match=r"not retracted: .*coachwh run, which builds the marts"):
            retract(gate.cfg, "hris/2026-11-26", "recalled", who="tester")
    assert gate.count("hris_workers") == loaded > 0  # nothing happened

    with dagster_instance(gate.cfg) as instance:  # a run the daemon or the UI launched
        run_id = add_run(instance).run_id
        with pytest.raises(RetractError, match=f"not retracted: run {run_id} \\(STARTED\\) may publish the batch"):
            refuse_retraction_while_a_run_builds(instance)
        refuse_retraction_while_a_run_builds(instance, this_run=run_id)  # the retract job's own run
        instance.report_run_failed(instance.get_run_by_id(run_id))
        # a `coachwh run` killed outright: its run stays STARTED, its lock is gone
        add_run(instance, tags={ALERTED_TAG: ALERTED_BY_CLI})
        dead = add_run(instance, worker=vacant_pid())  # a daemon's run whose worker died with it: settled first
        add_run(instance, dg.DagsterRunStatus.NOT_STARTED)  # starts after the retraction: builds without the batch
        refuse_retraction_while_a_run_builds(instance)
        assert instance.get_run_by_id(dead.run_id).status == dg.DagsterRunStatus.FAILURE
    retract(gate.cfg, "hris/2026-11-26", "recalled", who="tester")
    assert gate.count("hris_workers") == 0


def test_the_very_files_of_a_retracted_delivery_delivered_again_are_refused(gate):
    """Helper Q: a byte-identical copy of a retracted delivery loaded again without a word (a source system
    sending the same bad export once more). It is refused, saying how to load it if the retraction was a mistake."""
    write_batch(gate.landing, "lms", "2026-11-26", default_files("lms"))
    gate.ingest()
    retract(gate.cfg, "lms/2026-11-26", "scores out of 1000", who="tester")
    write_batch(gate.landing, "lms", "2026-11-26", default_files("lms"))  # the same files again
    (refused,) = gate.ingest().quarantined
    record = gate.cfg.quarantine / "lms" / "2026-11-26" / "retraction.json"
    assert "these files are those retracted at " in refused.reason
    assert (
        f"by tester (scores out of 1000): deliver corrected ones; if that retraction was a mistake, rename {record} "
        "to retraction.withdrawn.json and deliver these again" in refused.reason
    )
    assert gate.count("lms_courses") == 0
    record.rename(record.with_name("retraction.withdrawn.json"))  # the retraction was a mistake
    redelivered = refused.stored_at  # the refused copy, as the operator would drop it in again
    shutil.copytree(
        gate.cfg.in_home(redelivered), gate.landing / "lms" / "2026-11-26", ignore=shutil.ignore_patterns("REJECTED.md")
    )
    r = gate.ingest()
    print(r.quarantined, r.duplicates, r.waiting)
    assert [o.batch_id for o in r.loaded] == ["lms/2026-11-26"]


def test_a_withdrawn_retraction_no_longer_marks_the_publications_built_from_that_delivery(gate):
    """Found on a home of its own: the operator found a retraction a mistake, renamed its record as the gate says and
    delivered the same files again; `coachwh publications` still marked the publications built from those files
    (the one made before the retraction, and the next one, made after their reload) as holding a retracted batch,
    and `coachwh rollback` passed them over, because the warehouse still lists the retraction."""
    from types import SimpleNamespace

    from pipelines.landing.registry import delivery_fingerprint, retracted_since_published

    write_batch(gate.landing, "lms", "2026-11-26", default_files("lms"))
    gate.ingest()
    files = dict(gate.query("SELECT file_name, sha256 FROM ops.batch_files WHERE batch_id = 'lms/2026-11-26'"))
    built = SimpleNamespace(run_id="built", published_at=None, batches={"lms/2026-11-26": delivery_fingerprint(files)})
    retract(gate.cfg, "lms/2026-11-26", "a recall", who="tester")

    def held():
        return retracted_since_published(gate.cfg.warehouse, [built], gate.cfg.quarantine)

    assert held() == {"built": ["lms/2026-11-26 (a recall)"]}
    record = gate.cfg.quarantine / "lms" / "2026-11-26" / "retraction.json"
    record.rename(record.with_name("retraction.withdrawn.json"))  # the retraction was a mistake
    assert held() == {}
    write_batch(gate.landing, "lms", "2026-11-26", default_files("lms"))  # the same files again
    assert [o.batch_id for o in gate.ingest().loaded] == ["lms/2026-11-26"]
    assert gate.query("SELECT count(*) FROM ops.batch_retractions") == [(1,)]  # the warehouse still lists it
    assert held() == {}
