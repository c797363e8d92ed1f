"""The three skill marts on a hand-made organisation whose answers are worked out here, cell by cell.

Everything is delivered on 2025-10-15 (the as-of date). HR and CRM both start in January 2025, so Q1 2025
is the first published quarter. Q1 and Q2 have a complete next quarter (as-of >= 2025-09-30); Q3 does not
(Q4 ends 12-31), and Q4 runs to 10-15. All amounts are USD (rate 1).

    000001 Sam  Second-Line Manager
      000002 Fay  First-Line Manager: 000011 Rita, 000012 Rob (Termination 08/15/2025, under Fay)
      000003 Gus  First-Line Manager: 000013 Ray.  07/01/2025 Change Manager -> Zoe
      000004 Hal  Individual Contributor (not an FLM: never one of Sam's FLMs)
    000005 Zoe  Second-Line Manager: 000014 Ivy (Individual Contributor), and Gus from 07/01

Quotas (ForecastingQuota, 1000 a month): Rita and Ray January-October, Rob January-August.
Won deals (owner, close date, USD): Rita 02/14 900, 05/15 2400, 09/10 3300; Rob 06/02 1500, 07/08 1000;
Ray 03/03 1200, 04/20 3000, 08/19 2700.

Team results (mart_coaching_effectiveness, credited to the owner's manager on the close date; quota of the
direct reports at month end):
    Fay Q1: 900 / 6000 (Rita + Rob, 3 months);  Q2: (2400 + 1500) / 6000 = 0.65, no separation -> 0.0;
    Fay Q3: (3300 + 1000) / (Jul 2000 + Aug 1000 + Sep 1000: Rob is no report at 08/31) = 1.075;
            Rob's separation; mean head count (Jul 2 + Aug 1.5 + Sep 1) / 3 = 1.5 -> turnover 1 / 1.5.
    Gus Q1: 1200 / 3000;  Q2: 3000 / 3000;  Q3: 2700 / 3000 = 0.9, turnover 0.0.
Coaching hours per direct report (minutes delivered / 60 / reports at quarter end):
    Fay Q1 (60 + 30 + 60) / 60 / 2 = 1.25; Q2 (60 + 30) / 60 / 2 = 0.75; Q3 (60 + 30) / 60 / 1 = 1.5; Q4 0.
    Gus Q1 0; Q2 90 / 60 / 1 = 1.5; Q3 0; Q4 0.
"""

from __future__ import annotations

from datetime import date

import pytest

from pipelines.sample.ids import sfid, to15
from tests.warehouse.rawkit import RawWarehouse, run_dbt

pytestmark = pytest.mark.slow

EXTRACT = "2025-10-15"
SAM, FAY, GUS, HAL, ZOE = "000001", "000002", "000003", "000004", "000005"
RITA, ROB, RAY, IVY = "000011", "000012", "000013", "000014"

PEOPLE = {
    SAM: ("Sam Slm", "Second-Line Manager"),
    FAY: ("Fay Flm", "First-Line Manager"),
    GUS: ("Gus Flm", "First-Line Manager"),
    HAL: ("Hal Ic", "Individual Contributor"),
    ZOE: ("Zoe Slm", "Second-Line Manager"),
    RITA: ("Rita Rep", "Individual Contributor"),
    ROB: ("Rob Rep", "Individual Contributor"),
    RAY: ("Ray Rep", "Individual Contributor"),
    IVY: ("Ivy Rep", "Individual Contributor"),
}
U = {e: sfid("User", 5_000 + int(e)) for e in PEOPLE}


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
    job(SAM, "01/01/2025", "Hire", ""),
    job(ZOE, "01/01/2025", "Hire", ""),
    job(FAY, "01/01/2025", "Hire", SAM),
    job(GUS, "01/01/2025", "Hire", SAM),
    job(GUS, "07/01/2025", "Change Manager", ZOE),
    job(HAL, "01/01/2025", "Hire", SAM),
    job(IVY, "01/01/2025", "Hire", ZOE),
    job(RITA, "01/01/2025", "Hire", FAY),
    job(ROB, "01/01/2025", "Hire", FAY),
    job(ROB, "08/15/2025", "Termination", FAY, cat="Voluntary"),
    job(RAY, "01/01/2025", "Hire", GUS),
]


