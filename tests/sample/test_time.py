"""Time semantics: an extract dated D holds what happened up to D; nightly deltas hold that day's changes."""

from __future__ import annotations

from datetime import datetime

from pipelines.sources import classify
from tests.sample.conftest import batches, read_csv

DELTA_KEYS = {
    "Call2_vod__c": ("Id",),
    "Coaching_Report_vod__c": ("Id",),
    "Opportunity": ("Id",),
    "transcripts": ("User ID", "LO ID", "Assigned Date"),
}


def _stamp_day(row: dict, name: str) -> str:
    if name == "transcripts":
        return datetime.strptime(row["Last Modified"], "%m/%d/%Y").date().isoformat()
    return row["SystemModstamp"][:10]


def test_delta_stamps_fall_in_their_batch(landing):
    for system in ("crm", "lms"):
        history = batches(landing, system)[0].name
        for batch in batches(landing, system):
            for path in sorted(batch.glob("*.csv")):
                f = classify(system, path.name)
                if f.kind != "delta":
                    continue
                _, rows = read_csv(path)
                keys = [tuple(r[k] for k in DELTA_KEYS[f.name]) for r in rows]
                assert len(keys) == len(set(keys)), f"{path}: a record twice in one batch"
                days = {_stamp_day(r, f.name) for r in rows}
                if batch.name == history:
                    assert max(days) <= batch.name, path
                else:
                    assert days <= {batch.name}, f"{path}: stamps {sorted(days)}"
                if "CreatedDate" in f.columns:
                    assert all(r["CreatedDate"] <= r["SystemModstamp"] for r in rows), path


def test_snapshots_know_nothing_after_their_date(landing):
    for batch in batches(landing, "crm"):
        for name, col in (
            ("User", "SystemModstamp"),
            ("ForecastingQuota", "SystemModstamp"),
            ("DatedConversionRate", "StartDate"),
        ):
            _, rows = read_csv(batch / f"{name}.csv")
            assert max(r[col][:10] for r in rows) <= batch.name, f"{batch.name}/{name}"
    for batch in batches(landing, "hris"):
        _, rows = read_csv(batch / "job_history.csv")
        last = max(datetime.strptime(r["Effective Date"], "%m/%d/%Y").date().isoformat() for r in rows)
        assert last <= batch.name


def test_nightly_deltas_are_not_empty(landing):
    for batch in batches(landing, "crm")[1:]:
        for name in ("Call2_vod__c", "Coaching_Report_vod__c", "Opportunity"):
            _, rows = read_csv(batch / f"{name}.csv")
            assert rows, f"{batch.name}/{name} is empty"
