"""The raw-versions audit (tests/staging/assert_raw_versions_accounted_for.sql, pipelines/raw_audit.py): a
full build audits every raw row, a night only the keys of the rows loaded after the last passing audit.

Two nights of calls: A (C1, C2) then B (C2 again, newer, and C3). Staging is then damaged by hand, a
second row for one key, and the audit run alone says whether it sees the damage."""

from __future__ import annotations

from datetime import datetime

import dagster as dg
import pytest

from pipelines.raw_audit import AUDIT_TEST, TABLE, is_passing_audit, record_audit
from tests.warehouse.rawkit import RawWarehouse, run_dbt
from tests.warehouse.test_incremental import DELTA_MODELS, add_batch, call

pytestmark = pytest.mark.slow

NIGHT_A, NIGHT_B = datetime(2025, 3, 1, 2), datetime(2025, 3, 2, 2)
AUDIT = ["--select", "assert_raw_versions_accounted_for"]
CALLS = "staging.stg_crm__calls_with_tombstones"


def call_id(n: int) -> str:
    return call(n, "Submitted_vod", "2025-02-28")["Id"]


@pytest.fixture(scope="module")
def wh(tmp_path_factory) -> RawWarehouse:
    raw = RawWarehouse(tmp_path_factory.mktemp("raw_audit"))
    night_a = [call(1, "Saved_vod", "2025-02-28"), call(2, "Saved_vod", "2025-02-28")]
    add_batch(raw, "2025-03-01", NIGHT_A, {"crm_call": night_a})
    run_dbt(raw.home, "build", "--select", *DELTA_MODELS, "assert_raw_versions_accounted_for")
    assert record_audit(raw.path, full_refresh=False) == NIGHT_A
    night_b = [call(2, "Submitted_vod", "2025-03-01"), call(3, "Saved_vod", "2025-03-01")]
    add_batch(raw, "2025-03-02", NIGHT_B, {"crm_call": night_b})
    run_dbt(raw.home, "build", "--select", *DELTA_MODELS, "assert_raw_versions_accounted_for")
    return raw


def audit_finds_something(wh: RawWarehouse, *extra: str) -> bool:
    try:
        run_dbt(wh.home, "build", *AUDIT, *extra)  # the audit alone
    except AssertionError as failed:
        assert AUDIT_TEST in str(failed)
        return True
    return False


def duplicate(wh: RawWarehouse, n: int) -> None:
    wh.query(f"insert into {CALLS} select * from {CALLS} where call_id = ?", [call_id(n)])


def undo_duplicate(wh: RawWarehouse, n: int) -> None:
    rows = wh.query(f"select * from {CALLS} where call_id = ? limit 1", [call_id(n)])
    wh.query(f"delete from {CALLS} where call_id = ?", [call_id(n)])
    wh.query(f"insert into {CALLS} values ({', '.join('?' for _ in rows[0])})", list(rows[0]))


def test_the_two_nights_are_accounted_for(wh):
    assert wh.query(f"select count(*), count(distinct call_id) from {CALLS}") == [(3, 3)]
    assert wh.query(f"select max(audited_through), bool_and(full_history) from {TABLE}") == [(NIGHT_A, True)]
    assert not audit_finds_something(wh)
    assert not audit_finds_something(wh, "--full-refresh")


def test_a_night_audits_the_keys_it_loaded(wh):
    duplicate(wh, 3)  # C3 came with night B, after the recorded audit
    try:
        assert audit_finds_something(wh)
    finally:
        undo_duplicate(wh, 3)
    assert not audit_finds_something(wh)


def test_a_night_trusts_the_keys_audited_before_and_a_full_refresh_audits_them_again(wh):
    duplicate(wh, 1)  # C1 came only with night A, audited then
    try:
        assert not audit_finds_something(wh)
        assert audit_finds_something(wh, "--full-refresh")
        wh.query(f"delete from {TABLE}")  # nothing recorded: the whole history
        try:
            assert audit_finds_something(wh)
        finally:
            assert record_audit(wh.path, full_refresh=False) == NIGHT_B
    finally:
        undo_duplicate(wh, 1)


def test_a_raw_row_without_a_key_is_found_on_the_night_it_loads(wh):
    night_c = datetime(2025, 3, 3, 2)
    add_batch(wh, "2025-03-03", night_c, {"crm_call": [{**call(4, "Saved_vod", "2025-03-02"), "Id": ""}]})
    try:
        assert audit_finds_something(wh)
    finally:
        wh.query("delete from raw.crm_call where _loaded_at = ?", [night_c])


def test_only_a_passing_audit_counts(tmp_path):
    def observation(unique_id, status):  # what dagster-dbt yields for a test that is not an asset check
        return dg.AssetObservation(asset_key=["raw", "crm_call"], metadata={"unique_id": unique_id, "status": status})

    assert is_passing_audit(observation(AUDIT_TEST, "pass"))
    assert not is_passing_audit(observation(AUDIT_TEST, "fail"))
    assert not is_passing_audit(observation("test.coachwh.other", "pass"))
    assert not is_passing_audit(dg.Output(None, "x"))  # a model's event
    assert record_audit(RawWarehouse(tmp_path).path, full_refresh=False) is None  # raw holds no row yet
