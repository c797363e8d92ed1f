"""The source contracts at the gate: a batch that breaks an error-level expectation never reaches raw.

For each expectation kind in use, a crafted batch that breaks it is refused whole (nothing in raw,
REJECTED.md naming file, row, column and value, the results stored); warn-level expectations load and
are reported; a refused batch does not hold back the other systems; the hostile cases (symbolic links,
a survey file without a wave, an impossible HR date) are refused before or at the contracts.
"""

from __future__ import annotations

import json
import os

import duckdb
import pytest

from pipelines.landing.errors import Rule
from pipelines.sources import source_file
from pipelines.warehouse_file import sql_literal
from tests.landing.kit import SURVEY_FILE, csv_text, default_files, qualtrics_headers, rows_for, write_batch
from tests.quality.rows import clean_row


def _batch_with(system: str, raw_table: str, edit, rows: int = 5) -> dict[str, bytes]:
    """A clean batch of `system` whose file of `raw_table` has its rows changed by `edit(rows, col)`."""
    f = source_file(raw_table)
    files = default_files(system, rows=rows)
    data = rows_for(f, rows)
    edit(data, f.columns.index)
    name = SURVEY_FILE if f.name == "responses" else f"{f.name}.csv"
    files[name] = csv_text(f.columns, data, extra_header_rows=qualtrics_headers(f) if f.header_rows == 3 else None)
    return files


def _refused(gate, batch_id: str, *, file: str, row: int, column: str, value: str | None, words: str):
    """The batch was refused by the contracts, nothing of it is in raw, and REJECTED.md says where."""
    report = gate.ingest()
    assert [o.batch_id for o in report.quarantined] == [batch_id], gate.lines
    assert gate.total_raw_rows() == 0
    hits = [v for v in report.quarantined[0].violations if v.rule == Rule.CONTRACT and v.column == column]
    assert hits, report.quarantined[0].violations
    v = hits[0]
    assert (v.file, v.row) == (file, row), v
    assert words in v.detail, v.detail
    if value is not None:
        assert repr(value) in v.detail, v.detail
    system, day = batch_id.split("/")
    rejected = (gate.cfg.quarantine / system / day / "REJECTED.md").read_text()
    assert f"| {file} | {Rule.CONTRACT} |  | {row} | {column} |" in rejected, rejected
    stored = gate.query(
        "SELECT outcome, severity, unexpected_count FROM ops.validation_results "
        "WHERE batch_id = ? AND column_name = ? AND NOT success",
        [batch_id, column],
    )
    assert stored and all(o == "quarantined" and s == "error" and n >= 1 for o, s, n in stored), stored
    return v


def _set(row: int, column: str, value: str | None):
    def edit(rows, index):
        rows[row - 1][index(column)] = value or ""

    return edit


# (raw table, row, column, bad value, words in the detail): one per expectation kind in use
KINDS = [
    ("crm_call", 3, "OwnerId", None, "is empty"),  # not_be_null
    ("crm_call", 2, "Status_vod__c", "Done", "not in {Planned_vod"),  # in_set (vocabulary)
    ("crm_opportunity", 4, "OwnerId", "005SHORT", "18-character Salesforce id"),  # match_regex
    ("crm_opportunity", 2, "Amount", "-12.5", "where Amount is below 0"),  # between: a negative amount on a won deal
    ("crm_opportunity", 3, "Amount", "-1.2E7", "where Amount is below 0"),  # the same in Salesforce's E notation
    ("crm_coaching_report", 5, "Opening_Rating__c", "9 - Superb", "not in {1 - Needs Development"),  # picklist
    ("crm_call", 1, "Call_Date_vod__c", "2026-02-30", "a real calendar date"),  # match_regex: a day no calendar has
    ("hris_workers", 3, "Hire Date", "02/30/2026", "a real calendar date"),  # an impossible HR date
    ("survey_responses", 2, "Wave", "2025-Q4", "wave named in the file name"),  # column pair equal
    ("crm_coaching_report", 2, "Manager_vod__c", None, "is empty"),  # with condition: on a counted session
]


@pytest.mark.parametrize(("raw_table", "row", "column", "value", "words"), KINDS)
def test_a_batch_breaking_an_error_level_expectation_is_refused_whole(gate, raw_table, row, column, value, words):
    f = source_file(raw_table)
    edit = _set(row, column, value)
    if column == "Manager_vod__c":  # a counted session without its coach

        def edit(rows, index):
            rows[row - 1][index("Status__c")] = "Approved"
            rows[row - 1][index(column)] = ""

    write_batch(gate.landing, f.system, "2026-11-26", _batch_with(f.system, raw_table, edit))
    name = SURVEY_FILE if f.name == "responses" else f"{f.name}.csv"
    _refused(gate, f"{f.system}/2026-11-26", file=name, row=row, column=column, value=value, words=words)


