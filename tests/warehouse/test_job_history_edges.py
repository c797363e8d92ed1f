"""Job histories at the edge of what sources.md promises, and out of it, read by metrics.md's words, and published.

    000001 Cara  Second-Line Manager, her own manager (the top of the org chart names herself)
      000010 Amy  First-Line Manager
        000101 Rita  rep: Hire 01/06/2025, Termination 03/14/2025 (Voluntary, regretted),
                          Termination 03/28/2025 again (Involuntary): two Terminations in a row
        000103 Ron   rep

Everything is delivered on 2025-04-10.

- "Manager of a person on day d" is the Manager Employee ID of their job_history row, so Cara is her own
  direct report: two at the end of February, the first month published (Amy and herself). Amy coaches Cara on
  2025-02-10, Feedback 3: Cara's Q1 skill row names Cara as her manager (an error-level test once refused exactly
  that, and the whole night).
- "Employment span: from a Hire row to the NEXT Termination row": Rita's span is 01-06 to 03-14. The second
  Termination ends nothing: March has one separation for Amy (voluntary, regretted, in the first year), and
  Rita's visit on 03-28 counts in no manager's row (not employed on the day), where the second Termination row
  used to reopen a one-day reporting line to Amy and two overlapping spans stopped the build.
"""

from __future__ import annotations

from datetime import date

import pytest

from pipelines.sample.ids import sfid
from tests.warehouse.rawkit import RawWarehouse, add_org, job_row, run_dbt

pytestmark = pytest.mark.slow

EXTRACT = "2025-04-10"
HIRED = "01/06/2025"
PEOPLE = {  # id: (name, level, manager)
    "000001": ("Cara Slm", "Second-Line Manager", "000001"),
    "000010": ("Amy Flm", "First-Line Manager", "000001"),
    "000101": ("Rita Rep", "Individual Contributor", "000010"),
    "000103": ("Ron Rep", "Individual Contributor", "000010"),
}
USER = {e: sfid("User", 8_000 + int(e)) for e in PEOPLE}
VISIT = sfid("Call2_vod__c", 8_001)


@pytest.fixture(scope="module")
def wh(tmp_path_factory) -> RawWarehouse:
    w = RawWarehouse(tmp_path_factory.mktemp("job_history_edges"))
    terminations = [
        job_row(PEOPLE, "000101", "03/14/2025", "Termination", **{"Termination Category": "Voluntary",
                "Regrettable Termination": "Yes", "Primary Termination Reason": "New job"}),
        job_row(PEOPLE, "000101", "03/28/2025", "Termination", **{"Termination Category": "Involuntary",
                "Regrettable Termination": "No", "Primary Termination Reason": "Policy"}),
    ]  # fmt: skip
    add_org(w, PEOPLE, USER, EXTRACT, HIRED, terminations)
    w.add(
        "crm_coaching_report",
        [
            {"Id": sfid("Coaching_Report_vod__c", 8_001), "Manager_vod__c": USER["000010"],
             "Employee_vod__c": USER["000001"], "Review_Date__c": "2025-02-10", "Status__c": "Submitted",
             "Duration_Minutes__c": "30", "Coaching_Level__c": "Manager", "Feedback_Rating__c": "3 - Proficient",
             "IsDeleted": "false", "SystemModstamp": "2025-02-10T10:00:00.000Z"}
        ],
        EXTRACT,
    )  # fmt: skip
    w.add(
        "crm_call",
        [{"Id": VISIT, "OwnerId": USER["000101"], "Call_Date_vod__c": "2025-03-28", "Status_vod__c": "Submitted_vod",
          "IsDeleted": "false", "SystemModstamp": "2025-03-28T10:00:00.000Z"}],
        EXTRACT,
    )  # fmt: skip
    run_dbt(w.home, "build")  # raises when a test of error severity fails
    return w


def test_a_person_who_is_their_own_manager_is_their_own_direct_report_and_their_skill_row_publishes(wh):
    (cara,) = wh.dicts(
        "select direct_reports_eom, second_line_manager_employee_id from marts.mart_manager_coaching "
        "where manager_employee_id = '000001' and month = '2025-02-01'"
    )
    assert cara == {"direct_reports_eom": 2, "second_line_manager_employee_id": "000001"}
    (rated,) = wh.dicts(
        "select management_level, manager_employee_id, rating_sum, rating_count, avg_rating "
        "from marts.mart_skill_ratings where coachee_employee_id = '000001' and skill = 'feedback'"
    )
    assert rated == {"management_level": "Second-Line Manager", "manager_employee_id": "000001", "rating_sum": 3,
                     "rating_count": 1, "avg_rating": 3.0}  # fmt: skip


def test_a_termination_after_a_termination_ends_nothing(wh):
    (march,) = wh.dicts(
        "select headcount_start, headcount_end, separations, voluntary_separations, involuntary_separations, "
        "regretted_separations, first_year_separations from marts.mart_manager_retention "
        "where manager_employee_id = '000010' and month = '2025-03-01'"
    )
    assert march == {"headcount_start": 2, "headcount_end": 1, "separations": 1, "voluntary_separations": 1,
                     "involuntary_separations": 0, "regretted_separations": 1, "first_year_separations": 1}  # fmt: skip
    (rita,) = wh.dicts("select termination_date from marts.dim_employee where employee_id = '000101'")
    assert rita == {"termination_date": date(2025, 3, 14)}
    assert wh.query("select reason from marts.unattributed_activity where record_id = ?", [VISIT]) == [
        ("not_employed_on_the_day",)
    ]
    (amy_march,) = wh.query(
        "select submitted_calls from marts.mart_manager_revenue where manager_employee_id = '000010' "
        "and month = '2025-03-01'"
    )
    assert amy_march == (0,)