def workers() -> list[dict]:
    return [
        {
            "Employee ID": emp,
            "Legal Name": name,
            "Work Email": f"{emp}@acme.test",
            "Management Level": level,
            "Region": "East",
            "Worker Status": "Terminated" if emp == ROB else "Active",
        }
        for emp, (name, level) in PEOPLE.items()
    ]


def users() -> list[dict]:
    return [{"Id": U[e], "EmployeeNumber": e, "Email": f"{e}@acme.test", "IsActive": "true"} for e in PEOPLE]


RATING = {1: "1 - Needs Development", 2: "2 - Developing", 3: "3 - Proficient", 4: "4 - Advanced", 5: "5 - Role Model"}


def session(n, coach, coachee, day, minutes, **ratings):
    row = {
        "Id": sfid("Coaching_Report_vod__c", 700 + n),
        "Manager_vod__c": U[coach],
        "Employee_vod__c": U[coachee],
        "Review_Date__c": day,
        "Status__c": "Submitted",
        "Duration_Minutes__c": minutes,
        "Coaching_Level__c": "Manager" if PEOPLE[coach][1] == "Second-Line Manager" else "Rep",
        "IsDeleted": "false",
        "SystemModstamp": f"{day}T10:00:00.000Z",
    }
    row.update({f"{k}_Rating__c": RATING[v] for k, v in ratings.items()})
    return row


SESSIONS = [
    # FLMs coach reps
    session(1, FAY, RITA, "2025-02-10", "60", Closing=2, Opening=4),
    session(2, FAY, RITA, "2025-03-05", "30", Closing=3),
    session(3, FAY, ROB, "2025-03-12", "60", Closing=4),
    session(4, FAY, RITA, "2025-05-06", "60", Closing=4),
    session(5, FAY, ROB, "2025-05-07", "30", Closing=3),
    session(6, GUS, RAY, "2025-04-15", "90", Closing=5),
    session(7, FAY, RITA, "2025-08-05", "60", Closing=5),
    session(8, FAY, ROB, "2025-07-20", "30", Closing=2),
    session(9, FAY, RITA, "2025-10-20", "60", Closing=1),  # after the as-of date: counts nowhere
    # SLMs coach: Sam -> Fay (with a rep-skill rating too), Hal (no FLM), Gus; Zoe -> Gus
    session(11, SAM, FAY, "2025-02-20", "60", Feedback=4, Motivation=5, Closing=3),
    session(12, SAM, FAY, "2025-03-20", "45", Feedback=3),
    session(13, SAM, HAL, "2025-03-25", "30", Feedback=2, Closing=1),
    session(14, SAM, GUS, "2025-05-10", "60", Feedback=2),
    session(15, SAM, FAY, "2025-05-20", "", Feedback=4, Observation=3),  # no duration: 0 minutes
    session(16, ZOE, GUS, "2025-08-01", "60", Feedback=5),
    session(17, SAM, GUS, "2025-08-10", "30", Feedback=4),  # Gus is Zoe's by then: not to one of Sam's FLMs
]


def opp(n, owner, amount, close):
    return {
        "Id": sfid("Opportunity", 600 + n),
        "OwnerId": U[owner],
        "StageName": "Closed Won",
        "Amount": amount,
        "CurrencyIsoCode": "USD",
        "CloseDate": close,
        "IsClosed": "true",
        "IsWon": "true",
        "CreatedDate": "2025-01-05T12:00:00.000Z",
        "IsDeleted": "false",
        "SystemModstamp": "2025-10-01T00:00:00.000Z",
    }


