"""Two spellings of one key in a snapshot pass the gate (it compares keys as delivered) and staging keeps one row
of them: the `<model>__rows_kept` test warns, naming the row it did not keep. A snapshot whose keys all differ
as staging reads them passes, and an older delivery's rows (history only) are not looked at."""

from __future__ import annotations

from tests.warehouse.rawkit import RawWarehouse, node_results, run_dbt


def _worker(employee_id: str, name: str) -> dict:
    return {"Employee ID": employee_id, "Legal Name": name, "Management Level": "Individual Contributor"}


def _build(wh: RawWarehouse, *models: str) -> dict:
    """dbt build of `models` with their tests and their `__rows_kept` test (a test of a model and a source, which
    cautious selection leaves out): each test's result, by name."""
    kept = [f"{m}__rows_kept" for m in models]
    result = run_dbt(wh.home, "build", "--indirect-selection", "cautious", "--select", *models, *kept)
    return node_results(result)


def _outcome(result) -> tuple[str, int]:
    return str(result.status), result.failures


def _failing_rows(wh: RawWarehouse, result) -> list[tuple]:
    """The rows the SQL dbt ran for a test returns, in row order."""
    return sorted(wh.query(result.node.compiled_code), key=lambda row: row[1])


def test_two_spellings_of_one_key_in_a_snapshot_warn_and_staging_keeps_the_later_row(tmp_path):
    wh = RawWarehouse(tmp_path / "home")
    # an older snapshot holds 7 and 000007 too: history only, not looked at
    wh.add("hris_workers", [_worker("7", "Old A"), _worker("000007", "Old B")], "2025-02-01")
    # the newest: 1006 and 001006 are one person (Employee IDs are left-padded to six digits), ' 002' is 000002
    # padded with a space; 000003 is alone
    latest = [_worker("1006", "Ann"), _worker("000002", "Bo"), _worker("001006", "Ann B."), _worker(" 002", "Bo B.")]
    wh.add("hris_workers", [*latest, _worker("000003", "Cy")], "2025-03-01")
    rate = {"ConversionRate": "0.9", "StartDate": "2025-01-01"}
    wh.add(
        "crm_dated_conversion_rate",
        [
            {**rate, "Id": "r1", "IsoCode": "EUR"},
            {**rate, "Id": "r2", "IsoCode": "eur"},
            {**rate, "Id": "r3", "IsoCode": "GBP"},
        ],
        "2025-03-01",
    )

    tests = _build(wh, "stg_hris__workers", "stg_crm__conversion_rates")
    # workers: rows 1 and 2 lose to rows 3 and 4 (the later row of the file); rates: EUR loses to eur
    assert _outcome(tests["stg_hris__workers__rows_kept"]) == ("warn", 2)
    assert _outcome(tests["stg_crm__conversion_rates__rows_kept"]) == ("warn", 1)
    assert wh.query("select employee_id, legal_name from staging.stg_hris__workers order by 1") == [
        ("000002", "Bo B."),
        ("000003", "Cy"),
        ("001006", "Ann B."),
    ]
    # what the warning says: the rows not kept, by file and row, with their key as delivered
    assert _failing_rows(wh, tests["stg_hris__workers__rows_kept"]) == [
        ("workers.csv", 1, "1006"),
        ("workers.csv", 2, "000002"),
    ]
    assert _failing_rows(wh, tests["stg_crm__conversion_rates__rows_kept"]) == [
        ("DatedConversionRate.csv", 1, "EUR", "2025-01-01")
    ]


def test_a_snapshot_whose_keys_differ_as_read_passes(tmp_path):
    wh = RawWarehouse(tmp_path / "home")
    wh.add("hris_workers", [_worker("1006", "Ann"), _worker("1007", "Bo")], "2025-03-01")
    assert _outcome(_build(wh, "stg_hris__workers")["stg_hris__workers__rows_kept"]) == ("pass", 0)
