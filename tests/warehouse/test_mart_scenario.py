"""The six manager marts on one small hand-made organisation whose answers were worked out by hand.

The scenario (every export delivered on 2025-07-15, so the as-of date is 2025-07-15; history starts
2025-01-01 with the first Hire; quarters Q1 and Q2 2025 are complete, Q3 runs to 07-15):

    000001 Sam  Second-Line Manager, East, no manager
      000002 Fay  First-Line Manager, East            000005 Cody Individual Contributor (coaches once)
      000003 Gus  First-Line Manager, West -> North on 06/10 (Transfer)
      000006 Tia / 000007 Uma / 000008 Wes  First-Line Managers with one rep each (Tom / Val / Xia)

    reps (job_history):
      000011 Rita  01/01 Hire -> Fay;  03/16 Change Manager -> Gus                (manager change mid-month)
      000012 Rob   01/01 Hire -> Fay;  02/10 Termination (Voluntary, regretted) under Fay;
                   04/01 Rehire -> Gus; 07/01 Termination (Voluntary, not regretted) under Gus    (rehire)
      000013 Ria   02/15 Hire -> Fay;  05/20 Change Manager -> Gus;
                   05/31 Termination (Involuntary) under Gus   (credited to the manager on the last day)
      000014 Ray   01/01 Hire -> Fay, stays
      000015 Ned   01/01 Hire -> Gus;  01/20 Termination (Involuntary) under Gus   (Gus: no report in Feb)
      000016 Tom -> Tia, 000017 Val -> Uma, 000018 Xia -> Wes, all 01/01, stay

Direct reports per day (active and reporting), by manager:
    Fay: Jan 1..31 {Rita, Rob, Ray}; Feb 1 {Rita, Rob, Ray}, Feb 28 {Rita, Ria, Ray}; Mar 1 {Rita, Ria, Ray},
         Mar 31 {Ria, Ray}; Apr {Ria, Ray}; May 1 {Ria, Ray}, May 31 {Ray}; Jun, Jul {Ray}
    Gus: Jan 1 {Ned}, Jan 31 {}; Feb none (a gap month: no row); Mar 1 {}, Mar 31 {Rita};
         Apr 1..30 {Rita, Rob}; May 1 {Rita, Rob}, May 31 {Rita, Rob, Ria} (Ria's last day counts);
         Jun {Rita, Rob}; Jul 1 {Rita, Rob}, Jul 15 {Rita}
    Sam: {Fay, Gus, Cody, Tia, Uma, Wes} every day = 6
Workdays (Mon-Fri): Feb 20, Mar 21, Apr 22, Jul 1..15 11.
USD: EUR buys 0.8 per USD from 01/01 to 04/01 (exclusive), 0.9 from 04/01 on.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from pipelines.sample.ids import sfid, to15
from tests.warehouse.rawkit import RawWarehouse, run_dbt

pytestmark = pytest.mark.slow

EXTRACT = "2025-07-15"
MARTS = [
    "mart_manager_coaching",
    "mart_manager_retention",
    "mart_manager_revenue",
    "mart_manager_engagement",
    "mart_coaching_effectiveness",
    "mart_coaching_impact",
    "unattributed_activity",
]

# people: id -> (name, email, level, region, manager)
PEOPLE = {
    "000001": ("Sam Slm", "sam.slm@acme.test", "Second-Line Manager", "East", ""),
    "000002": ("Fay Flm", "fay.flm@acme.test", "First-Line Manager", "East", "000001"),
    "000003": ("Gus Flm", "gus.flm@acme.test", "First-Line Manager", "West", "000001"),
    "000005": ("Cody Coach", "cody.coach@acme.test", "Individual Contributor", "East", "000001"),
    "000006": ("Tia Flm", "tia.flm@acme.test", "First-Line Manager", "East", "000001"),
    "000007": ("Uma Flm", "uma.flm@acme.test", "First-Line Manager", "East", "000001"),
    "000008": ("Wes Flm", "wes.flm@acme.test", "First-Line Manager", "East", "000001"),
    "000011": ("Rita Rep", "rita.rep@acme.test", "Individual Contributor", "East", "000002"),
    "000012": ("Rob Rep", "rob.rep@acme.test", "Individual Contributor", "East", "000002"),
    "000013": ("Ria Rep", "ria.rep@acme.test", "Individual Contributor", "East", "000002"),
    "000014": ("Ray Rep", "ray.rep@acme.test", "Individual Contributor", "East", "000002"),
    "000015": ("Ned Rep", "ned.rep@acme.test", "Individual Contributor", "West", "000003"),
    "000016": ("Tom Rep", "tom.rep@acme.test", "Individual Contributor", "East", "000006"),
    "000017": ("Val Rep", "val.rep@acme.test", "Individual Contributor", "East", "000007"),
    "000018": ("Xia Rep", "xia.rep@acme.test", "Individual Contributor", "East", "000008"),
}


def uid(k: int) -> str:
    """An 18-character User id whose case-safe suffix is not the trivial 'AAA'."""
    return sfid("User", 7_000_000_000_000 + k * 13_456_789_012_345)


# CRM users: employee -> user id. Employee numbers are typed loosely; Ray's is missing (e-mail match).
USER = {e: uid(int(e)) for e in PEOPLE}
UNMATCHED_USER = uid(99)


def job(emp, date, process, manager, level="Individual Contributor", region="East", cat="", regret="", reason=""):
    return {
        "Employee ID": emp,
        "Effective Date": date,
        "Business Process": process,
        "Management Level": level,
        "Job Profile": "Sales",
        "Region": region,
        "Manager Employee ID": manager,
        "Primary Termination Reason": reason,
        "Termination Category": cat,
        "Regrettable Termination": regret,
    }


JOB_HISTORY = [
    job("000001", "01/01/2025", "Hire", "", "Second-Line Manager"),
    job("000002", "01/01/2025", "Hire", "000001", "First-Line Manager"),
    job("000003", "01/01/2025", "Hire", "000001", "First-Line Manager", "West"),
    job("000003", "06/10/2025", "Transfer", "000001", "First-Line Manager", "North"),
    job("000005", "01/01/2025", "Hire", "000001"),
    job("000006", "01/01/2025", "Hire", "000001", "First-Line Manager"),
    job("000007", "01/01/2025", "Hire", "000001", "First-Line Manager"),
    job("000008", "01/01/2025", "Hire", "000001", "First-Line Manager"),
    job("000011", "01/01/2025", "Hire", "000002"),
    job("000011", "03/16/2025", "Change Manager", "000003"),
    job("000012", "01/01/2025", "Hire", "000002"),
    job("000012", "02/10/2025", "Termination", "000002", cat="Voluntary", regret="Yes", reason="Better offer"),
    job("000012", "04/01/2025", "Rehire", "000003"),
    job("000012", "07/01/2025", "Termination", "000003", cat="Voluntary", regret="No", reason="Relocation"),
    job("000013", "02/15/2025", "Hire", "000002"),
    job("000013", "05/20/2025", "Change Manager", "000003"),
    job("000013", "05/31/2025", "Termination", "000003", cat="Involuntary", regret="No", reason="Performance"),
    job("000014", "01/01/2025", "Hire", "000002"),
    job("000015", "01/01/2025", "Hire", "000003", region="West"),
    job(
        "000015",
        "01/20/2025",
        "Termination",
        "000003",
        region="West",
        cat="Involuntary",
        regret="No",
        reason="Performance",
    ),
    job("000016", "01/01/2025", "Hire", "000006"),
    job("000017", "01/01/2025", "Hire", "000007"),
    job("000018", "01/01/2025", "Hire", "000008"),
]


def workers() -> list[dict]:
    terminated = {"000012": "07/01/2025", "000013": "05/31/2025", "000015": "01/20/2025"}
    hire = {"000012": "04/01/2025", "000013": "02/15/2025"}
    rows = []
    for emp, (name, email, level, region, manager) in PEOPLE.items():
        if emp == "000003":
            region = "North"
        rows.append(
            {
                "Employee ID": emp,
                "Legal Name": name,
                "Work Email": email,
                "Hire Date": hire.get(emp, "01/01/2025"),
                "Original Hire Date": "01/01/2025" if emp != "000013" else "02/15/2025",
                "Termination Date": terminated.get(emp, ""),
                "Management Level": level,
                "Job Profile": "Sales",
                "Region": region,
                "Manager Employee ID": "000003" if emp in ("000011", "000012", "000013") else manager,
                "Worker Status": "Terminated" if emp in terminated else "Active",
            }
        )
    return rows


def users() -> list[dict]:
    rows = []
    for emp, (name, email, *_rest) in PEOPLE.items():
        first, last = name.split()
        number = {"000002": " 2 ", "000014": ""}.get(emp, emp.lstrip("0"))
        rows.append(
            {
                "Id": USER[emp],
                "Username": email,
                "FirstName": first,
                "LastName": last,
                "Email": email.upper() if emp == "000014" else email,
                "EmployeeNumber": number,
                "IsActive": "true",
                "CreatedDate": "2024-12-01T00:00:00.000Z",
                "SystemModstamp": "2024-12-01T00:00:00.000Z",
            }
        )
    rows.append(
        {
            "Id": UNMATCHED_USER,
            "Username": "contractor@agency.test",
            "FirstName": "Con",
            "LastName": "Tractor",
            "Email": "contractor@agency.test",
            "EmployeeNumber": "999999",
            "IsActive": "true",
            "CreatedDate": "2024-12-01T00:00:00.000Z",
            "SystemModstamp": "2024-12-01T00:00:00.000Z",
        }
    )
    return rows


RATING = {
    1: "1 - Needs Development",
    2: "2 - Developing",
    3: "3 - Proficient",
    4: "4 - Advanced",
    5: "5 - Role Model",
}


def session(n, coach, coachee, day, status, minutes, level, deleted="false", **ratings):
    row = {
        "Id": sfid("Coaching_Report_vod__c", 1000 + n),
        "Name": f"CR-{n}",
        "OwnerId": coachee,
        "Manager_vod__c": coach,
        "Employee_vod__c": coachee,
        "Review_Date__c": day,
        "Status__c": status,
        "Coaching_Type__c": "Field Ride-Along",
        "Duration_Minutes__c": minutes,
        "Coaching_Level__c": level,
        "IsDeleted": deleted,
        "CreatedDate": f"{day}T08:00:00.000Z",
        "SystemModstamp": f"{day}T09:00:00.000Z",
    }
    row.update({f"{k}_Rating__c": RATING[v] for k, v in ratings.items()})
    return row


U = USER
SESSIONS = [
    # Fay coaches Ray in January: 60 min, ratings 4 + 3
    session(1, U["000002"], U["000014"], "2025-01-15", "Submitted", "60", "Rep", Precall_Planning=4, Opening=3),
    # Fay coaches Rita (who moves to Gus on 03/16) and Ray (no duration) in March
    session(2, U["000002"], U["000011"], "2025-03-10", "Approved", "30", "Rep", Closing=5),
    session(3, U["000002"], U["000014"], "2025-03-20", "Submitted", "", "Rep", Messaging=2),
    # not counted: a draft, a deleted report, a report whose coach matches no person
    session(4, U["000002"], U["000014"], "2025-03-25", "Draft", "15", "Rep", Closing=1),
    session(10, U["000002"], U["000014"], "2025-03-28", "Submitted", "15", "Rep", deleted="true", Closing=1),
    session(11, UNMATCHED_USER, U["000014"], "2025-03-15", "Submitted", "15", "Rep", Closing=1),
    # Sam (SLM) coaches the coaches
    session(
        5,
        U["000001"],
        U["000002"],
        "2025-03-05",
        "Submitted",
        "45",
        "Manager",
        Observation=4,
        Feedback=5,
        Questioning=3,
    ),
    session(6, U["000001"], U["000003"], "2025-05-12", "Submitted", "40", "Manager", Feedback=2),
    session(12, U["000001"], U["000008"], "2025-02-10", "Submitted", "30", "Manager"),
    # ...and Gus in February, a month in which Gus has no report and coaches no one (no monthly row for him):
    # it counts in no monthly row, so in no quarter either
    session(13, U["000001"], U["000003"], "2025-02-12", "Submitted", "20", "Manager", Feedback=3),
    # Cody (no reports) coaches Ray once
    session(7, U["000005"], U["000014"], "2025-04-08", "Submitted", "20", "Rep"),
    # Gus coaches Rita and Rob in April
    session(8, U["000003"], U["000011"], "2025-04-09", "Submitted", "90", "Rep", Closing=4),
    session(9, U["000003"], U["000012"], "2025-04-10", "Submitted", "30", "Rep"),
]


def opp(n, owner, stage, amount, currency, close, created, closed, won):
    return {
        "Id": sfid("Opportunity", 500 + n),
        "OwnerId": owner,
        "AccountId": "",
        "Name": f"Deal {n}",
        "StageName": stage,
        "Amount": amount,
        "CurrencyIsoCode": currency,
        "CloseDate": close,
        "IsClosed": closed,
        "IsWon": won,
        "CreatedDate": created,
        "IsDeleted": "false",
        "SystemModstamp": "2025-07-01T00:00:00.000Z",
    }


OPPORTUNITIES = [
    # Rita, won 03/10 while still Fay's: Fay's March bookings; created 02/05 -> Fay's February pipeline
    opp(1, U["000011"], "Closed Won", "1000", "USD", "2025-03-10", "2025-02-05T10:00:00.000Z", "true", "true"),
    # Rita, EUR 900 created late on 03/20 UTC (Gus's since 03/16) at 0.8 -> 1125 USD pipeline, Gus, March;
    # won 04/05 at 0.9 -> 1000 USD bookings for Gus in April
    opp(2, U["000011"], "Closed Won", "900", "EUR", "2025-04-05", "2025-03-20T23:30:00.000Z", "true", "true"),
    # Rita, lost 03/20 (Gus's); created 03/01 (Fay's) -> Fay's March pipeline 500
    opp(3, U["000011"], "Closed Lost", "500", "USD", "2025-03-20", "2025-03-01T12:00:00.000Z", "true", "false"),
    # Ray, won 2000 in April (Fay's), created 04/01
    opp(4, U["000014"], "Closed Won", "2000", "USD", "2025-04-15", "2025-04-01T12:00:00.000Z", "true", "true"),
    # Ray, still open: only pipeline (Fay, April, 700)
    opp(5, U["000014"], "Proposal", "700", "USD", "2025-06-30", "2025-04-10T12:00:00.000Z", "false", "false"),
    # Rob, won 02/20 AFTER his termination on 02/10 (rehired 04/01): he has no manager on 02/20, so the deal
    # counts in no manager's row (unattributed_activity: not_employed_on_the_day)
    opp(6, U["000012"], "Closed Won", "300", "USD", "2025-02-20", "2025-01-15T12:00:00.000Z", "true", "true"),
    # Tom, won 500 in May (Tia), created 04/20
    opp(7, U["000016"], "Closed Won", "500", "USD", "2025-05-10", "2025-04-20T12:00:00.000Z", "true", "true"),
]


def quota(n, owner18, start, amount, currency):
    return {
        "Id": sfid("ForecastingQuota", 300 + n),
        "QuotaOwnerId": to15(owner18),
        "StartDate": start,
        "QuotaAmount": amount,
        "CurrencyIsoCode": currency,
        "SystemModstamp": "2025-01-01T00:00:00.000Z",
    }


QUOTAS = [
    quota(1, U["000011"], "2025-03-01", "1000", "USD"),  # Rita, March: Gus's report at 03/31
    quota(2, U["000011"], "2025-04-01", "1800", "EUR"),  # Rita, April: 1800 / 0.9 = 2000 USD (rate from 04/01)
    quota(3, U["000012"], "2025-04-01", "500", "USD"),  # Rob, April (rehired under Gus)
    quota(4, U["000014"], "2025-04-01", "1500", "USD"),  # Ray, April (Fay)
    quota(5, U["000014"], "2025-05-01", "0", "USD"),  # Ray, May: a zero quota
    quota(6, U["000016"], "2025-04-01", "1000", "USD"),  # Tom, April (Tia)
]

RATES = [
    {
        "Id": sfid("DatedConversionRate", 1),
        "IsoCode": "USD",
        "StartDate": "2020-01-01",
        "NextStartDate": "",
        "ConversionRate": "1.0",
    },
    {
        "Id": sfid("DatedConversionRate", 2),
        "IsoCode": "EUR",
        "StartDate": "2025-01-01",
        "NextStartDate": "2025-04-01",
        "ConversionRate": "0.8",
    },
    {
        "Id": sfid("DatedConversionRate", 3),
        "IsoCode": "EUR",
        "StartDate": "2025-04-01",
        "NextStartDate": "",
        "ConversionRate": "0.9",
    },
]


def call(n, owner, day, status, parent=""):
    return {
        "Id": sfid("Call2_vod__c", 700 + n),
        "OwnerId": owner,
        "Call_Date_vod__c": day,
        "Call_Datetime_vod__c": f"{day}T10:00:00.000Z",
        "Status_vod__c": status,
        "Call_Type_vod__c": "Detail Only",
        "Call_Channel_vod__c": "In-person",
        "Parent_Call_vod__c": parent,
        "IsDeleted": "false",
        "CreatedDate": f"{day}T10:00:00.000Z",
        "SystemModstamp": f"{day}T11:00:00.000Z",
    }


CALLS = [
    call(1, U["000014"], "2025-04-02", "Submitted_vod"),  # Ray, Fay, April
    call(3, U["000014"], "2025-04-03", "Submitted_vod"),  # Ray, a group call's parent row
    call(2, U["000014"], "2025-04-03", "Submitted_vod", parent=sfid("Call2_vod__c", 703)),  # its attendee row
    call(4, U["000014"], "2025-04-04", "Planned_vod"),  # not happened
    call(5, U["000011"], "2025-03-14", "Submitted_vod"),  # Rita, still Fay's on 03/14
]

COURSES = [
    {"LO ID": "LO-1", "Training Title": "Coaching 101", "Coaching Curriculum": "Y", "Audience": "Manager"},
    {"LO ID": "LO-2", "Training Title": "Feedback", "Coaching Curriculum": "Y", "Audience": "Manager"},
    {"LO ID": "LO-3", "Training Title": "Compliance", "Coaching Curriculum": "N", "Audience": "All"},
    {"LO ID": "LO-4", "Training Title": "Coaching 201", "Coaching Curriculum": "Y", "Audience": "Manager"},
]


def transcript(lo, assigned, status, completed=""):
    return {
        "User ID": "000002",
        "User Email": "Fay.Flm@acme.test",
        "LO ID": lo,
        "Assigned Date": assigned,
        "Due Date": "",
        "Completed Date": completed,
        "Transcript Status": status,
        "Score": "",
        "Last Modified": "07/01/2025",
    }


TRANSCRIPTS = [
    transcript("LO-1", "02/01/2025", "Completed", "03/15/2025"),  # Fay: assigned Feb, completed Mar
    transcript("LO-2", "03/10/2025", "Cancelled"),  # counts in no month
    transcript("LO-3", "01/05/2025", "Completed", "01/10/2025"),  # not coaching curriculum
    transcript("LO-4", "04/02/2025", "In Progress"),  # assigned April, open
]


def response(n, manager, end, finished="1", **answers):
    row = {
        "ResponseId": f"R_{n}",
        "StartDate": end,
        "EndDate": end,
        "Finished": finished,
        "Wave": "2025-Q2",
        "EmployeeID": f"00090{n}",
        "ManagerID": manager,
    }
    row.update({f"Q_{k.upper()}": v for k, v in answers.items()})
    return row


def answers(coach, feedback, growth, recognition, intent, enps):
    return dict(coach=coach, feedback=feedback, growth=growth, recognition=recognition, intent_stay=intent, enps=enps)


RESPONSES = [
    # Fay's team, ManagerID typed " 2": five finished responses (not suppressed) and one partial one
    response(1, " 2", "2025-06-10 12:00:00", **answers("5", "4", "3", "4", "5", "10")),
    response(2, " 2", "2025-06-11 12:00:00", **answers("4", "4", "4", "3", "4", "9")),
    response(3, " 2", "2025-06-12 12:00:00", **answers("2", "3", "2", "2", "3", "6")),
    response(4, " 2", "2025-06-12 13:00:00", **answers("", "5", "5", "5", "5", "7")),
    response(5, " 2", "2025-06-13 12:00:00", **answers("3", "2", "4", "1", "2", "9")),
    response(6, " 2", "2025-06-20 12:00:00", finished="0", **answers("1", "1", "1", "1", "1", "0")),
    # Gus's team: two finished responses -> suppressed
    response(7, "000003", "2025-06-14 08:00:00", **answers("5", "5", "5", "5", "5", "10")),
    response(8, "000003", "2025-06-15 09:30:00", **answers("4", "4", "4", "4", "4", "8")),
    # finished, no ManagerID: no row, but it is the wave's latest finished EndDate
    response(9, "", "2025-06-16 10:00:00", **answers("3", "3", "3", "3", "3", "5")),
]


@pytest.fixture(scope="module")
def wh(tmp_path_factory) -> Marts:
    home: Path = tmp_path_factory.mktemp("marts")
    w = RawWarehouse(home)
    w.add("hris_job_history", JOB_HISTORY, EXTRACT)
    w.add("hris_workers", workers(), EXTRACT)
    w.add("crm_user", users(), EXTRACT)
    w.add("crm_coaching_report", SESSIONS, EXTRACT)
    w.add("crm_opportunity", OPPORTUNITIES, EXTRACT)
    w.add("crm_forecasting_quota", QUOTAS, EXTRACT)
    w.add("crm_dated_conversion_rate", RATES, EXTRACT)
    w.add("crm_call", CALLS, EXTRACT)
    w.add("lms_courses", COURSES, EXTRACT)
    w.add("lms_transcripts", TRANSCRIPTS, EXTRACT)
    w.add("survey_responses", RESPONSES, "2025-06-21")
    run_dbt(home, "build", "--select", "+dim_employee", *(f"+{m}" for m in MARTS))
    return Marts(w.path)


class Marts:
    """Reads the warehouse after the build. dbt-duckdb keeps its in-process database open, and DuckDB refuses
    a second connection with another configuration (read_only), so this reads with the default one."""

    def __init__(self, path: Path):
        self.path = path

    def dicts(self, sql: str, params: list | None = None) -> list[dict]:
        with duckdb.connect(str(self.path)) as con:
            cur = con.execute(sql, params or [])
            names = [c[0] for c in cur.description]
            return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]

    def query(self, sql: str, params: list | None = None) -> list[tuple]:
        with duckdb.connect(str(self.path)) as con:
            return con.execute(sql, params or []).fetchall()


def one(wh: Marts, mart: str, **key) -> dict:
    where = " and ".join(f"{k} = ?" for k in key)
    rows = wh.dicts(f"select * from marts.{mart} where {where}", [str(v) for v in key.values()])
    assert len(rows) == 1, f"{mart} {key}: {len(rows)} rows"
    return rows[0]


def check(actual: dict, expected: dict) -> None:
    """Every expected column equals the actual cell (floats to 1e-9); None means NULL."""
    for col, want in expected.items():
        got = actual[col]
        if isinstance(want, float):
            assert got == pytest.approx(want, abs=1e-9), f"{col}: {got} != {want}"
        else:
            assert got == want, f"{col}: {got!r} != {want!r}"
    missing = set(actual) - set(expected)
    assert not missing, f"columns not checked: {sorted(missing)}"


def d(s: str):
    from datetime import date

    return date.fromisoformat(s)


# --------------------------------------------------------------------------------------------------
# mart_manager_coaching
# --------------------------------------------------------------------------------------------------

COACHING_ZERO = dict(
    sessions_delivered=0,
    coaching_minutes_delivered=0,
    coachees_coached=0,
    direct_reports_coached=0,
    rating_sum_given=0,
    rating_count_given=0,
    avg_rating_given=None,
    sessions_received=0,
    coaching_minutes_received=0,
    coaching_skill_rating_sum_received=0,
    coaching_skill_rating_count_received=0,
    avg_coaching_skill_rating_received=None,
    coaching_courses_assigned=0,
    coaching_courses_completed=0,
)


def fay(**cols):
    return dict(
        manager_name="Fay Flm",
        management_level="First-Line Manager",
        region="East",
        second_line_manager_employee_id="000001",
        **cols,
    )


def test_coaching_rows_are_managers_with_reports_or_who_coached(wh):
    rows = wh.query(
        "select manager_employee_id, count(*), min(month), max(month) from marts.mart_manager_coaching "
        "group by 1 order by 1"
    )
    # Sam, Fay, Tia, Uma, Wes: reports every month Jan..Jul; Gus: Jan and Mar..Jul (no report and no session
    # delivered in Feb: the one he received, S13, makes no row); Cody: only April, when he delivered a
    # session without having any report.
    assert rows == [
        ("000001", 7, d("2025-01-01"), d("2025-07-01")),
        ("000002", 7, d("2025-01-01"), d("2025-07-01")),
        ("000003", 6, d("2025-01-01"), d("2025-07-01")),
        ("000005", 1, d("2025-04-01"), d("2025-04-01")),
        ("000006", 7, d("2025-01-01"), d("2025-07-01")),
        ("000007", 7, d("2025-01-01"), d("2025-07-01")),
        ("000008", 7, d("2025-01-01"), d("2025-07-01")),
    ]
    assert wh.query(
        "select count(*) from marts.mart_manager_coaching where manager_employee_id = '000003' and month = '2025-02-01'"
    ) == [(0,)]


def test_coaching_fay_march_manager_change_and_uncounted_sessions(wh):
    # Sessions delivered in March: S2 (Rita, 30 min, Closing 5) and S3 (Ray, no duration -> 0, Messaging 2);
    # S4 draft, S10 deleted, S11 (coach unmatched) do not count. Minutes 30 + 0 = 30.
    # Reports at 03/31: Ria, Ray (Rita moved to Gus on 03/16) -> eom 2; coached among them: Ray -> 1.
    # coverage 1/2; hours 30/60/2 = 0.25; ratings given 5 + 2 = 7 over 2 -> 3.5.
    # Received: S5 from Sam, 45 min, coaching skills 4 + 5 + 3 = 12 over 3 -> 4.0.
    # Courses: LO-1 assigned 02/01 (completed 03/15 <= 03/31); LO-2 cancelled; LO-3 not curriculum;
    # LO-4 assigned in April.
    check(
        one(wh, "mart_manager_coaching", manager_employee_id="000002", month="2025-03-01"),
        fay(
            manager_employee_id="000002",
            month=d("2025-03-01"),
            direct_reports_eom=2,
            sessions_delivered=2,
            coaching_minutes_delivered=30,
            coachees_coached=2,
            direct_reports_coached=1,
            coverage_pct=0.5,
            coaching_hours_per_direct_report=0.25,
            rating_sum_given=7,
            rating_count_given=2,
            avg_rating_given=3.5,
            sessions_received=1,
            coaching_minutes_received=45,
            coaching_skill_rating_sum_received=12,
            coaching_skill_rating_count_received=3,
            avg_coaching_skill_rating_received=4.0,
            coaching_courses_assigned=1,
            coaching_courses_completed=1,
        ),
    )


def test_coaching_fay_january_february_april(wh):
    # January: S1 Ray 60 min, ratings 4 + 3; reports Rita, Rob, Ray = 3 -> coverage 1/3, hours 60/60/3.
    check(
        one(wh, "mart_manager_coaching", manager_employee_id="000002", month="2025-01-01"),
        fay(
            manager_employee_id="000002",
            month=d("2025-01-01"),
            direct_reports_eom=3,
            **{
                **COACHING_ZERO,
                **dict(
                    sessions_delivered=1,
                    coaching_minutes_delivered=60,
                    coachees_coached=1,
                    direct_reports_coached=1,
                    rating_sum_given=7,
                    rating_count_given=2,
                    avg_rating_given=3.5,
                ),
            },
            coverage_pct=1 / 3,
            coaching_hours_per_direct_report=1 / 3,
        ),
    )
    # February: nothing delivered; LO-1 assigned 02/01, not yet completed.
    check(
        one(wh, "mart_manager_coaching", manager_employee_id="000002", month="2025-02-01"),
        fay(
            manager_employee_id="000002",
            month=d("2025-02-01"),
            direct_reports_eom=3,
            **{**COACHING_ZERO, **dict(coaching_courses_assigned=1)},
            coverage_pct=0.0,
            coaching_hours_per_direct_report=0.0,
        ),
    )
    # April: LO-1 (completed) and LO-4 (open) -> 2 assigned, 1 completed; reports Ria, Ray.
    check(
        one(wh, "mart_manager_coaching", manager_employee_id="000002", month="2025-04-01"),
        fay(
            manager_employee_id="000002",
            month=d("2025-04-01"),
            direct_reports_eom=2,
            **{**COACHING_ZERO, **dict(coaching_courses_assigned=2, coaching_courses_completed=1)},
            coverage_pct=0.0,
            coaching_hours_per_direct_report=0.0,
        ),
    )


def test_coaching_coach_without_reports(wh):
    # Cody delivered S7 (Ray, 20 min, no ratings) in April and has no report: ratios over reports are NULL.
    check(
        one(wh, "mart_manager_coaching", manager_employee_id="000005", month="2025-04-01"),
        dict(
            manager_employee_id="000005",
            month=d("2025-04-01"),
            manager_name="Cody Coach",
            management_level="Individual Contributor",
            region="East",
            second_line_manager_employee_id="000001",
            direct_reports_eom=0,
            **{
                **COACHING_ZERO,
                **dict(sessions_delivered=1, coaching_minutes_delivered=20, coachees_coached=1),
            },
            coverage_pct=None,
            coaching_hours_per_direct_report=None,
        ),
    )


def test_coaching_slm_and_gus(wh):
    # Sam in March: S5 to Fay, 45 min, ratings 12 over 3; six reports -> coverage 1/6, hours 45/60/6 = 0.125.
    check(
        one(wh, "mart_manager_coaching", manager_employee_id="000001", month="2025-03-01"),
        dict(
            manager_employee_id="000001",
            month=d("2025-03-01"),
            manager_name="Sam Slm",
            management_level="Second-Line Manager",
            region="East",
            second_line_manager_employee_id=None,
            direct_reports_eom=6,
            **{
                **COACHING_ZERO,
                **dict(
                    sessions_delivered=1,
                    coaching_minutes_delivered=45,
                    coachees_coached=1,
                    direct_reports_coached=1,
                    rating_sum_given=12,
                    rating_count_given=3,
                    avg_rating_given=4.0,
                ),
            },
            coverage_pct=1 / 6,
            coaching_hours_per_direct_report=0.125,
        ),
    )
    gus = dict(
        manager_name="Gus Flm",
        management_level="First-Line Manager",
        second_line_manager_employee_id="000001",
    )
    # Gus in April: S8 (Rita, 90, Closing 4) and S9 (Rob, 30); reports Rita and Rob -> coverage 1, hours 2/2.
    check(
        one(wh, "mart_manager_coaching", manager_employee_id="000003", month="2025-04-01"),
        dict(
            manager_employee_id="000003",
            month=d("2025-04-01"),
            region="West",
            **gus,
            direct_reports_eom=2,
            **{
                **COACHING_ZERO,
                **dict(
                    sessions_delivered=2,
                    coaching_minutes_delivered=120,
                    coachees_coached=2,
                    direct_reports_coached=2,
                    rating_sum_given=4,
                    rating_count_given=1,
                    avg_rating_given=4.0,
                ),
            },
            coverage_pct=1.0,
            coaching_hours_per_direct_report=1.0,
        ),
    )
    # Gus in May: receives S6 (40 min, Feedback 2); reports at 05/31: Rita, Rob, Ria (her last day) = 3.
    check(
        one(wh, "mart_manager_coaching", manager_employee_id="000003", month="2025-05-01"),
        dict(
            manager_employee_id="000003",
            month=d("2025-05-01"),
            region="West",
            **gus,
            direct_reports_eom=3,
            **{
                **COACHING_ZERO,
                **dict(
                    sessions_received=1,
                    coaching_minutes_received=40,
                    coaching_skill_rating_sum_received=2,
                    coaching_skill_rating_count_received=1,
                    avg_coaching_skill_rating_received=2.0,
                ),
            },
            coverage_pct=0.0,
            coaching_hours_per_direct_report=0.0,
        ),
    )
    # June: the Transfer of 06/10 is the job row in force at month end -> region North.
    june = one(wh, "mart_manager_coaching", manager_employee_id="000003", month="2025-06-01")
    assert (june["region"], june["direct_reports_eom"]) == ("North", 2)
    # Wes received S12 in February (no ratings): counted, average NULL.
    wes = one(wh, "mart_manager_coaching", manager_employee_id="000008", month="2025-02-01")
    assert (
        wes["sessions_received"],
        wes["coaching_minutes_received"],
        wes["avg_coaching_skill_rating_received"],
    ) == (1, 30, None)


# --------------------------------------------------------------------------------------------------
# mart_manager_retention
# --------------------------------------------------------------------------------------------------

SEP_ZERO = dict(
    hires=0,
    separations=0,
    voluntary_separations=0,
    involuntary_separations=0,
    regretted_separations=0,
    first_year_separations=0,
)


def test_retention_rows_are_managers_with_reports(wh):
    rows = wh.query("select manager_employee_id, count(*) from marts.mart_manager_retention group by 1 order by 1")
    # Cody has no report; Gus has no row in February.
    assert rows == [("000001", 7), ("000002", 7), ("000003", 6), ("000006", 7), ("000007", 7), ("000008", 7)]


def test_retention_fay_february_regretted_first_year_separation(wh):
    # Feb 1: Rita, Rob, Ray = 3; Feb 28: Rita, Ria, Ray = 3 -> avg 3. Hire: Ria (02/15, manager Fay).
    # Separation: Rob, last day 02/10 under Fay, Voluntary, regretted, 40 days into his span -> first year.
    # Trailing 12m: Jan (avg 3, 0 sep) + Feb (avg 3, 1 sep), ten months without a row -> 1 / (6 / 12) = 2.
    check(
        one(wh, "mart_manager_retention", manager_employee_id="000002", month="2025-02-01"),
        dict(
            manager_employee_id="000002",
            month=d("2025-02-01"),
            second_line_manager_employee_id="000001",
            headcount_start=3,
            headcount_end=3,
            avg_headcount=3.0,
            hires=1,
            separations=1,
            voluntary_separations=1,
            involuntary_separations=0,
            regretted_separations=1,
            first_year_separations=1,
            turnover_rate=1 / 3,
            trailing_12m_separations=1,
            trailing_12m_avg_headcount=0.5,
            trailing_12m_turnover_rate=2.0,
        ),
    )


def test_retention_fay_may_separation_goes_to_the_manager_on_the_last_day(wh):
    # May 1: Ria, Ray; Ria moves to Gus 05/20 and leaves 05/31 -> May 31: Ray. avg 1.5;
    # Ria is Gus's separation, not Fay's.
    # Trailing: avg Jan 3 + Feb 3 + Mar 2.5 + Apr 2 + May 1.5 = 12 -> 12 / 12 = 1; separations 1 (Feb).
    check(
        one(wh, "mart_manager_retention", manager_employee_id="000002", month="2025-05-01"),
        dict(
            manager_employee_id="000002",
            month=d("2025-05-01"),
            second_line_manager_employee_id="000001",
            headcount_start=2,
            headcount_end=1,
            avg_headcount=1.5,
            **SEP_ZERO,
            turnover_rate=0.0,
            trailing_12m_separations=1,
            trailing_12m_avg_headcount=1.0,
            trailing_12m_turnover_rate=1.0,
        ),
    )


def test_retention_gus_with_a_gap_month_and_a_rehire(wh):
    base = dict(manager_employee_id="000003", second_line_manager_employee_id="000001")
    # Jan: Ned (hired 01/01 under Gus) leaves 01/20, Involuntary: start 1, end 0, avg 0.5 -> 1 / 0.5 = 2.
    check(
        one(wh, "mart_manager_retention", manager_employee_id="000003", month="2025-01-01"),
        dict(
            **base,
            month=d("2025-01-01"),
            headcount_start=1,
            headcount_end=0,
            avg_headcount=0.5,
            hires=1,
            separations=1,
            voluntary_separations=0,
            involuntary_separations=1,
            regretted_separations=0,
            first_year_separations=1,
            turnover_rate=2.0,
            trailing_12m_separations=1,
            trailing_12m_avg_headcount=0.5 / 12,
            trailing_12m_turnover_rate=24.0,
        ),
    )
    # Mar: Rita arrives 03/16 (a manager change, not a hire): start 0, end 1, avg 0.5.
    # Trailing: Jan 0.5 + Feb (no row: 0) + Mar 0.5 = 1 -> 1/12; 1 separation -> 12.
    check(
        one(wh, "mart_manager_retention", manager_employee_id="000003", month="2025-03-01"),
        dict(
            **base,
            month=d("2025-03-01"),
            headcount_start=0,
            headcount_end=1,
            avg_headcount=0.5,
            **SEP_ZERO,
            turnover_rate=0.0,
            trailing_12m_separations=1,
            trailing_12m_avg_headcount=1 / 12,
            trailing_12m_turnover_rate=12.0,
        ),
    )
    # Apr: Rob rehired 04/01 under Gus -> a hire; Apr 1 and Apr 30: Rita, Rob.
    # Trailing: 0.5 + 0 + 0.5 + 2 = 3 -> 3/12 = 0.25; 1 separation -> 4.
    check(
        one(wh, "mart_manager_retention", manager_employee_id="000003", month="2025-04-01"),
        dict(
            **base,
            month=d("2025-04-01"),
            headcount_start=2,
            headcount_end=2,
            avg_headcount=2.0,
            **{**SEP_ZERO, "hires": 1},
            turnover_rate=0.0,
            trailing_12m_separations=1,
            trailing_12m_avg_headcount=0.25,
            trailing_12m_turnover_rate=4.0,
        ),
    )
    # May: start Rita, Rob; end Rita, Rob, Ria (last day 05/31) -> avg 2.5; Ria Involuntary -> 1/2.5 = 0.4.
    # Trailing: 3 + 2.5 = 5.5 -> 5.5/12; 2 separations -> 24/5.5.
    check(
        one(wh, "mart_manager_retention", manager_employee_id="000003", month="2025-05-01"),
        dict(
            **base,
            month=d("2025-05-01"),
            headcount_start=2,
            headcount_end=3,
            avg_headcount=2.5,
            hires=0,
            separations=1,
            voluntary_separations=0,
            involuntary_separations=1,
            regretted_separations=0,
            first_year_separations=1,
            turnover_rate=0.4,
            trailing_12m_separations=2,
            trailing_12m_avg_headcount=5.5 / 12,
            trailing_12m_turnover_rate=24 / 5.5,
        ),
    )
    # Jul (to 07/15): Rob leaves again 07/01 (his second span, Voluntary, not regretted, 91 days).
    # Jul 1: Rita, Rob; Jul 15: Rita -> avg 1.5; trailing avg 5.5 + Jun 2 + Jul 1.5 = 9 -> 0.75; 3 seps -> 4.
    check(
        one(wh, "mart_manager_retention", manager_employee_id="000003", month="2025-07-01"),
        dict(
            **base,
            month=d("2025-07-01"),
            headcount_start=2,
            headcount_end=1,
            avg_headcount=1.5,
            hires=0,
            separations=1,
            voluntary_separations=1,
            involuntary_separations=0,
            regretted_separations=0,
            first_year_separations=1,
            turnover_rate=1 / 1.5,
            trailing_12m_separations=3,
            trailing_12m_avg_headcount=0.75,
            trailing_12m_turnover_rate=4.0,
        ),
    )


def test_retention_slm_hires(wh):
    # Sam: Fay, Gus, Cody, Tia, Uma, Wes all hired 01/01 under him; he himself has no manager.
    check(
        one(wh, "mart_manager_retention", manager_employee_id="000001", month="2025-01-01"),
        dict(
            manager_employee_id="000001",
            month=d("2025-01-01"),
            second_line_manager_employee_id=None,
            headcount_start=6,
            headcount_end=6,
            avg_headcount=6.0,
            **{**SEP_ZERO, "hires": 6},
            turnover_rate=0.0,
            trailing_12m_separations=0,
            trailing_12m_avg_headcount=0.5,
            trailing_12m_turnover_rate=0.0,
        ),
    )


# --------------------------------------------------------------------------------------------------
# mart_manager_revenue
# --------------------------------------------------------------------------------------------------

REV_ZERO = dict(
    bookings_usd=0.0,
    won_deals=0,
    lost_deals=0,
    win_rate=None,
    pipeline_created_usd=0.0,
    quota_usd=0.0,
    attainment_pct=None,
    reps_with_quota=0,
    reps_at_or_above_quota=0,
    submitted_calls=0,
)


def rev(manager, month, eom, workdays, **cols):
    row = dict(
        manager_employee_id=manager,
        month=d(month),
        second_line_manager_employee_id="000001",
        direct_reports_eom=eom,
        workdays=workdays,
        calls_per_rep_per_workday=0.0,
    )
    row.update({**REV_ZERO, **cols})
    return row


def test_revenue_rows(wh):
    rows = wh.query("select manager_employee_id, count(*) from marts.mart_manager_revenue group by 1 order by 1")
    assert rows == [("000001", 7), ("000002", 7), ("000003", 6), ("000006", 7), ("000007", 7), ("000008", 7)]


def test_revenue_fay(wh):
    # Jan: Rob's O6 created 01/15 -> pipeline 300.
    check(
        one(wh, "mart_manager_revenue", manager_employee_id="000002", month="2025-01-01"),
        rev("000002", "2025-01-01", 3, 23, pipeline_created_usd=300.0),
    )
    # Feb: Rob's O6 won 02/20, ten days after he left and before his rehire: not employed that day, so it
    # counts for no manager (not Fay, whose Termination row he left on). Rita's O1 created 02/05 -> pipeline 1000.
    check(
        one(wh, "mart_manager_revenue", manager_employee_id="000002", month="2025-02-01"),
        rev("000002", "2025-02-01", 3, 20, pipeline_created_usd=1000.0),
    )
    # Mar: O1 won 03/10 (Rita still Fay's) -> 1000; O3 lost 03/20 is Gus's; O3 created 03/01 -> pipeline 500.
    # Rita's March quota belongs to Gus (her manager at 03/31). Call C5 on 03/14 -> 1 / 2 reports / 21 days.
    check(
        one(wh, "mart_manager_revenue", manager_employee_id="000002", month="2025-03-01"),
        rev(
            "000002",
            "2025-03-01",
            2,
            21,
            bookings_usd=1000.0,
            won_deals=1,
            win_rate=1.0,
            pipeline_created_usd=500.0,
            submitted_calls=1,
            calls_per_rep_per_workday=1 / 2 / 21,
        ),
    )
    # Apr: Ray's O4 won 2000; pipeline O4 2000 + O5 700; Ray's quota 1500 (his own bookings 2000 >= 1500);
    # calls C1 and C3 (C2 is a group attendee row, C4 planned) -> 2 / 2 / 22.
    check(
        one(wh, "mart_manager_revenue", manager_employee_id="000002", month="2025-04-01"),
        rev(
            "000002",
            "2025-04-01",
            2,
            22,
            bookings_usd=2000.0,
            won_deals=1,
            win_rate=1.0,
            pipeline_created_usd=2700.0,
            quota_usd=1500.0,
            attainment_pct=2000 / 1500,
            reps_with_quota=1,
            reps_at_or_above_quota=1,
            submitted_calls=2,
            calls_per_rep_per_workday=2 / 2 / 22,
        ),
    )
    # May: Ray's quota row is 0 -> not a rep with quota; attainment NULL.
    check(
        one(wh, "mart_manager_revenue", manager_employee_id="000002", month="2025-05-01"),
        rev("000002", "2025-05-01", 1, 22),
    )


def test_unattributed_activity(wh):
    # Rob's O6, won 02/20 between his termination (02/10) and his rehire (04/01); S11, coached by a CRM user
    # who is no worker. Everything else counts in a published manager row.
    got = wh.dicts("select * from marts.unattributed_activity order by activity, record_id")
    assert got == [
        {"activity": "deal", "record_id": sfid("Opportunity", 506), "activity_date": d("2025-02-20"),
         "user_id": U["000012"], "employee_id": "000012", "reason": "not_employed_on_the_day"},
        {"activity": "session", "record_id": sfid("Coaching_Report_vod__c", 1011), "activity_date": d("2025-03-15"),
         "user_id": UNMATCHED_USER, "employee_id": None, "reason": "user_unmatched"},
    ]  # fmt: skip


def test_revenue_gus_eur_and_15_char_quota_owner(wh):
    # Mar: O3 lost 03/20 -> win rate 0; O2 EUR 900 created 03/20 23:30 UTC at 0.8 -> 1125 USD.
    # Quota: Rita (15-char owner id) 1000 USD; her own bookings in March: O1 1000 (closed while Fay's)
    # -> reached.
    check(
        one(wh, "mart_manager_revenue", manager_employee_id="000003", month="2025-03-01"),
        rev(
            "000003",
            "2025-03-01",
            1,
            21,
            lost_deals=1,
            win_rate=0.0,
            pipeline_created_usd=1125.0,
            quota_usd=1000.0,
            attainment_pct=0.0,
            reps_with_quota=1,
            reps_at_or_above_quota=1,
        ),
    )
    # Apr: O2 won 04/05 at 0.9 -> 1000 USD. Quota: Rita EUR 1800 at the 04/01 rate 0.9 = 2000,
    # Rob 500 -> 2500;
    # Rita's own bookings 1000 < 2000, Rob's 0 < 500 -> none reached. attainment 1000 / 2500 = 0.4.
    check(
        one(wh, "mart_manager_revenue", manager_employee_id="000003", month="2025-04-01"),
        rev(
            "000003",
            "2025-04-01",
            2,
            22,
            bookings_usd=1000.0,
            won_deals=1,
            win_rate=1.0,
            quota_usd=2500.0,
            attainment_pct=0.4,
            reps_with_quota=2,
            reps_at_or_above_quota=0,
        ),
    )
    # Tia, May: Tom's O7 won 500 -> bookings; his April quota was April's.
    check(
        one(wh, "mart_manager_revenue", manager_employee_id="000006", month="2025-05-01"),
        rev("000006", "2025-05-01", 1, 22, bookings_usd=500.0, won_deals=1, win_rate=1.0),
    )
    # Jul (to 07/15): 11 workdays.
    assert one(wh, "mart_manager_revenue", manager_employee_id="000006", month="2025-07-01")["workdays"] == 11


# --------------------------------------------------------------------------------------------------
# mart_manager_engagement
# --------------------------------------------------------------------------------------------------


def test_engagement_fay_scores(wh):
    # Finished responses R1..R5 (R6 is partial). Q_COACH answered 5, 4, 2, 3 (R4 skipped) -> 14/4 = 3.5;
    # favourable (4-5): 5, 4 -> 2/4. FEEDBACK 4+4+3+5+2 = 18/5; GROWTH 3+4+2+5+4 = 18/5; RECOGNITION
    # 4+3+2+5+1 = 15/5; INTENT 5+4+3+5+2 = 19/5. eNPS: 10, 9, 6, 7, 9 -> promoters 3, detractors 1 -> 100*2/5.
    # wave_close_date: latest finished EndDate of the whole wave = R9 (no ManagerID) 06/16
    # (R6's 06/20 is partial).
    check(
        one(wh, "mart_manager_engagement", manager_employee_id="000002", wave="2025-Q2"),
        dict(
            manager_employee_id="000002",
            wave="2025-Q2",
            wave_close_date=d("2025-06-16"),
            responses=5,
            is_suppressed=False,
            q_coach_avg=3.5,
            q_feedback_avg=3.6,
            q_growth_avg=3.6,
            q_recognition_avg=3.0,
            q_intent_stay_avg=3.8,
            q_coach_favorable_pct=0.5,
            enps=40.0,
        ),
    )


def test_engagement_suppressed_row_has_no_score(wh):
    check(
        one(wh, "mart_manager_engagement", manager_employee_id="000003", wave="2025-Q2"),
        dict(
            manager_employee_id="000003",
            wave="2025-Q2",
            wave_close_date=d("2025-06-16"),
            responses=2,
            is_suppressed=True,
            q_coach_avg=None,
            q_feedback_avg=None,
            q_growth_avg=None,
            q_recognition_avg=None,
            q_intent_stay_avg=None,
            q_coach_favorable_pct=None,
            enps=None,
        ),
    )
    # rows: Fay and Gus only (the response without ManagerID belongs to no manager)
    assert wh.query("select count(*) from marts.mart_manager_engagement") == [(2,)]


def test_no_mart_carries_a_respondent_id(wh):
    cols = wh.query(
        "select table_name, column_name from information_schema.columns where table_schema = 'marts' "
        "and (lower(column_name) like '%response%id%' or lower(column_name) = 'employeeid' "
        "or lower(column_name) like 'respondent%')"
    )
    assert cols == []


# --------------------------------------------------------------------------------------------------
# mart_coaching_effectiveness and mart_coaching_impact
# --------------------------------------------------------------------------------------------------


def eff(manager, quarter, quarter_end, **cols):
    row = dict(
        manager_employee_id=manager,
        quarter=d(quarter),
        quarter_end=d(quarter_end),
        second_line_manager_employee_id="000001",
        direct_reports_eoq=1,
        coaching_minutes_delivered=0,
        coaching_hours_per_direct_report=0.0,
        direct_reports_coached=0,
        coverage_pct=0.0,
        coaching_skill_rating_sum_received=0,
        coaching_skill_rating_count_received=0,
        avg_coaching_skill_rating_received=None,
        sessions_received=0,
        coached_by_slm=False,
        bookings_usd=0.0,
        quota_usd=0.0,
        attainment_pct=None,
        separations=0,
        avg_headcount=1.0,
        turnover_rate=0.0,
        is_next_quarter_complete=True,
        next_quarter_attainment_pct=None,
        next_quarter_turnover_rate=0.0,
    )
    row.update(cols)
    return row


def test_effectiveness_rows_are_flms_with_reports_at_quarter_end(wh):
    rows = wh.query(
        "select quarter, manager_employee_id, coaching_intensity_quartile "
        "from marts.mart_coaching_effectiveness order by 1, 3, 2"
    )
    # Sam is an SLM and Cody an IC: never rows. Q1 hours: Gus 0, Tia 0, Uma 0, Wes 0, Fay 0.75 -> ordered by
    # hours then id, NTILE(4) of 5 rows = 2, 1, 1, 1. Q2: Fay 0, Tia 0, Uma 0, Wes 0, Gus 1.0. Q3 (to 07/15):
    # nobody coached: ties broken by id alone.
    assert rows == [
        (d("2025-01-01"), "000003", 1),
        (d("2025-01-01"), "000006", 1),
        (d("2025-01-01"), "000007", 2),
        (d("2025-01-01"), "000008", 3),
        (d("2025-01-01"), "000002", 4),
        (d("2025-04-01"), "000002", 1),
        (d("2025-04-01"), "000006", 1),
        (d("2025-04-01"), "000007", 2),
        (d("2025-04-01"), "000008", 3),
        (d("2025-04-01"), "000003", 4),
        (d("2025-07-01"), "000002", 1),
        (d("2025-07-01"), "000003", 1),
        (d("2025-07-01"), "000006", 2),
        (d("2025-07-01"), "000007", 3),
        (d("2025-07-01"), "000008", 4),
    ]


def test_effectiveness_q1(wh):
    # Fay: reports at 03/31 Ria, Ray = 2. Minutes Jan 60 + Mar 30 = 90 -> 90/60/2 = 0.75. Coached in Q1 among
    # Ria, Ray: Ray -> 0.5. Received S5: 12 over 3 -> 4.0, coached by SLM. Bookings 1000 (Rob's O6, closed
    # while he was not employed, counts for nobody), no quota -> attainment NULL. Separations 1 (Rob);
    # avg headcount (3 + 3 + 2.5) / 3 -> 1 / (8.5/3).
    # Next (Q2, complete on 07/15): bookings 2000 / quota 1500; no separation -> turnover 0.
    check(
        one(wh, "mart_coaching_effectiveness", manager_employee_id="000002", quarter="2025-01-01"),
        eff(
            "000002",
            "2025-01-01",
            "2025-03-31",
            direct_reports_eoq=2,
            coaching_minutes_delivered=90,
            coaching_hours_per_direct_report=0.75,
            direct_reports_coached=1,
            coverage_pct=0.5,
            coaching_skill_rating_sum_received=12,
            coaching_skill_rating_count_received=3,
            avg_coaching_skill_rating_received=4.0,
            sessions_received=1,
            coached_by_slm=True,
            bookings_usd=1000.0,
            separations=1,
            avg_headcount=8.5 / 3,
            turnover_rate=3 / 8.5,
            next_quarter_attainment_pct=2000 / 1500,
            next_quarter_turnover_rate=0.0,
            coaching_intensity_quartile=4,
        ),
    )
    # Gus: reports at 03/31: Rita. Delivers no coaching; received S13 (Feedback 3) from Sam in February, a month
    # without a monthly row for him (no report, nothing delivered): received in the quarter all the same (metrics.md
    # "received at least one counted session in the quarter") -> 1 session, 3 / 1 = 3.0, coached by an SLM.
    # Quota 1000 (March), bookings 0 -> 0.
    # Separations 1 (Ned); avg headcount (0.5 + 0 (Feb, no row) + 0.5) / 3 -> 3.0.
    # Next (Q2): bookings 1000 / quota 2500 = 0.4; separations 1 (Ria); avg (2 + 2.5 + 2) / 3 -> 3 / 6.5.
    check(
        one(wh, "mart_coaching_effectiveness", manager_employee_id="000003", quarter="2025-01-01"),
        eff(
            "000003",
            "2025-01-01",
            "2025-03-31",
            coaching_skill_rating_sum_received=3,
            coaching_skill_rating_count_received=1,
            avg_coaching_skill_rating_received=3.0,
            sessions_received=1,
            coached_by_slm=True,
            quota_usd=1000.0,
            attainment_pct=0.0,
            separations=1,
            avg_headcount=1 / 3,
            turnover_rate=3.0,
            next_quarter_attainment_pct=0.4,
            next_quarter_turnover_rate=3 / 6.5,
            coaching_intensity_quartile=1,
        ),
    )
    # Tia: Tom only, nothing happens in Q1. Next: Tom's April quota 1000, his May win 500 -> 0.5.
    check(
        one(wh, "mart_coaching_effectiveness", manager_employee_id="000006", quarter="2025-01-01"),
        eff(
            "000006",
            "2025-01-01",
            "2025-03-31",
            next_quarter_attainment_pct=0.5,
            coaching_intensity_quartile=1,
        ),
    )
    # Wes: received S12 (no ratings) in February -> coached by SLM, average NULL.
    check(
        one(wh, "mart_coaching_effectiveness", manager_employee_id="000008", quarter="2025-01-01"),
        eff(
            "000008",
            "2025-01-01",
            "2025-03-31",
            sessions_received=1,
            coached_by_slm=True,
            coaching_intensity_quartile=3,
        ),
    )


def test_effectiveness_next_quarter_null_until_complete(wh):
    # Q2's next quarter (Q3) ends 09/30 > as-of 07/15: next outcomes NULL although Q3 has data.
    # Gus Q2: reports at 06/30 Rita, Rob; April sessions 120 min -> 1.0 h, both coached; S6 Feedback 2.
    check(
        one(wh, "mart_coaching_effectiveness", manager_employee_id="000003", quarter="2025-04-01"),
        eff(
            "000003",
            "2025-04-01",
            "2025-06-30",
            direct_reports_eoq=2,
            coaching_minutes_delivered=120,
            coaching_hours_per_direct_report=1.0,
            direct_reports_coached=2,
            coverage_pct=1.0,
            coaching_skill_rating_sum_received=2,
            coaching_skill_rating_count_received=1,
            avg_coaching_skill_rating_received=2.0,
            sessions_received=1,
            coached_by_slm=True,
            bookings_usd=1000.0,
            quota_usd=2500.0,
            attainment_pct=0.4,
            separations=1,
            avg_headcount=6.5 / 3,
            turnover_rate=3 / 6.5,
            is_next_quarter_complete=False,
            next_quarter_turnover_rate=None,
            coaching_intensity_quartile=4,
        ),
    )
    # Gus Q3 (quarter end capped at 07/15): only July counts in the mean head count: 1 / (1.5 / 1).
    check(
        one(wh, "mart_coaching_effectiveness", manager_employee_id="000003", quarter="2025-07-01"),
        eff(
            "000003",
            "2025-07-01",
            "2025-07-15",
            separations=1,
            avg_headcount=1.5,
            turnover_rate=1 / 1.5,
            is_next_quarter_complete=False,
            next_quarter_turnover_rate=None,
            coaching_intensity_quartile=1,
        ),
    )


def test_impact_q1_only(wh):
    rows = wh.dicts("select * from marts.mart_coaching_impact order by quarter, coaching_intensity_quartile")
    # Only Q1 has a complete next quarter. Quartile 1 = Gus and Tia: next attainment (0.4 + 0.5) / 2,
    # next turnover (3/6.5 + 0) / 2; Gus coached by an SLM (S13) with next attainment 0.4, Tia not with 0.5.
    # Quartile 2 = Uma (nothing),
    # 3 = Wes (coached, no next attainment), 4 = Fay (0.75 h, coached, next attainment 2000/1500).
    base = dict(
        quarter=d("2025-01-01"),
        managers=1,
        avg_coaching_hours_per_direct_report=0.0,
        avg_next_quarter_attainment_pct=None,
        avg_next_quarter_turnover_rate=0.0,
        managers_coached_by_slm=0,
        avg_next_quarter_attainment_pct_coached_by_slm=None,
        avg_next_quarter_attainment_pct_not_coached_by_slm=None,
    )
    assert len(rows) == 4
    check(
        rows[0],
        {
            **base,
            "coaching_intensity_quartile": 1,
            "managers": 2,
            "avg_next_quarter_attainment_pct": 0.45,
            "avg_next_quarter_turnover_rate": 1.5 / 6.5,
            "managers_coached_by_slm": 1,
            "avg_next_quarter_attainment_pct_coached_by_slm": 0.4,
            "avg_next_quarter_attainment_pct_not_coached_by_slm": 0.5,
        },
    )
    check(rows[1], {**base, "coaching_intensity_quartile": 2})
    check(rows[2], {**base, "coaching_intensity_quartile": 3, "managers_coached_by_slm": 1})
    check(
        rows[3],
        {
            **base,
            "coaching_intensity_quartile": 4,
            "avg_coaching_hours_per_direct_report": 0.75,
            "avg_next_quarter_attainment_pct": 2000 / 1500,
            "managers_coached_by_slm": 1,
            "avg_next_quarter_attainment_pct_coached_by_slm": 2000 / 1500,
        },
    )


def test_the_wide_column_tests_fail_with_a_row_per_offending_column(wh, tmp_path):
    """mart_manager_coaching's `<model>__not_null`, `<model>__in_range` and `<model>__invariants` tests (one
    query each for every column or expression) fail on a copy of the built marts damaged in three cells, and
    their stored failures name each offending column: one null, and two values outside their bounds (a share
    of 1.5, a count of -3); and each broken invariant: fewer courses assigned than completed, and a coverage
    share where the manager has no direct report (when the damaged row has none)."""
    shutil.copyfile(wh.path, tmp_path / "warehouse.duckdb")
    damaged = Marts(tmp_path / "warehouse.duckdb")
    first = "(select manager_employee_id, month from marts.mart_manager_coaching order by all limit 1)"
    (before,) = damaged.dicts(
        f"select * from marts.mart_manager_coaching where (manager_employee_id, month) in {first}"
    )
    damaged.dicts(
        "update marts.mart_manager_coaching set sessions_received = null, coverage_pct = 1.5, "
        f"coaching_courses_assigned = -3 where (manager_employee_id, month) in {first}"
    )
    tests = ["mart_manager_coaching__not_null", "mart_manager_coaching__in_range", "mart_manager_coaching__invariants"]
    with pytest.raises(AssertionError) as failure:
        run_dbt(tmp_path, "test", "--store-failures", "--select", *tests)
    assert all(name in str(failure.value) for name in tests), failure.value
    assert damaged.dicts(f"select * from dbt_test__audit.{tests[0]}") == [
        {"column_name": "sessions_received", "null_rows": 1}
    ]
    outside = damaged.dicts(f"select * from dbt_test__audit.{tests[1]} order by column_name")
    assert outside == [
        {"column_name": "coaching_courses_assigned", "accepted": "at least 0", "rows_outside": 1,
         "lowest_outside": -3.0, "highest_outside": -3.0},
        {"column_name": "coverage_pct", "accepted": "from 0 to 1", "rows_outside": 1,
         "lowest_outside": 1.5, "highest_outside": 1.5},
    ]  # fmt: skip
    broken = [{"expression": "coaching_courses_completed <= coaching_courses_assigned", "broken_rows": 1}]
    if before["direct_reports_eom"] == 0:
        broken.append({"expression": "(coverage_pct is null) = (direct_reports_eom = 0)", "broken_rows": 1})
    assert damaged.dicts(f"select * from dbt_test__audit.{tests[2]} order by expression desc") == broken
