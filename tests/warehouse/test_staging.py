"""Staging, identity and fact models on one hand-made raw scenario (answers worked out by hand).

`build_scenario` writes the raw rows; test_people.py and test_identity.py reuse it. Dates in comments:
the as-of date is 2025-03-20 (the latest CRM extract); HRIS was extracted 2025-03-18.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from tests.warehouse.rawkit import RawWarehouse, run_dbt

# 18-character user ids. U_P's 15-character form is 005Ab00000XyZ12 (suffix worked out by hand:
# '005Ab' -> A at position 4 -> 8 -> 'I'; '00000' -> 'A'; 'XyZ12' -> X (1) + Z (4) = 5 -> 'F').
U_M1 = "005000000000M1aAAA"
U_M2 = "005000000000M2aAAA"
U_S = "005000000000SSaAAA"
U_P15 = "005Ab00000XyZ12"
U_P = "005Ab00000XyZ12IAF"
U_ADMIN = "005000000000ADaAAM"  # its 15-character form U_ADMIN15 converts back to it
U_ADMIN15 = "005000000000ADa"
U_X = "005000000000XXaAAA"
# a user of an older User snapshot only: the latest does not hold it, yet a visit and a quota name it
U_OLD = "005000000000OLaAAM"
U_OLD15 = "005000000000OLa"

MY_MODELS = (
    "+dim_employee +identity_unmatched +dim_month +int_coaching__session_ratings +int_crm__visits "
    "+int_crm__opportunities +int_crm__quotas +int_lms__assignments +stg_survey__responses "
    "+int_people__reporting_intervals"
)


def sf_ts(day: str, time: str = "10:00:00") -> str:
    return f"{day}T{time}.000Z"


def build_scenario(wh: RawWarehouse) -> None:
    # ---------------- HRIS: an older snapshot that must be ignored, then the latest one.
    wh.add(
        "hris_job_history",
        [
            {
                "Employee ID": "000100",
                "Effective Date": "01/15/2025",
                "Business Process": "Hire",
                "Manager Employee ID": "000001",
            },
        ],
        "2025-02-01",
    )
    jh = [
        {
            "Employee ID": "000001",
            "Effective Date": "01/01/2024",
            "Business Process": "Hire",
            "Management Level": "Second-Line Manager",
            "Region": "East",
        },
        {
            "Employee ID": "000010",
            "Effective Date": "01/01/2024",
            "Business Process": "Hire",
            "Management Level": "First-Line Manager",
            "Region": "East",
            "Manager Employee ID": "000001",
        },
        {
            "Employee ID": "000020",
            "Effective Date": "01/01/2024",
            "Business Process": "Hire",
            "Management Level": "First-Line Manager",
            "Region": "West",
            "Manager Employee ID": "1",
        },
        # the rep: hire under M1, mid-month change to M2, terminated, rehired under M1
        {
            "Employee ID": "000100",
            "Effective Date": "01/15/2025",
            "Business Process": "Hire",
            "Management Level": "Individual Contributor",
            "Region": "East",
            "Manager Employee ID": " 10",
        },
        {
            "Employee ID": "100",
            "Effective Date": "02/10/2025",
            "Business Process": "Change Manager",
            "Management Level": "Individual Contributor",
            "Region": "West",
            "Manager Employee ID": "000020",
        },
        {
            "Employee ID": "000100",
            "Effective Date": "02/20/2025",
            "Business Process": "Termination",
            "Management Level": "Individual Contributor",
            "Region": "West",
            "Manager Employee ID": "000020",
            "Primary Termination Reason": "Better offer",
            "Termination Category": "Voluntary",
            "Regrettable Termination": "Yes",
        },
        {
            "Employee ID": "000100",
            "Effective Date": "03/03/2025",
            "Business Process": "Rehire",
            "Management Level": "Individual Contributor",
            "Region": "East",
            "Manager Employee ID": "000010",
        },
        # someone hired after the as-of date (future-dated row): no reporting interval
        {
            "Employee ID": "000200",
            "Effective Date": "04/01/2025",
            "Business Process": "Hire",
            "Management Level": "Individual Contributor",
            "Manager Employee ID": "000010",
        },
    ]
    wh.add("hris_job_history", jh, "2025-03-18")
    wh.add(
        "hris_workers",
        [
            {
                "Employee ID": "000001",
                "Legal Name": "Sam Boss",
                "Work Email": "s.boss@example.com",
                "Hire Date": "01/01/2024",
                "Original Hire Date": "01/01/2024",
                "Management Level": "Second-Line Manager",
                "Worker Status": "Active",
            },
            {
                "Employee ID": "000010",
                "Legal Name": "Mia One",
                "Work Email": "m1@example.com",
                "Hire Date": "01/01/2024",
                "Original Hire Date": "01/01/2024",
                "Management Level": "First-Line Manager",
                "Manager Employee ID": "000001",
                "Worker Status": "Active",
            },
            {
                "Employee ID": "000020",
                "Legal Name": "Max Two",
                "Work Email": "m2@example.com",
                "Hire Date": "01/01/2024",
                "Original Hire Date": "01/01/2024",
                "Management Level": "First-Line Manager",
                "Manager Employee ID": "000001",
                "Worker Status": "Active",
            },
            {
                "Employee ID": "000100",
                "Legal Name": "Pat Rep",
                "Work Email": "pat@example.com",
                "Hire Date": "03/03/2025",
                "Original Hire Date": "01/15/2025",
                "Termination Date": "02/20/2025",
                "Primary Termination Reason": "Better offer",
                "Termination Category": "Voluntary",
                "Regrettable Termination": "Yes",
                "Management Level": "Individual Contributor",
                "Manager Employee ID": "000010",
                "Worker Status": "Active",
            },
            {
                "Employee ID": "000200",
                "Legal Name": "Fay Future",
                "Work Email": "fay@example.com",
                "Hire Date": "04/01/2025",
                "Original Hire Date": "04/01/2025",
                "Worker Status": "Active",
            },
        ],
        "2025-03-18",
    )

    # ---------------- CRM users: an older snapshot with a user since removed, then the latest snapshot.
    wh.add(
        "crm_user",
        [{"Id": U_OLD, "EmployeeNumber": "000010", "LastName": "Old"}],
        "2025-03-01",
    )
    wh.add(
        "crm_user",
        [
            {
                "Id": U_M1,
                "FirstName": "Mia",
                "LastName": "One",
                "EmployeeNumber": "000010",
                "IsActive": "true",
                "Email": "m1@example.com",
                "CreatedDate": sf_ts("2024-01-01"),
                "SystemModstamp": sf_ts("2024-01-01"),
            },
            {"Id": U_M2, "FirstName": "Max", "LastName": "Two", "EmployeeNumber": " 20 ", "IsActive": "true"},
            {"Id": U_P, "FirstName": "Pat", "LastName": "Rep", "EmployeeNumber": "100", "IsActive": "true"},
            {
                "Id": U_S,
                "FirstName": "Sam",
                "LastName": "Boss",
                "Email": "S.Boss@Example.COM",
                "IsActive": "true",
            },
            {
                "Id": U_ADMIN,
                "FirstName": "Ada",
                "LastName": "Admin",
                "Email": "admin@example.com",
                "IsActive": "true",
            },
            {
                "Id": U_X,
                "FirstName": "Xen",
                "LastName": "Contractor",
                "EmployeeNumber": "999999",
                "IsActive": "false",
            },
        ],
        "2025-03-20",
    )

    # ---------------- Conversion rates: an older snapshot (ignored) and the latest.
    wh.add(
        "crm_dated_conversion_rate",
        [
            {"Id": "old", "IsoCode": "EUR", "StartDate": "2020-01-01", "ConversionRate": "0.5"},
        ],
        "2025-03-01",
    )
    wh.add(
        "crm_dated_conversion_rate",
        [
            {
                "Id": "r1",
                "IsoCode": "EUR",
                "StartDate": "2025-01-01",
                "NextStartDate": "2025-02-01",
                "ConversionRate": "0.8",
            },
            {"Id": "r2", "IsoCode": "EUR", "StartDate": "2025-02-01", "ConversionRate": "0.9"},
            {
                "Id": "r3",
                "IsoCode": "USD",
                "StartDate": "2025-01-01",
                "ConversionRate": "2.0",
            },  # USD is 1 whatever
        ],
        "2025-03-20",
    )

    # ---------------- Opportunities (delta).
    wh.add(
        "crm_opportunity",
        [
            # O1: the true latest version (stamp Feb 2); a later batch brings an OLDER version (must lose)
            {
                "Id": "006000000000O1aAAA",
                "OwnerId": U_P,
                "StageName": "Closed Won",
                "Amount": "900",
                "CurrencyIsoCode": "EUR",
                "CloseDate": "2025-02-01",
                "IsClosed": "true",
                "IsWon": "true",
                "CreatedDate": sf_ts("2025-01-20", "23:30:00"),
                "IsDeleted": "false",
                "SystemModstamp": sf_ts("2025-02-02"),
            },
            # O2: same stamp in two batches: the later extract wins (amount 200)
            {
                "Id": "006000000000O2aAAA",
                "OwnerId": U_M1,
                "StageName": "Closed Lost",
                "Amount": "100",
                "CurrencyIsoCode": "USD",
                "CloseDate": "2025-01-31",
                "IsClosed": "true",
                "IsWon": "false",
                "CreatedDate": sf_ts("2025-01-05"),
                "IsDeleted": "false",
                "SystemModstamp": sf_ts("2025-02-01"),
            },
            # O3: created, later tombstoned
            {
                "Id": "006000000000O3aAAA",
                "OwnerId": U_P,
                "StageName": "Prospecting",
                "Amount": "10",
                "CurrencyIsoCode": "USD",
                "CloseDate": "2025-04-01",
                "IsClosed": "false",
                "IsWon": "false",
                "CreatedDate": sf_ts("2025-02-10"),
                "IsDeleted": "false",
                "SystemModstamp": sf_ts("2025-02-10"),
            },
            # O4: owned by the admin (unmatched): counts nowhere
            {
                "Id": "006000000000O4aAAA",
                "OwnerId": U_ADMIN,
                "StageName": "Closed Won",
                "Amount": "10",
                "CurrencyIsoCode": "USD",
                "CloseDate": "2025-02-01",
                "IsClosed": "true",
                "IsWon": "true",
                "CreatedDate": sf_ts("2025-01-10"),
                "IsDeleted": "false",
                "SystemModstamp": sf_ts("2025-02-01"),
            },
            # O6: EUR closed the day BEFORE the rate boundary: old rate 0.8
            {
                "Id": "006000000000O6aAAA",
                "OwnerId": U_P,
                "StageName": "Closed Won",
                "Amount": "80",
                "CurrencyIsoCode": "EUR",
                "CloseDate": "2025-01-31",
                "IsClosed": "true",
                "IsWon": "true",
                "CreatedDate": sf_ts("2025-02-01", "00:00:00"),
                "IsDeleted": "false",
                "SystemModstamp": sf_ts("2025-02-01"),
            },
        ],
        "2025-03-01",
    )
    wh.add(
        "crm_opportunity",
        [
            {
                "Id": "006000000000O1aAAA",
                "OwnerId": U_P,
                "StageName": "Negotiation",
                "Amount": "500",
                "CurrencyIsoCode": "EUR",
                "CloseDate": "2025-03-01",
                "IsClosed": "false",
                "IsWon": "false",
                "CreatedDate": sf_ts("2025-01-20", "23:30:00"),
                "IsDeleted": "false",
                "SystemModstamp": sf_ts("2025-01-25"),
            },
            {
                "Id": "006000000000O2aAAA",
                "OwnerId": U_M1,
                "StageName": "Closed Lost",
                "Amount": "200",
                "CurrencyIsoCode": "USD",
                "CloseDate": "2025-01-31",
                "IsClosed": "true",
                "IsWon": "false",
                "CreatedDate": sf_ts("2025-01-05"),
                "IsDeleted": "false",
                "SystemModstamp": sf_ts("2025-02-01"),
            },
            {
                "Id": "006000000000O3aAAA",
                "OwnerId": U_P,
                "StageName": "Prospecting",
                "Amount": "10",
                "CurrencyIsoCode": "USD",
                "CloseDate": "2025-04-01",
                "IsClosed": "false",
                "IsWon": "false",
                "CreatedDate": sf_ts("2025-02-10"),
                "IsDeleted": "true",
                "SystemModstamp": sf_ts("2025-03-09"),
            },
        ],
        "2025-03-10",
    )

    # ---------------- Quotas: the owner arrives as the 15-character id.
    wh.add(
        "crm_forecasting_quota",
        [
            {
                "Id": "0J9000000000Q1aAAA",
                "QuotaOwnerId": U_P15,
                "StartDate": "2025-02-01",
                "QuotaAmount": "1800",
                "CurrencyIsoCode": "EUR",
                "SystemModstamp": sf_ts("2025-01-01"),
            },
            {
                "Id": "0J9000000000Q2aAAA",
                "QuotaOwnerId": U_ADMIN15,
                "StartDate": "2025-02-01",
                "QuotaAmount": "5",
                "CurrencyIsoCode": "USD",
                "SystemModstamp": sf_ts("2025-01-01"),
            },
            {
                "Id": "0J9000000000Q3aAAA",
                "QuotaOwnerId": U_OLD15,
                "StartDate": "2025-02-01",
                "QuotaAmount": "7",
                "CurrencyIsoCode": "USD",
                "SystemModstamp": sf_ts("2025-01-01"),
            },
        ],
        "2025-03-20",
    )

    # ---------------- Coaching reports (delta).
    wh.add(
        "crm_coaching_report",
        [
            {
                "Id": "a0C000000000CR1AAA",
                "OwnerId": U_P,
                "Manager_vod__c": U_M1,
                "Employee_vod__c": U_P,
                "Review_Date__c": "2025-01-20",
                "Status__c": "Submitted",
                "Coaching_Type__c": "Field Ride-Along",
                "Duration_Minutes__c": "45.5",  # a DECIMAL: the half minute is kept
                "Coaching_Level__c": "Rep",
                "Opening_Rating__c": "4 - Advanced",
                "Closing_Rating__c": "2 - Developing",
                "IsDeleted": "false",
                "SystemModstamp": sf_ts("2025-01-21"),
            },
            {
                "Id": "a0C000000000CR2AAA",
                "OwnerId": U_M1,
                "Manager_vod__c": U_S,
                "Employee_vod__c": U_M1,
                "Review_Date__c": "2025-02-05",
                "Status__c": "Approved",
                "Coaching_Type__c": "One-on-One",
                "Coaching_Level__c": "Manager",
                "Feedback_Rating__c": "5 - Role Model",
                "IsDeleted": "false",
                "SystemModstamp": sf_ts("2025-02-06"),
            },
            {
                "Id": "a0C000000000CR3AAA",
                "OwnerId": U_P,
                "Manager_vod__c": U_M1,
                "Employee_vod__c": U_P,
                "Review_Date__c": "2025-02-07",
                "Status__c": "Draft",
                "Coaching_Level__c": "Rep",
                "IsDeleted": "false",
                "SystemModstamp": sf_ts("2025-02-07"),
            },
            {
                "Id": "a0C000000000CR4AAA",
                "OwnerId": U_P,
                "Manager_vod__c": U_ADMIN,
                "Employee_vod__c": U_P,
                "Review_Date__c": "2025-02-07",
                "Status__c": "Submitted",
                "Coaching_Level__c": "Rep",
                "IsDeleted": "false",
                "SystemModstamp": sf_ts("2025-02-07"),
            },
            {
                "Id": "a0C000000000CR5AAA",
                "OwnerId": U_P,
                "Manager_vod__c": U_M1,
                "Employee_vod__c": U_P,
                "Review_Date__c": "2025-02-08",
                "Status__c": "Submitted",
                "Coaching_Level__c": "Rep",
                "IsDeleted": "false",
                "SystemModstamp": sf_ts("2025-02-08"),
            },
        ],
        "2025-03-01",
    )
    wh.add(
        "crm_coaching_report",
        [
            {
                "Id": "a0C000000000CR5AAA",
                "OwnerId": U_P,
                "Manager_vod__c": U_M1,
                "Employee_vod__c": U_P,
                "Review_Date__c": "2025-02-08",
                "Status__c": "Submitted",
                "Coaching_Level__c": "Rep",
                "IsDeleted": "true",
                "SystemModstamp": sf_ts("2025-03-05"),
            },
        ],
        "2025-03-10",
    )

    # ---------------- Calls (delta).
    call = {
        "OwnerId": U_P,
        "Call_Date_vod__c": "2025-02-12",
        "Status_vod__c": "Submitted_vod",
        "Call_Type_vod__c": "Detail Only",
        "Call_Channel_vod__c": "In-person",
        "IsDeleted": "false",
        "SystemModstamp": sf_ts("2025-02-12"),
    }
    wh.add(
        "crm_call",
        [
            {**call, "Id": "a04000000000C1aAAA", "Call_Type_vod__c": "Group Detail"},
            {
                **call,
                "Id": "a04000000000C2aAAA",
                "Parent_Call_vod__c": "a04000000000C1aAAA",
                "Call_Type_vod__c": "Group Detail",
            },
            {**call, "Id": "a04000000000C3aAAA", "Status_vod__c": "Planned_vod"},
            {**call, "Id": "a04000000000C4aAAA", "OwnerId": U_ADMIN},
            {**call, "Id": "a04000000000C6aAAA", "OwnerId": U_OLD},
            {
                **call,
                "Id": "a04000000000C5aAAA",
                "Status_vod__c": "Saved_vod",
                "Call_Date_vod__c": "2025-03-04",
            },
        ],
        "2025-03-01",
    )
    wh.add(
        "crm_call",
        [
            {
                **call,
                "Id": "a04000000000C5aAAA",
                "Call_Date_vod__c": "2025-03-04",
                "SystemModstamp": sf_ts("2025-03-05"),
            },
        ],
        "2025-03-20",
    )

    # ---------------- LMS.
    wh.add(
        "lms_courses",
        [
            {
                "LO ID": "LO-C",
                "Training Title": "Coaching the coach",
                "Audience": "Manager",
                "Duration Hours": "1.5",
                "Coaching Curriculum": "Y",
            },
            {
                "LO ID": "LO-R",
                "Training Title": "Objection handling",
                "Audience": "Rep",
                "Coaching Curriculum": "N",
            },
        ],
        "2025-02-16",
    )
    wh.add(
        "lms_transcripts",
        [
            {
                # the same assignment as the Completed version below, which drops the leading zeros:
                # the key holds the normalised User ID, so that version supersedes this one
                "User ID": "000100",
                "User Email": "pat@example.com",
                "LO ID": "LO-C",
                "Assigned Date": "01/10/2025",
                "Due Date": "02/28/2025",
                "Transcript Status": "Registered",
                "Last Modified": "01/10/2025 09:00:00",
            },
        ],
        "2025-01-11",
    )
    wh.add(
        "lms_transcripts",
        [
            {
                "User ID": "100",
                "User Email": "pat@example.com",
                "LO ID": "LO-C",
                "Assigned Date": "01/10/2025",
                "Due Date": "02/28/2025",
                "Completed Date": "02/15/2025",
                "Transcript Status": "Completed",
                "Score": "90",
                "Last Modified": "02/15/2025 17:30:00",
            },
            {
                "User ID": "X77",
                "User Email": "M2@EXAMPLE.com",
                "LO ID": "LO-R",
                "Assigned Date": "02/01/2025",
                "Transcript Status": "In Progress",
                "Last Modified": "02/02/2025 08:00:00",
            },
            {
                "User ID": "555555",
                "User Email": "nobody@example.com",
                "LO ID": "LO-R",
                "Assigned Date": "02/01/2025",
                "Transcript Status": "Registered",
                "Last Modified": "02/02/2025 08:00:00",
            },
        ],
        "2025-02-16",
    )

    # ---------------- Survey: EmployeeID must never leave raw.
    wh.add(
        "survey_responses",
        [
            {
                "ResponseId": "R_1",
                "StartDate": "2025-03-01 10:00:00",
                "EndDate": "2025-03-01 10:05:00",
                "Finished": "1",
                "Wave": "2025-Q1",
                "EmployeeID": "000100",
                "ManagerID": "10",
                "Q_COACH": "4",
                "Q_ENPS": "9",
            },
            {
                "ResponseId": "R_2",
                "StartDate": "2025-03-02 10:00:00",
                "EndDate": "2025-03-02 10:05:00",
                "Finished": "0",
                "Wave": "2025-Q1",
                "ManagerID": "000010",
                "Q_COACH": "",
                "Q_ENPS": "3",
            },
        ],
        "2025-03-05",
    )


class Built:
    """Reads the built warehouse. dbt-duckdb keeps its in-process connection open, so a read_only
    connection (another configuration) is refused: read with the default one, as dbt does."""

    def __init__(self, path: Path):
        self.path = path

    def dicts(self, sql: str) -> list[dict]:
        with duckdb.connect(str(self.path)) as con:
            cur = con.execute(sql)
            names = [d[0] for d in cur.description]
            return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def build_my_models(home: Path, *extra: str) -> None:
    """dbt build of the staging helper's models and their tests only (cautious: no marts tests)."""
    run_dbt(home, "build", "--indirect-selection", "cautious", "--select", *MY_MODELS.split(), *extra)