def test_a_coaching_reports_date_coach_and_coachee_are_required_once_it_counts_not_on_a_draft(gate):
    def drafts_without_them(rows, index):
        rows[1][index("Status__c")] = "Draft"
        for c in ("Review_Date__c", "Manager_vod__c", "Employee_vod__c"):
            rows[1][index(c)] = ""

    write_batch(gate.landing, "crm", "2026-11-26", _batch_with("crm", "crm_coaching_report", drafts_without_them))
    report = gate.ingest()
    assert [o.batch_id for o in report.loaded] == ["crm/2026-11-26"] and not report.quarantined, gate.lines

    def submitted_without_a_date(rows, index):
        rows[2][index("Status__c")] = "Submitted"
        rows[2][index("Review_Date__c")] = ""

    write_batch(gate.landing, "crm", "2026-11-27", _batch_with("crm", "crm_coaching_report", submitted_without_a_date))
    before = gate.total_raw_rows()
    report = gate.ingest()
    assert [o.batch_id for o in report.quarantined] == ["crm/2026-11-27"], gate.lines
    (v,) = [v for v in report.quarantined[0].violations if v.column == "Review_Date__c"]
    assert (v.file, v.row, v.rule) == ("Coaching_Report_vod__c.csv", 3, Rule.CONTRACT) and "is empty" in v.detail
    assert gate.total_raw_rows() == before


def test_what_the_crm_contract_allows_loads_datetimes_like_its_example_a_bare_tombstone_a_session_without_level(gate):
    """sources.md: "Datetimes are UTC like `2026-11-26T02:13:45.000Z`" (real milliseconds, none, a zero offset);
    a tombstone need carry only its key, IsDeleted and SystemModstamp; no measure reads a session's level."""
    spellings = ["2026-11-02T01:02:03.456Z", "2026-11-02T01:02:03Z", "2026-11-02T01:02:03.000+0000",
                 "2026-11-02T01:02:03+00:00", "2026-11-02T01:02:03.5Z"]  # fmt: skip

    def stamps_and_a_bare_tombstone(rows, index):
        for i, row in enumerate(rows):
            row[index("CreatedDate")] = row[index("SystemModstamp")] = spellings[i]
        for column in source_file("crm_opportunity").columns:
            if column not in ("Id", "IsDeleted", "SystemModstamp"):
                rows[4][index(column)] = ""
        rows[4][index("IsDeleted")] = "true"

    files = _batch_with("crm", "crm_opportunity", stamps_and_a_bare_tombstone)

    def a_counted_session_without_level(rows, index):
        rows[0][index("Status__c")] = "Approved"
        rows[0][index("Coaching_Level__c")] = ""

    sessions = _batch_with("crm", "crm_coaching_report", a_counted_session_without_level)
    files["Coaching_Report_vod__c.csv"] = sessions["Coaching_Report_vod__c.csv"]
    write_batch(gate.landing, "crm", "2026-11-26", files)
    report = gate.ingest()
    assert [o.batch_id for o in report.loaded] == ["crm/2026-11-26"] and not report.quarantined, gate.lines
    stored = gate.query(
        'SELECT "CreatedDate", "IsDeleted", "OwnerId" IS NOT NULL FROM raw.crm_opportunity ORDER BY _row_number'
    )
    assert stored == [(stamp, "false", True) for stamp in spellings[:4]] + [(None, "true", False)]
    assert gate.query('SELECT "Status__c", "Coaching_Level__c" FROM raw.crm_coaching_report WHERE _row_number = 1') == [
        ("Approved", None)
    ]


