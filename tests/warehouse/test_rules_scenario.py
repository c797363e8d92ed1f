"""The two rules of metrics.md that changed, on a hand-made organisation whose answers are worked out here.

1. "Manager of a person on day d" exists only while the person is active on d: a deal of a terminated
   rep counts for no manager until the rehire, and shows in unattributed_activity with its reason.
2. Coverage: the HR history starts in January 2024, the CRM only in February 2025 (the first activity is
   an opportunity created on 2025-02-03), so the marts publish months from 2025-02 on. Trailing 12-month
   windows and the quarter measures of Q1 2025 still count the HR events before it.

Everything is delivered on 2025-05-15 (the as-of date).

    000001 Mia  First-Line Manager, no manager of her own
      000002 Ben  01/01/2024 Hire;  06/15/2024 Termination (Voluntary)
      000003 Cal  01/01/2024 Hire;  03/10/2025 Termination (Involuntary);  04/01/2025 Rehire
      000004 Dee  01/01/2024 Hire, stays
      000006 Fin  01/01/2024 Hire;  01/20/2025 Termination (Voluntary)
    000005 Eve  02/01/2025 Hire with no Manager Employee ID

Mia's direct reports (a Termination day still counts): 2024-01-01..06-15 {Ben, Cal, Dee, Fin} = 4;
06-16..2025-01-20 {Cal, Dee, Fin} = 3; 01-21..03-10 {Cal, Dee} = 2; 03-11..03-31 {Dee} = 1; from 04-01 {Cal, Dee}.
avg_headcount by month: Jan-May 2024 4; Jun 2024 (4 + 3) / 2 = 3.5; Jul-Dec 2024 3; Jan 2025 (3 + 2) / 2 = 2.5;
Feb 2; Mar (2 + 1) / 2 = 1.5; Apr 2; May 2.
Workdays: Feb 2025 20, Mar 21, Apr 22, May 1..15 11.
"""

from __future__ import annotations

from datetime import date

import pytest

from pipelines.sample.ids import sfid
from tests.warehouse.rawkit import RawWarehouse, run_dbt

pytestmark = pytest.mark.slow

EXTRACT = "2025-05-15"

PEOPLE = {
    "000001": ("Mia Flm", "First-Line Manager"),
    "000002": ("Ben Rep", "Individual Contributor"),
    "000003": ("Cal Rep", "Individual Contributor"),
    "000004": ("Dee Rep", "Individual Contributor"),
    "000005": ("Eve Rep", "Individual Contributor"),
    "000006": ("Fin Rep", "Individual Contributor"),
}
USER = {e: sfid("User", 9_000 + int(e)) for e in PEOPLE}
UNMATCHED_USER = sfid("User", 9_999)


def job(emp, day, process, manager, cat=""):
    return {
        "Employee ID": emp,
        "Effective Date": day,
        "Business Process": process,
        "Management Level": PEOPLE[emp][1],
        "Job Profile": "Sales",
        "Region": "East",
        "Manager Employee ID": manager,
        "Termination Category": cat,
        "Regrettable Termination": "No" if cat else "",
    }


JOB_HISTORY = [
    job("000001", "01/01/2024", "Hire", ""),
    job("000002", "01/01/2024", "Hire", "000001"),
    job("000002", "06/15/2024", "Termination", "000001", cat="Voluntary"),
    job("000003", "01/01/2024", "Hire", "000001"),
    job("000003", "03/10/2025", "Termination", "000001", cat="Involuntary"),
    job("000003", "04/01/2025", "Rehire", "000001"),
    job("000004", "01/01/2024", "Hire", "000001"),
    job("000005", "02/01/2025", "Hire", ""),
    job("000006", "01/01/2024", "Hire", "000001"),
    job("000006", "01/20/2025", "Termination", "000001", cat="Voluntary"),
]


