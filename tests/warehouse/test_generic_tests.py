"""The project's own generic dbt tests (dbt_project/tests/generic) on hand-made tables: each finds the rows it
should and no others. The test's SQL is rendered from its file with the arguments a model's yml would give,
and run on an in-memory DuckDB table standing for the model."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import jinja2
import pytest

GENERIC = Path(__file__).resolve().parents[2] / "dbt_project" / "tests" / "generic"


def render(test: str, **arguments: str) -> str:
    """The SELECT of generic test `test`, with `model` and the other arguments filled in."""
    text = (GENERIC / f"{test}.sql").read_text(encoding="utf-8")
    body = re.search(r"{%\s*test\s+\w+\([^)]*\)\s*%}(.*){%\s*endtest\s*%}", text, re.DOTALL)
    assert body, f"no test block in {test}.sql"
    return jinja2.Template(body.group(1)).render(**arguments)


def failures_on_periods(test: str, rows: list[tuple], **arguments: str) -> list[tuple]:
    """The rows `test` returns on a table of (employee_id, valid_from, valid_to) periods."""
    con = duckdb.connect()
    con.execute("create table periods (employee_id varchar, valid_from date, valid_to date)")
    con.executemany("insert into periods values (?, ?, ?)", rows)
    return con.execute(render(test, model="periods", **arguments)).fetchall()


NON_OVERLAPPING = {"partition_by": "employee_id", "start_column": "valid_from", "end_column": "valid_to"}


@pytest.mark.parametrize(
    "rows, broken",
    [
        # one person's periods end the day before the next starts; another person's may lie anywhere
        ([("A", "2025-01-01", "2025-01-31"), ("A", "2025-02-01", None), ("B", "2025-01-15", "2025-03-01")], 0),
        # a gap between periods is fine
        ([("A", "2025-01-01", "2025-01-10"), ("A", "2025-03-01", "2025-03-31")], 0),
        # the first period ends on the day the second starts: that day is in both
        ([("A", "2025-01-01", "2025-02-01"), ("A", "2025-02-01", "2025-02-28")], 1),
        # an open period (no end) before another
        ([("A", "2025-01-01", None), ("A", "2025-06-01", "2025-06-30")], 1),
        # two periods with one start
        ([("A", "2025-01-01", "2025-01-05"), ("A", "2025-01-01", "2025-01-31")], 1),
        # a period inside another, listed after it
        ([("A", "2025-01-01", "2025-12-31"), ("A", "2025-03-01", "2025-03-31"), ("A", "2026-01-01", None)], 1),
    ],
)
def test_non_overlapping_finds_the_periods_that_share_a_day(rows, broken):
    assert len(failures_on_periods("non_overlapping", rows, **NON_OVERLAPPING)) == broken
