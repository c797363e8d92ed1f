"""Freshness verdicts, worked out by hand: lag behind the newest system, and an extract dated in the future."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from pipelines.config import Settings
from pipelines.extracts import freshness_verdicts

CFG = Settings(home=Path("/nonexistent"), landing=Path("/nonexistent/landing"))  # limits: 2 days, survey 100


def test_a_system_more_than_two_days_behind_the_newest_is_late():
    latest = {
        "crm": date(2026, 11, 5),
        "hris": date(2026, 11, 2),  # 3 days behind crm: late
        "survey": date(2026, 8, 1),  # 96 days: within the survey's 100
        "lms": date(2026, 11, 3),  # 2 days: within
    }
    verdicts = freshness_verdicts(latest, CFG, today=date(2026, 11, 6))
    assert {s: fresh for s, (fresh, _) in verdicts.items()} == {
        "crm": True,
        "hris": False,
        "survey": True,
        "lms": True,
    }
    assert verdicts["hris"][1] == "hris latest extract 2026-11-02 is 3 days behind the newest (2026-11-05); more than 2"


def test_an_extract_dated_after_today_is_named_and_the_others_are_not_blamed_for_it():
    latest = {"crm": date(2099, 1, 1), "hris": date(2026, 11, 5), "survey": None, "lms": date(2026, 11, 4)}
    verdicts = freshness_verdicts(latest, CFG, today=date(2026, 11, 5))
    fresh, text = verdicts["crm"]
    assert not fresh
    assert text.startswith("crm latest extract 2099-01-01 is dated after today (2026-11-05, UTC)"), text
    assert "`coachwh retract crm/2099-01-01 --reason TEXT`" in text
    # hris and lms are judged against each other (1 day apart), not against 2099
    assert verdicts["hris"] == (True, "hris latest extract 2026-11-05 (0 days behind the newest, limit 2)")
    assert verdicts["lms"][0] and verdicts["survey"] == (False, "no survey extract loaded yet")


def test_an_extract_one_day_ahead_of_utc_is_no_future():
    # a system east of UTC dates the night's extract a day before UTC's calendar gets there
    latest = {"crm": date(2026, 11, 6), "hris": date(2026, 11, 5), "survey": None, "lms": date(2026, 11, 5)}
    verdicts = freshness_verdicts(latest, CFG, today=date(2026, 11, 5))
    assert verdicts["crm"] == (True, "crm latest extract 2026-11-06 (0 days behind the newest, limit 2)")


def test_a_selection_of_one_systems_assets_runs_that_systems_freshness_check_alone(tmp_path, monkeypatch):
    import dagster as dg

    from pipelines.config import settings
    from pipelines.defs.freshness import ANCHORS, CHECK_NAME, extract_freshness
    from pipelines.defs.resources import CoachwhConfig

    monkeypatch.setenv("COACHWH_HOME", str(tmp_path))
    monkeypatch.delenv("COACHWH_LANDING", raising=False)
    crm = dg.AssetCheckKey(ANCHORS["crm"], CHECK_NAME)
    result = dg.materialize(
        [*(dg.AssetSpec(k) for k in ANCHORS.values()), extract_freshness],
        selection=dg.AssetSelection.checks(crm),
        resources={"coachwh": CoachwhConfig.from_settings(settings())},
    )
    assert result.success
    assert [(e.asset_key, e.check_name) for e in result.get_asset_check_evaluations()] == [(crm.asset_key, CHECK_NAME)]