_BUILT: dict[str, Built] = {}


def built_scenario(tmp_path_factory) -> Built:
    """The scenario, built once per test session and shared by test_staging, test_people and
    test_identity (each dbt run costs several seconds of parsing)."""
    if "scenario" not in _BUILT:
        raw = RawWarehouse(tmp_path_factory.mktemp("staging"))
        build_scenario(raw)
        build_my_models(raw.home)
        _BUILT["scenario"] = Built(raw.path)
    return _BUILT["scenario"]


@pytest.fixture(scope="module")
def wh(tmp_path_factory) -> Built:
    return built_scenario(tmp_path_factory)


def one(wh: Built, sql: str) -> dict:
    rows = wh.dicts(sql)
    assert len(rows) == 1, rows
    return rows[0]


def test_latest_version_wins_over_a_later_arriving_older_batch(wh):
    o1 = one(wh, "select * from staging.stg_crm__opportunities where opportunity_id = '006000000000O1aAAA'")
    assert o1["amount"] == 900.0 and o1["stage_name"] == "Closed Won" and o1["_batch_id"] == "crm/2025-03-01"


def test_tie_on_stamp_goes_to_the_later_extract(wh):
    o2 = one(wh, "select * from staging.stg_crm__opportunities where opportunity_id = '006000000000O2aAAA'")
    assert o2["amount"] == 200.0 and o2["_batch_id"] == "crm/2025-03-10"


