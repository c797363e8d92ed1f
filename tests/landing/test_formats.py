"""HR workbooks load exactly like their CSV twin; workbook-specific refusals name row and column."""

from __future__ import annotations

import io
from datetime import datetime

import openpyxl
import pytest

from pipelines.landing.errors import Rule
from pipelines.sources import source_file
from tests.landing.kit import csv_text, default_files, rows_for, write_batch

WORKERS = source_file("hris_workers")
HISTORY = source_file("hris_job_history")


def _workers_rows() -> list[list[str]]:
    return [
        [
            "000123",
            "Ada Lovelace",
            "ada@example.com",
            "01/15/2020",
            "01/15/2020",
            "",
            "",
            "",
            "",
            "First-Line Manager",
            "Sales Manager",
            "EMEA",
            "000007",
            "Active",
        ],
        [
            "004560",
            "Grace Hopper, PhD",
            "grace@example.com",
            "03/01/2021",
            "06/30/2018",
            "09/30/2024",
            "Relocation",
            "Voluntary",
            "Yes",
            "Individual Contributor",
            "Sales Rep",
            "US East",
            "000123",
            "Terminated",
        ],
        [
            "000789",
            'Bob "the builder"',
            "bob@example.com",
            "12/31/2022",
            "12/31/2022",
            "",
            "",
            "",
            "",
            "Individual Contributor",
            "Sales Rep",
            "US West",
            "000123",
            "Leave of Absence",
        ],
    ]


def _history_rows() -> list[list[str]]:
    return [
        ["000123", "01/15/2020", "Hire", "Individual Contributor", "Sales Rep", "EMEA", "000007", "", "", ""],
        [
            "000123",
            "07/01/2022",
            "Promotion",
            "First-Line Manager",
            "Sales Manager",
            "EMEA",
            "000007",
            "",
            "",
            "",
        ],
    ]


def _as_cell(column: str, value: str, real_dates: bool):
    if real_dates and column.endswith("Date") and value:
        return datetime.strptime(value, "%m/%d/%Y")  # a real Excel date cell
    return value or None


def _xlsx(columns, rows, real_dates: bool = True, tweak=None) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(list(columns))
    for r in rows:
        ws.append([_as_cell(c, v, real_dates) for c, v in zip(columns, r, strict=True)])
    if tweak:
        tweak(ws)
    wb.create_sheet("Notes").append(["second sheet is ignored"])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _deliver_workbook(gate, day: str, workbook: bytes) -> None:
    """An HR batch of `day` whose workers file is `workbook` (3 data rows), beside a clean job_history.csv."""
    write_batch(
        gate.landing,
        "hris",
        day,
        {"workers.xlsx": workbook, "job_history.csv": csv_text(HISTORY.columns, _history_rows())},
        rows={"workers.xlsx": 3},
    )


def _content(gate, table: str, batch_id: str) -> list[tuple]:
    cols = ", ".join(f'"{c}"' for c in source_file(table).columns)
    return gate.query(
        f"SELECT {cols}, _row_number FROM raw.{table} WHERE _batch_id = ? ORDER BY _row_number", [batch_id]
    )


def test_xlsx_and_csv_hr_files_load_identically(gate):
    workbooks = {
        "workers.xlsx": _xlsx(WORKERS.columns, _workers_rows()),
        "job_history.xlsx": _xlsx(HISTORY.columns, _history_rows(), real_dates=False),
    }
    # a workbook is a zip with NUL bytes: the gate's NUL rule is for text files, not for these
    assert all(b"\x00" in data for data in workbooks.values())
    write_batch(
        gate.landing,
        "hris",
        "2026-11-26",
        workbooks,
        rows={"workers.xlsx": 3, "job_history.xlsx": 2},
    )
    write_batch(
        gate.landing,
        "hris",
        "2026-11-27",
        {
            "workers.csv": csv_text(WORKERS.columns, _workers_rows(), bom=True),
            "job_history.csv": csv_text(HISTORY.columns, _history_rows()),
        },
    )
    report = gate.ingest()
    assert not report.quarantined, [o.reason for o in report.quarantined]
    for table in ("hris_workers", "hris_job_history"):
        from_xlsx = _content(gate, table, "hris/2026-11-26")
        from_csv = _content(gate, table, "hris/2026-11-27")
        assert from_xlsx == from_csv and from_xlsx
    assert gate.query("SELECT DISTINCT _source_file FROM raw.hris_workers ORDER BY 1") == [
        ("workers.csv",),
        ("workers.xlsx",),
    ]
    assert gate.query('SELECT "Employee ID", "Hire Date" FROM raw.hris_workers WHERE _row_number = 1 LIMIT 1') == [
        ("000123", "01/15/2020")
    ]


