"""The source_contract asset checks show the gate's stored results; `coachwh check` prints the same."""

import sys

import dagster as dg
import pytest

from pipelines.config import settings
from pipelines.defs.quality import CHECK_NAME, loaded_batches, quality_definitions
from pipelines.defs.resources import CoachwhConfig
from pipelines.sources import SOURCE_FILES
from tests.landing.kit import csv_text, default_files, rows_for, write_batch
from tests.quality.rows import add_batch, clean_row, make_warehouse

RAW_KEYS = [dg.AssetKey(["raw", f.raw_table]) for f in SOURCE_FILES]
REPORTS = dg.AssetKey(["raw", "crm_coaching_report"])
STRANGER = "005999999999999999"


def run_checks(keys):
    """Execute only the source_contract checks of `keys` (the raw assets themselves are stubs, not run)."""
    result = dg.materialize(
        [*(dg.AssetSpec(k) for k in RAW_KEYS), *quality_definitions().asset_checks],
        selection=dg.AssetSelection.checks_for_assets(*keys),
        resources={"coachwh": CoachwhConfig.from_settings(settings())},
    )
    assert result.success
    return {e.asset_key: e for e in result.get_asset_check_evaluations()}


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("COACHWH_HOME", str(tmp_path))
    monkeypatch.delenv("COACHWH_LANDING", raising=False)
    return tmp_path


def _crm_batch_with_a_stranger_coach(day: str) -> None:
    """A CRM batch whose third coaching report names a coach who is no CRM user (a warning)."""
    from pipelines.sources import source_file

    f = source_file("crm_coaching_report")
    rows = rows_for(f, 3)
    rows[2][f.columns.index("Manager_vod__c")] = STRANGER
    files = default_files("crm")
    files["Coaching_Report_vod__c.csv"] = csv_text(f.columns, rows)
    write_batch(settings().landing, "crm", day, files)


def test_one_non_blocking_check_per_raw_asset_and_no_gx_at_load():
    sys.modules.pop("great_expectations", None)
    defs = quality_definitions()
    specs = [spec for c in defs.asset_checks for spec in c.check_specs]
    assert sorted(s.asset_key for s in specs) == sorted(RAW_KEYS)
    assert {s.name for s in specs} == {CHECK_NAME}
    assert not any(s.blocking for s in specs)
    assert all("latest batch" in s.description for s in specs)
    assert "great_expectations" not in sys.modules


def test_empty_raw_tables_pass_with_nothing_validated_yet(home):
    make_warehouse(home)
    evals = run_checks(RAW_KEYS[:2])
    assert len(evals) == 2
    for e in evals.values():
        assert e.passed and e.metadata["status"].value == "no validated batch yet"


def test_a_warning_at_the_gate_shows_on_the_check_and_in_coachwh_check(home, capsys):
    from pipelines.cli import main
    from pipelines.landing.ingest import ingest_pending

    _crm_batch_with_a_stranger_coach("2026-11-26")
    assert not ingest_pending(settings()).quarantined

    evals = run_checks([REPORTS, dg.AssetKey(["raw", "crm_user"])])
    assert evals[dg.AssetKey(["raw", "crm_user"])].passed
    e = evals[REPORTS]
    assert not e.passed and e.severity == dg.AssetCheckSeverity.WARN
    md = {k: v.value for k, v in e.metadata.items()}
    assert md["batches"] == "crm/2026-11-26" and md["warnings failed"] == 1 and md["errors failed"] == 0
    assert md["selection"] == "latest batch (max _extract_date)"
    assert md["failure 1"].startswith("[warn] crm/2026-11-26: Coaching_Report_vod__c.csv row 3: Manager_vod__c")
    assert STRANGER in md["failures"]

    assert main(["check"]) == 0  # warnings only
    out = capsys.readouterr().out
    assert "crm/2026-11-26  crm_coaching_report" in out and "loaded" in out
    assert md["failure 1"].split(": ", 1)[1] in out  # the same evidence, word for word


def test_a_refused_batch_is_in_coachwh_check_with_exit_code_1(home, capsys):
    from pipelines.cli import main
    from pipelines.landing.ingest import ingest_pending

    files = default_files("lms")
    files["courses.csv"] = files["courses.csv"].replace(b",Manager,", b",Everyone,", 1)
    write_batch(settings().landing, "lms", "2026-11-26", files)
    assert ingest_pending(settings()).quarantined
    assert main(["check", "--suite", "lms_courses"]) == 1
    out = capsys.readouterr().out
    assert "lms/2026-11-26  lms_courses  quarantined" in out
    assert "[error] lms/2026-11-26 lms_courses: courses.csv row 1: Audience 'Everyone' not in" in out
    # a good later batch fills the page of --limit 2: the refusal below it still decides the exit code, by name
    write_batch(settings().landing, "lms", "2026-11-27", default_files("lms"))
    assert not ingest_pending(settings()).quarantined
    assert main(["check", "--limit", "2"]) == 1
    out = capsys.readouterr().out
    assert "lms/2026-11-27" in out and "Failed expectations:" not in out
    assert "Older validations with failed error-level expectations, not shown: lms/2026-11-26" in out
    # a mistyped batch id is an error that says so, not an empty all-clear
    assert main(["check", "--batch", "lms/2026-11-62"]) == 2
    assert "no validation results for batch lms/2026-11-62" in capsys.readouterr().err


