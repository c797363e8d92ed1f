"""The landing zone on disk: which batch folders wait there, and where they go when they leave.

Layout: <landing>/<system>/<extract-date>/ holds one batch. Loaded (and duplicate) deliveries move to
<home>/archive/<system>/<date>/, refused ones to <home>/quarantine/<system>/<date>/ with a REJECTED.md.
An earlier archived or quarantined folder is never overwritten: a later delivery of the same batch
name gets a suffix, <date>.2, <date>.3, ...
"""

from __future__ import annotations

import hashlib
import shutil
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from pipelines.errors import CommandError
from pipelines.landing.errors import Rule, Violation
from pipelines.landing.manifest import MANIFEST_NAME, parse_extract_date
from pipelines.landing.manifest import decode as decode_manifest
from pipelines.sources import SYSTEMS, System

CHUNK = 1 << 20
LINKED_FOLDER = "batch-folder.symlink"  # where a refused batch folder that was a link is kept


@dataclass(frozen=True)
class Batch:
    system: System
    path: Path

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def batch_id(self) -> str:
        return f"{self.system}/{self.name}"

    @property
    def extract_date(self) -> date | None:
        return parse_extract_date(self.name)

    @property
    def complete(self) -> bool:
        """The manifest is written last: its presence says every data file is there, unless it is itself still
        being written (`manifest_being_written`). (A linked folder counts as complete: it is refused at once
        rather than waited for.)"""
        if self.path.is_symlink():
            return True
        manifest = self.path / MANIFEST_NAME
        return manifest.is_file() and not manifest_being_written(manifest)


# A copy tool may create manifest.json before its bytes are all there (a stalled network copy): a manifest that is
# no JSON yet and was written less than this long ago is waited for. Older, the gate refuses it as unreadable; so
# too one dated further ahead of this machine's clock (a file server's clock, a copy that kept a bogus time),
# which would otherwise be waited for until that time came.
MANIFEST_SETTLE_SECONDS = 300


def manifest_being_written(manifest: Path) -> bool:
    try:
        raw = manifest.read_bytes()
        written = manifest.stat().st_mtime
    except FileNotFoundError:  # removed meanwhile: a copy at work
        return True
    try:
        decode_manifest(raw)
        return False
    except ValueError:  # (UnicodeDecodeError and JSONDecodeError both are)
        return abs(time.time() - written) < MANIFEST_SETTLE_SECONDS


class LandingZoneMissing(CommandError):
    """The landing zone is not there: an unmounted share or a mistyped setting, never a quiet night."""


def require_landing(landing: Path) -> None:
    if not landing.is_dir():
        raise LandingZoneMissing(
            f"the landing zone {landing} does not exist (or is no folder): set COACHWH_LANDING (default "
            "$COACHWH_HOME/landing) to the folder the systems deliver into, or mount it"
        )


def discover(landing: Path, systems: Iterable[System] | None = None) -> list[Batch]:
    """Every batch folder in the landing zone, per system in batch-date order (odd names last)."""
    chosen = [s for s in SYSTEMS if systems is None or s in set(systems)]
    batches: list[Batch] = []
    for system in chosen:
        root = landing / system
        if not root.is_dir() or root.is_symlink():  # a linked system folder is reported as stray
            continue
        # a batch folder that is a symbolic link is discovered (to be refused), never followed
        folders = [p for p in root.iterdir() if (p.is_dir() or p.is_symlink()) and not p.name.startswith(".")]
        folders.sort(key=lambda p: (parse_extract_date(p.name) or date.max, p.name))
        batches.extend(Batch(system, p) for p in folders)
    return batches


STRAY_WHY = (
    "is no <system>/<YYYY-MM-DD>/ batch folder, so nothing in it is loaded "
    f"(the system folders are {', '.join(SYSTEMS)}, in lower case)"
)


def strays_of(systems: Iterable[System] | None, strays: list[str]) -> list[str]:
    """The stray entries the gate of `systems` (None: all) reports: for a system, those inside its folder and those
    at the top whose name begins with its name (`CRM/`, `crm.zip`); a top entry that begins with no system's name
    (`erp/`), every system's."""
    chosen = set(SYSTEMS if systems is None else systems)

    def owners(entry: str) -> set[str]:
        top = Path(entry).parts[0].lower()
        return {s for s in SYSTEMS if top.startswith(s)} or set(SYSTEMS)

    return [e for e in strays if owners(e) & chosen]


