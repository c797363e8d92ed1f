"""People and hierarchy history on the hand-made scenario of test_staging (answers worked out by hand).

The rep 000100: Hire 2025-01-15 under 000010 (' 10' as delivered), mid-month Change Manager 2025-02-10 to
000020, Termination 2025-02-20 (last day, manager 000020, Voluntary, regretted), Rehire 2025-03-03 under
000010. 000200 is hired 2025-04-01, after the as-of date 2025-03-20.
"""

from __future__ import annotations

from datetime import date

import pytest

from tests.warehouse.test_staging import Built, built_scenario


@pytest.fixture(scope="module")
def wh(tmp_path_factory) -> Built:
    return built_scenario(tmp_path_factory)


def manager_on(wh: Built, employee_id: str, day: str):
    """The manager named by the job row current on d (effective_date <= d <= coalesce(valid_until, d)); the
    person's manager on d only while active (direct_reports below reads the intervals that apply that)."""
    rows = wh.dicts(f"""
        select manager_employee_id from intermediate.int_people__job_intervals
        where employee_id = '{employee_id}'
          and effective_date <= date '{day}' and date '{day}' <= coalesce(valid_until, date '{day}')
    """)
    assert len(rows) <= 1, rows
    return rows[0]["manager_employee_id"] if rows else None


def direct_reports(wh: Built, manager: str, day: str) -> set[str]:
    return {
        r["employee_id"]
        for r in wh.dicts(f"""
        select employee_id from intermediate.int_people__reporting_intervals
        where manager_employee_id = '{manager}' and valid_from <= date '{day}' and date '{day}' <= valid_to
    """)
    }


def test_job_intervals_of_the_rep(wh):
    rows = wh.dicts(
        "select * from intermediate.int_people__job_intervals where employee_id = '000100' order by effective_date"
    )
    assert [
        (
            r["effective_date"],
            r["valid_until"],
            r["business_process"],
            r["manager_employee_id"],
            r["span_number"],
        )
        for r in rows
    ] == [
        (date(2025, 1, 15), date(2025, 2, 9), "Hire", "000010", 1),
        (date(2025, 2, 10), date(2025, 2, 19), "Change Manager", "000020", 1),
        (date(2025, 2, 20), date(2025, 3, 2), "Termination", "000020", 1),
        (date(2025, 3, 3), None, "Rehire", "000010", 2),
    ]
    term = rows[2]
    assert (term["termination_category"], term["termination_reason"], term["is_regretted"]) == (
        "Voluntary",
        "Better offer",
        True,
    )


@pytest.mark.parametrize(
    "day, manager",
    [
        ("2025-01-14", None),  # before the hire
        ("2025-01-15", "000010"),  # hire day
        ("2025-02-09", "000010"),  # last day before the mid-month change
        ("2025-02-10", "000020"),  # the change takes effect on its effective date
        ("2025-02-20", "000020"),  # last day worked: the Termination row's manager
        ("2025-03-02", "000020"),  # between spans the Termination row is current (not active: see spans)
        ("2025-03-03", "000010"),  # rehired under 000010
        ("2026-01-01", "000010"),  # open row
    ],
)
def test_manager_on_a_day_across_a_mid_month_change_and_a_rehire(wh, day, manager):
    assert manager_on(wh, "000100", day) == manager


def test_employment_spans_with_a_rehire(wh):
    rows = wh.dicts(
        "select * from intermediate.int_people__employment_spans where employee_id = '000100' order by span_number"
    )
    assert [
        (
            r["span_number"],
            r["span_start"],
            r["span_end"],
            r["termination_category"],
            r["termination_reason"],
            r["is_regretted"],
            r["last_day_manager_employee_id"],
        )
        for r in rows
    ] == [
        (1, date(2025, 1, 15), date(2025, 2, 20), "Voluntary", "Better offer", True, "000020"),
        (2, date(2025, 3, 3), None, None, None, None, None),
    ]
    spans = {r["employee_id"]: r for r in wh.dicts("select * from intermediate.int_people__employment_spans")}
    assert spans["000001"]["span_start"] == date(2024, 1, 1) and spans["000001"]["span_end"] is None
    assert spans["000200"]["span_start"] == date(2025, 4, 1)


def test_reporting_intervals_of_the_rep(wh):
    rows = wh.dicts(
        "select * from intermediate.int_people__reporting_intervals where employee_id = '000100' order by valid_from"
    )
    assert [(r["manager_employee_id"], r["valid_from"], r["valid_to"], r["span_number"]) for r in rows] == [
        ("000010", date(2025, 1, 15), date(2025, 2, 9), 1),
        ("000020", date(2025, 2, 10), date(2025, 2, 19), 1),
        ("000020", date(2025, 2, 20), date(2025, 2, 20), 1),  # the last day worked
        ("000010", date(2025, 3, 3), date(2025, 3, 20), 2),  # open end capped at the as-of date
    ]


def test_reporting_intervals_of_managers_and_future_hires(wh):
    rows = {
        r["employee_id"]: r
        for r in wh.dicts("select * from intermediate.int_people__reporting_intervals where employee_id <> '000100'")
    }
    assert set(rows) == {"000010", "000020"}  # 000001 has no manager; 000200 starts after the as-of date
    assert rows["000020"]["manager_employee_id"] == "000001"  # delivered as '1'
    assert (rows["000010"]["valid_from"], rows["000010"]["valid_to"]) == (date(2024, 1, 1), date(2025, 3, 20))


@pytest.mark.parametrize(
    "manager, day, reports",
    [
        ("000010", "2025-02-09", {"000100"}),
        ("000010", "2025-02-10", set()),
        ("000020", "2025-02-20", {"000100"}),
        ("000020", "2025-02-21", set()),  # separated: active no more
        ("000010", "2025-03-02", set()),  # between spans
        ("000010", "2025-03-03", {"000100"}),
        ("000001", "2025-03-20", {"000010", "000020"}),
    ],
)
def test_direct_reports_on_a_day(wh, manager, day, reports):
    assert direct_reports(wh, manager, day) == reports


def test_dim_employee(wh):
    rows = {r["employee_id"]: r for r in wh.dicts("select * from marts.dim_employee")}
    assert set(rows) == {"000001", "000010", "000020", "000100", "000200"}
    pat = rows["000100"]
    assert (
        pat["name"],
        pat["email"],
        pat["current_manager_employee_id"],
        pat["management_level"],
        pat["region"],
    ) == ("Pat Rep", "pat@example.com", "000010", "Individual Contributor", "East")
    # dates from job_history's spans: rehired 03/03 (an open span), so no termination date, though the workers
    # file still shows the 02/20 one
    assert (pat["hire_date"], pat["original_hire_date"], pat["termination_date"]) == (
        date(2025, 3, 3),
        date(2025, 1, 15),
        None,
    )
    assert pat["is_active"] is True and pat["employment_spans"] == 2
    assert (pat["crm_user_id"], pat["lms_user_id"]) == ("005Ab00000XyZ12IAF", "100")
    assert rows["000020"]["lms_user_id"] == "X77" and rows["000020"]["crm_user_id"] == "005000000000M2aAAA"
    assert (
        rows["000001"]["crm_user_id"] == "005000000000SSaAAA" and rows["000001"]["current_manager_employee_id"] is None
    )
    # hired after the as-of date, which is not known yet (metrics.md): not active, no manager, no dates yet
    fay = rows["000200"]
    assert (fay["is_active"], fay["current_manager_employee_id"], fay["hire_date"], fay["employment_spans"]) == (
        False,
        None,
        None,
        0,
    )