def test_salesforce_numbers_in_e_notation_load_as_delivered(gate):
    """Salesforce's API writes a number of 10^7 or more as a Java double, `1.2345678E7` (a JPY deal or quota of
    twelve million yen): the contract admits it in every CRM number column, and raw keeps it as delivered
    (tests/warehouse/test_sf_values.py reads it in staging)."""
    values = {
        "crm_opportunity": ("Amount", ["1.2345678E7", "1.0E7", "1234567.0", "2.5e-3", "1.5E+7"]),
        "crm_forecasting_quota": ("QuotaAmount", ["1.5E7", "1.0E8", "12.5", "3E7", "4.25E7"]),
        "crm_dated_conversion_rate": ("ConversionRate", ["1.5E2", "0.92", "1.0", "1.36E0", "7.8E-1"]),
        "crm_coaching_report": ("Duration_Minutes__c", ["4.5E1", "60", "90.0", "1.2E2", "3.0E1"]),
    }
    files = default_files("crm", rows=5)
    for raw_table, (column, spellings) in values.items():

        def in_e_notation(rows, index, column=column, spellings=spellings):
            for row, value in zip(rows, spellings, strict=True):
                row[index(column)] = value

        name = f"{source_file(raw_table).name}.csv"
        files[name] = _batch_with("crm", raw_table, in_e_notation)[name]
    write_batch(gate.landing, "crm", "2026-11-26", files)
    report = gate.ingest()
    assert [o.batch_id for o in report.loaded] == ["crm/2026-11-26"] and not report.quarantined, gate.lines
    for raw_table, (column, spellings) in values.items():
        stored = gate.query(f'SELECT "{column}" FROM raw.{raw_table} ORDER BY _row_number')
        assert stored == [(v,) for v in spellings], raw_table


def test_what_the_spec_leaves_open_loads_with_a_warning_a_terminations_category_a_drafts_level(gate):
    """The export spec says only Termination rows fill the termination columns, not that they always do (an empty
    category counts as a separation of neither category), and a Draft counts nowhere: neither refuses the batch."""

    def without_a_category(rows, index):
        rows[1][index("Business Process")] = "Termination"
        rows[1][index("Termination Category")] = ""

    write_batch(gate.landing, "hris", "2026-11-26", _batch_with("hris", "hris_job_history", without_a_category))

    def a_draft_without_a_level(rows, index):
        rows[1][index("Status__c")] = "Draft"
        rows[1][index("Coaching_Level__c")] = ""

    write_batch(gate.landing, "crm", "2026-11-26", _batch_with("crm", "crm_coaching_report", a_draft_without_a_level))
    report = gate.ingest()
    assert sorted(o.batch_id for o in report.loaded) == ["crm/2026-11-26", "hris/2026-11-26"], gate.lines
    (warning,) = next(o for o in report.loaded if o.batch_id == "hris/2026-11-26").warnings
    assert "Termination Category" in warning and "row 2" in warning, warning


def test_a_rep_level_report_rating_a_coaching_skill_loads_with_a_warning_naming_it(gate):
    """Rep-level reports fill the rep skills, manager-level ones the coaching skills (the export spec): a rating of
    the other level's skills is reported, not refused (the marts count every rating the report holds)."""

    def a_coaching_skill_on_a_rep_report(rows, index):
        rows[3][index("Coaching_Level__c")] = "Rep"
        rows[3][index("Feedback_Rating__c")] = "4 - Advanced"

    write_batch(
        gate.landing, "crm", "2026-11-26", _batch_with("crm", "crm_coaching_report", a_coaching_skill_on_a_rep_report)
    )
    report = gate.ingest()
    assert [o.batch_id for o in report.loaded] == ["crm/2026-11-26"] and not report.quarantined, gate.lines
    (warning,) = report.loaded[0].warnings
    assert "Coaching_Report_vod__c.csv row 4" in warning and "Feedback_Rating__c" in warning, warning
    assert "empty on Rep-level reports" in warning, warning


def test_two_versions_of_one_id_in_a_snapshot_are_refused(gate):
    def edit(rows, index):
        rows[3][index("Id")] = rows[1][index("Id")]
        rows[3][index("Title")] = "a second version of user 2"

    write_batch(gate.landing, "crm", "2026-11-26", _batch_with("crm", "crm_user", edit))
    v = _refused(
        gate,
        "crm/2026-11-26",
        file="User.csv",
        row=2,
        column="Id",
        value=clean_row("crm_user", 2)["Id"],
        words="occurs more than once",
    )
    assert "2 row(s)" in v.detail and "first rows: 2, 4" in v.detail


def test_compound_key_repeated_within_a_batch_is_refused(gate):
    def edit(rows, index):
        for c in ("User ID", "LO ID", "Assigned Date"):
            rows[4][index(c)] = rows[0][index(c)]

    write_batch(gate.landing, "lms", "2026-11-26", _batch_with("lms", "lms_transcripts", edit))
    _refused(
        gate,
        "lms/2026-11-26",
        file="transcripts.csv",
        row=1,
        column="(User ID, LO ID, Assigned Date)",
        value=None,
        words="occurs more than once",
    )