def workers() -> list[dict]:
    return [
        {
            "Employee ID": emp,
            "Legal Name": name,
            "Work Email": f"{emp}@acme.test",
            "Management Level": level,
            "Region": "East",
            "Worker Status": "Active",
        }
        for emp, (name, level) in PEOPLE.items()
    ]


def users() -> list[dict]:
    rows = [{"Id": USER[e], "EmployeeNumber": e, "Email": f"{e}@acme.test", "IsActive": "true"} for e in PEOPLE]
    rows.append({"Id": UNMATCHED_USER, "EmployeeNumber": "777777", "Email": "agency@else.test", "IsActive": "true"})
    return rows


def opp(n, owner, won, amount, close, created):
    return {
        "Id": sfid("Opportunity", 800 + n),
        "OwnerId": owner,
        "StageName": "Closed Won" if won else "Closed Lost",
        "Amount": amount,
        "CurrencyIsoCode": "USD",
        "CloseDate": close,
        "IsClosed": "true",
        "IsWon": "true" if won else "false",
        "CreatedDate": f"{created}T12:00:00.000Z",
        "IsDeleted": "false",
        "SystemModstamp": "2025-05-01T00:00:00.000Z",
    }


U = USER
OPPORTUNITIES = [
    # Cal, won 03/05 while employed: Mia's March. Created 02/03: the CRM's first activity (coverage start).
    opp(1, U["000003"], True, "100", "2025-03-05", "2025-02-03"),
    # Cal, won 03/20, after his termination (03/10) and before his rehire (04/01): nobody's.
    opp(2, U["000003"], True, "200", "2025-03-20", "2025-02-10"),
    # Cal, won 04/10 after the rehire: Mia's April. Created 03/25 while not employed: no pipeline for anyone.
    opp(3, U["000003"], True, "400", "2025-04-10", "2025-03-25"),
    # Eve is active but job_history names no manager: nobody's.
    opp(4, U["000005"], True, "50", "2025-04-15", "2025-04-01"),
    # Dee, closes 05/20, after the as-of date: nowhere yet. Created 04/02: Mia's April pipeline.
    opp(5, U["000004"], False, "1000", "2025-05-20", "2025-04-02"),
]


def call(n, owner, day):
    return {
        "Id": sfid("Call2_vod__c", 900 + n),
        "OwnerId": owner,
        "Call_Date_vod__c": day,
        "Status_vod__c": "Submitted_vod",
        "IsDeleted": "false",
        "SystemModstamp": f"{day}T10:00:00.000Z",
    }


CALLS = [call(1, UNMATCHED_USER, "2025-03-03"), call(2, U["000004"], "2025-04-07")]


def session(n, coach, coachee, day):
    return {
        "Id": sfid("Coaching_Report_vod__c", 950 + n),
        "Manager_vod__c": coach,
        "Employee_vod__c": coachee,
        "Review_Date__c": day,
        "Status__c": "Submitted",
        "Duration_Minutes__c": "30",
        "Coaching_Level__c": "Rep",
        "IsDeleted": "false",
        "SystemModstamp": f"{day}T10:00:00.000Z",
    }


SESSIONS = [session(1, U["000001"], U["000004"], "2025-02-15"), session(2, U["000001"], UNMATCHED_USER, "2025-03-01")]


@pytest.fixture(scope="module")
def wh(tmp_path_factory) -> RawWarehouse:
    w = RawWarehouse(tmp_path_factory.mktemp("rules"))
    w.add("hris_job_history", JOB_HISTORY, EXTRACT)
    w.add("hris_workers", workers(), EXTRACT)
    w.add("crm_user", users(), EXTRACT)
    w.add("crm_opportunity", OPPORTUNITIES, EXTRACT)
    w.add("crm_call", CALLS, EXTRACT)
    w.add("crm_coaching_report", SESSIONS, EXTRACT)
    w.add("crm_dated_conversion_rate", [], EXTRACT)
    run_dbt(w.home, "build")
    return w


def rows(wh: RawWarehouse, sql: str) -> list[dict]:
    return wh.dicts(sql)


