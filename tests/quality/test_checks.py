"""The source_contract asset checks, executed in-process by Dagster against a temporary warehouse."""

import sys

import dagster as dg
import pytest

from pipelines.config import settings
from pipelines.defs.quality import CHECK_NAME, loaded_batches, quality_definitions
from pipelines.defs.resources import CoachwhConfig
from pipelines.sources import SOURCE_FILES
from tests.quality.rows import add_batch, clean_row, make_warehouse

RAW_KEYS = [dg.AssetKey(["raw", f.raw_table]) for f in SOURCE_FILES]


def run_checks(keys, chunk_rows=None):
    """Execute only the source_contract checks of `keys` (the raw assets themselves are stubs, not run)."""
    checks = quality_definitions().asset_checks
    run_config = None
    if chunk_rows:
        ops = {}
        for c in checks:
            (check_key,) = c.check_keys
            if check_key.asset_key in keys:
                ops[c.node_def.name] = {"config": {"chunk_rows": chunk_rows}}
        run_config = {"ops": ops}
    result = dg.materialize(
        [*(dg.AssetSpec(k) for k in RAW_KEYS), *checks],
        selection=dg.AssetSelection.checks_for_assets(*keys),
        run_config=run_config,
        resources={"coachwh": CoachwhConfig.from_settings(settings())},
    )
    assert result.success
    return {e.asset_key: e for e in result.get_asset_check_evaluations()}


def test_one_non_blocking_check_per_raw_asset_and_no_gx_at_load():
    sys.modules.pop("great_expectations", None)
    defs = quality_definitions()
    specs = [spec for c in defs.asset_checks for spec in c.check_specs]
    assert sorted(s.asset_key for s in specs) == sorted(RAW_KEYS)
    assert {s.name for s in specs} == {CHECK_NAME}
    assert not any(s.blocking for s in specs)
    assert all("latest batch" in s.description for s in specs)
    assert "great_expectations" not in sys.modules


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("COACHWH_HOME", str(tmp_path))
    return tmp_path


def test_empty_raw_tables_pass_with_no_rows_yet(home):
    make_warehouse(home)
    evals = run_checks(RAW_KEYS[:2])
    assert len(evals) == 2
    for e in evals.values():
        assert e.passed
        assert e.metadata["status"].value == "no rows yet"
        assert e.metadata["rows validated"].value == 0


def test_latest_batch_is_validated_and_violations_are_reported(home):
    wh = make_warehouse(home)
    key = dg.AssetKey(["raw", "crm_coaching_report"])
    old = [clean_row("crm_coaching_report", i) for i in range(1, 4)]
    old[0]["Status__c"] = "Closed"  # an old batch's problem is not today's report
    add_batch(wh, "crm_coaching_report", old, "2026-11-25", "Coaching_Report_vod__c.csv")
    new = [clean_row("crm_coaching_report", i) for i in range(1, 6)]
    new[1]["Opening_Rating__c"] = "Excellent"
    new[3]["Manager_vod__c"] = "005000000000001"  # 15-character id where 18 are due
    add_batch(wh, "crm_coaching_report", new, "2026-11-26", "Coaching_Report_vod__c.csv")
    users = [clean_row("crm_user", i) for i in range(1, 4)]
    add_batch(wh, "crm_user", users, "2026-11-26", "User.csv")

    evals = run_checks([key, dg.AssetKey(["raw", "crm_user"])], chunk_rows=2)

    user = evals[dg.AssetKey(["raw", "crm_user"])]
    assert user.passed and user.metadata["rows validated"].value == 3
    e = evals[key]
    assert not e.passed
    assert e.severity == dg.AssetCheckSeverity.ERROR
    md = {k: v.value for k, v in e.metadata.items()}
    assert md["rows validated"] == 5
    assert md["extract dates"] == "2026-11-26"
    assert md["selection"] == "latest batch (max _extract_date)"
    assert md["batches"] == "crm/2026-11-26"
    assert md["chunks"] >= 3
    assert md["expectations failed"] == 2
    assert md["expectations run"] == 38
    assert md["failure 1"] == (
        "Coaching_Report_vod__c.csv row 4: Manager_vod__c '005000000000001' does not match "
        "18-character Salesforce id (^[a-zA-Z0-9]{18}$)"
    )
    assert md["failure 2"].startswith(
        "Coaching_Report_vod__c.csv row 2: Opening_Rating__c 'Excellent' not in {1 - Needs"
    )
    details = md["failure details"]
    assert [(d["column"], d["count"], d["rows"]) for d in details] == [
        ("Manager_vod__c", 1, ["crm/2026-11-26/Coaching_Report_vod__c.csv:4"]),
        ("Opening_Rating__c", 1, ["crm/2026-11-26/Coaching_Report_vod__c.csv:2"]),
    ]
    assert "| Opening_Rating__c |" in md["failures"]
    assert "2 violated" in e.description


def test_the_batches_loaded_by_the_latest_materialisation_are_validated(home):
    """A first run loads a history batch and a nightly delta: both are validated, rows named by batch."""
    wh = make_warehouse(home)
    key = dg.AssetKey(["raw", "crm_opportunity"])
    history = [clean_row("crm_opportunity", i) for i in range(1, 6)]
    history[2]["StageName"] = "Won"
    add_batch(wh, "crm_opportunity", history, "2026-10-31", "Opportunity.csv")
    delta = [clean_row("crm_opportunity", i) for i in range(1, 3)]
    delta[1]["Amount"] = "-5"
    add_batch(wh, "crm_opportunity", delta, "2026-11-01", "Opportunity.csv")
    add_batch(wh, "crm_opportunity", [{"Id": "bad"}], "2026-09-30", "Opportunity.csv")  # loaded by an earlier run

    @dg.asset(key=key)
    def stub_ingest():
        return dg.MaterializeResult(metadata={"batch_ids": dg.MetadataValue.json(["crm/2026-10-31", "crm/2026-11-01"])})

    checks = [c for c in quality_definitions().asset_checks if next(iter(c.check_keys)).asset_key == key]
    result = dg.materialize([stub_ingest, *checks], resources={"coachwh": CoachwhConfig.from_settings(settings())})
    (e,) = result.get_asset_check_evaluations()
    md = {k: v.value for k, v in e.metadata.items()}
    assert not e.passed
    assert md["rows validated"] == 7
    assert md["batches"] == "crm/2026-10-31, crm/2026-11-01"
    assert md["selection"] == "batches crm/2026-10-31, crm/2026-11-01"
    messages = [md[f"failure {i}"] for i in range(1, md["expectations failed"] + 1)]
    assert messages == [
        "crm/2026-10-31/Opportunity.csv row 3: StageName 'Won' not in {Prospecting, Qualification, "
        "Needs Analysis, "
        "Proposal, Negotiation, Closed Won, Closed Lost}",
        "crm/2026-11-01/Opportunity.csv row 2: Amount -5 not >= 0 (amount >= 0)",
    ]


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


def test_command_line_reports_violations_and_exit_code(home, capsys):
    from pipelines.quality.__main__ import main

    wh = make_warehouse(home)
    rows = [clean_row("lms_courses", i) for i in range(1, 4)]
    rows[1]["Audience"] = "Everyone"
    add_batch(wh, "lms_courses", rows, "2026-11-26", "courses.csv")
    assert main(["lms_courses", "crm_user"]) == 1
    out = capsys.readouterr().out
    assert "courses.csv row 2: Audience 'Everyone' not in {Rep, Manager, All}" in out
    assert "raw.crm_user: no rows yet" in out
    with pytest.raises(SystemExit):
        main(["no_such_table"])
