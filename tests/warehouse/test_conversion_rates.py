"""Overlapping conversion-rate periods warn (a damaged export); back-to-back ones are what Salesforce exports."""

from __future__ import annotations

from tests.warehouse.rawkit import RawWarehouse, node_results, run_dbt


def test_overlapping_periods_of_one_currency_warn_and_back_to_back_ones_pass(tmp_path):
    wh = RawWarehouse(tmp_path / "home")
    rate = {"IsoCode": "EUR", "ConversionRate": "0.9"}
    wh.add(
        "crm_dated_conversion_rate",
        [
            # EUR: January, then a period from 15 January on: the 15th to the 31st are in both
            {**rate, "Id": "e1", "StartDate": "2025-01-01", "NextStartDate": "2025-02-01"},
            {**rate, "Id": "e2", "StartDate": "2025-01-15"},
            # GBP: January, then February on: NextStartDate is exclusive, so they only touch
            {**rate, "Id": "g1", "IsoCode": "GBP", "StartDate": "2025-01-01", "NextStartDate": "2025-02-01"},
            {**rate, "Id": "g2", "IsoCode": "GBP", "StartDate": "2025-02-01"},
        ],
        "2025-03-01",
    )
    result = run_dbt(wh.home, "build", "--select", "stg_crm__conversion_rates")
    check = node_results(result)["stg_crm__conversion_rates__periods_do_not_overlap"]
    assert str(check.status) == "warn" and check.failures == 1, (check.status, check.failures)  # EUR's pair only