def test_a_warning_loads_and_is_reported_with_the_record_id(gate):
    """A coaching report whose coach is no CRM user: loaded (warn), reported with the record's Id."""
    stranger = "005999999999999999"

    def edit(rows, index):
        rows[2][index("Manager_vod__c")] = stranger

    write_batch(gate.landing, "crm", "2026-11-26", _batch_with("crm", "crm_coaching_report", edit))
    report = gate.ingest()
    assert [o.batch_id for o in report.loaded] == ["crm/2026-11-26"] and not report.quarantined
    assert gate.count("crm_coaching_report") == 5
    (warning,) = report.loaded[0].warnings
    assert "Coaching_Report_vod__c.csv row 3" in warning and stranger in warning
    assert any("WARNING" in line and stranger in line for line in gate.lines)
    (row,) = gate.query(
        "SELECT severity, unexpected_count, examples, outcome FROM ops.validation_results "
        "WHERE batch_id = 'crm/2026-11-26' AND NOT success"
    )
    assert row[0] == "warn" and row[1] == 1 and row[3] == "loaded"
    (example,) = json.loads(row[2])
    assert example == {
        "file": "Coaching_Report_vod__c.csv",
        "row": 3,
        "value": repr(stranger),
        "record": clean_row("crm_coaching_report", 3)["Id"],
    }


def test_a_rate_of_a_currency_no_deal_may_be_in_loads_with_a_warning(gate):
    """An org with more active currencies delivers their rates too: they convert nothing, so they are reported,
    while a deal in such a currency is refused (the vocabulary case of KINDS, on the deal's own column)."""

    def edit(rows, index):
        rows[1][index("IsoCode")] = "CHF"

    write_batch(gate.landing, "crm", "2026-11-26", _batch_with("crm", "crm_dated_conversion_rate", edit))
    report = gate.ingest()
    assert [o.batch_id for o in report.loaded] == ["crm/2026-11-26"] and not report.quarantined
    assert gate.count("crm_dated_conversion_rate") == 5
    (warning,) = report.loaded[0].warnings
    assert "DatedConversionRate.csv row 2" in warning and "'CHF'" in warning


def test_a_deal_in_a_currency_outside_the_vocabulary_is_refused(gate):
    write_batch(
        gate.landing, "crm", "2026-11-26", _batch_with("crm", "crm_opportunity", _set(2, "CurrencyIsoCode", "CHF"))
    )
    _refused(
        gate,
        "crm/2026-11-26",
        file="Opportunity.csv",
        row=2,
        column="CurrencyIsoCode",
        value="CHF",
        words="not in {USD",
    )


def test_a_refused_batch_does_not_hold_back_the_other_systems(gate):
    write_batch(gate.landing, "crm", "2026-11-26", _batch_with("crm", "crm_call", _set(1, "Status_vod__c", "Done")))
    write_batch(gate.landing, "hris", "2026-11-26", default_files("hris"))
    write_batch(gate.landing, "crm", "2026-11-27", default_files("crm", start=20))
    report = gate.ingest()
    assert [o.batch_id for o in report.quarantined] == ["crm/2026-11-26"]
    assert sorted(o.batch_id for o in report.loaded) == ["crm/2026-11-27", "hris/2026-11-26"]
    assert gate.query("SELECT DISTINCT _batch_id FROM raw.crm_call") == [("crm/2026-11-27",)]


def test_a_survey_file_whose_name_holds_no_wave_is_refused(gate):
    files = default_files("survey")
    files["responses_final.csv"] = files.pop(SURVEY_FILE)
    write_batch(gate.landing, "survey", "2026-11-26", files)
    report = gate.ingest()
    (outcome,) = report.quarantined
    assert [(v.file, v.rule) for v in outcome.violations] == [("responses_final.csv", Rule.FILE_NAME)]
    assert gate.total_raw_rows() == 0


def test_a_symlink_inside_a_batch_folder_is_refused_and_never_read(gate, tmp_path):
    outside = tmp_path / "secret.csv"
    outside.write_bytes(default_files("lms")["courses.csv"].replace(b"Traini-1", b"SECRET"))
    files = default_files("lms")
    folder = write_batch(gate.landing, "lms", "2026-11-26", files)
    (folder / "courses.csv").unlink()
    os.symlink(outside, folder / "courses.csv")
    report = gate.ingest()
    (outcome,) = report.quarantined
    assert [(v.file, v.rule) for v in outcome.violations] == [("courses.csv", Rule.SYMLINK)]
    assert gate.total_raw_rows() == 0
    assert (gate.cfg.quarantine / "lms" / "2026-11-26" / "courses.csv").is_symlink()  # kept as a link
    assert outside.exists()