OPPORTUNITIES = [
    opp(1, RITA, "900", "2025-02-14"),
    opp(2, RITA, "2400", "2025-05-15"),
    opp(3, RITA, "3300", "2025-09-10"),
    opp(4, ROB, "1500", "2025-06-02"),
    opp(5, ROB, "1000", "2025-07-08"),
    opp(6, RAY, "1200", "2025-03-03"),
    opp(7, RAY, "3000", "2025-04-20"),
    opp(8, RAY, "2700", "2025-08-19"),
]


def quotas() -> list[dict]:
    months = {RITA: range(1, 11), RAY: range(1, 11), ROB: range(1, 9)}
    return [
        {
            "Id": sfid("ForecastingQuota", 400 + int(rep) * 20 + m),
            "QuotaOwnerId": to15(U[rep]),
            "StartDate": f"2025-{m:02d}-01",
            "QuotaAmount": "1000",
            "CurrencyIsoCode": "USD",
            "SystemModstamp": "2025-01-01T00:00:00.000Z",
        }
        for rep, ms in months.items()
        for m in ms
    ]


@pytest.fixture(scope="module")
def wh(tmp_path_factory) -> RawWarehouse:
    w = RawWarehouse(tmp_path_factory.mktemp("skills"))
    w.add("hris_job_history", JOB_HISTORY, EXTRACT)
    w.add("hris_workers", workers(), EXTRACT)
    w.add("crm_user", users(), EXTRACT)
    w.add("crm_coaching_report", SESSIONS, EXTRACT)
    w.add("crm_opportunity", OPPORTUNITIES, EXTRACT)
    w.add("crm_forecasting_quota", quotas(), EXTRACT)
    w.add("crm_dated_conversion_rate", [], EXTRACT)
    run_dbt(
        w.home,
        "build",
        "--select",
        "+dim_employee",
        "+mart_skill_ratings+",
        "+mart_second_line_coaching",
        "--indirect-selection",
        "cautious",
    )
    return w


def by_key(wh: RawWarehouse, mart: str, key: tuple[str, ...]) -> dict[tuple, dict]:
    rows = wh.dicts(f"select * from marts.{mart}")
    return {tuple(str(r[k]) for k in key): r for r in rows}


def check(actual: dict[tuple, dict], expected: dict[tuple, dict]) -> None:
    """The mart holds exactly the expected rows, and every column of every row is as worked out."""
    assert sorted(actual) == sorted(expected)
    for key, want in expected.items():
        got = actual[key]
        assert set(got) == set(want), f"{key}: columns not checked or unknown: {set(got) ^ set(want)}"
        for col, value in want.items():
            if isinstance(value, float):
                assert got[col] == pytest.approx(value, abs=1e-9), f"{key} {col}: {got[col]} != {value}"
            else:
                assert got[col] == value, f"{key} {col}: {got[col]!r} != {value!r}"


Q1, Q2, Q3, Q4 = "2025-01-01", "2025-04-01", "2025-07-01", "2025-10-01"
QUARTER_END = {Q1: date(2025, 3, 31), Q2: date(2025, 6, 30), Q3: date(2025, 9, 30), Q4: date(2025, 10, 15)}
NEXT_COMPLETE = {Q1: True, Q2: True, Q3: False, Q4: False}
REP_SKILLS = {"closing", "opening"}


def rating(coachee, quarter, skill, level, manager, ratings, previous):
    return (coachee, quarter, skill), {
        "coachee_employee_id": coachee,
        "quarter": date.fromisoformat(quarter),
        "skill": skill,
        "skill_kind": "rep" if skill in REP_SKILLS else "coaching",
        "management_level": level,
        "manager_employee_id": manager,
        "rating_sum": sum(ratings),
        "rating_count": len(ratings),
        "avg_rating": sum(ratings) / len(ratings),
        "previous_quarter_avg_rating": previous,
        "quarter_end": QUARTER_END[quarter],
        "is_next_quarter_complete": NEXT_COMPLETE[quarter],
    }


