"""A job history out of the order sources.md promises (first row a Hire, the row after a Termination a Rehire)
loads, and the WARN test `assert_job_history_in_sequence` names each row out of it, with the rule it breaks."""

from __future__ import annotations

from datetime import date

from tests.warehouse.rawkit import RawWarehouse, node_results, run_dbt

TEST = "assert_job_history_in_sequence"


def _row(employee_id: str, day: str, process: str) -> dict:
    return {"Employee ID": employee_id, "Effective Date": day, "Business Process": process}


def _run(wh: RawWarehouse):
    return node_results(run_dbt(wh.home, "build", "--select", "stg_hris__job_history", TEST))[TEST]


def test_rows_out_of_sequence_warn_with_the_rule_they_break(tmp_path):
    wh = RawWarehouse(tmp_path / "home")
    history = [
        # in order: Hire, Transfer, Termination, Rehire
        _row("000001", "01/01/2024", "Hire"),
        _row("000001", "03/01/2024", "Transfer"),
        _row("000001", "06/30/2024", "Termination"),
        _row("000001", "09/01/2024", "Rehire"),
        # first row a Transfer
        _row("000002", "02/01/2024", "Transfer"),
        # a Change Manager after the Termination, no Rehire
        _row("000003", "01/01/2024", "Hire"),
        _row("000003", "05/31/2024", "Termination"),
        _row("000003", "07/01/2024", "Change Manager"),
        # a Rehire inside an open span, then a second Hire
        _row("000004", "01/01/2024", "Hire"),
        _row("000004", "04/01/2024", "Rehire"),
        _row("000004", "08/01/2024", "Hire"),
    ]
    wh.add("hris_job_history", history, "2025-01-10")
    test = _run(wh)
    assert (str(test.status), test.failures) == ("warn", 4)
    rows = sorted(wh.query(test.node.compiled_code))
    assert rows == [
        ("000002", date(2024, 2, 1), "Transfer", None, "the first row of a person is a Hire"),
        ("000003", date(2024, 7, 1), "Change Manager", "Termination", "the row after a Termination is a Rehire"),
        ("000004", date(2024, 4, 1), "Rehire", "Hire", "a Rehire comes after a Termination"),
        ("000004", date(2024, 8, 1), "Hire", "Rehire", "a Hire is the first row of a person"),
    ]


def test_a_history_in_sequence_passes(tmp_path):
    wh = RawWarehouse(tmp_path / "home")
    wh.add(
        "hris_job_history",
        [_row("000001", "01/01/2024", "Hire"), _row("000001", "06/30/2024", "Termination"),
         _row("000001", "09/01/2024", "Rehire"), _row("000001", "10/01/2024", "Promotion")],
        "2025-01-10",
    )  # fmt: skip
    test = _run(wh)
    assert (str(test.status), test.failures) == ("pass", 0)
