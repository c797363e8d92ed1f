"""manifest.json: what a batch claims to hold, and whether its folder agrees.

A batch folder holds exactly the files its manifest names, plus the manifest. Which files a batch must
hold (the rule, written down since the spec lists files per system without saying "all of them"):
  crm, hris, lms   every file type of the system, exactly once (HR files as .csv or .xlsx, not both);
  survey           one or more `responses_<wave>.csv` (a batch exists only when a wave closes).
Row counts in the manifest count data records: header rows (three in Qualtrics files) are not counted,
and a quoted field spanning several lines is one record.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from pipelines.landing.errors import BatchRejected, Rule, Violation
from pipelines.sources import SourceFile, System, classify, files_of

MANIFEST_NAME = "manifest.json"
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True)
class ManifestEntry:
    rows: int
    sha256: str


@dataclass(frozen=True)
class Manifest:
    system: str
    extract_date: date
    files: dict[str, ManifestEntry]
    sha256: str  # of manifest.json itself: tells one delivery from another in the sensor


def parse_extract_date(name: str) -> date | None:
    """The extract date a batch folder is named after, or None when the name is no YYYY-MM-DD date."""
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", name):
        return None
    try:
        return date.fromisoformat(name)
    except ValueError:
        return None


def decode(raw: bytes) -> Any:
    """manifest.json's bytes as JSON (UTF-8, a byte-order mark allowed); ValueError when they are not."""
    return json.loads(raw.decode("utf-8-sig"))


def read_manifest(batch_dir: Path) -> Manifest:
    """Parse and validate `batch_dir/manifest.json`; BatchRejected names what is wrong with it."""
    import hashlib

    path = batch_dir / MANIFEST_NAME
    raw = path.read_bytes()

    def bad(detail: str) -> BatchRejected:
        return BatchRejected([Violation(MANIFEST_NAME, Rule.MANIFEST, detail)])

    try:
        doc = decode(raw)
    except UnicodeDecodeError as e:
        raise bad(f"not UTF-8 ({e.reason} at byte {e.start})") from None
    except json.JSONDecodeError as e:
        raise bad(f"not valid JSON: {e.msg} at line {e.lineno} column {e.colno}") from None
    if not isinstance(doc, dict):
        raise bad("expected a JSON object with system, extract_date and files")
    missing = [k for k in ("system", "extract_date", "files") if k not in doc]
    if missing:
        raise bad(f"missing key(s): {', '.join(missing)}")
    system, extract, files = doc["system"], doc["extract_date"], doc["files"]
    if not isinstance(system, str):
        raise bad(f"'system' must be text, found {system!r}")
    extract_date = parse_extract_date(extract) if isinstance(extract, str) else None
    if extract_date is None:
        raise bad(f"'extract_date' must be a date like 2026-11-26, found {extract!r}")
    if not isinstance(files, dict):
        raise bad("'files' must be an object of file name -> {rows, sha256}")
    entries: dict[str, ManifestEntry] = {}
    problems: list[Violation] = []
    for name, entry in files.items():
        if not isinstance(entry, dict):
            problems.append(
                Violation(
                    MANIFEST_NAME,
                    Rule.MANIFEST,
                    f"files.{name} must be an object {{rows, sha256}}, found {json.dumps(entry)}",
                )
            )
            continue
        rows, sha = entry.get("rows"), entry.get("sha256")
        if not isinstance(rows, int) or isinstance(rows, bool) or rows < 0:
            problems.append(
                Violation(MANIFEST_NAME, Rule.MANIFEST, f"files.{name}.rows must be a count, found {rows!r}")
            )
            continue
        if not isinstance(sha, str) or not _SHA256.match(sha.lower()):
            problems.append(
                Violation(MANIFEST_NAME, Rule.MANIFEST, f"files.{name}.sha256 must be 64 hex digits, found {sha!r}")
            )
            continue
        entries[name] = ManifestEntry(rows=rows, sha256=sha.lower())
    if problems:
        raise BatchRejected(problems)
    return Manifest(system=system, extract_date=extract_date, files=entries, sha256=hashlib.sha256(raw).hexdigest())


OS_METADATA = frozenset({"thumbs.db", "desktop.ini"})


def is_os_metadata(name: str) -> bool:
    """A file a desktop's file manager leaves in a folder it showed (never part of an export)."""
    return name.startswith(".") or name.lower() in OS_METADATA


def check_folder(batch_dir: Path, system: System, manifest: Manifest) -> dict[str, SourceFile]:
    """Check the folder against its manifest and the contract; return file name -> file type.

    Raises BatchRejected listing every disagreement: manifest system/date vs folder, files named but
    absent, files present but not named (or not in the contract), and file types missing or doubled.
    """
    problems: list[Violation] = []
    folder_date = parse_extract_date(batch_dir.name)
    if manifest.system != system:
        problems.append(
            Violation(
                MANIFEST_NAME,
                Rule.MANIFEST_MISMATCH,
                f"system is '{manifest.system}' but the folder is under '{system}/'",
            )
        )
    if folder_date != manifest.extract_date:
        problems.append(
            Violation(
                MANIFEST_NAME,
                Rule.MANIFEST_MISMATCH,
                f"extract_date is {manifest.extract_date.isoformat()} but the folder is '{batch_dir.name}'",
            )
        )
    # A file manager's hidden files (.DS_Store, ._x, Thumbs.db, desktop.ini) are no delivery: left alone, as they are
    # at the top of the landing zone (zone.stray_entries), rather than refusing the night's batch.
    present = sorted(p.name for p in batch_dir.iterdir() if p.name != MANIFEST_NAME and not is_os_metadata(p.name))
    for name in sorted(set(manifest.files) - set(present)):
        problems.append(Violation(name, Rule.MISSING_FILE, "named in manifest.json but not in the batch folder"))
    types: dict[str, SourceFile] = {}
    for name in present:
        path = batch_dir / name
        kind = classify(system, name)
        if not path.is_file():
            problems.append(Violation(name, Rule.UNEXPECTED_FILE, "a folder inside a batch folder"))
        elif kind is not None and kind.name == "responses" and kind.file_wave(name) is None:
            problems.append(
                Violation(name, Rule.FILE_NAME, "a survey file is named responses_<wave>.csv, wave like 2025-Q3")
            )
        elif name not in manifest.files:
            problems.append(Violation(name, Rule.UNEXPECTED_FILE, "in the batch folder but not named in manifest.json"))
        elif kind is None:
            expected = ", ".join(f.file_pattern for f in files_of(system))
            problems.append(
                Violation(name, Rule.UNEXPECTED_FILE, f"not a file of the {system} contract (its files: {expected})")
            )
        else:
            types[name] = kind
    for f in files_of(system):
        names = [n for n, k in types.items() if k is f]
        if not names and not any(classify(system, n) is f for n in manifest.files):
            problems.append(Violation("", Rule.MISSING_FILE_TYPE, f"no {f.file_pattern} in this {system} batch"))
        if len(names) > 1 and f.name != "responses":
            problems.append(
                Violation(", ".join(names), Rule.DUPLICATE_FILE_TYPE, f"{f.name} delivered {len(names)} times")
            )
    if problems:
        raise BatchRejected(problems)
    return types
