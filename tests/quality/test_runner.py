"""The runner over hand-made rows: clean rows pass, violations fail naming file, rows, column, rule."""

import duckdb
import pytest

from pipelines.landing.contracts import violation
from pipelines.quality import runner
from pipelines.quality.runner import validate
from pipelines.sources import SF_NUMBER, SOURCE_FILES, source_file
from tests.quality.rows import clean_row, frame_table

TABLES = [f.raw_table for f in SOURCE_FILES]


USERS = "SELECT unnest(['005000000000000001', '005000000000000002'])"  # the users clean rows name


def run(raw_table, rows, file=None):
    f = source_file(raw_table)
    file = file or ("responses_2025-Q3.csv" if f.name == "responses" else f"{f.name}.csv")
    with duckdb.connect() as con:
        frame_table(con, "t", raw_table, rows, file)
        return validate(con, "t", raw_table, params={"crm_user_ids": USERS})


@pytest.mark.parametrize("raw_table", TABLES)
def test_clean_rows_pass(raw_table):
    report = run(raw_table, [clean_row(raw_table, i) for i in range(1, 6)])
    assert report.rows == 5
    assert report.failures == [], [f.message() for f in report.failures]


def test_empty_relation_has_no_rows_yet():
    report = run("crm_call", [])
    assert report.rows == 0 and report.passed
    assert "no rows yet" in report.summary()


def calls_with_violations():
    rows = [clean_row("crm_call", i) for i in range(1, 21)]
    rows[16]["Status_vod__c"] = "Done"  # row 17
    rows[211 % 20]["Status_vod__c"] = "Done"  # row 12
    rows[4]["Id"] = "a04SHORT"  # row 5: malformed id
    rows[6]["Call_Date_vod__c"] = "11/25/2026"  # row 7: US date in a CRM file
    rows[7]["Status_vod__c"] = None  # row 8: live call without status
    rows[8]["Status_vod__c"], rows[8]["IsDeleted"] = None, "true"  # row 9: tombstone, may be sparse
    rows[18]["Id"] = rows[1]["Id"]  # rows 2 and 19: same Id twice in the batch
    return rows


def messages(report):
    return {f.column + " | " + f.rule: f.message() for f in report.failures}


def test_crafted_violations_name_column_rule_and_rows():
    report = run("crm_call", calls_with_violations(), file="Call2_vod__c.csv")
    msgs = messages(report)
    assert msgs == {
        "Id | 18-character Salesforce id": "Call2_vod__c.csv row 5: Id 'a04SHORT' does not match "
        "18-character Salesforce id (^[a-zA-Z0-9]{18}$)",
        "Id | unique within the batch": "Call2_vod__c.csv rows 2, 19: Id 'a04000000000000002' occurs "
        "more than "
        "once in the batch (key must be unique)",
        "Call_Date_vod__c | a real calendar date YYYY-MM-DD": "Call2_vod__c.csv row 7: Call_Date_vod__c "
        "'11/25/2026' does not match a real calendar date YYYY-MM-DD",
        "Status_vod__c | not empty where IsDeleted = 'false'": "Call2_vod__c.csv row 8: Status_vod__c is "
        "empty "
        "(required) where IsDeleted = 'false'",
        "Status_vod__c | in {Planned_vod, Saved_vod, Submitted_vod}": "Call2_vod__c.csv rows 12, 17: "
        "Status_vod__c 'Done' not in {Planned_vod, Saved_vod, Submitted_vod}",
    }
    assert report.rows == 20 and not report.passed
    by_rule = {f.rule: f for f in report.failures}
    assert by_rule["in {Planned_vod, Saved_vod, Submitted_vod}"].unexpected_count == 2


def test_likert_out_of_range_and_unparseable_answer():
    rows = [clean_row("survey_responses", i) for i in range(1, 8)]
    rows[2]["Q_COACH"] = "7"
    rows[3]["Q_COACH"] = "0"
    rows[4]["Q_COACH"] = "four"
    rows[5]["Q_ENPS"] = "11"
    rows[6]["Wave"] = "2025Q3"
    msgs = messages(run("survey_responses", rows, file="responses_2025-Q3.csv"))
    assert msgs["Q_COACH | in [1, 5] (Likert 1-5)"] == (
        "responses_2025-Q3.csv rows 3, 4: Q_COACH '7', '0' is outside [1, 5] (Likert 1-5)"
    )
    assert msgs["Q_COACH | whole number"] == (
        "responses_2025-Q3.csv row 5: Q_COACH 'four' does not match whole number (^[0-9]+$)"
    )
    assert msgs["Q_ENPS | in [0, 10] (ENPS 0-10)"].startswith("responses_2025-Q3.csv row 6: Q_ENPS '11' ")
    assert msgs["Wave | wave YYYY-Qn"].startswith("responses_2025-Q3.csv row 7: Wave '2025Q3' ")
    assert msgs["Wave | the wave named in the file name responses_<wave>.csv"].startswith(
        "responses_2025-Q3.csv row 7: Wave ('2025Q3', '2025-Q3') is not the wave named in the file name"
    )
    assert len(msgs) == 5