IC, FLM = "Individual Contributor", "First-Line Manager"


def test_skill_ratings(wh):
    expected = dict(
        [
            # Q1: Rita's closing 2 and 3 -> 2.5; the rep-skill rating Sam gave Fay is Fay's closing row
            rating(RITA, Q1, "closing", IC, FAY, [2, 3], None),
            rating(RITA, Q1, "opening", IC, FAY, [4], None),
            rating(ROB, Q1, "closing", IC, FAY, [4], None),
            rating(FAY, Q1, "feedback", FLM, SAM, [4, 3], None),
            rating(FAY, Q1, "motivation", FLM, SAM, [5], None),
            rating(FAY, Q1, "closing", FLM, SAM, [3], None),
            rating(HAL, Q1, "feedback", IC, SAM, [2], None),
            rating(HAL, Q1, "closing", IC, SAM, [1], None),
            # Q2: previous quarter's averages beside
            rating(RITA, Q2, "closing", IC, FAY, [4], 2.5),
            rating(ROB, Q2, "closing", IC, FAY, [3], 4.0),
            rating(RAY, Q2, "closing", IC, GUS, [5], None),
            rating(GUS, Q2, "feedback", FLM, SAM, [2], None),
            rating(FAY, Q2, "feedback", FLM, SAM, [4], 3.5),
            rating(FAY, Q2, "observation", FLM, SAM, [3], None),
            # Q3: Rob left on 08/15 -> no manager at quarter end, level of his last row; Gus is Zoe's by 09/30
            # and was rated by both Zoe (5) and Sam (4)
            rating(RITA, Q3, "closing", IC, FAY, [5], 4.0),
            rating(ROB, Q3, "closing", IC, None, [2], 3.0),
            rating(GUS, Q3, "feedback", FLM, ZOE, [5, 4], 2.0),
            # Q4: the only session (10/20) is after the as-of date: no row
        ]
    )
    check(by_key(wh, "mart_skill_ratings", ("coachee_employee_id", "quarter", "skill")), expected)


def impact(quarter, skill, band, ratings, attainments, turnover=None, separations=None):
    """ratings: the rows' avg_rating; attainments: their next-quarter attainment (None = no value)."""
    known = [a for a in attainments if a is not None]
    kind = "rep" if skill in REP_SKILLS else "coaching"
    return (quarter, skill, band), {
        "quarter": date.fromisoformat(quarter),
        "skill": skill,
        "rating_band": band,
        "skill_kind": kind,
        "coachees": len(ratings),
        "avg_rating": sum(ratings) / len(ratings),
        "avg_next_quarter_attainment_pct": sum(known) / len(known) if known else None,
        "coachees_with_next_quarter_attainment": len(known),
        "avg_next_quarter_turnover_rate": turnover,
        "next_quarter_separations": separations if kind == "rep" else None,
    }


def test_skill_impact(wh):
    # Rep skills, own next-quarter attainment: Rita Q2 2400 / 3000 = 0.8, Q3 3300 / 3000 = 1.1; Rob Q2
    # 1500 / 3000 = 0.5, Q3 1000 / (Jul + Aug quota) 2000 = 0.5 and his span ends in Q3; Ray Q3 2700 / 3000;
    # Fay and Hal have no quota (no value). Coaching skills, the team's: Fay Q2 0.65 (turnover 0), Q3 1.075
    # (turnover 1 / 1.5); Gus Q3 0.9 (0); Hal has no mart_coaching_effectiveness row.
    expected = dict(
        [
            impact(Q1, "closing", "low", [2.5, 1.0], [0.8, None], separations=0),
            impact(Q1, "closing", "mid", [3.0], [None], separations=0),
            impact(Q1, "closing", "high", [4.0], [0.5], separations=0),
            impact(Q1, "opening", "high", [4.0], [0.8], separations=0),
            impact(Q1, "feedback", "low", [2.0], [None]),
            impact(Q1, "feedback", "mid", [3.5], [0.65], turnover=0.0),
            impact(Q1, "motivation", "high", [5.0], [0.65], turnover=0.0),
            impact(Q2, "closing", "high", [4.0, 5.0], [1.1, 0.9], separations=0),
            impact(Q2, "closing", "mid", [3.0], [0.5], separations=1),
            impact(Q2, "feedback", "low", [2.0], [0.9], turnover=0.0),
            impact(Q2, "feedback", "high", [4.0], [1.075], turnover=1 / 1.5),
            impact(Q2, "observation", "mid", [3.0], [1.075], turnover=1 / 1.5),
            # Q3 and Q4: next quarter not complete, no rows
        ]
    )
    check(by_key(wh, "mart_skill_impact", ("quarter", "skill", "rating_band")), expected)


