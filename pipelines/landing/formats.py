"""File formats at the gate: CSV headers (one row, or Qualtrics' three), HR workbooks, and diagnosis.

The bulk load itself is DuckDB's CSV reader (see loader.py). This module does the small, exact things
around it: read and check the header records before loading, turn an .xlsx into a CSV, and, only when
DuckDB has refused a file, walk that file once to say exactly where and why (line, row, column).

Line numbers are physical lines of the file (1-based, header lines included); row numbers count data
records (1-based, header rows excluded) and equal `_row_number` in the raw tables. Blank lines are not
records (DuckDB skips them too).
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import replace
from datetime import date, datetime, time
from pathlib import Path

from pipelines.landing.errors import BatchRejected, Rule, Violation
from pipelines.sources import SourceFile

BOM = b"\xef\xbb\xbf"
# Columns that hold HRIS Employee IDs: text with leading zeros, never numbers.
EMPLOYEE_ID_COLUMNS = frozenset({"Employee ID", "Manager Employee ID"})


class _BadUtf8(Exception):
    def __init__(self, line: int, offset: int, raw: bytes):
        self.line, self.offset, self.raw = line, offset, raw


def _decoded_lines(path: Path) -> Iterator[str]:
    """The file's lines as text, BOM dropped; raises _BadUtf8 at the first line that is not UTF-8."""
    with open(path, "rb") as fh:
        for number, raw in enumerate(fh, 1):
            if number == 1 and raw.startswith(BOM):
                raw = raw[len(BOM) :]
            try:
                yield raw.decode("utf-8")
            except UnicodeDecodeError as e:
                raise _BadUtf8(number, e.start, raw) from None


class _BrokenCsv(Exception):
    def __init__(self, line: int, message: str):
        self.line, self.message = line, message


def _records(path: Path) -> Iterator[tuple[int, list[str]]]:
    """(first physical line, fields) of every non-blank CSV record. Raises _BadUtf8 or _BrokenCsv."""
    reader = csv.reader(_decoded_lines(path), strict=True)
    start = 1
    while True:
        try:
            fields = next(reader)
        except StopIteration:
            return
        except csv.Error as e:
            raise _BrokenCsv(start, str(e)) from None
        if fields:
            yield start, fields
        start = reader.line_num + 1


def _utf8_violation(name: str, bad: _BadUtf8, columns: tuple[str, ...], header_rows: int, row: int | None) -> Violation:
    column = None
    text = bad.raw.decode("utf-8", errors="replace")
    try:
        fields = next(csv.reader([text]))
        hit = next(i for i, v in enumerate(fields) if "\ufffd" in v)
        if len(fields) == len(columns):  # only name the column when the line is a whole record
            column = columns[hit]
    except (StopIteration, csv.Error):
        pass
    return Violation(
        name,
        Rule.ENCODING,
        f"byte 0x{bad.raw[bad.offset]:02x} at byte {bad.offset + 1} of the line is not UTF-8 "
        "(save the export as UTF-8)",
        line=bad.line,
        row=row if bad.line > header_rows else None,
        column=column,
    )


def header_violations(name: str, expected: tuple[str, ...], found: list[str], line: int = 1) -> list[Violation]:
    """Compare a header row with the contract: missing, unexpected or repeated columns. The order is free: an
    export's columns follow the query or report layout that made it, and the load maps them by name
    (`as_delivered`), so a file with the contract's columns in another order means the same."""
    if list(found) == list(expected):
        return []
    missing = [c for c in expected if c not in found]
    unexpected = [c for c in found if c not in expected]
    dupes = sorted({c for c in found if found.count(c) > 1})
    parts = []
    if missing:
        parts.append("missing column(s) " + ", ".join(f"'{c}'" for c in missing))
    if unexpected:
        parts.append("unexpected column(s) " + ", ".join(f"'{c}'" for c in unexpected))
    if dupes and not parts:
        parts.append("repeated column(s) " + ", ".join(f"'{c}'" for c in dupes))
    cased = [f"'{u}' for '{m}'" for m in missing for u in unexpected if u.lower() == m.lower()]
    if cased:
        parts.append("names must match the contract's letter case: " + ", ".join(cased))
    if "" in unexpected:
        parts.append(
            "a column without a name (an editor such as Excel writes one when cells right of the data were touched; "
            "delete that column)"
        )
    return [Violation(name, Rule.HEADER, "; ".join(parts), line=line)] if parts else []


def as_delivered(f: SourceFile, header: list[str]) -> SourceFile:
    """`f` with its columns in the order of a delivered header that passed `header_violations` (the same names,
    as `SourceFile.contract_name` reads them), so the load, and every message that names a column by its
    position, follow the file."""
    names = tuple(f.contract_name(h) for h in header)
    if names == f.columns:
        return f
    return replace(f, fields=tuple(f.column(name) for name in names))


