"""Salesforce's values in every spelling the contract admits read in staging as what they mean: datetimes, UTC "like
`2026-11-26T02:13:45.000Z`" (sources.md), as the same instant, milliseconds kept, ordering a record's versions; numbers
of 10^7 or more, and under 10^-3, in the E notation of a Java double (`1.2345678E7`) as the same number. (The dbt test
assert_parsers_agree holds the portable datetime parser, Spark's, to DuckDB's.)"""

from __future__ import annotations

from datetime import datetime

from pipelines.sample.ids import sfid
from tests.warehouse.rawkit import RawWarehouse, run_dbt

MODEL = "stg_crm__opportunities_with_tombstones"


def _opp(n: int, stamp: str, amount: str) -> dict:
    return {"Id": sfid("Opportunity", n), "IsDeleted": "false", "SystemModstamp": stamp, "CreatedDate": stamp,
            "Amount": amount}  # fmt: skip


def test_every_admitted_spelling_reads_as_its_utc_instant_and_orders_versions(tmp_path):
    wh = RawWarehouse(tmp_path / "home")
    spellings = {
        1: ("2026-11-26T02:13:45.000Z", datetime(2026, 11, 26, 2, 13, 45)),
        2: ("2026-11-26T02:13:45.456Z", datetime(2026, 11, 26, 2, 13, 45, 456000)),
        3: ("2026-11-26T02:13:45Z", datetime(2026, 11, 26, 2, 13, 45)),
        4: ("2026-11-26T02:13:45.000+0000", datetime(2026, 11, 26, 2, 13, 45)),
        5: ("2026-11-26T02:13:45+00:00", datetime(2026, 11, 26, 2, 13, 45)),
        6: ("2026-11-26T02:13:45.5Z", datetime(2026, 11, 26, 2, 13, 45, 500000)),
    }
    rows = [_opp(n, stamp, "1") for n, (stamp, _) in spellings.items()]
    # two versions of record 7 in one file, 50 ms apart: the later stamp wins though it comes first
    rows += [_opp(7, "2026-11-26T02:13:45.100Z", "100"), _opp(7, "2026-11-26T02:13:45.050Z", "50")]
    wh.add("crm_opportunity", rows, "2026-11-26")
    run_dbt(wh.home, "build", "--select", MODEL, "--indirect-selection", "cautious")
    got = {
        r[0]: r[1:]
        for r in wh.query(f"select opportunity_id, system_modstamp, created_at, amount from staging.{MODEL}")
    }
    for n, (_, instant) in spellings.items():
        assert got[sfid("Opportunity", n)] == (instant, instant, 1.0), n
    assert got[sfid("Opportunity", 7)] == (datetime(2026, 11, 26, 2, 13, 45, 100000),) * 2 + (100.0,)


def test_amounts_in_e_notation_read_as_their_numbers(tmp_path):
    wh = RawWarehouse(tmp_path / "home")
    amounts = {"1.2345678E7": 12345678.0, "1.0E7": 1.0e7, "12345678.0": 12345678.0, "1.5E+7": 1.5e7,
               "2.5e-3": 0.0025, "1234.5": 1234.5, "0": 0.0}  # fmt: skip
    wh.add("crm_opportunity", [_opp(n, "2026-11-26T02:13:45.000Z", a) for n, a in enumerate(amounts, 1)], "2026-11-26")
    run_dbt(wh.home, "build", "--select", MODEL, "--indirect-selection", "cautious")
    got = dict(wh.query(f"select opportunity_id, amount from staging.{MODEL}"))
    assert got == {sfid("Opportunity", n): number for n, number in enumerate(amounts.values(), start=1)}