def test_tombstone_removes_the_record(wh):
    assert wh.dicts("select * from staging.stg_crm__opportunities where opportunity_id = '006000000000O3aAAA'") == []
    o3 = one(
        wh,
        "select * from staging.stg_crm__opportunities_with_tombstones where opportunity_id = '006000000000O3aAAA'",
    )
    assert o3["is_deleted"] is True
    ids = {
        r["coaching_report_id"] for r in wh.dicts("select coaching_report_id from staging.stg_crm__coaching_reports")
    }
    assert "a0C000000000CR5AAA" not in ids and "a0C000000000CR1AAA" in ids


def test_casts(wh):
    o1 = one(wh, "select * from staging.stg_crm__opportunities where opportunity_id = '006000000000O1aAAA'")
    assert str(o1["created_at"]) == "2025-01-20 23:30:00"
    assert str(o1["close_date"]) == "2025-02-01" and o1["is_won"] is True
    cr1 = one(wh, "select * from staging.stg_crm__coaching_reports where coaching_report_id = 'a0C000000000CR1AAA'")
    assert (cr1["opening_rating"], cr1["closing_rating"], cr1["feedback_rating"]) == (4, 2, None)
    assert cr1["duration_minutes"] == 45.5  # not rounded to 46
    w = one(wh, "select * from staging.stg_hris__workers where employee_id = '000100'")
    assert str(w["original_hire_date"]) == "2025-01-15" and w["is_regretted"] is True
    t = one(wh, "select * from staging.stg_lms__transcripts where lms_user_id = '100'")
    assert t["status"] == "Completed" and str(t["completed_date"]) == "2025-02-15" and t["score"] == 90.0
    c = one(wh, "select * from staging.stg_lms__courses where lo_id = 'LO-C'")
    assert c["is_coaching_curriculum"] is True and c["duration_hours"] == 1.5