def stray_entries(landing: Path) -> list[str]:
    """Things in the landing zone that are no batch folder (reported, never touched)."""
    if not landing.is_dir():
        return []
    stray = []
    for p in sorted(landing.iterdir()):
        if p.name.startswith("."):
            continue
        if p.name not in SYSTEMS or not p.is_dir() or p.is_symlink():
            stray.append(str(p.relative_to(landing)))
        else:
            stray.extend(
                str(q.relative_to(landing))
                for q in sorted(p.iterdir())
                if not q.is_dir() and not q.is_symlink() and not q.name.startswith(".")  # .DS_Store and kin
            )
    return stray


def symlinks(batch: Batch) -> list[Violation]:
    """A batch folder that is a symbolic link, or links inside it: refused before anything is read, so
    no file outside the landing zone is loaded (or archived as a link)."""
    why = "is a symbolic link; deliver real files (nothing outside the landing zone is read)"
    if batch.path.is_symlink():
        return [Violation("", Rule.SYMLINK, f"the batch folder {why}")]
    return [Violation(p.name, Rule.SYMLINK, why) for p in sorted(batch.path.iterdir()) if p.is_symlink()]


@dataclass(frozen=True)
class FileScan:
    """What one pass over a delivered file's bytes finds: its checksum, and where its first NUL byte is."""

    sha256: str
    nul_at: int | None  # byte offset of the first NUL byte; None when there is none


def scan_file(path: Path) -> FileScan:
    """One read of a file in 1 MiB chunks (hashlib releases the GIL, so this can run in a thread). Looking for a
    NUL byte costs next to nothing there (a memchr: 0.03 s over the 3.2 GB calls file of the large profile)."""
    h = hashlib.sha256()
    nul_at, offset = None, 0
    with open(path, "rb") as fh:
        while chunk := fh.read(CHUNK):
            h.update(chunk)
            if nul_at is None and (found := chunk.find(b"\0")) >= 0:
                nul_at = offset + found
            offset += len(chunk)
    return FileScan(h.hexdigest(), nul_at)


def sha256_file(path: Path) -> str:
    """Hex sha256 of a file."""
    return scan_file(path).sha256


def archived_deliveries(archive: Path) -> list[tuple[str, Path]]:
    """(system, folder) of every delivery that loaded, in date order: `<system>/<YYYY-MM-DD>` exactly. Beside them,
    `<date>.2`, `<date>.3` are repeated deliveries of the same files, archived but never loaded (free_destination)."""
    found = [
        (system, folder)
        for system in SYSTEMS
        if (archive / system).is_dir()
        for folder in (archive / system).iterdir()
        if folder.is_dir() and parse_extract_date(folder.name) is not None
    ]
    return sorted(found, key=lambda item: (item[1].name, item[0]))


def free_destination(root: Path, system: str, name: str) -> Path:
    """root/system/name, or name.2, name.3, ... when an earlier delivery already sits there."""
    base = root / system / name
    candidate, n = base, 1
    while candidate.exists():
        n += 1
        candidate = base.with_name(f"{name}.{n}")
    return candidate


def stored_batch_id(folder: Path) -> str:
    """The batch id of a folder `free_destination` gave out: `<root>/crm/2026-11-26.2` holds crm/2026-11-26."""
    return f"{folder.parent.name}/{folder.name.split('.')[0]}"


def move_batch(batch: Batch, destination: Path) -> Path:
    destination.parent.mkdir(parents=True, exist_ok=True)
    if destination.exists():
        raise FileExistsError(f"{destination} exists: refusing to overwrite an earlier delivery")
    if batch.path.is_symlink():  # keep the link itself (never what it points to) beside REJECTED.md
        destination.mkdir()
        batch.path.rename(destination / LINKED_FOLDER)
        return destination
    shutil.move(str(batch.path), str(destination))
    return destination


def write_rejection(folder: Path, batch: Batch, delivery: int, violations: list[Violation], when: datetime) -> Path:
    """REJECTED.md in the quarantined folder: which file, which rule, where (line, row, column)."""
    lines = [
        f"# Rejected: {batch.batch_id} (delivery {delivery})",
        "",
        f"Quarantined at {when.isoformat(timespec='seconds')} UTC. Nothing of this delivery was loaded.",
        "Fix the export and deliver the whole batch folder again (with a new manifest.json).",
        "",
        "| file | rule broken | line | row | column | detail |",
        "|---|---|---|---|---|---|",
    ]

    def cell(v: object) -> str:
        return "" if v is None else str(v).replace("|", "\\|").replace("\n", " ")

    for v in violations:
        lines.append(
            f"| {cell(v.file or '(batch folder)')} | {cell(v.rule)} | {cell(v.line)} | {cell(v.row)} | "
            f"{cell(v.column)} | {cell(v.detail)} |"
        )
    lines += ["", "## In words", "", *(f"- {v}" for v in violations), ""]
    path = folder / "REJECTED.md"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path