# Two histories out of sources.md's order (the first row of a person a Hire, the row after a Termination a Rehire),
# read by metrics.md's span definition, "from a Hire or Rehire row's Effective Date to the next Termination row's
# Effective Date", under Amy (000010, First-Line Manager) of the organisation above, delivered on 2025-04-10:
#   000102 Tom  Transfer 01/06/2025, no Hire: in no span, never active, never Amy's direct report.
#   000104 Una  Hire 01/06/2025, Termination 02/14/2025, Change Manager 03/03/2025: the Change Manager rehires
#               nobody, so Una is not active after 02-14 (before, it opened a second span: a March hire for Amy).
#   000105 Val  Hire 01/06/2025: in order, Amy's direct report throughout.
# Visits: Tom 2025-02-03 and Una 2025-03-10 count in no manager's row (not employed on the day); Val 2025-03-10
# counts for Amy. The coverage starts in February (Tom's visit is the first CRM activity).
OUT_OF_ORDER = {
    "000001": ("Cara Slm", "Second-Line Manager", "000001"),
    "000010": ("Amy Flm", "First-Line Manager", "000001"),
    "000102": ("Tom Rep", "Individual Contributor", "000010"),
    "000104": ("Una Rep", "Individual Contributor", "000010"),
    "000105": ("Val Rep", "Individual Contributor", "000010"),
}
OUT_USER = {e: sfid("User", 9_000 + int(e)) for e in OUT_OF_ORDER}
OUT_VISITS = {  # owner: (Call_Date_vod__c, Id)
    "000102": ("2025-02-03", sfid("Call2_vod__c", 9_001)),
    "000104": ("2025-03-10", sfid("Call2_vod__c", 9_002)),
    "000105": ("2025-03-10", sfid("Call2_vod__c", 9_003)),
}


@pytest.fixture(scope="module")
def out_of_order(tmp_path_factory) -> RawWarehouse:
    w = RawWarehouse(tmp_path_factory.mktemp("job_history_out_of_order"))
    people = OUT_OF_ORDER
    out_of_order_rows = [
        job_row(people, "000102", HIRED, "Transfer"),
        job_row(people, "000104", "02/14/2025", "Termination", **{"Termination Category": "Voluntary",
                "Regrettable Termination": "No", "Primary Termination Reason": "New job"}),
        job_row(people, "000104", "03/03/2025", "Change Manager"),
    ]  # fmt: skip
    add_org(w, people, OUT_USER, EXTRACT, HIRED, out_of_order_rows, hires=("000001", "000010", "000104", "000105"))
    w.add(
        "crm_call",
        [{"Id": call, "OwnerId": OUT_USER[e], "Call_Date_vod__c": day, "Status_vod__c": "Submitted_vod",
          "IsDeleted": "false", "SystemModstamp": f"{day}T10:00:00.000Z"} for e, (day, call) in OUT_VISITS.items()],
        EXTRACT,
    )  # fmt: skip
    run_dbt(w.home, "build")  # the sequence test warns; raises only when a test of error severity fails
    return w


def test_a_history_out_of_order_is_read_by_the_span_definition(out_of_order):
    wh = out_of_order
    amy = wh.dicts(
        "select month, headcount_start, headcount_end, hires, separations from marts.mart_manager_retention "
        "where manager_employee_id = '000010' order by month"
    )
    assert amy == [
        # February: Una and Val on the 1st (Tom never), Val alone on the 28th after Una's Termination on the 14th
        {"month": date(2025, 2, 1), "headcount_start": 2, "headcount_end": 1, "hires": 0, "separations": 1},
        # March: Val alone; Una's Change Manager on the 3rd is no hire
        {"month": date(2025, 3, 1), "headcount_start": 1, "headcount_end": 1, "hires": 0, "separations": 0},
        {"month": date(2025, 4, 1), "headcount_start": 1, "headcount_end": 1, "hires": 0, "separations": 0},
    ]
    people = wh.dicts(
        "select employee_id, hire_date, termination_date, is_active, employment_spans, current_manager_employee_id "
        "from marts.dim_employee where employee_id in ('000102', '000104') order by employee_id"
    )
    assert people == [
        {"employee_id": "000102", "hire_date": None, "termination_date": None, "is_active": False,
         "employment_spans": 0, "current_manager_employee_id": None},
        {"employee_id": "000104", "hire_date": date(2025, 1, 6), "termination_date": date(2025, 2, 14),
         "is_active": False, "employment_spans": 1, "current_manager_employee_id": None},
    ]  # fmt: skip
    unattributed = wh.query("select record_id, reason from marts.unattributed_activity where activity = 'visit'")
    assert sorted(unattributed) == sorted(
        [(OUT_VISITS["000102"][1], "not_employed_on_the_day"), (OUT_VISITS["000104"][1], "not_employed_on_the_day")]
    )
    march = wh.query(
        "select submitted_calls from marts.mart_manager_revenue where manager_employee_id = '000010' "
        "and month = '2025-03-01'"
    )
    assert march == [(1,)]
