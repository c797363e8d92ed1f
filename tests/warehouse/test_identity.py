"""Identity resolution on the hand-made scenario of test_staging (answers worked out by hand)."""

from __future__ import annotations

import pytest

from tests.warehouse.test_staging import U_ADMIN, U_M1, U_M2, U_OLD, U_P, U_S, U_X, Built, built_scenario


@pytest.fixture(scope="module")
def wh(tmp_path_factory) -> Built:
    return built_scenario(tmp_path_factory)


def test_crm_users(wh):
    rows = {r["user_id"]: r for r in wh.dicts("select * from intermediate.int_identity__crm_users")}
    assert set(rows) == {U_M1, U_M2, U_P, U_S, U_ADMIN, U_X}
    got = {u: (r["employee_id"], r["match_method"]) for u, r in rows.items()}
    assert got == {
        U_M1: ("000010", "employee_number"),  # as in HRIS
        U_M2: ("000020", "employee_number"),  # ' 20 ': trimmed and padded
        U_P: ("000100", "employee_number"),  # '100': leading zeros dropped by the admin
        U_S: ("000001", "email"),  # empty EmployeeNumber, e-mail in another case
        U_ADMIN: (None, None),  # admin with no worker
        U_X: (None, None),  # contractor with an unknown number and no e-mail
    }
    for u in (U_M1, U_M2, U_P, U_S):
        assert rows[u]["unmatched_reason"] is None
    admin = rows[U_ADMIN]["unmatched_reason"]
    assert "EmployeeNumber is empty" in admin and "'admin@example.com' matches no HRIS Work Email" in admin
    x = rows[U_X]["unmatched_reason"]
    assert "'999999'" in x and "no Email" in x


def test_lms_learners(wh):
    rows = {r["lms_user_id"]: r for r in wh.dicts("select * from intermediate.int_identity__lms_learners")}
    assert {k: (r["employee_id"], r["match_method"]) for k, r in rows.items()} == {
        "100": ("000100", "user_id"),  # zero-stripped User ID, padded
        "X77": ("000020", "email"),  # User ID unknown, e-mail matches case-insensitively
        "555555": (None, None),
    }
    assert "'nobody@example.com' matches no HRIS Work Email" in rows["555555"]["unmatched_reason"]


def test_identity_unmatched_lists_every_unmatched_record_with_a_reason(wh):
    rows = wh.dicts("select * from marts.identity_unmatched order by system, source_id")
    assert [
        (r["system"], r["source_id"], r["source_name"], r["source_email"], r["source_employee_number"]) for r in rows
    ] == [
        ("crm", U_ADMIN, "Ada Admin", "admin@example.com", None),
        # only an older User snapshot held it; its visit C6 and its quota Q3 (15-character id) name it
        ("crm", U_OLD, None, None, None),
        ("crm", U_X, "Xen Contractor", None, "999999"),
        ("lms", "555555", None, "nobody@example.com", "555555"),
    ]
    assert all(r["reason"] for r in rows)
    old = next(r["reason"] for r in rows if r["source_id"] == U_OLD)
    assert old.startswith("not in the latest User snapshot, yet named by Call2_vod__c, ForecastingQuota records")


def test_unmatched_users_count_nowhere(wh):
    owners = {r["owner_employee_id"] for r in wh.dicts("select owner_employee_id from intermediate.int_crm__quotas")}
    assert owners == {"000100"}  # the admin's quota (15-character id) is dropped
    coaches = {
        r["coach_employee_id"] for r in wh.dicts("select coach_employee_id from intermediate.int_coaching__sessions")
    }
    assert None not in coaches and coaches == {"000010", "000001"}