def test_published_months_start_with_the_first_crm_activity(wh):
    months = [r["month"] for r in rows(wh, "select month from marts.dim_month order by month")]
    assert months == [date(2025, 2, 1), date(2025, 3, 1), date(2025, 4, 1), date(2025, 5, 1)]
    for mart in ("mart_manager_coaching", "mart_manager_retention", "mart_manager_revenue"):
        got = rows(wh, f"select distinct month from marts.{mart} order by month")
        assert [r["month"] for r in got] == months, mart


def test_trailing_window_reaches_back_before_the_coverage_start(wh):
    got = {
        r["month"]: r
        for r in rows(
            wh,
            "select month, headcount_start, headcount_end, hires, separations, trailing_12m_separations, "
            "trailing_12m_avg_headcount, trailing_12m_turnover_rate from marts.mart_manager_retention "
            "where manager_employee_id = '000001'",
        )
    }
    # Feb 2025: window 2024-03..2025-02: Mar-May 2024 4 + 4 + 4, Jun 3.5, Jul-Dec 6 x 3, Jan 2.5, Feb 2 = 38;
    # separations Ben (06/2024) and Fin (01/2025), both before the coverage start.
    feb = got[date(2025, 2, 1)]
    assert (feb["headcount_start"], feb["headcount_end"], feb["separations"]) == (2, 2, 0)
    assert feb["trailing_12m_separations"] == 2
    assert feb["trailing_12m_avg_headcount"] == pytest.approx(38 / 12)
    assert feb["trailing_12m_turnover_rate"] == pytest.approx(2 / (38 / 12))
    # Mar 2025: Cal leaves 03/10 -> 1 separation, head count 2 -> 1.
    mar = got[date(2025, 3, 1)]
    assert (mar["headcount_start"], mar["headcount_end"], mar["separations"]) == (2, 1, 1)
    # Apr 2025: Cal's rehire under Mia is a hire.
    assert (got[date(2025, 4, 1)]["hires"], got[date(2025, 4, 1)]["headcount_start"]) == (1, 2)
    # May 2025: window 2024-06..2025-05: 3.5 + 18 + 2.5 + 2 + 1.5 + 2 + 2 = 31.5; Ben, Fin, Cal.
    may = got[date(2025, 5, 1)]
    assert may["trailing_12m_separations"] == 3
    assert may["trailing_12m_avg_headcount"] == pytest.approx(31.5 / 12)


def test_revenue_credits_a_rehires_deals_only_while_employed(wh):
    got = {
        r["month"]: r
        for r in rows(
            wh,
            "select month, bookings_usd, won_deals, lost_deals, pipeline_created_usd, submitted_calls, "
            "direct_reports_eom, workdays, calls_per_rep_per_workday from marts.mart_manager_revenue "
            "where manager_employee_id = '000001'",
        )
    }
    # Feb: O1 and O2 created while Cal was Mia's -> pipeline 100 + 200.
    assert got[date(2025, 2, 1)] | {} == {
        "month": date(2025, 2, 1), "bookings_usd": 0.0, "won_deals": 0, "lost_deals": 0,
        "pipeline_created_usd": 300.0, "submitted_calls": 0, "direct_reports_eom": 2, "workdays": 20,
        "calls_per_rep_per_workday": 0.0,
    }  # fmt: skip
    # Mar: O1 (03/05) counts; O2 (03/20, Cal not employed) does not; O3 created 03/25 while not employed.
    mar = got[date(2025, 3, 1)]
    assert (mar["bookings_usd"], mar["won_deals"], mar["pipeline_created_usd"]) == (100.0, 1, 0.0)
    # Apr: O3 won 04/10 after the rehire -> 400; O4 is Eve's (no manager); O5 created 04/02 by Dee -> 1000.
    # Dee's visit 04/07 -> 1 call / 2 reports / 22 workdays.
    apr = got[date(2025, 4, 1)]
    assert (apr["bookings_usd"], apr["won_deals"], apr["pipeline_created_usd"]) == (400.0, 1, 1000.0)
    assert apr["calls_per_rep_per_workday"] == pytest.approx(1 / 2 / 22)
    # May (to 05/15, 11 workdays): O5 closes 05/20, after the as-of date -> nothing yet.
    may = got[date(2025, 5, 1)]
    assert (may["lost_deals"], may["workdays"]) == (0, 11)


