"""The generated landing zone matches the source contract: layout, headers, vocabularies, manifests."""

from __future__ import annotations

import csv
import hashlib
import re

from openpyxl import load_workbook

from pipelines.sources import RATING_PICKLIST, SYSTEMS, classify
from tests.sample.conftest import batches, manifest, read_csv

VOCAB = {
    ("Call2_vod__c", "Status_vod__c"): {"Planned_vod", "Saved_vod", "Submitted_vod"},
    ("Call2_vod__c", "Call_Type_vod__c"): {
        "Detail Only",
        "Detail with Sample",
        "Group Detail",
        "Group Detail with Sample",
        "Sample Only",
    },
    ("Call2_vod__c", "Call_Channel_vod__c"): {"In-person", "Phone", "Video", "Email"},
    ("Coaching_Report_vod__c", "Status__c"): {"Draft", "Submitted", "Approved"},
    ("Coaching_Report_vod__c", "Coaching_Type__c"): {
        "Field Ride-Along",
        "Virtual Ride-Along",
        "One-on-One",
        "Call Review",
    },
    ("Coaching_Report_vod__c", "Coaching_Level__c"): {"Rep", "Manager"},
    ("Opportunity", "StageName"): {
        "Prospecting",
        "Qualification",
        "Needs Analysis",
        "Proposal",
        "Negotiation",
        "Closed Won",
        "Closed Lost",
    },
    ("Opportunity", "CurrencyIsoCode"): {"USD", "EUR", "GBP", "JPY", "CAD"},
    ("ForecastingQuota", "CurrencyIsoCode"): {"USD", "EUR", "GBP", "JPY", "CAD"},
    ("DatedConversionRate", "IsoCode"): {"USD", "EUR", "GBP", "JPY", "CAD"},
    ("workers", "Termination Category"): {"Voluntary", "Involuntary", ""},
    ("workers", "Regrettable Termination"): {"Yes", "No", ""},
    ("workers", "Worker Status"): {"Active", "Terminated", "Leave of Absence"},
    ("workers", "Management Level"): {
        "Individual Contributor",
        "First-Line Manager",
        "Second-Line Manager",
        "Director",
    },
    ("job_history", "Business Process"): {
        "Hire",
        "Transfer",
        "Promotion",
        "Change Manager",
        "Rehire",
        "Termination",
    },
    ("job_history", "Termination Category"): {"Voluntary", "Involuntary", ""},
    ("job_history", "Regrettable Termination"): {"Yes", "No", ""},
    ("job_history", "Management Level"): {
        "Individual Contributor",
        "First-Line Manager",
        "Second-Line Manager",
        "Director",
    },
    ("transcripts", "Transcript Status"): {"Registered", "In Progress", "Completed", "Cancelled", "Past Due"},
    ("courses", "Coaching Curriculum"): {"Y", "N"},
    ("courses", "Audience"): {"Rep", "Manager", "All"},
    ("responses", "Finished"): {"0", "1"},
}
# vocabularies that the small profile must show in full (in some batch)
MUST_SHOW_ALL = {k for k in VOCAB if k[0] not in ("workers",)} - {("Coaching_Report_vod__c", "Status__c")}
FORMATS = {
    "crm_datetime": re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z$"),
    "iso_date": re.compile(r"^\d{4}-\d\d-\d\d$"),
    "us_date": re.compile(r"^\d\d/\d\d/\d{4}$"),
    "bool": re.compile(r"^(true|false)$"),
    "sfid18": re.compile(r"^[0-9A-Za-z]{15}[A-Z0-5]{3}$"),
    "emp_id": re.compile(r"^\d{6}$"),
    "survey_ts": re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$"),
}
COLUMN_FORMAT = {
    "CreatedDate": "crm_datetime",
    "SystemModstamp": "crm_datetime",
    "Call_Datetime_vod__c": "crm_datetime",
    "Call_Date_vod__c": "iso_date",
    "Review_Date__c": "iso_date",
    "CloseDate": "iso_date",
    "StartDate": None,
    "NextStartDate": "iso_date",
    "IsDeleted": "bool",
    "IsClosed": "bool",
    "IsWon": "bool",
    "IsActive": "bool",
    "Id": "sfid18",
    "OwnerId": "sfid18",
    "Manager_vod__c": "sfid18",
    "Employee_vod__c": "sfid18",
    "Parent_Call_vod__c": "sfid18",
    "ManagerId": "sfid18",
    "AccountId": "sfid18",
    "Account_vod__c": "sfid18",
    "Hire Date": "us_date",
    "Original Hire Date": "us_date",
    "Termination Date": "us_date",
    "Effective Date": "us_date",
    "Assigned Date": "us_date",
    "Due Date": "us_date",
    "Completed Date": "us_date",
    "Last Modified": "us_date",
    "Employee ID": "emp_id",
    "Manager Employee ID": "emp_id",
    "User ID": "emp_id",
    "EmployeeID": "emp_id",
    "ManagerID": "emp_id",
}


def all_files(root):
    for system in SYSTEMS:
        if not (root / system).exists():
            continue
        for batch in batches(root, system):
            for path in sorted(batch.iterdir()):
                if path.name != "manifest.json":
                    yield system, batch, path


def test_batches_exist_for_every_system_and_night(landing):
    dates = {s: [b.name for b in batches(landing, s)] for s in ("crm", "hris", "lms")}
    expected = ["2026-10-31", "2026-11-01", "2026-11-02", "2026-11-03", "2026-11-04", "2026-11-05"]
    assert dates == {"crm": expected, "hris": expected, "lms": expected}
    # survey: the history batch holds the waves closed so far; no wave closes in the first days of November
    assert [b.name for b in batches(landing, "survey")] == ["2026-10-31"]
    assert sorted(p.name for p in (landing / "survey" / "2026-10-31").glob("*.csv")) == [
        "responses_2025-Q4.csv",
        "responses_2026-Q1.csv",
        "responses_2026-Q2.csv",
        "responses_2026-Q3.csv",
    ]


