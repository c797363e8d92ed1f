"""The incremental delta models (calls, opportunities, coaching reports, transcripts) give exactly what a
full build gives: build, add a later batch with changes and a tombstone and a late OLDER batch, build
incrementally, compare with --full-refresh; and show that an incremental run reads only new raw rows.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import duckdb
import pytest

from tests.warehouse.rawkit import RawWarehouse, run_dbt

DELTA_MODELS = (
    "stg_crm__opportunities_with_tombstones",
    "stg_crm__calls_with_tombstones",
    "stg_crm__coaching_reports_with_tombstones",
    "stg_lms__transcripts_with_tombstones",
)
VIEWS = ("stg_crm__opportunities", "stg_crm__calls", "stg_crm__coaching_reports", "stg_lms__transcripts")
KEYS = {
    "opportunities": "opportunity_id",
    "calls": "call_id",
    "coaching_reports": "coaching_report_id",
    "transcripts": "transcript_key",
}
SELECT = ["--indirect-selection", "cautious", "--select", *(f"+{v}" for v in VIEWS)]

pytestmark = pytest.mark.slow

USER = "005000000000P1aAAA"


def oid(n: int) -> str:
    return f"006000000000O{n}aAAA"


def ts(day: str) -> str:
    return f"{day}T08:00:00.000Z"


def opp(n: int, amount: str, stamp: str, deleted: str = "false") -> dict:
    return {
        "Id": oid(n),
        "OwnerId": USER,
        "StageName": "Prospecting",
        "Amount": amount,
        "CurrencyIsoCode": "USD",
        "CloseDate": "2025-06-30",
        "IsClosed": "false",
        "IsWon": "false",
        "CreatedDate": ts("2025-01-02"),
        "IsDeleted": deleted,
        "SystemModstamp": ts(stamp),
    }


def call(n: int, status: str, stamp: str, deleted: str = "false") -> dict:
    return {
        "Id": f"a04000000000C{n}aAAA",
        "OwnerId": USER,
        "Call_Date_vod__c": "2025-02-10",
        "Status_vod__c": status,
        "IsDeleted": deleted,
        "SystemModstamp": ts(stamp),
    }


def report(n: int, status: str, stamp: str) -> dict:
    return {
        "Id": f"a0C000000000CR{n}AAA",
        "Manager_vod__c": USER,
        "Employee_vod__c": USER,
        "Review_Date__c": "2025-02-10",
        "Status__c": status,
        "Coaching_Level__c": "Rep",
        "Feedback_Rating__c": "3 - Proficient",
        "IsDeleted": "false",
        "SystemModstamp": ts(stamp),
    }


def transcript(status: str, modified: str) -> dict:
    return {
        "User ID": "000100",
        "LO ID": "LO-A",
        "Assigned Date": "01/10/2025",
        "Transcript Status": status,
        "Last Modified": modified,
    }


def add_batch(raw: RawWarehouse, extract: str, loaded_at: datetime, tables: dict[str, list[dict]]) -> None:
    """Append one batch per system and stamp it with its load time (rawkit leaves a fixed one)."""
    for table, rows in tables.items():
        raw.add(table, rows, extract)
    with duckdb.connect(str(raw.path)) as con:
        for table in tables:
            con.execute(
                f"update raw.{table} set _loaded_at = ? where _extract_date = ?",
                [loaded_at, datetime.fromisoformat(extract).date()],
            )


def dump(path: Path) -> dict[str, list[tuple]]:
    with duckdb.connect(str(path)) as con:
        return {m: sorted(con.execute(f"select * from staging.{m}").fetchall(), key=repr) for m in DELTA_MODELS + VIEWS}


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    raw = RawWarehouse(tmp_path_factory.mktemp("incremental"))
    # Batch A: the first night.
    add_batch(
        raw,
        "2025-03-01",
        datetime(2025, 3, 1, 2),
        {
            "crm_opportunity": [
                opp(1, "100", "2025-03-01"),
                opp(2, "50", "2025-02-25"),
                opp(3, "7", "2025-02-27"),
            ],
            "crm_call": [call(1, "Saved_vod", "2025-02-28"), call(2, "Submitted_vod", "2025-02-28")],
            "crm_coaching_report": [report(1, "Draft", "2025-02-28")],
            "lms_transcripts": [transcript("Registered", "02/28/2025 10:00:00")],
        },
    )
    run_dbt(raw.home, "build", *SELECT)
    first = dump(raw.path)
    # Batch B: a later night with changes, a new record and a tombstone.
    add_batch(
        raw,
        "2025-03-10",
        datetime(2025, 3, 10, 2),
        {
            "crm_opportunity": [
                opp(1, "150", "2025-03-09"),
                opp(3, "7", "2025-03-09", deleted="true"),
                opp(4, "40", "2025-03-09"),
            ],
            "crm_call": [call(1, "Submitted_vod", "2025-03-09")],
            "crm_coaching_report": [report(1, "Submitted", "2025-03-09")],
            "lms_transcripts": [transcript("Completed", "03/09/2025 10:00:00")],
        },
    )
    # Batch C: an OLDER extract that arrives late (loaded after B): its versions lose, its new records count.
    add_batch(
        raw,
        "2025-02-20",
        datetime(2025, 3, 11, 2),
        {
            "crm_opportunity": [
                opp(1, "999", "2025-02-15"),
                opp(2, "60", "2025-02-19"),
                opp(5, "5", "2025-02-19"),
            ],
            "crm_call": [call(2, "Submitted_vod", "2025-02-19", deleted="true")],
            "crm_coaching_report": [report(2, "Approved", "2025-02-19")],
            "lms_transcripts": [transcript("In Progress", "02/19/2025 10:00:00")],
        },
    )
    run_dbt(raw.home, "build", *SELECT)
    incremental = dump(raw.path)
    run_dbt(raw.home, "build", "--full-refresh", *SELECT)
    full = dump(raw.path)
    return raw, first, incremental, full


def test_incremental_equals_full_refresh(runs):
    _, first, incremental, full = runs
    assert incremental == full
    assert first != incremental  # the later batches did change something


def test_incremental_result_is_the_latest_version(runs):
    raw, *_ = runs
    with duckdb.connect(str(raw.path)) as con:
        opps = dict(con.execute("select opportunity_id, amount from staging.stg_crm__opportunities").fetchall())
        deleted = con.execute(
            "select opportunity_id from staging.stg_crm__opportunities_with_tombstones where is_deleted"
        ).fetchall()
        calls = dict(con.execute("select call_id, status from staging.stg_crm__calls").fetchall())
        reports = dict(
            con.execute("select coaching_report_id, status from staging.stg_crm__coaching_reports").fetchall()
        )
        status = con.execute("select status from staging.stg_lms__transcripts").fetchall()
    # O1: B's 150 beats A's 100 and the late batch's older 999; O2: A beats the late older 60;
    # O3: tombstoned by B; O4 new in B; O5 new in the late batch.
    assert opps == {oid(1): 150.0, oid(2): 50.0, oid(4): 40.0, oid(5): 5.0}
    assert deleted == [(oid(3),)]
    # C2's late tombstone is older than A's version: the call stays.
    assert calls == {"a04000000000C1aAAA": "Submitted_vod", "a04000000000C2aAAA": "Submitted_vod"}
    assert reports == {"a0C000000000CR1AAA": "Submitted", "a0C000000000CR2AAA": "Approved"}
    assert status == [("Completed",)]


def test_incremental_run_reads_only_rows_loaded_since_the_last_run(runs):
    """Rewrite an OLD raw row behind dbt's back: an incremental run must not see it (it never rereads the
    history); a full refresh does. This proves the nightly run processes new rows only."""
    raw, *_ = runs
    with duckdb.connect(str(raw.path)) as con:
        con.execute(
            "update raw.crm_opportunity set \"Amount\" = '777' where \"Id\" = ? and _extract_date = date '2025-03-01'",
            [oid(2)],
        )
    amount = "select amount from staging.stg_crm__opportunities where opportunity_id = ?"
    run_dbt(raw.home, "run", "--select", "stg_crm__opportunities_with_tombstones")
    with duckdb.connect(str(raw.path)) as con:
        assert con.execute(amount, [oid(2)]).fetchone() == (50.0,)
    run_dbt(raw.home, "run", "--full-refresh", "--select", "stg_crm__opportunities_with_tombstones")
    with duckdb.connect(str(raw.path)) as con:
        assert con.execute(amount, [oid(2)]).fetchone() == (777.0,)


def test_a_bad_value_stops_the_build_naming_table_and_column(runs):
    """The cast and not-null guards check the newest load only (the gate validated every batch before it),
    and still catch a bad value in it: a delta table's and a snapshot's (here an HRIS date that is
    DD/MM/YYYY), and a record without its Id."""
    raw, *_ = runs
    add_batch(
        raw,
        "2025-03-12",
        datetime(2025, 3, 12, 2),
        {
            "crm_opportunity": [
                {**opp(6, "1", "2025-03-11"), "CloseDate": "2025-13-45"},
                {**opp(7, "1", "2025-03-11"), "Id": None},
            ],
            "hris_workers": [{"Employee ID": "000002", "Hire Date": "31/02/2024"}],
        },
    )
    with pytest.raises(AssertionError) as failure:
        run_dbt(raw.home, "build", *SELECT, "source:raw.hris_workers")
    message = str(failure.value)
    assert "raw_crm_opportunity__usable" in message, message
    assert "raw_hris_workers__usable" in message, message
    # the failing rows name the column, the rule, how many rows, the first row in the file and a value
    tests = ["raw_crm_opportunity__usable", "raw_hris_workers__usable"]
    with pytest.raises(AssertionError):
        run_dbt(raw.home, "test", "--store-failures", "--select", *tests)
    with duckdb.connect(str(raw.path)) as con:
        found = {
            t: con.execute(f"select * from dbt_test__audit.{t} order by column_name, rule").fetchall() for t in tests
        }
    assert found == {
        "raw_crm_opportunity__usable": [
            ("CloseDate", "parses as iso_date", 1, 1, "2025-13-45"),
            ("Id", "not null", 1, 2, None),
        ],
        "raw_hris_workers__usable": [("Hire Date", "parses as us_date", 1, 1, "31/02/2024")],
    }
