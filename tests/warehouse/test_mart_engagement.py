"""mart_manager_engagement with the anonymity threshold set to 3 (a dbt var), on hand-made survey waves.

Wave 2025-Q3: manager 000042 (typed "42 " and "000042"): 3 finished responses (= threshold: shown) and one
partial; manager 000043: 2 finished (suppressed); manager 000044: only a partial response (no row).
Wave 2025-Q4: manager 000042 again, 1 finished response (suppressed).
"""

from __future__ import annotations

from datetime import date

import duckdb
import pytest

from tests.warehouse.rawkit import RawWarehouse, run_dbt

pytestmark = pytest.mark.slow


def response(n, wave, manager, end, finished="1", coach="", enps="", growth=""):
    return {
        "ResponseId": f"R_{n}",
        "StartDate": end,
        "EndDate": end,
        "Finished": finished,
        "Wave": wave,
        "EmployeeID": "",
        "ManagerID": manager,
        "Q_COACH": coach,
        "Q_ENPS": enps,
        "Q_GROWTH": growth,
    }


RESPONSES = [
    # 000042, 2025-Q3: Q_COACH never answered; Q_ENPS 10, 0 and one skipped; Q_GROWTH 5, 4, 4
    response(1, "2025-Q3", "42 ", "2025-09-20 10:00:00", enps="10", growth="5"),
    response(2, "2025-Q3", "000042", "2025-09-21 23:59:59", enps="0", growth="4"),
    response(3, "2025-Q3", "42", "2025-09-22 08:00:00", growth="4"),
    response(4, "2025-Q3", "42", "2025-09-30 08:00:00", finished="0", coach="1", enps="0", growth="1"),
    # 000043: two finished
    response(5, "2025-Q3", "43", "2025-09-23 07:00:00", coach="5", enps="10", growth="5"),
    response(6, "2025-Q3", "43", "2025-09-24 07:00:00", coach="4", enps="9", growth="5"),
    # 000044: only a partial response
    response(7, "2025-Q3", "44", "2025-09-25 07:00:00", finished="0", coach="3"),
    # 000042, 2025-Q4: one finished
    response(8, "2025-Q4", "42", "2025-12-12 16:00:00", coach="5", enps="10", growth="5"),
]


@pytest.fixture(scope="module")
def rows(tmp_path_factory) -> dict:
    home = tmp_path_factory.mktemp("engagement")
    wh = RawWarehouse(home)
    wh.add("survey_responses", RESPONSES, "2025-12-13")
    run_dbt(
        home,
        "build",
        "--indirect-selection",
        "cautious",
        "--select",
        "+mart_manager_engagement",
        vars={"anonymity_threshold": 3},
    )
    with duckdb.connect(str(wh.path)) as con:  # same configuration as dbt's in-process connection
        cur = con.execute("select * from marts.mart_manager_engagement")
        names = [c[0] for c in cur.description]
        return {(r[0], r[1]): dict(zip(names, r, strict=True)) for r in cur.fetchall()}


def test_rows_are_manager_waves_with_a_finished_response(rows):
    assert sorted(rows) == [("000042", "2025-Q3"), ("000042", "2025-Q4"), ("000043", "2025-Q3")]


def test_row_at_the_threshold_is_shown(rows):
    # 3 finished responses, threshold 3 -> shown. Q_COACH unanswered -> average and favourable share NULL.
    # Q_GROWTH (5 + 4 + 4) / 3; eNPS over the 2 answers: 100 * (1 promoter - 1 detractor) / 2 = 0.
    # Wave close: latest finished EndDate of 2025-Q3 = R6 2025-09-24 (R4's 09-30 is partial).
    assert rows[("000042", "2025-Q3")] == {
        "manager_employee_id": "000042",
        "wave": "2025-Q3",
        "wave_close_date": date(2025, 9, 24),
        "responses": 3,
        "is_suppressed": False,
        "q_coach_avg": None,
        "q_feedback_avg": None,
        "q_growth_avg": pytest.approx(13 / 3),
        "q_recognition_avg": None,
        "q_intent_stay_avg": None,
        "q_coach_favorable_pct": None,
        "enps": 0.0,
    }


def test_rows_below_the_threshold_are_suppressed(rows):
    for key, close in (
        (("000043", "2025-Q3"), date(2025, 9, 24)),
        (("000042", "2025-Q4"), date(2025, 12, 12)),
    ):
        row = rows[key]
        assert (row["wave_close_date"], row["is_suppressed"]) == (close, True)
        assert [row[c] for c in row if c.startswith("q_") or c == "enps"] == [None] * 7
    assert rows[("000043", "2025-Q3")]["responses"] == 2