def test_unattributed_activity_names_the_reason(wh):
    got = rows(
        wh,
        "select activity, record_id, activity_date, user_id, employee_id, reason "
        "from marts.unattributed_activity order by activity, record_id",
    )
    assert got == [
        {"activity": "deal", "record_id": sfid("Opportunity", 802), "activity_date": date(2025, 3, 20),
         "user_id": U["000003"], "employee_id": "000003", "reason": "not_employed_on_the_day"},
        {"activity": "deal", "record_id": sfid("Opportunity", 804), "activity_date": date(2025, 4, 15),
         "user_id": U["000005"], "employee_id": "000005", "reason": "no_manager_on_the_day"},
        {"activity": "deal", "record_id": sfid("Opportunity", 805), "activity_date": date(2025, 5, 20),
         "user_id": U["000004"], "employee_id": "000004", "reason": "after_as_of_date"},
        {"activity": "session", "record_id": sfid("Coaching_Report_vod__c", 952), "activity_date": date(2025, 3, 1),
         "user_id": U["000001"], "employee_id": "000001", "reason": "coachee_unmatched"},
        {"activity": "visit", "record_id": sfid("Call2_vod__c", 901), "activity_date": date(2025, 3, 3),
         "user_id": UNMATCHED_USER, "employee_id": None, "reason": "user_unmatched"},
    ]  # fmt: skip
    # ...and with what counts in the marts they add up: 5 closed deals = 2 counted + 3; 2 visits = 1 + 1;
    # 2 sessions = 1 (Mia's February row) + 1.
    counted = rows(
        wh,
        "select (select sum(won_deals + lost_deals) from marts.mart_manager_revenue) as deals, "
        "(select sum(submitted_calls) from marts.mart_manager_revenue) as visits, "
        "(select sum(sessions_delivered) from marts.mart_manager_coaching) as sessions",
    )
    assert counted == [{"deals": 2, "visits": 1, "sessions": 1}]


def test_quarter_measures_count_every_month_of_the_first_quarter(wh):
    got = {
        r["quarter"]: r
        for r in rows(
            wh,
            "select quarter, direct_reports_eoq, bookings_usd, separations, avg_headcount, turnover_rate, "
            "attainment_pct, next_quarter_turnover_rate from marts.mart_coaching_effectiveness "
            "where manager_employee_id = '000001'",
        )
    }
    # Q1 2025 contains the coverage start (February) and is published with all three months: Fin's January
    # separation and Cal's March one; mean avg_headcount (2.5 + 2 + 1.5) / 3 = 2 -> turnover 2 / 2 = 1.
    # Q4 2024 and earlier are not published.
    assert sorted(got) == [date(2025, 1, 1), date(2025, 4, 1)]
    q1 = got[date(2025, 1, 1)]
    assert (q1["direct_reports_eoq"], q1["bookings_usd"], q1["separations"]) == (1, 100.0, 2)
    assert q1["avg_headcount"] == pytest.approx(2.0)
    assert q1["turnover_rate"] == pytest.approx(1.0)
    assert q1["attainment_pct"] is None and q1["next_quarter_turnover_rate"] is None
    # Q2 to 05/15: Cal and Dee at quarter end; O3 400; no separation; (2 + 2) / 2 months = 2 -> 0.
    q2 = got[date(2025, 4, 1)]
    assert (q2["direct_reports_eoq"], q2["bookings_usd"], q2["separations"], q2["turnover_rate"]) == (2, 400.0, 0, 0.0)