def test_columns_in_another_order_load_by_name(gate):
    """An export's columns follow the query or report that made it: the same columns in another order, in a CSV
    or a workbook, load exactly as the contract's order does."""
    workers = list(reversed(WORKERS.columns))
    history = [*HISTORY.columns[1:], HISTORY.columns[0]]
    write_batch(
        gate.landing,
        "hris",
        "2026-11-26",
        {
            "workers.xlsx": _xlsx(workers, [list(reversed(r)) for r in _workers_rows()]),
            "job_history.csv": csv_text(history, [[*r[1:], r[0]] for r in _history_rows()]),
        },
        rows={"workers.xlsx": 3},
    )
    write_batch(
        gate.landing,
        "hris",
        "2026-11-27",
        {
            "workers.csv": csv_text(WORKERS.columns, _workers_rows()),
            "job_history.csv": csv_text(HISTORY.columns, _history_rows()),
        },
    )
    report = gate.ingest()
    assert not report.quarantined, [o.reason for o in report.quarantined]
    for table in ("hris_workers", "hris_job_history"):
        assert _content(gate, table, "hris/2026-11-26") == _content(gate, table, "hris/2026-11-27")
    assert gate.query('SELECT "Employee ID", "Worker Status" FROM raw.hris_workers WHERE _row_number = 2') == [
        ("004560", "Terminated"),
        ("004560", "Terminated"),
    ]


def test_crm_headers_match_in_any_letter_case_other_headers_exactly(gate):
    """Salesforce API names are case-insensitive, and Data Loader writes them as the query typed them or in
    capitals: a CRM file loads whatever the case of its header. A Workday header is matched exactly, and the
    refusal says what differs; so is a column without a name (a CSV re-saved by Excel)."""
    user, opportunity = source_file("crm_user"), source_file("crm_opportunity")
    files = default_files("crm", rows=3)
    files["User.csv"] = csv_text([c.upper() for c in user.columns], rows_for(user, 3))
    files["Opportunity.csv"] = csv_text([c.lower() for c in reversed(opportunity.columns)],
                                        [list(reversed(r)) for r in rows_for(opportunity, 3)])  # fmt: skip
    write_batch(gate.landing, "crm", "2026-11-26", files)
    write_batch(gate.landing, "crm", "2026-11-27", default_files("crm", rows=3))
    history = [c.lower() if c == "Employee ID" else c for c in HISTORY.columns]
    write_batch(
        gate.landing,
        "hris",
        "2026-11-26",
        {
            "workers.csv": csv_text([*WORKERS.columns, ""], [[*r, ""] for r in _workers_rows()]),
            "job_history.csv": csv_text(history, _history_rows()),
        },
    )
    report = gate.ingest()
    assert sorted(o.batch_id for o in report.loaded) == ["crm/2026-11-26", "crm/2026-11-27"], gate.lines
    for table in ("crm_user", "crm_opportunity"):
        assert _content(gate, table, "crm/2026-11-26") == _content(gate, table, "crm/2026-11-27"), table
    (refused,) = report.quarantined
    reasons = {v.file: v.detail for v in refused.violations}
    assert "names must match the contract's letter case: 'employee id' for 'Employee ID'" in reasons["job_history.csv"]
    assert "a column without a name" in reasons["workers.csv"], reasons


def test_a_number_in_a_workbook_with_its_columns_in_another_order_is_named_by_its_own_column(gate):
    workers = list(reversed(WORKERS.columns))  # Manager Employee ID is the sheet's second column

    def tweak(ws):
        ws["B3"] = 123

    write_batch(
        gate.landing,
        "hris",
        "2026-11-26",
        {
            "workers.xlsx": _xlsx(workers, [list(reversed(r)) for r in _workers_rows()], tweak=tweak),
            "job_history.csv": csv_text(HISTORY.columns, _history_rows()),
        },
        rows={"workers.xlsx": 3},
    )
    report = gate.ingest()
    v = next(v for v in report.quarantined[0].violations if v.rule == Rule.CELL)
    assert (v.file, v.line, v.row, v.column) == ("workers.xlsx", 3, 2, "Manager Employee ID")


@pytest.mark.parametrize(
    ("cell", "says"),
    [
        (123, "a number (123); Employee IDs must be text cells"),  # the leading zeros would be lost
        # openpyxl saves a formula alone: no workbook program has calculated it, and it is no empty value
        ('="000" & "123"', 'a formula saved without its value (="000" & "123")'),
    ],
)
def test_a_cell_whose_value_cannot_be_read_as_delivered_is_refused_with_row_and_column(gate, cell, says):
    def tweak(ws):
        ws["M3"] = cell  # Manager Employee ID of data row 2

    _deliver_workbook(gate, "2026-11-26", _xlsx(WORKERS.columns, _workers_rows(), tweak=tweak))
    report = gate.ingest()
    assert report.quarantined and gate.total_raw_rows() == 0
    v = next(v for v in report.quarantined[0].violations if v.rule == Rule.CELL)
    assert (v.file, v.line, v.row, v.column) == ("workers.xlsx", 3, 2, "Manager Employee ID")
    assert v.detail.startswith(says), v.detail


