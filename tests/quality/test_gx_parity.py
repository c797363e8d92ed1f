"""The DuckDB translator agrees with Great Expectations' own pandas path, expectation by expectation.

Every suite runs on crafted batches (clean rows; rows with tricky values in random columns; edge
cases: a row_condition that selects nothing, `!=` over missing values, compound keys with a missing
part) through GX 1.x itself and through `pipelines.quality.runner.validate`; success, element count,
missing count and unexpected count must be equal for every expectation. Every expectation of every
suite must fail on at least one crafted batch, so none is compared only on the easy case.
"""

from __future__ import annotations

import random
from types import SimpleNamespace

import duckdb
import pytest

from pipelines.quality import runner
from pipelines.quality.runner import validate
from pipelines.quality.suites import load_suite, suite_columns
from pipelines.quality.translate import FILE_WAVE, column_sql, compile_suite, same_rule_pairs
from pipelines.sources import SOURCE_FILES, quote, source_file
from tests.quality.rows import clean_row, frame_table

TABLES = [f.raw_table for f in SOURCE_FILES]
USERS = [clean_row("crm_user", i)["Id"] for i in range(0, 4)]
TRICKY = [
    None,
    "",
    "x",
    "nan",
    "inf",
    " 12 ",
    "12",
    "-1",
    "0",
    "1e3",
    "7",
    "100.5",
    "5",
    "11",
    "02/30/2026",
    "2/3/2026",
    "02/03/26",
    "13/01/2026",
    "01/20/2026",
    "2026-02-30",
    "2026-1-1",
    "2026-11-15",
    "2024-02-29",
    "2025-02-29",
    "1900-02-29",
    "2000-02-29",
    "0000-01-01",
    "2026-04-31",
    "02/29/2024",
    "02/29/2025",
    "04/31/2026",
    "2024-02-29T23:59:59.000Z",
    "2025-02-29T23:59:59.000Z",
    "2024-02-29 23:59:59",
    "2026-11-26T02:13:45.000z",
    "2026-11-26T02:13:45.000Z",
    "2026-13-26T02:13:45.000Z",
    "2026-11-26 08:00:00",
    "2026-02-30 08:00:00",
    "a04000000000000001\n",
    "005000000000000001",
    "00500000000000A",
    "Done",
    "true",
    "TRUE",
    "2025-Q3",
    "2025-Q4",
    "2025Q3",
    "1 - Needs Development",
    "9 - Superb",
    "Termination",
    "Hire",
    "Terminated",
    "Completed",
    "Closed Won",
    "EUR",
    "usd",
    "000123",
    "123",
    "C1043",
    "a@b.co",
    "no-at",
]


def _file(raw_table: str) -> str:
    f = source_file(raw_table)
    return "responses_2025-Q3.csv" if f.name == "responses" else f"{f.name}.csv"