def test_a_respondents_employee_id_is_named_by_its_row_never_by_its_value():
    """A respondent's EmployeeID is personal data (sources.md): a failed check's message, examples and offending
    values, which travel to the run's events, the alert and REJECTED.md, name the row but never the value."""
    rows = [clean_row("survey_responses", i) for i in range(1, 4)]
    rows[1]["EmployeeID"] = "E4711X0"
    (failure,) = run("survey_responses", rows).failures
    assert failure.message() == (
        "responses_2025-Q3.csv row 2: EmployeeID (value withheld: personal data) does not match digits, optionally "
        "with spaces around (^\\s*[0-9]+\\s*$)"
    )
    assert [ex.row_number for ex in failure.examples] == [2] and failure.top_values == []
    assert "E4711X0" not in violation(failure).detail + repr(failure.examples)


def test_hris_rules_dates_vocabularies_and_conditional_columns():
    rows = [clean_row("hris_job_history", i) for i in range(1, 6)]
    rows[0]["Effective Date"] = "2019-03-15"  # ISO instead of MM/DD/YYYY
    rows[1]["Business Process"] = "Hired"
    rows[2]["Termination Category"] = "Voluntary"  # on a Hire row
    rows[3]["Employee ID"] = "12A"
    rows[4]["Employee ID"], rows[4]["Effective Date"] = rows[0]["Employee ID"], rows[0]["Effective Date"]
    msgs = messages(run("hris_job_history", rows, file="job_history.xlsx"))
    assert msgs["Effective Date | a real calendar date MM/DD/YYYY"].startswith(
        "job_history.xlsx rows 1, 5 (sheet rows 2, 6): Effective Date '2019-03-15'"
    )
    assert msgs["Business Process | in {Hire, Transfer, Promotion, Change Manager, Rehire, Termination}"].startswith(
        "job_history.xlsx row 2 (sheet row 3): Business Process 'Hired' not in"
    )
    assert msgs[
        "Termination Category | empty (empty unless Business Process is Termination) "
        "where Business Process ≠ 'Termination'"
    ].startswith("job_history.xlsx row 3 (sheet row 4): Termination Category 'Voluntary'")
    assert msgs["Employee ID | HRIS Employee ID: text of digits, leading zeros kept"].startswith(
        "job_history.xlsx row 4 (sheet row 5): Employee ID '12A'"
    )
    assert msgs["(Employee ID, Effective Date) | unique within the batch"] == (
        "job_history.xlsx rows 1, 5 (sheet rows 2, 6): (Employee ID, Effective Date) ('000001', '2019-03-15') "
        "occurs more than once in the batch (key must be unique)"
    )


def test_ranges_on_amounts_and_rates():
    rows = [clean_row("crm_dated_conversion_rate", i) for i in range(1, 4)]
    rows[0]["ConversionRate"] = "0"
    rows[1]["ConversionRate"] = "1,2"
    msgs = messages(run("crm_dated_conversion_rate", rows, file="DatedConversionRate.csv"))
    assert msgs["ConversionRate | > 0 (conversion rate > 0)"] == (
        "DatedConversionRate.csv row 1: ConversionRate '0' is 0 or below"
    )
    assert msgs[f"ConversionRate | {SF_NUMBER.rule}"].startswith("DatedConversionRate.csv row 2: ConversionRate '1,2'")


def test_many_violations_are_counted_with_a_few_examples():
    rows = [clean_row("crm_user", i) for i in range(1, 31)]
    for r in rows:
        r["IsActive"] = "TRUE"
    report = run("crm_user", rows, file="User.csv")
    (f,) = report.failures
    assert f.unexpected_count == 30
    assert f.message() == "User.csv rows 1, 2, 3, 4, 5 and 25 more (30 rows): IsActive 'TRUE' not in {true, false}"


