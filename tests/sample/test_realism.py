"""The organisation and the systems behave like the real ones: the properties later tests rely on."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

import pytest

from pipelines.sample.ids import to18
from tests.sample.conftest import batches, read_csv

HISTORY, LAST = "2026-10-31", "2026-11-05"


def us(d: str):
    return datetime.strptime(d, "%m/%d/%Y").date()


@pytest.fixture(scope="module")
def hr(landing):
    _, workers = read_csv(landing / "hris" / LAST / "workers.csv")
    _, history = read_csv(landing / "hris" / LAST / "job_history.csv")
    by_person = defaultdict(list)
    for r in history:
        by_person[r["Employee ID"]].append(r)
    for rows in by_person.values():
        rows.sort(key=lambda r: us(r["Effective Date"]))
    return {"workers": workers, "history": history, "by_person": by_person}


def manager_on(hr, emp: str, day):
    rows = [r for r in hr["by_person"][emp] if us(r["Effective Date"]) <= day]
    return rows[-1]["Manager Employee ID"] if rows else None


def crm(landing, batch: str, name: str):
    return read_csv(landing / "crm" / batch / f"{name}.csv")[1]


def nightly(landing, system: str):
    return [b for b in batches(landing, system) if b.name > HISTORY]


# ---- HRIS ------------------------------------------------------------------------------------------
def test_job_history_rules(hr):
    for emp, rows in hr["by_person"].items():
        dates = [r["Effective Date"] for r in rows]
        assert len(dates) == len(set(dates)), f"{emp}: two rows on one date"
        assert rows[0]["Business Process"] == "Hire", emp
        for prev, row in zip(rows, rows[1:], strict=False):
            assert (prev["Business Process"] == "Termination") == (row["Business Process"] == "Rehire"), emp
        for i, r in enumerate(rows):
            term = r["Business Process"] == "Termination"
            filled = [
                bool(r[c]) for c in ("Primary Termination Reason", "Termination Category", "Regrettable Termination")
            ]
            assert filled == [term] * 3, f"{emp} {r['Effective Date']}"
            if term and i > 0:  # the manager of the last day worked
                assert r["Manager Employee ID"] == rows[i - 1]["Manager Employee ID"]


def test_org_events_present(hr):
    rows = hr["history"]
    processes = defaultdict(int)
    for r in rows:
        processes[r["Business Process"]] += 1
    assert all(
        processes[p] >= 1 for p in ("Hire", "Transfer", "Promotion", "Change Manager", "Rehire", "Termination")
    ), processes
    terms = [r for r in rows if r["Business Process"] == "Termination"]
    assert {r["Termination Category"] for r in terms} == {"Voluntary", "Involuntary"}
    assert {r["Regrettable Termination"] for r in terms} == {"Yes", "No"}
    mid_month = [r for r in rows if r["Business Process"] == "Change Manager" and us(r["Effective Date"]).day != 1]
    assert mid_month, "no manager change in the middle of a month"
    # promotions of reps to front-line managers
    promoted = [
        rs[i]
        for rs in hr["by_person"].values()
        for i in range(1, len(rs))
        if rs[i]["Business Process"] == "Promotion"
        and rs[i]["Management Level"] == "First-Line Manager"
        and rs[i - 1]["Management Level"] == "Individual Contributor"
    ]
    assert promoted


def test_vacancy_backfilled_via_the_slm(hr):
    level = {w["Employee ID"]: w["Management Level"] for w in hr["workers"]}
    found = False
    for rows in hr["by_person"].values():
        for a, b in zip(rows, rows[1:], strict=False):
            if (
                a["Management Level"] == "Individual Contributor"
                and a["Business Process"] == "Change Manager"
                and level.get(a["Manager Employee ID"]) == "Second-Line Manager"
                and b["Business Process"] == "Change Manager"
                and level.get(b["Manager Employee ID"]) == "First-Line Manager"
            ):
                found = True
    assert found, "no rep moved to the SLM during a vacancy and then to the new FLM"


def test_directors_above_slms(hr):
    level = {w["Employee ID"]: w["Management Level"] for w in hr["workers"]}
    slms = [w for w in hr["workers"] if w["Management Level"] == "Second-Line Manager"]
    assert slms and all(level[w["Manager Employee ID"]] == "Director" for w in slms)


def test_workers_current_state(hr):
    ids = [w["Employee ID"] for w in hr["workers"]]
    assert len(ids) == len(set(ids)) == len(hr["by_person"])
    rehired = 0
    for w in hr["workers"]:
        rows = hr["by_person"][w["Employee ID"]]
        starts = [r["Effective Date"] for r in rows if r["Business Process"] in ("Hire", "Rehire")]
        assert w["Original Hire Date"] == starts[0] and w["Hire Date"] == starts[-1]
        rehired += len(starts) > 1
        last = rows[-1]
        assert (w["Worker Status"] == "Terminated") == (last["Business Process"] == "Termination")
        if w["Worker Status"] == "Terminated":
            assert w["Termination Date"] == last["Effective Date"]
            assert w["Termination Category"] == last["Termination Category"]
        assert w["Manager Employee ID"] == last["Manager Employee ID"]
    assert rehired >= 1


# ---- CRM -------------------------------------------------------------------------------------------
def _norm(number: str) -> str:
    return number.strip().zfill(6) if number.strip() else ""


def test_identity_quirks(landing, hr):
    users = crm(landing, LAST, "User")
    emp_ids = {w["Employee ID"] for w in hr["workers"]}
    emails = {w["Work Email"].lower(): w["Work Email"] for w in hr["workers"]}
    numbers = [u["EmployeeNumber"] for u in users]
    assert any(n == "" for n in numbers)
    assert any(n and n != n.strip() for n in numbers), "no EmployeeNumber padded with spaces"
    assert any(n.isdigit() and len(n) < 6 and n.zfill(6) in emp_ids for n in numbers), "no zero-stripped number"
    unmatched = [u for u in users if _norm(u["EmployeeNumber"]) not in emp_ids and u["Email"].lower() not in emails]
    assert unmatched, "every CRM user matches a worker"
    differs = [u for u in users if u["Email"].lower() in emails and u["Email"] != emails[u["Email"].lower()]]
    assert differs, "no e-mail differing in case between CRM and HRIS"
    # every worker has a CRM user
    matched = {_norm(u["EmployeeNumber"]) for u in users} | {
        w["Employee ID"] for w in hr["workers"] if w["Work Email"].lower() in {u["Email"].lower() for u in users}
    }
    assert emp_ids <= matched


def test_quota_owner_ids_are_15_chars_of_existing_users(landing):
    user_ids = {u["Id"] for u in crm(landing, LAST, "User")}
    owners = {q["QuotaOwnerId"] for q in crm(landing, LAST, "ForecastingQuota")}
    assert owners and all(len(o) == 15 for o in owners)
    assert {to18(o) for o in owners} <= user_ids


def test_group_calls_have_parent_and_attendee_rows(landing):
    calls = crm(landing, HISTORY, "Call2_vod__c")
    by_id = {c["Id"]: c for c in calls}
    children = [c for c in calls if c["Parent_Call_vod__c"]]
    assert children
    for c in children:
        parent = by_id.get(c["Parent_Call_vod__c"])
        if parent is None:  # the parent was deleted
            continue
        assert parent["Parent_Call_vod__c"] == "" and parent["Call_Type_vod__c"].startswith("Group")
    statuses = {c["Status_vod__c"] for c in calls}
    assert statuses == {"Planned_vod", "Saved_vod", "Submitted_vod"}


def test_nightly_deltas_carry_tombstones_and_changes(landing):
    tomb = defaultdict(int)
    for b in nightly(landing, "crm"):
        for name in ("Call2_vod__c", "Coaching_Report_vod__c", "Opportunity"):
            tomb[name] += sum(r["IsDeleted"] == "true" for r in crm(landing, b.name, name))
    assert tomb["Coaching_Report_vod__c"] >= 1 and tomb["Opportunity"] >= 1, tomb
    # the history batch holds no deleted records
    for name in ("Call2_vod__c", "Coaching_Report_vod__c", "Opportunity"):
        assert all(r["IsDeleted"] == "false" for r in crm(landing, HISTORY, name))


def test_opportunities_move_through_stages_and_are_edited_after_closing(landing):
    seen: dict[str, list[dict]] = defaultdict(list)
    for b in batches(landing, "crm"):
        for r in crm(landing, b.name, "Opportunity"):
            seen[r["Id"]].append(r)
    moved = [v for v in seen.values() if len({r["StageName"] for r in v}) >= 3]
    assert moved, "no opportunity moves through stages over several deltas"
    edited = [
        v
        for v in seen.values()
        if len(v) >= 2
        and v[0]["IsClosed"] == "true"
        and any(
            (r["Amount"], r["CloseDate"], r["IsClosed"]) != (v[0]["Amount"], v[0]["CloseDate"], "true") for r in v[1:]
        )
    ]
    assert edited, "no opportunity edited after it closed"
    currencies = {r["CurrencyIsoCode"] for v in seen.values() for r in v}
    assert currencies == {"USD", "EUR", "GBP", "JPY", "CAD"}


def test_conversion_rates_monthly_per_currency(landing):
    rates = crm(landing, LAST, "DatedConversionRate")
    by_cur = defaultdict(list)
    for r in rates:
        by_cur[r["IsoCode"]].append(r)
    assert set(by_cur) == {"USD", "EUR", "GBP", "JPY", "CAD"}
    for rows in by_cur.values():
        rows.sort(key=lambda r: r["StartDate"])
        assert all(a["NextStartDate"] == b["StartDate"] for a, b in zip(rows, rows[1:], strict=False))
        assert rows[-1]["NextStartDate"] == "" and rows[-1]["StartDate"] == "2026-11-01"
        assert all(r["StartDate"].endswith("-01") for r in rows)
    assert {r["ConversionRate"] for r in by_cur["USD"]} == {"1.000000"}


def test_coaching_reports(landing, hr):
    reports = crm(landing, HISTORY, "Coaching_Report_vod__c")
    users = {u["Id"]: u for u in crm(landing, LAST, "User")}
    by_email = {w["Work Email"].lower(): w["Employee ID"] for w in hr["workers"]}
    emp_ids = {w["Employee ID"] for w in hr["workers"]}

    def person(user_id):
        u = users[user_id]
        n = _norm(u["EmployeeNumber"])
        return n if n in emp_ids else by_email.get(u["Email"].lower())

    header = list(reports[0])
    rep_skills, coach_skills = header[10:17], header[17:24]
    levels = defaultdict(int)
    for r in reports:
        levels[r["Coaching_Level__c"]] += 1
        assert r["OwnerId"] == r["Employee_vod__c"]
        empty = coach_skills if r["Coaching_Level__c"] == "Rep" else rep_skills
        assert all(r[c] == "" for c in empty)
        coach, coachee = person(r["Manager_vod__c"]), person(r["Employee_vod__c"])
        review = datetime.strptime(r["Review_Date__c"], "%Y-%m-%d").date()
        assert manager_on(hr, coachee, review) == coach, r["Name"]
    assert levels["Rep"] > levels["Manager"] > 0
    assert any(r["Status__c"] == "Draft" for r in reports)
    comments = [r["Comments__c"] for r in reports]
    assert any("\n" in c for c in comments) and any('"' in c for c in comments) and any("," in c for c in comments)
    assert any(any(r[c] == "" for c in rep_skills) for r in reports if r["Coaching_Level__c"] == "Rep")


# ---- survey and LMS ---------------------------------------------------------------------------------
def test_survey_waves(landing, hr):
    emp_ids = {w["Employee ID"] for w in hr["workers"]}
    response_ids = []
    small_team = False
    for path in sorted((landing / "survey" / HISTORY).glob("responses_*.csv")):
        _, rows = read_csv(path, header_rows=3)
        response_ids += [r["ResponseId"] for r in rows]
        wave = path.stem.removeprefix("responses_")
        assert {r["Wave"] for r in rows} == {wave}
        employee_ids = {r["EmployeeID"] for r in rows}
        if wave.endswith("Q4"):
            assert employee_ids == {""}, "Q4 waves are confidential"
        else:
            assert "" not in employee_ids and employee_ids <= emp_ids
        assert {r["ManagerID"] for r in rows} <= emp_ids
        finished = defaultdict(int)
        for r in rows:
            finished[r["ManagerID"]] += r["Finished"] == "1"
        small_team |= any(0 < n < 5 for n in finished.values())
        assert any(r["Finished"] == "0" for r in rows) or wave != "2026-Q1"
    assert len(response_ids) == len(set(response_ids))
    assert small_team


def test_lms(landing, hr):
    _, courses = read_csv(landing / "lms" / LAST / "courses.csv")
    coaching = [c for c in courses if c["Coaching Curriculum"] == "Y"]
    assert coaching and all(c["Audience"] == "Manager" for c in coaching)
    _, rows = read_csv(landing / "lms" / HISTORY / "transcripts.csv")
    keys = [(r["User ID"], r["LO ID"], r["Assigned Date"]) for r in rows]
    assert len(keys) == len(set(keys))
    assert all(us(r["Due Date"]) > us(r["Assigned Date"]) for r in rows)
    assert all((r["Completed Date"] != "") == (r["Transcript Status"] == "Completed") for r in rows)
    emails = {w["Employee ID"]: w["Work Email"] for w in hr["workers"]}
    assert any(
        r["User Email"] != emails[r["User ID"]] and r["User Email"].lower() == emails[r["User ID"]].lower()
        for r in rows
    )
    coaching_ids = {c["LO ID"] for c in coaching}
    assert any(r["LO ID"] in coaching_ids and r["Transcript Status"] == "Completed" for r in rows)


def _state_on(hr, emp: str, day):
    rows = [r for r in hr["by_person"].get(emp, []) if us(r["Effective Date"]) <= day]
    if not rows or (rows[-1]["Business Process"] == "Termination" and us(rows[-1]["Effective Date"]) < day):
        return None  # not employed that day
    return rows[-1]


def test_survey_manager_is_the_manager_at_launch(landing, hr):
    for path in sorted((landing / "survey" / HISTORY).glob("responses_*.csv")):
        _, rows = read_csv(path, header_rows=3)
        wave = path.stem.removeprefix("responses_")
        year, q = int(wave[:4]), int(wave[-1])
        launch = datetime(year, 3 * q, 1).date()  # a wave closes on the 15th, 14 days after launch
        for r in rows:
            if r["EmployeeID"]:
                state = _state_on(hr, r["EmployeeID"], launch)
                assert state is not None and state["Manager Employee ID"] == r["ManagerID"], r["ResponseId"]


def test_calls_are_made_by_employed_reps(landing, hr):
    users = crm(landing, LAST, "User")
    emp_ids = {w["Employee ID"] for w in hr["workers"]}
    person = {u["Id"]: _norm(u["EmployeeNumber"]) for u in users if _norm(u["EmployeeNumber"]) in emp_ids}
    by_email = {w["Work Email"].lower(): w["Employee ID"] for w in hr["workers"]}
    person.update({u["Id"]: by_email[u["Email"].lower()] for u in users if u["Email"].lower() in by_email})
    checked = set()
    for c in crm(landing, HISTORY, "Call2_vod__c"):
        key = (c["OwnerId"], c["Call_Date_vod__c"])
        if c["OwnerId"] not in person or key in checked or c["Status_vod__c"] != "Submitted_vod":
            continue
        checked.add(key)
        state = _state_on(hr, person[c["OwnerId"]], datetime.strptime(c["Call_Date_vod__c"], "%Y-%m-%d").date())
        assert state is not None and state["Management Level"] == "Individual Contributor", key
    assert len(checked) > 1000