def test_snapshots_take_the_latest_extract_only(wh):
    users = {r["user_id"] for r in wh.dicts("select user_id from staging.stg_crm__users")}
    assert U_OLD not in users and len(users) == 6
    rates = wh.dicts("select * from staging.stg_crm__conversion_rates order by currency_code, start_date")
    assert [r["conversion_rate"] for r in rates] == [0.8, 0.9, 2.0]
    # the older job_history snapshot's hire under 000001 is gone; '100' and ' 10' are normalised
    jh = wh.dicts("select * from staging.stg_hris__job_history where employee_id = '000100' order by effective_date")
    assert [r["manager_employee_id"] for r in jh] == ["000010", "000020", "000020", "000010"]


def test_quota_owner_converted_from_15_to_18(wh):
    q = one(wh, "select * from staging.stg_crm__forecasting_quotas where quota_id = '0J9000000000Q1aAAA'")
    assert q["owner_user_id"] == U_P
    quotas = wh.dicts("select * from intermediate.int_crm__quotas")
    assert [(r["owner_employee_id"], str(r["month"]), r["quota_usd"]) for r in quotas] == [
        ("000100", "2025-02-01", pytest.approx(2000.0))
    ]


def test_usd_conversion_on_a_rate_boundary(wh):
    opps = {r["opportunity_id"][12:14]: r for r in wh.dicts("select * from intermediate.int_crm__opportunities")}
    assert set(opps) == {"O1", "O2", "O6"}  # O3 deleted, O4 owned by the unmatched admin
    # closed on NextStartDate 2025-02-01 -> the new rate 0.9; created (UTC day) 2025-01-20 -> 0.8
    assert float(opps["O1"]["amount_usd_at_close"]) == pytest.approx(1000.0)
    assert float(opps["O1"]["amount_usd_at_created"]) == pytest.approx(1125.0)
    assert str(opps["O1"]["created_date"]) == "2025-01-20"
    # closed the day before the boundary -> 0.8; created on the boundary -> 0.9
    assert float(opps["O6"]["amount_usd_at_close"]) == pytest.approx(100.0)
    assert float(opps["O6"]["amount_usd_at_created"]) == pytest.approx(80 / 0.9)
    # USD is 1 even though the file says 2.0
    assert float(opps["O2"]["amount_usd_at_close"]) == pytest.approx(200.0)