def csv_header(path: Path) -> list[str]:
    """The column names of a CSV delivery's first record (a file whose header passed `check_csv_header`)."""
    for _, fields in _records(path):
        return fields
    return []


def check_csv_header(path: Path, f: SourceFile) -> list[Violation]:
    """Read the header record(s) of a CSV delivery and check them against the contract.

    Row 1 must name the contract's columns, each once, in any order. Qualtrics files (three header rows)
    must also have row 2 (question text, not checked) and row 3, the `{"ImportId": ...}` JSON row.
    """
    name = path.name
    headers: list[tuple[int, list[str]]] = []
    try:
        for rec in _records(path):
            headers.append(rec)
            if len(headers) == f.header_rows:
                break
    except _BadUtf8 as bad:
        return [_utf8_violation(name, bad, f.columns, f.header_rows, None)]
    except _BrokenCsv as e:
        return [Violation(name, Rule.UNREADABLE, f"header is not valid CSV ({e.message})", line=e.line)]
    if not headers:
        return [Violation(name, Rule.UNREADABLE, "file is empty: no header row")]
    found = [f.contract_name(h) for h in headers[0][1]]
    problems = header_violations(name, f.columns, found, line=headers[0][0])
    if f.header_rows == 3 and not problems:
        if len(headers) < 3:
            problems.append(
                Violation(
                    name,
                    Rule.HEADER,
                    "a Qualtrics export has three header rows (column ids, question text, ImportId JSON); "
                    f"found {len(headers)}",
                )
            )
        elif not headers[2][1][0].lstrip().startswith('{"ImportId"'):
            problems.append(
                Violation(
                    name,
                    Rule.HEADER,
                    f"header row 3 must be the Qualtrics ImportId JSON row, found {headers[2][1][0][:60]!r}",
                    line=headers[2][0],
                )
            )
    return problems


def diagnose_csv(path: Path, f: SourceFile, name: str | None = None) -> Violation | None:
    """Walk a CSV that DuckDB refused and return the first exact reason, or None if none is found.

    Finds invalid UTF-8 (line, row, column), records with the wrong number of fields (line, row) and
    a file that ends inside a quoted field (the line where the field opened). Slow on purpose (a
    Python pass), so it only runs on the error path.
    """
    name = name or path.name
    expected = len(f.columns)
    count = 0
    try:
        for start, fields in _records(path):
            count += 1
            if count <= f.header_rows:
                continue
            if len(fields) != expected:
                return Violation(
                    name,
                    Rule.FIELD_COUNT,
                    f"{len(fields)} field(s), expected {expected}",
                    line=start,
                    row=count - f.header_rows,
                )
    except _BadUtf8 as bad:
        return _utf8_violation(name, bad, f.columns, f.header_rows, count + 1 - f.header_rows)
    except _BrokenCsv as e:
        row = count + 1 - f.header_rows if count >= f.header_rows else None
        if "unexpected end of data" in e.message or "EOF" in e.message:
            return Violation(
                name,
                Rule.UNREADABLE,
                "file ends inside a quoted field (truncated file?)",
                line=e.line,
                row=row,
            )
        return Violation(name, Rule.UNREADABLE, f"not valid CSV: {e.message}", line=e.line, row=row)
    return None


