"""Hand-made landing-zone batches for the gate's tests: contract-conforming files plus manifest.json."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from functools import cache
from pathlib import Path

from pipelines.contract import NOT_BLANK_RULE
from pipelines.quality.suites import base_column, expectation_columns, load_suite
from pipelines.sources import SourceFile, classify, files_of
from tests.quality.rows import clean_row


def csv_text(
    columns: tuple[str, ...] | list[str],
    rows: list[list[str]],
    *,
    bom: bool = False,
    crlf: bool = False,
    extra_header_rows: list[list[str]] | None = None,
) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n" if crlf else "\n")
    writer.writerow(columns)
    for extra in extra_header_rows or []:
        writer.writerow(extra)
    writer.writerows(rows)
    data = buf.getvalue().encode("utf-8")
    return (b"\xef\xbb\xbf" + data) if bom else data


# A value '<column>-<i>' meets these: present, and unique by i.
FREE_TEXT_RULES = {"expect_column_values_to_not_be_null", "expect_column_values_to_be_unique"}


@cache
def free_text_columns(f: SourceFile) -> frozenset[str]:
    """Columns no expectation of the file's suite constrains beyond being filled."""
    constrained = {
        base_column(c)
        for e in load_suite(f.raw_table)["expectations"]
        if e["type"] not in FREE_TEXT_RULES and e["meta"]["rule"] != NOT_BLANK_RULE
        for c in expectation_columns(e)
    }
    return frozenset(c for c in f.columns if c not in constrained)


def rows_for(f: SourceFile, n: int, start: int = 1) -> list[list[str]]:
    """n rows of file type f that meet its contract: free-text columns hold '<column>-<i>' (traceable
    in a test's bytes), the others the clean values of tests/quality/rows.py, keys unique by i."""
    free = free_text_columns(f)
    return [
        [f"{c[:6]}-{i}" if c in free else (clean_row(f.raw_table, i).get(c) or "") for c in f.columns]
        for i in range(start, start + n)
    ]


def qualtrics_headers(f: SourceFile) -> list[list[str]]:
    return [
        [f"Question text of {c}" for c in f.columns],
        [json.dumps({"ImportId": c}) for c in f.columns],
    ]


SURVEY_FILE = "responses_2025-Q3.csv"  # the wave of tests/quality/rows.py's survey rows


def default_files(system: str, rows: int = 3, start: int = 1) -> dict[str, bytes]:
    """A complete, valid batch of `system`: every file type with `rows` rows each."""
    files: dict[str, bytes] = {}
    for f in files_of(system):  # type: ignore[arg-type]
        name = SURVEY_FILE if f.name == "responses" else f"{f.name}.csv"
        extra = qualtrics_headers(f) if f.header_rows == 3 else None
        files[name] = csv_text(f.columns, rows_for(f, rows, start), extra_header_rows=extra)
    return files


def record_count(system: str, name: str, data: bytes) -> int:
    f = classify(system, name)  # type: ignore[arg-type]
    assert f is not None and name.endswith(".csv"), name
    text = data.decode("utf-8-sig")
    return sum(1 for r in csv.reader(io.StringIO(text, newline="")) if r) - f.header_rows


def write_batch(
    landing: Path,
    system: str,
    extract_date: str,
    files: dict[str, bytes],
    *,
    manifest: bool = True,
    rows: dict[str, int] | None = None,
    manifest_doc: dict | None = None,
) -> Path:
    """Write files into landing/system/date and (last) a manifest that agrees with them.

    `rows` overrides the counted rows per file (required for .xlsx files); `manifest_doc` replaces the
    whole manifest.
    """
    folder = landing / system / extract_date
    folder.mkdir(parents=True, exist_ok=True)
    entries = {}
    for name, data in files.items():
        (folder / name).write_bytes(data)
        count = (rows or {}).get(name)
        if count is None:
            count = record_count(system, name, data)
        entries[name] = {"rows": count, "sha256": hashlib.sha256(data).hexdigest()}
    if manifest:
        doc = manifest_doc or {"system": system, "extract_date": extract_date, "files": entries}
        (folder / "manifest.json").write_text(json.dumps(doc, indent=2))
    return folder