def slm(manager, quarter, flms, coached, sessions, minutes, ratings, hours, bookings, quota, next_hours, next_att):
    return (manager, quarter), {
        "manager_employee_id": manager,
        "quarter": date.fromisoformat(quarter),
        "quarter_end": QUARTER_END[quarter],
        "flms_eoq": flms,
        "flms_coached": coached,
        "flm_coverage_pct": coached / flms if flms else None,
        "sessions_to_flms": sessions,
        "coaching_minutes_to_flms": minutes,
        "coaching_skill_rating_sum_given": sum(ratings),
        "coaching_skill_rating_count_given": len(ratings),
        "avg_coaching_skill_rating_given": sum(ratings) / len(ratings) if ratings else None,
        "flm_coaching_hours_per_direct_report": hours,
        "flm_team_bookings_usd": float(bookings),
        "flm_team_quota_usd": float(quota),
        "flm_team_attainment_pct": bookings / quota if quota else None,
        "is_next_quarter_complete": NEXT_COMPLETE[quarter],
        "next_quarter_flm_coaching_hours_per_direct_report": next_hours,
        "next_quarter_flm_team_attainment_pct": next_att,
    }


def test_second_line_coaching(wh):
    expected = dict(
        [
            # Q1: Sam's FLMs Fay and Gus (Hal is no FLM); sessions 11 and 12 to Fay, 60 + 45 minutes, coaching-skill
            # ratings 4, 5, 3 (the closing rating is a rep skill); hours mean(1.25, 0) ; team (900 + 1200) / 9000;
            # next quarter, same FLMs: hours mean(0.75, 1.5), team (3900 + 3000) / 9000
            slm(SAM, Q1, 2, 1, 2, 105, [4, 5, 3], 0.625, 2100, 9000, 1.125, 6900 / 9000),
            # Q2: sessions 14 (Gus, 60) and 15 (Fay, no duration); ratings 2, 4, 3; next: Fay 1.5, Gus 0 and
            # (4300 + 2700) / (4000 + 3000)
            slm(SAM, Q2, 2, 2, 2, 60, [2, 4, 3], 1.125, 6900, 9000, 0.75, 1.0),
            # Q3: only Fay (Gus moved to Zoe); session 17 to Gus is not to one of Sam's FLMs
            slm(SAM, Q3, 1, 0, 0, 0, [], 1.5, 4300, 4000, None, None),
            # Q4 to 10-15: Fay coached nobody; her October row: Rita's quota 1000, no booking
            slm(SAM, Q4, 1, 0, 0, 0, [], 0.0, 0, 1000, None, None),
            # Zoe: only Ivy (no FLM) until Gus joins on 07/01
            slm(ZOE, Q1, 0, 0, 0, 0, [], None, 0, 0, None, None),
            slm(ZOE, Q2, 0, 0, 0, 0, [], None, 0, 0, None, None),
            slm(ZOE, Q3, 1, 1, 1, 60, [5], 0.0, 2700, 3000, None, None),
            slm(ZOE, Q4, 1, 0, 0, 0, [], 0.0, 0, 1000, None, None),
        ]
    )
    check(by_key(wh, "mart_second_line_coaching", ("manager_employee_id", "quarter")), expected)