def nul_violation(path: Path, f: SourceFile, nul_at: int, name: str | None = None) -> Violation:
    """Where the first NUL byte of a CSV lies (line, row, column), for a file whose scan found one at byte offset
    `nul_at`. A NUL is valid UTF-8 and DuckDB loads it, but no text export holds one: it is a damaged file, or a
    binary one under a .csv name, and BI tools cut text or fail at it. A Python pass, on this path only."""
    name = name or path.name
    detail = f"a NUL byte (0x00) at byte {nul_at + 1:,} of the file: no text export holds one (a damaged file?)"
    count = 0
    try:
        for start, fields in _records(path):
            count += 1
            hit = next((i for i, v in enumerate(fields) if "\x00" in v), None)
            if hit is not None:
                data = count > f.header_rows
                whole = len(fields) == len(f.columns)  # only name the column when the record is whole
                return Violation(
                    name,
                    Rule.NUL,
                    detail,
                    line=start,
                    row=count - f.header_rows if data else None,
                    column=f.columns[hit] if data and whole else None,
                )
    except (_BadUtf8, _BrokenCsv):
        pass
    return Violation(name, Rule.NUL, detail)


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        if value.time() == time(0):
            return value.strftime("%m/%d/%Y")
        return value.strftime("%m/%d/%Y %H:%M:%S")
    if isinstance(value, date):
        return value.strftime("%m/%d/%Y")
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def xlsx_to_csv(path: Path, f: SourceFile, out: Path) -> int:
    """Stream the first sheet of an HR workbook into a plain CSV at `out`; return the data row count.

    Dates that arrive as real date cells are written MM/DD/YYYY, as in the CSV export, so both
    deliveries load identically. An Employee ID cell holding a number is refused (the leading zeros
    would be lost). A formula cell counts with the value the workbook saved for it (what Excel shows); one
    saved without a value (written by a program, never calculated) is refused, where reading it as empty
    would lose the value. Empty rows are dropped wherever they are, as DuckDB skips blank lines in a CSV; values
    beyond the last header column are refused. Raises BatchRejected naming the sheet row (`line`, 1 = header), the
    data record (`row`, counting no empty row, as for a CSV) and the column.
    """
    from zipfile import BadZipFile

    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    name = path.name
    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
        # the same sheet again with its formulas, to tell an empty cell from a formula saved without its value
        formulas = openpyxl.load_workbook(path, read_only=True, data_only=False)
    except (BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as e:
        raise BatchRejected([Violation(name, Rule.UNREADABLE, f"not a readable .xlsx workbook ({e})")]) from None
    try:
        if not wb.worksheets:
            raise BatchRejected([Violation(name, Rule.UNREADABLE, "workbook has no sheet")])
        # A read-only sheet trusts the workbook's <dimension> record, which some writers leave stale (`A1`): it would
        # cut every row to that size. The dimensions are re-read from the cells instead.
        sheet_values, sheet_formulas = wb.worksheets[0], formulas.worksheets[0]
        sheet_values.reset_dimensions()
        sheet_formulas.reset_dimensions()
        rows = sheet_values.iter_rows(values_only=True)
        formula_rows = sheet_formulas.iter_rows()
        next(formula_rows, None)
        header_cells = next(rows, None)
        if header_cells is None:
            raise BatchRejected([Violation(name, Rule.UNREADABLE, "first sheet is empty: no header row")])
        header = [_cell_text(c) for c in header_cells]
        while header and header[-1] == "":
            header.pop()
        problems = header_violations(name, f.columns, header, line=1)
        if problems:
            raise BatchRejected(problems)
        sheet = as_delivered(f, header)  # the sheet's own column order; the CSV is written in the contract's
        to_contract = [sheet.columns.index(c) for c in f.columns]
        width = len(f.columns)
        id_positions = [i for i, c in enumerate(sheet.columns) if c in EMPLOYEE_ID_COLUMNS]
        written = 0
        with open(out, "w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh, lineterminator="\n")
            writer.writerow(f.columns)
            for sheet_row, (cells, formula_cells) in enumerate(zip(rows, formula_rows, strict=True), 2):
                uncalculated = [
                    i
                    for i, (v, fc) in enumerate(zip(cells, formula_cells, strict=False))
                    if v is None and fc.data_type == "f"
                ]
                if uncalculated:
                    i = uncalculated[0]
                    raise BatchRejected(
                        [
                            Violation(
                                name,
                                Rule.CELL,
                                f"a formula saved without its value ({formula_cells[i].value}): open and save the "
                                "workbook in Excel, or export values",
                                line=sheet_row,
                                row=written + 1,
                                column=sheet.columns[i] if i < width else None,
                            )
                        ]
                    )
                if all(c is None or c == "" for c in cells):
                    continue
                extra = [i for i, c in enumerate(cells[width:], width) if c not in (None, "")]
                if extra:
                    raise BatchRejected(
                        [
                            Violation(
                                name,
                                Rule.FIELD_COUNT,
                                f"a value in sheet column {extra[0] + 1}, beyond the {width} header columns",
                                line=sheet_row,
                                row=written + 1,
                            )
                        ]
                    )
                for i in id_positions:
                    value = cells[i] if i < len(cells) else None
                    if isinstance(value, (int, float)) and not isinstance(value, bool):
                        raise BatchRejected(
                            [
                                Violation(
                                    name,
                                    Rule.CELL,
                                    f"a number ({value!r}); Employee IDs must be text cells so leading zeros survive",
                                    line=sheet_row,
                                    row=written + 1,
                                    column=sheet.columns[i],
                                )
                            ]
                        )
                values = [_cell_text(c) for c in cells[:width]]
                values += [""] * (width - len(values))
                writer.writerow([values[i] for i in to_contract])
                written += 1
        return written
    finally:
        wb.close()
        formulas.close()
