"""Every suite file parses as GX 1.x and names only columns of the source contract."""

import json
import re

import pytest

from pipelines.quality.report import describe_rule
from pipelines.quality.suites import (
    EXPECTATIONS_DIR,
    NUMBER_SUFFIX,
    SuiteError,
    base_column,
    expectation_columns,
    load_suite,
)
from pipelines.quality.translate import FILE_WAVE, SUPPORTED_TYPES, compile_suite
from pipelines.sources import SOURCE_FILES, source_file

TABLES = [f.raw_table for f in SOURCE_FILES]
COMPUTED = {FILE_WAVE}  # columns the translator computes from lineage


def test_one_suite_per_raw_table_and_nothing_else():
    assert sorted(p.stem for p in EXPECTATIONS_DIR.glob("*.json")) == sorted(TABLES)


@pytest.mark.parametrize("raw_table", TABLES)
def test_suite_names_only_contract_columns(raw_table):
    suite = load_suite(raw_table)
    contract = set(source_file(raw_table).columns)
    for e in suite["expectations"]:
        assert e["type"] in SUPPORTED_TYPES, e
        assert e.get("meta", {}).get("rule"), f"{raw_table}: {e['type']} needs meta.rule"
        assert e["meta"].get("severity") in ("error", "warn"), f"{raw_table}: {e} needs meta.severity"
        for col in expectation_columns(e):
            assert base_column(col) in contract | COMPUTED, f"{raw_table}: {col!r} is not a column of the contract"
        if e["type"] == "expect_column_values_to_be_between":
            assert e["kwargs"]["column"].endswith(NUMBER_SUFFIX), "ranges are checked on ::number columns"
        if "regex" in e["kwargs"]:
            re.compile(e["kwargs"]["regex"])
        assert describe_rule(e)


@pytest.mark.parametrize("raw_table", TABLES)
def test_suite_compiles_to_duckdb_sql(raw_table):
    assert len(compile_suite(load_suite(raw_table), {"crm_user_ids": "SELECT 1"})) == len(
        load_suite(raw_table)["expectations"]
    )


@pytest.mark.parametrize("raw_table", TABLES)
def test_suite_loads_as_a_gx_expectation_suite(raw_table, engine):
    suite = load_suite(raw_table)
    gx_suite = engine.suite(raw_table, suite["expectations"])
    assert len(gx_suite.expectations) == len(suite["expectations"])


def test_every_id_column_of_the_spec_is_checked():
    checked = {
        (s, e["kwargs"]["column"])
        for s in TABLES
        for e in load_suite(s)["expectations"]
        if e["type"] == "expect_column_values_to_match_regex"
    }
    for s, col in [
        ("crm_call", "Id"),
        ("crm_call", "OwnerId"),
        ("crm_coaching_report", "Manager_vod__c"),
        ("crm_coaching_report", "Employee_vod__c"),
        ("crm_forecasting_quota", "QuotaOwnerId"),
        ("hris_workers", "Employee ID"),
        ("hris_job_history", "Manager Employee ID"),
        ("lms_transcripts", "User ID"),
        ("survey_responses", "ManagerID"),
    ]:
        assert (s, col) in checked


def test_a_broken_suite_file_gives_a_specific_error(tmp_path):
    (tmp_path / "crm_user.json").write_text(json.dumps({"name": "crm_user", "expectations": []}))
    with pytest.raises(SuiteError, match="non-empty list"):
        load_suite("crm_user", tmp_path)
    with pytest.raises(SuiteError, match="is missing"):
        load_suite("crm_call", tmp_path)
    (tmp_path / "crm_call.json").write_text("{")
    with pytest.raises(SuiteError, match="not valid JSON"):
        load_suite("crm_call", tmp_path)