def test_coachwh_check_says_why_a_batch_refused_before_its_contracts_has_no_results(home, capsys):
    from pipelines.cli import main
    from pipelines.landing.ingest import ingest_pending

    write_batch(settings().landing, "lms", "2026-11-25", default_files("lms"))
    write_batch(settings().landing, "lms", "2026-11-26", default_files("lms"), rows={"courses.csv": 99})
    assert [o.batch_id for o in ingest_pending(settings()).quarantined] == ["lms/2026-11-26"]
    assert main(["check", "--batch", "lms/2026-11-26"]) == 1  # refused: not a clean bill, and no typo either
    out = capsys.readouterr().out
    assert out.startswith("Asked for, but no contract ran on them:\n  lms/2026-11-26: refused at the gate before")
    assert "manifest.json says 99 rows" in out and "quarantine/lms/2026-11-26/REJECTED.md" in out
    # beside a batch that was validated: its table, then the note
    assert main(["check", "--batch", "lms/2026-11-25", "--batch", "lms/2026-11-26"]) == 1
    out = capsys.readouterr().out
    assert "lms/2026-11-25  lms_courses" in out and "lms/2026-11-26: refused at the gate before" in out


def test_the_batches_loaded_by_the_latest_materialisation_are_shown(home):
    from pipelines.landing.ingest import ingest_pending

    _crm_batch_with_a_stranger_coach("2026-10-31")
    write_batch(settings().landing, "crm", "2026-11-01", default_files("crm"))
    ingest_pending(settings())

    @dg.asset(key=REPORTS)
    def stub_ingest():
        return dg.MaterializeResult(metadata={"batch_ids": dg.MetadataValue.json(["crm/2026-10-31", "crm/2026-11-01"])})

    checks = [c for c in quality_definitions().asset_checks if next(iter(c.check_keys)).asset_key == REPORTS]
    (e,) = dg.materialize(
        [stub_ingest, *checks], resources={"coachwh": CoachwhConfig.from_settings(settings())}
    ).get_asset_check_evaluations()
    md = {k: v.value for k, v in e.metadata.items()}
    assert md["batches"] == "crm/2026-10-31, crm/2026-11-01" and md["batches validated"] == 2
    assert md["selection"] == "batches crm/2026-10-31, crm/2026-11-01"
    assert md["warnings failed"] == 1 and md["failure 1"].startswith("[warn] crm/2026-10-31: ")
    assert e.description == "1 expectation(s) failed in 1 of 2 batch(es)"  # the clean batch is not counted

    # a run that loaded none of it (its batch refused at the gate): the check says which batch it looked at instead
    (e,) = run_checks([REPORTS]).values()
    assert e.description == (
        "every expectation met on 1 batch(es) (the latest loaded, crm/2026-11-01: the run loaded none; a refused "
        "batch is on the landing gate's check)"
    )


def test_loaded_batches_reads_the_latest_materialisation_metadata():
    key = dg.AssetKey(["raw", "lms_courses"])
    with dg.DagsterInstance.ephemeral() as instance:
        assert loaded_batches(instance, key) is None  # never materialised
        for ids in (["lms/2026-11-01", "lms/2026-11-02"], []):
            metadata = {"batch_ids": dg.MetadataValue.json(ids)}

            @dg.asset(key=key)
            def stub():
                return dg.MaterializeResult(metadata=metadata)  # noqa: B023 (materialised right away)

            dg.materialize([stub], instance=instance)
            expected = ids or None  # nothing loaded: fall back to the latest batch
            assert loaded_batches(instance, key) == expected


def test_command_line_revalidates_loaded_batches_and_exit_code(home, capsys):
    """A contract added after a batch loaded: `python -m pipelines.quality` finds it (then retract)."""
    from pipelines.quality.__main__ import main

    wh = make_warehouse(home)
    rows = [clean_row("lms_courses", i) for i in range(1, 4)]
    rows[1]["Audience"] = "Everyone"
    add_batch(wh, "lms_courses", rows, "2026-11-26", "courses.csv")  # written past the gate
    assert main(["lms_courses", "crm_user"]) == 1
    out = capsys.readouterr().out
    assert "[error] courses.csv row 2: Audience 'Everyone' not in {Rep, Manager, All}" in out
    assert "raw.crm_user: no rows yet" in out
    with pytest.raises(SystemExit):
        main(["no_such_table"])


def test_revalidating_before_any_load_reports_each_table_with_nothing_loaded(tmp_path):
    from pipelines.quality.runner import validate_batches

    reports = validate_batches(tmp_path / "warehouse.duckdb", ["crm_user", "lms_courses"])
    assert [(r.raw_table, r.selection, r.rows, r.passed) for r in reports] == [
        ("crm_user", "no warehouse yet", 0, True),
        ("lms_courses", "no warehouse yet", 0, True),
    ]
    assert not (tmp_path / "warehouse.duckdb").exists()  # read-only: nothing created