def test_coaching_sessions_and_ratings(wh):
    sessions = wh.dicts("select * from intermediate.int_coaching__sessions order by coaching_report_id")
    assert [
        (
            s["coaching_report_id"][12:15],
            s["coach_employee_id"],
            s["coachee_employee_id"],
            str(s["month"]),
            str(s["quarter"]),
            s["duration_minutes"],
        )
        for s in sessions
    ] == [
        ("CR1", "000010", "000100", "2025-01-01", "2025-01-01", 45.5),
        ("CR2", "000001", "000010", "2025-02-01", "2025-01-01", None),
    ]
    ratings = wh.dicts("select * from intermediate.int_coaching__session_ratings order by coaching_report_id, skill")
    assert [(r["coaching_report_id"][12:15], r["skill"], r["skill_group"], r["rating"]) for r in ratings] == [
        ("CR1", "closing", "rep", 2),
        ("CR1", "opening", "rep", 4),
        ("CR2", "feedback", "coaching", 5),
    ]


def test_visits(wh):
    visits = wh.dicts("select * from intermediate.int_crm__visits order by call_id")
    # C1 (group parent = a visit), C4 (an admin's: a visit, credited to nobody later), C5 (saved, later
    # submitted), C6 (a user the latest User snapshot lacks); not C2 (child), C3 (planned)
    assert [(v["call_id"][12:14], v["owner_user_id"], str(v["call_date"])) for v in visits] == [
        ("C1", U_P, "2025-02-12"),
        ("C4", U_ADMIN, "2025-02-12"),
        ("C5", U_P, "2025-03-04"),
        ("C6", U_OLD, "2025-02-12"),
    ]