def test_duplicate_keys_in_different_files_of_a_batch_are_found():
    rows = [clean_row("lms_courses", i) for i in range(1, 10)]
    rows[8]["LO ID"] = rows[0]["LO ID"]
    with duckdb.connect() as con:
        frame_table(con, "a", "lms_courses", rows[:5], "courses.csv")
        frame_table(con, "b", "lms_courses", rows[5:], "courses_again.csv")
        con.execute("create view t as select * from a union all select * from b")
        report = validate(con, "t", "lms_courses")
    (f,) = report.failures
    assert f.message() == (
        "courses.csv row 1; courses_again.csv row 4: LO ID 'LO-1' occurs more than once in the batch "
        "(key must be unique)"
    )


def test_mostly_is_judged_on_the_whole_batch():
    rows = [clean_row("crm_user", i) for i in range(1, 21)]
    rows[0]["EmployeeNumber"] = "C1043"  # a contractor: 1 of 20 (5%) is allowed by mostly 0.9
    rows[1]["EmployeeNumber"] = None
    assert run("crm_user", rows).passed
    for r in rows[2:4]:
        r["EmployeeNumber"] = "n/a"  # 3 of 19 filled values (16%) are not
    (f,) = run("crm_user", rows, file="User.csv").failures
    assert f.message() == (
        "User.csv rows 1, 3, 4: EmployeeNumber 'C1043', 'n/a' does not match digits, optionally with spaces "
        "around (^\\s*[0-9]+\\s*$) (needed in at least 90% of the non-empty values)"
    )


@pytest.mark.parametrize("min_rows", [40, 41])  # the batch has 40 rows: on and just past the line
def test_a_regex_on_repeating_values_is_evaluated_once_per_distinct_value(monkeypatch, min_rows):
    """`_per_value` picks the columns whose values repeat in the sample (a call date, an owner), not the
    near-unique ones (the record's Id); the counts are the same either way (test_gx_parity runs both).
    A batch under PER_VALUE_MIN_ROWS is not probed at all: every expectation is counted on its rows, and
    `validate` decides so by the batch's own row count."""
    rows = [clean_row("crm_call", i) for i in range(1, 41)]
    for i, r in enumerate(rows):
        r["Call_Date_vod__c"] = "2026-11-2" + str(i % 3)  # 3 distinct values in 40 rows
    rows[7]["Call_Date_vod__c"] = "2026-02-30"  # row 8: no such day
    monkeypatch.setattr(runner, "PER_VALUE_MIN_ROWS", min_rows)
    per_value, routes = runner._per_value, []

    def recorded(*args):
        routes.append(per_value(*args))
        return routes[-1]

    monkeypatch.setattr(runner, "_per_value", recorded)
    with duckdb.connect() as con:
        frame_table(con, "t", "crm_call", rows, "Call2_vod__c.csv")
        report = validate(con, "t", "crm_call", params={"crm_user_ids": USERS})
    (grouped,) = routes
    if min_rows <= len(rows):
        assert ('"Call_Date_vod__c"',) in grouped and ('"Id"',) not in grouped, grouped
    else:
        assert grouped == {}
    (f,) = report.failures
    assert (f.column, f.unexpected_count, f.examples[0].row_number) == ("Call_Date_vod__c", 1, 8)
    assert (
        f.message()
        == "Call2_vod__c.csv row 8: Call_Date_vod__c '2026-02-30' does not match a real calendar date YYYY-MM-DD"
    )


