"""The ingestion as Dagster sees it: keys, groups, definitions, in-process materialisation, sensor."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import dagster as dg
import pytest

from pipelines.config import PROJECT_ROOT, settings
from pipelines.defs.ingest import (
    FILE_WARNINGS_CHECK,
    INGEST_ASSET_SPECS,
    INGEST_ASSETS,
    INGEST_JOB,
    LAYOUT_CHECK,
    RAW_ASSET_KEYS,
    RETRACTIONS_CHECK,
    build_landing_sensor,
    ingest_definitions,
)
from pipelines.defs.resources import CoachwhConfig
from pipelines.sources import SOURCE_FILES, SYSTEMS, files_of, source_file
from tests.landing.kit import csv_text, default_files, rows_for, write_batch


def test_one_asset_per_source_file_type_grouped_by_system():
    assert sorted(k.path for k in RAW_ASSET_KEYS) == sorted(["raw", f.raw_table] for f in SOURCE_FILES)
    groups = {tuple(s.key.path): s.group_name for s in INGEST_ASSET_SPECS}
    assert groups == {("raw", f.raw_table): f.system for f in SOURCE_FILES}
    assert all(s.owners and s.description for s in INGEST_ASSET_SPECS)


def test_definitions_validate_standalone_and_pointed_at_another_job():
    dg.Definitions.validate_loadable(ingest_definitions())
    nightly = dg.define_asset_job("nightly", selection=dg.AssetSelection.all())
    merged = dg.Definitions.merge(ingest_definitions(sensor_job_name="nightly"), dg.Definitions(jobs=[nightly]))
    dg.Definitions.validate_loadable(merged)
    assert merged.resolve_sensor_def("landing_zone_sensor").job_name == "nightly"
    ingest_job = ingest_definitions().resolve_job_def(INGEST_JOB)
    assert set(ingest_job.asset_layer.selected_asset_keys) == set(RAW_ASSET_KEYS)


def test_assets_materialise_in_process(gate, monkeypatch):
    monkeypatch.setenv("COACHWH_HOME", str(gate.cfg.home))
    monkeypatch.delenv("COACHWH_LANDING", raising=False)
    write_batch(gate.landing, "crm", "2026-11-26", default_files("crm", rows=5))
    write_batch(gate.landing, "lms", "2026-11-26", default_files("lms", rows=2))
    result = dg.materialize(INGEST_ASSETS, resources={"coachwh": CoachwhConfig.from_settings(settings())})
    assert result.success
    meta = {
        e.materialization.asset_key.path[-1]: e.materialization.metadata
        for e in result.get_asset_materialization_events()
    }
    assert set(meta) == {f.raw_table for f in SOURCE_FILES}
    assert meta["crm_call"]["rows_loaded"].value == 5 and meta["crm_call"]["batches_loaded"].value == 1
    assert meta["lms_courses"]["rows_loaded"].value == 2 and meta["lms_courses"]["bytes_loaded"].value > 0
    assert meta["hris_workers"]["rows_loaded"].value == 0
    assert gate.count("crm_call") == 5
    # the asset's row count is the table's, which a night that loads nothing leaves as it is
    assert meta["crm_call"]["dagster/row_count"].value == 5 and meta["hris_workers"]["dagster/row_count"].value == 0
    again = dg.materialize(INGEST_ASSETS, resources={"coachwh": CoachwhConfig.from_settings(settings())})
    meta = {
        e.materialization.asset_key.path[-1]: e.materialization.metadata
        for e in again.get_asset_materialization_events()
    }
    assert meta["crm_call"]["rows_loaded"].value == 0 and meta["crm_call"]["dagster/row_count"].value == 5


def test_a_delivery_in_a_misnamed_folder_warns_on_its_system_and_loads_nothing(gate, monkeypatch):
    monkeypatch.setenv("COACHWH_HOME", str(gate.cfg.home))
    monkeypatch.delenv("COACHWH_LANDING", raising=False)
    write_batch(gate.landing, "crm", "2026-11-26", default_files("crm"))
    (gate.landing / "crm").rename(gate.landing / "CRM")  # upper case: no gate reads it
    (gate.landing / "erp").mkdir()  # a folder of no system: every system's check names it
    result = dg.materialize(INGEST_ASSETS, resources={"coachwh": CoachwhConfig.from_settings(settings())})
    assert result.success and gate.total_raw_rows() == 0
    layout = {e.asset_key.path[-1]: e for e in result.get_asset_check_evaluations() if e.check_name == LAYOUT_CHECK}
    assert set(layout) == {files_of(s)[0].raw_table for s in SYSTEMS}
    crm = layout["crm_user"]
    assert not crm.passed and crm.severity == dg.AssetCheckSeverity.WARN
    assert crm.description.startswith("'CRM' is no <system>/<YYYY-MM-DD>/ batch folder"), crm.description
    assert "'erp' is no" in crm.description
    hris = layout["hris_workers"]
    assert not hris.passed and "CRM" not in hris.description and "'erp' is no" in hris.description
    # nothing retracted came back: that WARN check passes (tests/landing/test_unarchive.py: one that fails)
    upheld = [e for e in result.get_asset_check_evaluations() if e.check_name == RETRACTIONS_CHECK]
    assert len(upheld) == len(SYSTEMS) and all(e.passed and e.severity == dg.AssetCheckSeverity.WARN for e in upheld)


def test_a_file_the_contract_takes_with_a_warning_fails_the_warn_check_of_its_table(gate, monkeypatch):
    """The gate's own warnings (line endings mixed, a snapshot without rows) reach the run, not only its log: a WARN
    check per raw table names the batch and the file (helper audit: a header ending in CRLF above LF rows loaded
    with a warning that `coachwh run` never showed)."""
    monkeypatch.setenv("COACHWH_HOME", str(gate.cfg.home))
    monkeypatch.delenv("COACHWH_LANDING", raising=False)
    files = default_files("lms")
    c = source_file("lms_courses")
    files["courses.csv"] = csv_text(c.columns, rows_for(c, 3)).replace(b"\n", b"\r\n", 1)  # header CRLF, rows LF
    write_batch(gate.landing, "lms", "2026-11-26", files)
    write_batch(gate.landing, "crm", "2026-11-26", default_files("crm"))
    result = dg.materialize(INGEST_ASSETS, resources={"coachwh": CoachwhConfig.from_settings(settings())})
    assert result.success and gate.count("lms_courses") == 3
    checks = {
        e.asset_key.path[-1]: e for e in result.get_asset_check_evaluations() if e.check_name == FILE_WARNINGS_CHECK
    }
    assert set(checks) == {f.raw_table for f in SOURCE_FILES}
    warned = {table for table, e in checks.items() if not e.passed}
    assert warned == {"lms_courses"} and checks["lms_courses"].severity == dg.AssetCheckSeverity.WARN
    assert checks["lms_courses"].description == (
        "lms/2026-11-26: courses.csv ends some lines in LF and some in CRLF: loaded with every CRLF read as LF"
    )


def test_sensor_requests_once_per_pending_set(gate, monkeypatch):
    monkeypatch.setenv("COACHWH_HOME", str(gate.cfg.home))
    monkeypatch.delenv("COACHWH_LANDING", raising=False)
    sensor = build_landing_sensor()

    def tick(cursor=None):
        ctx = dg.build_sensor_context(cursor=cursor, resources={"coachwh": CoachwhConfig.from_settings(settings())})
        result = sensor(ctx)
        return result, ctx.cursor

    assert isinstance(tick()[0], dg.SkipReason)  # empty landing zone
    gate.landing.rename(gate.landing.with_name("unmounted"))
    assert "landing zone" in tick()[0].skip_message and "does not exist" in tick()[0].skip_message
    gate.landing.with_name("unmounted").rename(gate.landing)
    write_batch(gate.landing, "lms", "2026-11-26", default_files("lms"), manifest=False)
    assert isinstance(tick()[0], dg.SkipReason)  # incomplete batch: nothing to do yet

    write_batch(gate.landing, "lms", "2026-11-26", default_files("lms"))
    first, cursor = tick()
    assert isinstance(first, dg.RunRequest) and first.run_key.startswith("landing-")
    again, _ = tick(cursor)
    assert isinstance(again, dg.SkipReason)  # a re-tick never double-runs
    same_key, _ = tick(None)
    assert same_key.run_key == first.run_key  # and Dagster dedups on run_key even without the cursor

    write_batch(gate.landing, "crm", "2026-11-26", default_files("crm"))
    second, cursor = tick(cursor)
    assert isinstance(second, dg.RunRequest) and second.run_key != first.run_key

    # the same files delivered again after the batch left (a retraction, then the identical redelivery): new work
    for system in ("lms", "crm"):
        batch = gate.landing / system / "2026-11-26"
        batch.rename(gate.landing / f"{system}-away")
        (gate.landing / f"{system}-away").rename(batch)
    third, _ = tick(cursor)
    assert isinstance(third, dg.RunRequest) and third.run_key != second.run_key


@pytest.mark.slow
def test_dagster_cli_validates_the_ingest_definitions(tmp_path):
    entry = tmp_path / "ingest_only.py"
    entry.write_text("from pipelines.defs.ingest import ingest_definitions\n\ndefs = ingest_definitions()\n")
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT), "DAGSTER_HOME": str(tmp_path / "dagster_home")}
    (tmp_path / "dagster_home").mkdir()
    done = subprocess.run(
        [str(Path(sys.executable).parent / "dagster"), "definitions", "validate", "-f", str(entry)],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert "Validation successful" in done.stdout + done.stderr


def ingest_job_for_test() -> dg.JobDefinition:
    """Module-level so that `dg.reconstructable` can rebuild it in each step's process."""
    return ingest_definitions().resolve_job_def(INGEST_JOB)


@pytest.mark.slow
def test_ingest_job_with_parallel_step_processes_shares_the_warehouse(gate, monkeypatch, tmp_path):
    """System steps run in separate processes; DuckDB admits one writer, the other waits (two systems
    here, to keep the test short: each step process imports Dagster)."""
    monkeypatch.setenv("COACHWH_HOME", str(gate.cfg.home))
    monkeypatch.delenv("COACHWH_LANDING", raising=False)
    for system in ("crm", "lms"):
        write_batch(gate.landing, system, "2026-11-26", default_files(system, rows=2))
    selection = [k for k in RAW_ASSET_KEYS if k.path[1].split("_")[0] in ("crm", "lms")]
    (tmp_path / "dagster").mkdir()
    with dg.instance_for_test(temp_dir=str(tmp_path / "dagster")) as instance:
        result = dg.execute_job(dg.reconstructable(ingest_job_for_test), instance=instance, asset_selection=selection)
        assert result.success
        steps = {e.step_key for e in result.all_events if e.event_type_value == "STEP_SUCCESS"}
        assert steps == {"ingest_crm", "ingest_lms"}
    assert len([r for r in gate.registry() if r["status"] == "loaded"]) == 2
    assert gate.total_raw_rows() == 2 * 8