def test_lms_assignments(wh):
    rows = wh.dicts("select * from intermediate.int_lms__assignments order by employee_id")
    assert [(r["employee_id"], r["lo_id"], r["status"], r["is_coaching_curriculum"]) for r in rows] == [
        ("000020", "LO-R", "In Progress", False),
        ("000100", "LO-C", "Completed", True),
    ]


def test_survey_never_carries_the_respondent(wh):
    cols = {
        r["column_name"].lower()
        for r in wh.dicts(
            "select column_name from information_schema.columns where table_name = 'stg_survey__responses'"
        )
    }
    assert "employeeid" not in cols and "employee_id" not in cols
    rows = wh.dicts("select * from staging.stg_survey__responses order by response_id")
    assert [(r["manager_employee_id"], r["is_finished"], r["q_coach"], r["q_enps"]) for r in rows] == [
        ("000010", True, 4, 9),
        ("000010", False, None, 3),
    ]


def test_dim_month_workdays_and_capping(wh):
    # The whole calendar runs from the quarter of the first HR month (January here); dim_month publishes it from
    # the coverage start.
    months = {str(r["month"]): r for r in wh.dicts("select * from intermediate.int_calendar__months")}
    assert min(months) == "2024-01-01" and max(months) == "2025-03-01" and len(months) == 15
    published = [str(r["month"]) for r in wh.dicts("select month from marts.dim_month order by month")]
    (coverage_start,) = {str(r["coverage_start"]) for r in months.values()}
    assert published == sorted(m for m in months if m >= coverage_start)
    mar, feb = months["2025-03-01"], months["2025-02-01"]
    # March 2025 capped at the as-of date 2025-03-20 (Mar 1 is a Saturday): 5 + 5 + 4 workdays
    assert str(mar["month_end"]) == "2025-03-20" and mar["workdays"] == 14 and mar["is_month_complete"] is False
    assert str(mar["quarter"]) == "2025-01-01" and str(mar["quarter_end"]) == "2025-03-20"
    assert mar["is_quarter_complete"] is False and mar["year"] == 2025
    assert str(feb["month_end"]) == "2025-02-28" and feb["workdays"] == 20 and feb["is_month_complete"] is True
    dec = months["2024-12-01"]
    assert str(dec["quarter_end"]) == "2024-12-31" and dec["is_quarter_complete"] is True and dec["workdays"] == 22
