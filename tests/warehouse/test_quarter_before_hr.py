"""A quarter measure counts every month of its quarter, even a month before the HR history starts.

The HR history starts on 2025-08-10, in the middle of Q3 2025; the coaching in the CRM starts in July. The
coverage start is August (never before the first HR month), so July is not published, but Q3 is, and its
measures use all three of its months (metrics.md "Coverage"). Everything is delivered on 2025-10-10.

    000002 Sam  Second-Line Manager
      000010 Amy  First-Line Manager
        000101 Rita, 000103 Ron   reps

Sessions: Amy coaches Rita 60 minutes on 07-15 (July: before the HR history) and Ron 30 minutes on 09-05;
Sam coaches Amy 30 minutes on 07-20, rating her Feedback 2, and on 06-20 (Q2, before even the month calendar,
which starts at the quarter of the first HR month) rating her Feedback 4.
Q3 for Amy: 2 direct reports at quarter end, 90 minutes -> 90 / 60 / 2 = 0.75 hours per report, both reps
coached -> coverage 1.0, coached by her SLM with a coaching-skill rating of 2; her Q3 Feedback row looks back to
the 4 of Q2 (a rating needs no reporting line).
"""

from __future__ import annotations

from datetime import date

import pytest

from pipelines.sample.ids import sfid
from tests.warehouse.rawkit import RawWarehouse, add_org, run_dbt

pytestmark = pytest.mark.slow

EXTRACT = "2025-10-10"
HIRED = "08/10/2025"
PEOPLE = {  # id: (name, level, manager)
    "000002": ("Sam Slm", "Second-Line Manager", ""),
    "000010": ("Amy Flm", "First-Line Manager", "000002"),
    "000101": ("Rita Rep", "Individual Contributor", "000010"),
    "000103": ("Ron Rep", "Individual Contributor", "000010"),
}
USER = {e: sfid("User", 7_000 + int(e)) for e in PEOPLE}


def session(n, coach, coachee, day, minutes, level, **ratings):
    return {
        "Id": sfid("Coaching_Report_vod__c", 700 + n),
        "Manager_vod__c": USER[coach],
        "Employee_vod__c": USER[coachee],
        "Review_Date__c": day,
        "Status__c": "Submitted",
        "Duration_Minutes__c": str(minutes),
        "Coaching_Level__c": level,
        "IsDeleted": "false",
        "SystemModstamp": f"{day}T10:00:00.000Z",
        **ratings,
    }


@pytest.fixture(scope="module")
def wh(tmp_path_factory) -> RawWarehouse:
    w = RawWarehouse(tmp_path_factory.mktemp("quarter_before_hr"))
    add_org(w, PEOPLE, USER, EXTRACT, HIRED)
    w.add(
        "crm_coaching_report",
        [
            session(1, "000010", "000101", "2025-07-15", 60, "Rep", Closing_Rating__c="3 - Proficient"),
            session(2, "000002", "000010", "2025-07-20", 30, "Manager", Feedback_Rating__c="2 - Developing"),
            session(3, "000010", "000103", "2025-09-05", 30, "Rep"),
            session(4, "000002", "000010", "2025-06-20", 45, "Manager", Feedback_Rating__c="4 - Advanced"),
        ],
        EXTRACT,
    )
    run_dbt(w.home, "build")
    return w


def test_the_month_before_the_hr_history_is_not_published(wh):
    months = [r["month"] for r in wh.dicts("select month from marts.dim_month order by month")]
    assert months == [date(2025, 8, 1), date(2025, 9, 1), date(2025, 10, 1)]
    coached = wh.dicts(
        "select month, sessions_delivered from marts.mart_manager_coaching "
        "where manager_employee_id = '000010' order by month"
    )
    assert [(r["month"], r["sessions_delivered"]) for r in coached] == [
        (date(2025, 8, 1), 0),
        (date(2025, 9, 1), 1),
        (date(2025, 10, 1), 0),
    ]


def test_the_quarter_counts_its_month_before_the_hr_history(wh):
    (amy,) = wh.dicts(
        "select direct_reports_eoq, coaching_hours_per_direct_report, coverage_pct, coached_by_slm, "
        "avg_coaching_skill_rating_received from marts.mart_coaching_effectiveness "
        "where manager_employee_id = '000010' and quarter = '2025-07-01'"
    )
    assert amy == {
        "direct_reports_eoq": 2,
        "coaching_hours_per_direct_report": pytest.approx(90 / 60 / 2),
        "coverage_pct": pytest.approx(1.0),
        "coached_by_slm": True,
        "avg_coaching_skill_rating_received": pytest.approx(2.0),
    }
    (sam,) = wh.dicts(
        "select flms_eoq, sessions_to_flms, coaching_minutes_to_flms, flm_coaching_hours_per_direct_report "
        "from marts.mart_second_line_coaching where manager_employee_id = '000002' and quarter = '2025-07-01'"
    )
    assert sam == {
        "flms_eoq": 1,
        "sessions_to_flms": 1,
        "coaching_minutes_to_flms": pytest.approx(30),
        "flm_coaching_hours_per_direct_report": pytest.approx(0.75),
    }


def test_the_previous_quarter_of_a_skill_rating_reaches_before_the_hr_history(wh):
    (feedback,) = wh.dicts(
        "select rating_sum, rating_count, previous_quarter_avg_rating from marts.mart_skill_ratings "
        "where coachee_employee_id = '000010' and quarter = '2025-07-01' and skill = 'feedback'"
    )
    assert feedback == {"rating_sum": 2, "rating_count": 1, "previous_quarter_avg_rating": pytest.approx(4.0)}