@pytest.mark.parametrize("equal_share", [0.5, 2.0])  # judged once where equal / every column on its own
def test_a_timestamp_equal_to_an_earlier_one_under_the_same_rule_takes_its_verdict(monkeypatch, equal_share):
    """`_same_values` lets SystemModstamp take CreatedDate's verdict where the two are equal (they are on 16
    of these 20 rows, more than half of the sample), not Call_Datetime_vod__c (equal on 2); the counts are
    those of judging every column on its own. Worked out by hand, per column:
    row 3  both '2026-02-30T10:00:00.000Z' (no such day):       CreatedDate and SystemModstamp unexpected
    row 5  SystemModstamp alone '2026-11-25 10:00:00' (no T, Z): SystemModstamp unexpected
    rows 9, 10  CreatedDate alone 'yesterday', SystemModstamp fine: CreatedDate unexpected
    row 12 (deleted) CreatedDate missing, SystemModstamp 'x':  CreatedDate missing, SystemModstamp unexpected
    so CreatedDate: 3 unexpected, 1 missing; SystemModstamp: 3 unexpected; Call_Datetime_vod__c: none."""
    rows = [clean_row("crm_call", i) for i in range(1, 21)]
    for r in rows[:4]:
        r["SystemModstamp"] = "2026-11-26T08:00:00.000Z"  # edited after it was created
    for r in rows:
        r["Call_Datetime_vod__c"] = "2026-11-25T09:00:00.000Z"
    rows[1]["CreatedDate"] = rows[1]["Call_Datetime_vod__c"] = "2026-11-25T07:00:00.000Z"
    rows[2]["CreatedDate"] = rows[2]["SystemModstamp"] = "2026-02-30T10:00:00.000Z"
    rows[4]["SystemModstamp"] = "2026-11-25 10:00:00"
    rows[8]["CreatedDate"] = rows[9]["CreatedDate"] = "yesterday"
    rows[11].update(CreatedDate=None, SystemModstamp="x", IsDeleted="true")  # not required of a deleted call
    monkeypatch.setattr(runner, "PER_VALUE_MIN_ROWS", 0)
    monkeypatch.setattr(runner, "REPEATING_SHARE", -1.0)  # every expectation on the rows
    monkeypatch.setattr(runner, "EQUAL_SHARE", equal_share)
    same_values, chosen = runner._same_values, []
    monkeypatch.setattr(runner, "_same_values", lambda *a: chosen.append(same_values(*a)) or chosen[-1])
    report = run("crm_call", rows)
    (same_as,) = chosen
    column = {r.index: r.expectation["kwargs"].get("column") for r in report.results}
    assert {column[b]: column[a] for b, a in same_as.items()} == (
        {"SystemModstamp": "CreatedDate"} if equal_share < 1 else {}
    )
    failed = {(f.column, f.unexpected_count, f.missing_count) for f in report.failures}
    assert failed == {("CreatedDate", 3, 1), ("SystemModstamp", 3, 0)}, [f.message() for f in report.failures]


def test_a_key_hash_collision_only_costs_the_exact_count(monkeypatch):
    """`keys_all_distinct` counts distinct hashes of the keys; when two different keys share a hash it says
    "may repeat", and the exact count of repeated keys decides. Simulated: every batch "may repeat"."""
    from pipelines.quality import translate

    monkeypatch.setattr(translate, "keys_all_distinct", lambda c: "false")
    clean = run("crm_call", [clean_row("crm_call", i) for i in range(1, 6)])
    assert clean.failures == [], [f.message() for f in clean.failures]
    repeated = run("crm_call", calls_with_violations())
    (dup,) = [f for f in repeated.failures if f.column == "Id" and "unique" in f.rule]
    assert dup.unexpected_count == 2


def test_values_of_personal_columns_stored_by_an_older_version_are_withheld_when_the_schema_is_ensured():
    """Helper P: results stored before personal values were withheld (an install upgraded since) showed them in
    `coachwh check`, and every night's `source_contract` check wrote them into the run's events again."""
    import json
    from datetime import datetime

    import duckdb

    from pipelines.quality import results

    with duckdb.connect() as con:
        results.ensure_schema(con)
        old = [
            ["run", "survey/2025-10-01", 1, "loaded", "survey_responses", 3, "expect_column_values_to_match_regex",
             column, "digits", "warn", False, 9, 0, 1,
             json.dumps([{"file": "responses_2025-Q3.csv", "row": 2, "value": "'SECRET-4711'", "record": ""}]),
             json.dumps([["'SECRET-4711'", 1]]),
             f"responses_2025-Q3.csv row 2: {column} 'SECRET-4711' does not match digits", datetime(2026, 12, 1)]
            for column in ("EmployeeID", "Wave")  # the second is not personal: kept as it is
        ]  # fmt: skip
        con.executemany(f"INSERT INTO {results.TABLE} VALUES ({', '.join('?' * 18)})", old)
        results.ensure_schema(con)  # what the next gate does
        rows = con.execute(
            f"SELECT column_name, examples, top_values, message FROM {results.TABLE} ORDER BY 1"
        ).fetchall()
        assert results.withhold_stored_personal_values(con) == 0  # done once
    (employee, wave) = rows
    assert "SECRET" not in repr(employee) and employee[2] is None
    assert (
        employee[3] == "responses_2025-Q3.csv row 2: EmployeeID (value withheld: personal data) does not match digits"
    )
    assert json.loads(employee[1])[0] == {
        "file": "responses_2025-Q3.csv", "row": 2, "value": "(value withheld: personal data)", "record": ""
    }  # fmt: skip
    assert "'SECRET-4711'" in wave[3] and wave[2] is not None