def test_a_batch_folder_that_is_a_symlink_is_refused_and_never_read(gate, tmp_path):
    elsewhere = write_batch(tmp_path / "elsewhere", "lms", "2026-11-26", default_files("lms"))
    (gate.landing / "lms").mkdir()
    os.symlink(elsewhere, gate.landing / "lms" / "2026-11-26")
    report = gate.ingest()
    (outcome,) = report.quarantined
    assert [(v.file, v.rule) for v in outcome.violations] == [("", Rule.SYMLINK)]
    assert gate.total_raw_rows() == 0
    kept = gate.cfg.quarantine / "lms" / "2026-11-26"
    assert (kept / "REJECTED.md").is_file() and (kept / "batch-folder.symlink").is_symlink()
    assert sorted(p.name for p in elsewhere.iterdir()) == ["courses.csv", "manifest.json", "transcripts.csv"]


@pytest.mark.slow
def test_a_single_bad_row_in_the_middle_of_a_million_rows_is_found_by_its_row_number(gate, tmp_path):
    f = source_file("crm_call")
    clean = clean_row("crm_call", 1)
    bad_row = 500_001
    exprs = []
    for c in f.columns:
        if c == "Id":
            exprs.append("'a04' || lpad(i::VARCHAR, 15, '0')")
        elif c == "Status_vod__c":
            exprs.append(f"CASE WHEN i = {bad_row} THEN 'Done' ELSE 'Submitted_vod' END")
        else:
            exprs.append(sql_literal(clean[c]) if clean[c] else "NULL")
    path = tmp_path / "Call2_vod__c.csv"
    select = ", ".join(f'{e} AS "{c}"' for e, c in zip(exprs, f.columns, strict=True))
    with duckdb.connect() as con:
        con.execute(f"COPY (SELECT {select} FROM range(1, 1_000_001) t(i)) TO '{path}' (HEADER)")
    files = default_files("crm")
    files["Call2_vod__c.csv"] = path.read_bytes()
    write_batch(gate.landing, "crm", "2026-11-26", files, rows={"Call2_vod__c.csv": 1_000_000})
    _refused(
        gate,
        "crm/2026-11-26",
        file="Call2_vod__c.csv",
        row=bad_row,
        column="Status_vod__c",
        value="Done",
        words="1 row(s) where Status_vod__c not in {Planned_vod",
    )


def _survey_wave(wave: str) -> dict[str, bytes]:
    """A survey batch of wave `wave` holding the same ResponseIds as every other call (rows 1 to 3)."""
    f = source_file("survey_responses")
    data = rows_for(f, 3)
    for row in data:
        row[f.columns.index("Wave")] = wave
    return {f"responses_{wave}.csv": csv_text(f.columns, data, extra_header_rows=qualtrics_headers(f))}


def test_a_response_of_an_earlier_wave_named_again_in_another_wave_is_refused(gate):
    write_batch(gate.landing, "survey", "2026-11-26", _survey_wave("2025-Q3"))
    assert [o.batch_id for o in gate.ingest().loaded] == ["survey/2026-11-26"]
    write_batch(gate.landing, "survey", "2026-11-27", _survey_wave("2025-Q4"))
    report = gate.ingest()
    (outcome,) = report.quarantined
    (v,) = outcome.violations
    assert (v.file, v.rule, v.row, v.column) == ("responses_2025-Q4.csv", Rule.KEY_ELSEWHERE, 1, "ResponseId"), v
    assert v.detail.startswith("3 row(s) name a record that a batch loaded before holds with another Wave: "), v.detail
    assert "has Wave '2025-Q4' here and '2025-Q3' in batch survey/2026-11-26" in v.detail, v.detail
    rejected = (gate.cfg.quarantine / "survey" / "2026-11-27" / "REJECTED.md").read_text()
    assert f"| responses_2025-Q4.csv | {Rule.KEY_ELSEWHERE} |  | 1 | ResponseId |" in rejected, rejected
    assert gate.query("SELECT DISTINCT _batch_id, Wave FROM raw.survey_responses") == [("survey/2026-11-26", "2025-Q3")]


def test_a_wave_delivered_again_by_a_later_batch_loads(gate):
    write_batch(gate.landing, "survey", "2026-11-26", _survey_wave("2025-Q3"))
    write_batch(gate.landing, "survey", "2026-11-27", _survey_wave("2025-Q3"))
    report = gate.ingest()
    assert [o.batch_id for o in report.loaded] == ["survey/2026-11-26", "survey/2026-11-27"], gate.lines
    assert not report.quarantined
