"""The export contract's date formats admit exactly the days a calendar has."""

import datetime
import re

import pytest

from pipelines.sources import ISO_DATE, MONTH_START, SF_DATETIME, SF_NUMBER, US_DATE, UTC_DATETIME

YEARS = [1, 4, 99, 100, 400, 1582, 1900, 1996, 1999, 2000, 2023, 2024, 2025, 2100, 2400, 9996, 9999]


def _is_day(y: int, m: int, d: int) -> bool:
    try:
        datetime.date(y, m, d)
    except ValueError:
        return False
    return True


@pytest.mark.parametrize("year", YEARS)
def test_date_formats_admit_the_calendar_days_and_nothing_else(year):
    iso, us, first = (re.compile(f.regex) for f in (ISO_DATE, US_DATE, MONTH_START))
    for m in range(0, 14):
        for d in range(0, 33):
            real = _is_day(year, m, d) if 1 <= m <= 12 else False
            assert bool(iso.search(f"{year:04d}-{m:02d}-{d:02d}")) == real, (year, m, d)
            assert bool(us.search(f"{m:02d}/{d:02d}/{year:04d}")) == real, (year, m, d)
            assert bool(first.search(f"{year:04d}-{m:02d}-{d:02d}")) == (real and d == 1), (year, m, d)


def test_the_leap_day_rule_and_the_shapes():
    assert re.search(ISO_DATE.regex, "2024-02-29") and not re.search(ISO_DATE.regex, "2025-02-29")
    assert re.search(ISO_DATE.regex, "2000-02-29") and not re.search(ISO_DATE.regex, "1900-02-29")
    assert not re.search(ISO_DATE.regex, "0000-01-01")  # no year 0 (Python's MINYEAR is 1)
    for bad in ("2026-1-05", "2026-01-5", "26-01-05", " 2026-01-05", "2026/01/05"):
        assert not re.search(ISO_DATE.regex, bad), bad
    # UTC "like 2026-11-26T02:13:45.000Z" (sources.md): milliseconds or not, Z or a zero offset
    for good in ("2024-02-29T23:59:59.000Z", "2026-11-26T02:13:45.456Z", "2026-11-26T02:13:45Z",
                 "2026-11-26T02:13:45.5Z", "2026-11-26T02:13:45.123456Z", "2026-11-26T02:13:45.000+0000",
                 "2026-11-26T02:13:45+00:00"):  # fmt: skip
        assert re.search(SF_DATETIME.regex, good), good
    for bad in ("2025-02-29T23:59:59.000Z", "2026-11-26T24:00:00.000Z", "2026-11-26 02:13:45", "2026-11-26T02:13:45",
                "2026-11-26T02:13:45.000+0100", "2026-11-26T02:13:45.1234567Z", "2026-11-26T02:13:45.Z",
                "2026-11-26T02:13:45.000ZZ", "2026-11-26T02:13:45.000-00:00x"):  # fmt: skip
        assert not re.search(SF_DATETIME.regex, bad), bad
    # Salesforce's numbers: plain, or a Java double's E notation for large and tiny values
    for good in ("1234.5", "0", "-12", "1.2345678E7", "1.0E7", "2.5e-3", "1.5E+7", "3E7"):
        assert re.search(SF_NUMBER.regex, good), good
    for bad in ("1,234.5", ".5", "1.", "1.2E", "E7", "1.2E7.5", "1.2 E7", "Infinity", "NaN", "1.2E7 "):
        assert not re.search(SF_NUMBER.regex, bad), bad
    assert re.search(UTC_DATETIME.regex, "2026-04-30 08:00:00") and not re.search(
        UTC_DATETIME.regex, "2026-04-31 08:00:00"
    )


def test_a_column_declared_after_its_raw_table_was_created_is_added_to_it():
    """A column added to the declaration (a new field of an export) reaches an existing warehouse's raw table:
    the gate inserts by name, and would otherwise fail on every batch that carries it."""
    import duckdb

    from pipelines.sources import RAW_SCHEMA, SOURCE_FILES, create_raw_tables

    con = duckdb.connect()
    create_raw_tables(con)
    f = SOURCE_FILES[0]
    dropped = f.columns[-1]
    con.execute(f'ALTER TABLE {RAW_SCHEMA}.{f.raw_table} DROP COLUMN "{dropped}"')  # as created before it was declared
    create_raw_tables(con)
    columns = {r[0] for r in con.execute(f"DESCRIBE {RAW_SCHEMA}.{f.raw_table}").fetchall()}
    assert set(f.columns) <= columns
