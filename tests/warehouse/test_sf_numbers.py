"""Salesforce writes a number of 10^7 or more (and one under 10^-3) in E notation, as a Java double does:
`1.2345678E7`. Staging reads every spelling the contract admits as the same number, on DuckDB and on Spark (the
parser is the one `parse_double`)."""

from __future__ import annotations

from pipelines.sample.ids import sfid
from tests.warehouse.rawkit import RawWarehouse, run_dbt

MODEL = "stg_crm__opportunities_with_tombstones"


def test_amounts_in_e_notation_read_as_their_numbers(tmp_path):
    wh = RawWarehouse(tmp_path / "home")
    amounts = {"1.2345678E7": 12345678.0, "1.0E7": 1.0e7, "12345678.0": 12345678.0, "1.5E+7": 1.5e7,
               "2.5e-3": 0.0025, "1234.5": 1234.5, "0": 0.0}  # fmt: skip
    stamp = "2026-11-26T02:13:45.000Z"
    rows = [
        {"Id": sfid("Opportunity", n), "IsDeleted": "false", "SystemModstamp": stamp, "CreatedDate": stamp, "Amount": a}
        for n, a in enumerate(amounts, start=1)
    ]
    wh.add("crm_opportunity", rows, "2026-11-26")
    run_dbt(wh.home, "build", "--select", MODEL, "--indirect-selection", "cautious")
    got = dict(wh.query(f"select opportunity_id, amount from staging.{MODEL}"))
    assert got == {sfid("Opportunity", n): number for n, number in enumerate(amounts.values(), start=1)}