def test_xlsx_with_wrong_header_and_garbage_workbook(gate):
    cols = list(WORKERS.columns)
    cols.remove("Region")
    write_batch(
        gate.landing,
        "hris",
        "2026-11-26",
        {
            "workers.xlsx": _xlsx(cols, [r[:11] + r[12:] for r in _workers_rows()]),
            "job_history.xlsx": b"PK\x03\x04 this is no workbook",
        },
        rows={"workers.xlsx": 3, "job_history.xlsx": 2},
    )
    report = gate.ingest()
    assert report.quarantined and gate.total_raw_rows() == 0
    reason = report.quarantined[0].reason
    # the first bad file refuses the batch; either way the message names file and rule
    assert ("workers.xlsx" in reason and "'Region'" in reason) or (
        "job_history.xlsx" in reason and Rule.UNREADABLE in reason
    )


def test_both_formats_of_one_file_type_in_one_batch_is_refused(gate):
    write_batch(
        gate.landing,
        "hris",
        "2026-11-26",
        {
            "workers.xlsx": _xlsx(WORKERS.columns, _workers_rows()),
            "workers.csv": csv_text(WORKERS.columns, _workers_rows()),
            "job_history.csv": csv_text(HISTORY.columns, _history_rows()),
        },
        rows={"workers.xlsx": 3},
    )
    report = gate.ingest()
    assert report.quarantined and Rule.DUPLICATE_FILE_TYPE in report.quarantined[0].reason


def test_qualtrics_header_with_line_breaks_in_question_text(gate):
    f = source_file("survey_responses")
    question = [f"Q text of {c}" for c in f.columns]
    question[7] = "My manager gives me coaching\nthat helps me improve"
    importid = ['{"ImportId":"' + c + '"}' for c in f.columns]
    rows = rows_for(f, 3)
    write_batch(
        gate.landing,
        "survey",
        "2026-11-26",
        {"responses_2025-Q3.csv": csv_text(f.columns, rows, extra_header_rows=[question, importid], bom=True)},
    )
    report = gate.ingest()
    assert not report.quarantined, report.quarantined and report.quarantined[0].reason
    assert gate.query("SELECT ResponseId, _row_number FROM raw.survey_responses ORDER BY 2") == [
        ("Respon-1", 1),
        ("Respon-2", 2),
        ("Respon-3", 3),
    ]


def _stale_dimension(data: bytes) -> bytes:
    """The workbook with its first sheet's <dimension> record saying A1, as some writers leave it."""
    import re
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            body = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                body = re.sub(rb'<dimension ref="[^"]*"\s*/>', b'<dimension ref="A1"/>', body)
            dst.writestr(item, body)
    return out.getvalue()


def test_a_workbook_with_a_stale_dimension_record_loads_whole(gate):
    data = _stale_dimension(_xlsx(WORKERS.columns, _workers_rows()))
    _deliver_workbook(gate, "2026-11-26", data)
    report = gate.ingest()
    assert not report.quarantined, [o.reason for o in report.quarantined]
    assert gate.count("hris_workers") == 3


def test_an_empty_row_inside_a_workbook_is_skipped_as_a_blank_line_of_a_csv_and_rows_count_records(gate):
    """Both forms of the workers file mean the same (the export spec): an empty sheet row was loaded as an empty
    record, refused as "Employee ID is empty" or as a row count the manifest did not say."""

    def blank_after_the_first(ws):
        ws.insert_rows(3)  # sheet row 3 is empty; the data rows are sheet rows 2, 4 and 5

    _deliver_workbook(gate, "2026-11-26", _xlsx(WORKERS.columns, _workers_rows(), tweak=blank_after_the_first))
    report = gate.ingest()
    assert not report.quarantined, [o.reason for o in report.quarantined]
    assert gate.query('SELECT _row_number, "Employee ID" FROM raw.hris_workers ORDER BY 1') == [
        (i, r[0]) for i, r in enumerate(_workers_rows(), 1)
    ]

    def blank_then_a_number(ws):
        ws.insert_rows(3)
        ws["M5"] = 123  # Manager Employee ID of the third data record, on sheet row 5

    _deliver_workbook(gate, "2026-11-27", _xlsx(WORKERS.columns, _workers_rows(), tweak=blank_then_a_number))
    report = gate.ingest()
    v = next(v for v in report.quarantined[0].violations if v.rule == Rule.CELL)
    assert (v.line, v.row, v.column) == (5, 3, "Manager Employee ID")  # the sheet row, and the record as in a CSV