def test_every_file_is_a_contract_file_with_its_exact_header_and_formats(landing):
    seen = set()
    for system, _batch, path in all_files(landing):
        f = classify(system, path.name)
        assert f is not None, f"{path} is not a file of the contract"
        seen.add(f.name)
        header, rows = read_csv(path, f.header_rows)
        assert tuple(header) == f.columns, path
        for col, fmt in COLUMN_FORMAT.items():
            if col in header and fmt:
                bad = [r[col] for r in rows if r[col] and not FORMATS[fmt].match(r[col])]
                assert not bad, f"{path.name}.{col}: {bad[:3]}"
        if f.name == "ForecastingQuota":
            assert all(len(r["QuotaOwnerId"]) == 15 for r in rows)
    assert seen == {
        "User",
        "Call2_vod__c",
        "Coaching_Report_vod__c",
        "Opportunity",
        "ForecastingQuota",
        "DatedConversionRate",
        "workers",
        "job_history",
        "responses",
        "courses",
        "transcripts",
    }


def test_vocabularies_are_exactly_those_of_the_spec(landing):
    values: dict[tuple[str, str], set[str]] = {}
    for system, _batch, path in all_files(landing):
        f = classify(system, path.name)
        _, rows = read_csv(path, f.header_rows)
        for (name, col), allowed in VOCAB.items():
            if name == f.name:
                got = {r[col] for r in rows}
                assert got <= allowed, f"{path}: {col} has {sorted(got - allowed)}"
                values.setdefault((name, col), set()).update(got)
        if f.name == "Coaching_Report_vod__c":
            ratings = {r[c] for r in rows for c in f.columns if c.endswith("_Rating__c")}
            assert ratings <= set(RATING_PICKLIST) | {""}
        if f.name == "responses":
            for r in rows:
                for q in ("Q_COACH", "Q_FEEDBACK", "Q_GROWTH", "Q_RECOGNITION", "Q_INTENT_STAY"):
                    assert r[q] in {"", "1", "2", "3", "4", "5"}
                assert r["Q_ENPS"] == "" or 0 <= int(r["Q_ENPS"]) <= 10
    for key in MUST_SHOW_ALL:
        assert values[key] - {""} == VOCAB[key] - {""}, f"{key}: only {sorted(values[key])} generated"


def _records(path, header_rows):
    with open(path, encoding="utf-8-sig", newline="") as f:
        return sum(1 for _ in csv.reader(f)) - header_rows


def test_manifests_agree_with_files_and_come_last(landing):
    for system in SYSTEMS:
        for batch in batches(landing, system):
            m = manifest(batch)
            assert m["system"] == system and m["extract_date"] == batch.name
            files = {p.name for p in batch.iterdir()} - {"manifest.json"}
            assert set(m["files"]) == files
            for name, entry in m["files"].items():
                path = batch / name
                assert hashlib.sha256(path.read_bytes()).hexdigest() == entry["sha256"]
                f = classify(system, name)
                if name.endswith(".csv"):
                    assert _records(path, f.header_rows) == entry["rows"], path
                assert (batch / "manifest.json").stat().st_mtime_ns >= path.stat().st_mtime_ns


def test_same_arguments_give_identical_bytes(landing, landing_again):
    for system in SYSTEMS:
        a = [manifest(b) for b in batches(landing, system)]
        b = [manifest(b) for b in batches(landing_again, system)]
        assert a == b, system


def test_hr_files_as_xlsx_mean_the_same_as_csv(landing, landing_xlsx):
    for batch in batches(landing, "hris"):
        for name in ("workers", "job_history"):
            header, rows = read_csv(batch / f"{name}.csv")
            wb = load_workbook(landing_xlsx / "hris" / batch.name / f"{name}.xlsx", read_only=True)
            ws = wb.worksheets[0]
            xrows = list(ws.iter_rows(values_only=True))
            assert list(xrows[0]) == header
            assert (
                len(xrows) - 1
                == len(rows)
                == manifest(landing_xlsx / "hris" / batch.name)["files"][f"{name}.xlsx"]["rows"]
            )
            for xr, r in zip(xrows[1:], rows, strict=True):
                as_text = []
                for v in list(xr) + [None] * (len(header) - len(xr)):  # trailing empty cells are not stored
                    if v is None:
                        as_text.append("")
                    elif hasattr(v, "strftime"):
                        as_text.append(v.strftime("%m/%d/%Y"))
                    else:
                        assert isinstance(v, str), f"{name}.xlsx holds a {type(v).__name__} cell: {v!r}"
                        as_text.append(v)
                assert as_text == [r[c] for c in header]
            # dates are real Excel date cells, Employee IDs are text
            first = xrows[1]
            assert hasattr(first[header.index("Hire Date" if name == "workers" else "Effective Date")], "year")
            assert isinstance(first[0], str) and first[0].startswith("00")
            wb.close()


def test_xlsx_bytes_are_deterministic(tmp_path):
    import time
    from datetime import date

    from pipelines.sample.writers import Batch

    digests = []
    for k in range(2):
        if k:
            time.sleep(2.1)  # zip member times have two-second resolution: they must not leak in
        b = Batch(tmp_path / str(k), "hris", date(2026, 10, 31))
        b.write_xlsx("workers.xlsx", ["Employee ID", "Hire Date"], [["000123", date(2024, 2, 29)], ["001000", None]])
        digests.append(b.close()["files"]["workers.xlsx"]["sha256"])
    assert digests[0] == digests[1]
