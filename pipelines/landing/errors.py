"""Why a batch is refused: one rule broken, named precisely enough for a data engineer to act on."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Violation:
    """One broken rule of the contract.

    `file` is the delivered file name (or "manifest.json", or "" for the folder itself). `line` is the
    physical line in the file (1-based, header lines included, what an editor shows); `row` is the
    data record number (1-based, header rows not counted; equals `_row_number` in raw); `column` is a
    delivered column name.
    """

    file: str
    rule: str
    detail: str
    line: int | None = None
    row: int | None = None
    column: str | None = None

    def __str__(self) -> str:
        where = [self.file or "batch folder"]
        if self.line is not None:
            where.append(f"line {self.line}")
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column '{self.column}'")
        return f"{', '.join(where)}: {self.rule}: {self.detail}"


class BatchRejected(Exception):
    """A batch breaks the contract; nothing of it may load. Carries every violation found, and the
    validation reports of its suites when the contracts refused it (stored as evidence)."""

    def __init__(self, violations: list[Violation], reports: list | None = None):
        if not violations:
            raise ValueError("BatchRejected needs at least one violation")
        self.violations = list(violations)
        self.reports = list(reports or [])
        super().__init__("; ".join(str(v) for v in self.violations))


class Rule:
    """The names of the rules a batch can break, as they appear in REJECTED.md and the registry."""

    FOLDER = "batch folder name"
    MANIFEST = "unreadable manifest"
    MANIFEST_MISMATCH = "manifest disagrees with its folder"
    MISSING_FILE = "missing file"
    UNEXPECTED_FILE = "unexpected file"
    MISSING_FILE_TYPE = "file type missing from batch"
    DUPLICATE_FILE_TYPE = "file type delivered twice"
    CHECKSUM = "checksum mismatch"
    ROW_COUNT = "row count mismatch"
    HEADER = "wrong header"
    UNREADABLE = "unreadable or truncated file"
    FIELD_COUNT = "wrong number of fields"
    ENCODING = "invalid UTF-8"
    NUL = "NUL byte in a text file"
    EMPTY = "empty data file"
    CELL = "invalid cell"
    CHANGED = "changed file under an already loaded batch name"
    RETRACTED = "the very files of a retracted delivery"
    SYMLINK = "symbolic link in the landing zone"
    FILE_NAME = "file name breaks the contract"
    CONTRACT = "source contract"
    KEY_ELSEWHERE = "key already loaded with another value"