def _messy(raw_table: str, seed: int, n: int = 120) -> list[dict]:
    """Clean rows with 1-3 columns set to tricky values, and some keys repeated."""
    rnd = random.Random(seed)
    columns = source_file(raw_table).columns
    rows = [clean_row(raw_table, i) for i in range(1, n + 1)]
    for row in rows:
        for column in rnd.sample(columns, rnd.randint(1, 3)):
            row[column] = None if rnd.random() < 0.3 else rnd.choice(TRICKY)
    for _ in range(n // 10):
        a, b = rnd.sample(range(n), 2)
        for k in source_file(raw_table).key:
            rows[b][k] = rows[a][k]
    return rows


def _edge_batches(raw_table: str) -> list[list[dict]]:
    f = source_file(raw_table)
    rows = [clean_row(raw_table, i) for i in range(1, 6)]
    numeric = [c for c, v in rows[0].items() if v and v.replace(".", "", 1).isdigit()]
    batches = [[{**r, **dict.fromkeys(numeric, ("0", "-1", "-0.5", "1e9")[i % 4])} for i, r in enumerate(rows)]]
    if "IsDeleted" in f.columns:  # every row a tombstone: the row_condition selects nothing
        batches.append([{**r, "IsDeleted": "true", "Status_vod__c": None} for r in rows])
    if "Business Process" in f.columns:  # `!=` over a missing value; a Termination row without its category
        batches.append([{**r, "Business Process": None, "Primary Termination Reason": "x"} for r in rows])
        batches.append([{**r, "Business Process": "Termination", "Termination Category": None} for r in rows])
    if "Coaching_Level__c" in f.columns:  # each level rating the other level's skills
        every_rating = dict.fromkeys([c for c in f.columns if c.endswith("_Rating__c")], "3 - Proficient")
        batches.append([{**r, **every_rating} for r in rows])
        batches.append([{**r, "Coaching_Level__c": "Manager", **every_rating} for r in rows])
    required = [c.name for c in f.fields if c.required is True]
    batches.append([{**r, **dict.fromkeys(required, (" ", "\t", "  x ")[i % 3])} for i, r in enumerate(rows)])
    if len(f.key) > 1:  # compound keys with a missing part, repeated
        batches.append([{**r, f.key[0]: None} for r in rows] + [{**r, **dict.fromkeys(f.key)} for r in rows])
    return batches


def _both(engine, raw_table: str, rows: list[dict]):
    suite = load_suite(raw_table)
    with duckdb.connect() as con:
        frame_table(con, "t", raw_table, rows, _file(raw_table))
        con.execute("CREATE TABLE users AS SELECT unnest(?::VARCHAR[]) AS v", [USERS])
        ours = validate(con, "t", raw_table, suite=suite, params={"crm_user_ids": "SELECT v FROM users"})
        cols = [c for c in suite_columns(suite)] + ([FILE_WAVE] if raw_table == "survey_responses" else [])
        select = ", ".join(f"{column_sql(c)} AS {quote(c)}" for c in dict.fromkeys(cols))
        frame = con.execute(f"SELECT {select} FROM t ORDER BY _row_number").df()
    theirs = engine.validate(suite["expectations"], frame, {"crm_user_ids": USERS})
    return suite, ours, theirs


@pytest.fixture(params=["per row", "per row, equal values judged once", "per distinct value"])
def regex_evaluation(request, monkeypatch):
    """A regex is evaluated on every row, on every row but once where a column equals an earlier one under
    the same rule (`runner._same_values`), or once per distinct value (`runner._per_value`), as picked by
    the sample: every way must give GX's counts."""
    monkeypatch.setattr(runner, "REPEATING_SHARE", 1.0 if request.param == "per distinct value" else -1.0)
    monkeypatch.setattr(runner, "EQUAL_SHARE", 0.0 if "equal" in request.param else 2.0)
    monkeypatch.setattr(runner, "PER_VALUE_MIN_ROWS", 0)  # the crafted batches are small
    same_values, shared = runner._same_values, set()

    def recorded(*args):
        same_as = same_values(*args)
        shared.update(same_as)
        return same_as

    monkeypatch.setattr(runner, "_same_values", recorded)
    return SimpleNamespace(mode=request.param, shared=shared)


@pytest.mark.parametrize("raw_table", TABLES)
def test_translator_agrees_with_gx_on_every_expectation(engine, raw_table, regex_evaluation):
    batches = [[clean_row(raw_table, i) for i in range(1, 6)], _messy(raw_table, 1), _messy(raw_table, 2)]
    batches += _edge_batches(raw_table)
    failed_somewhere: set[int] = set()
    for n, rows in enumerate(batches):
        suite, ours, theirs = _both(engine, raw_table, rows)
        assert len(ours.results) == len(theirs) == len(suite["expectations"])
        for mine, gx in zip(ours.results, theirs, strict=True):
            assert gx.exception is None, (suite["expectations"][gx.index], gx.exception)
            got = (mine.success, mine.element_count, mine.missing_count, mine.unexpected_count)
            want = (gx.success, gx.element_count, gx.missing_count, gx.unexpected_count)
            assert got == want, f"batch {n}, {suite['expectations'][mine.index]}"
            if not gx.success:
                failed_somewhere.add(gx.index)
        if n == 0:
            assert ours.passed, [f.message() for f in ours.failures]
    never = [suite["expectations"][i] for i in range(len(suite["expectations"])) if i not in failed_somewhere]
    assert not never, f"expectations no crafted batch breaks: {never}"
    if "equal" in regex_evaluation.mode:  # the mode shared verdicts wherever the suite has two columns under one rule
        pairs = same_rule_pairs(compile_suite(suite, {"crm_user_ids": "SELECT 1"}))
        assert regex_evaluation.shared <= {b.index for _, b in pairs}
        assert bool(regex_evaluation.shared) == bool(pairs), pairs
