"""ingest_pending(): every complete batch in the landing zone becomes raw rows, or is refused whole.

Per batch, in batch-date order per system:
  1. no manifest.json yet                 -> waiting (registry row), left in place
  2. folder name, manifest, file set      -> quarantine on any disagreement
  3. batch name already loaded            -> identical checksums: duplicate (archived, not loaded);
                                             different: quarantined ("changed file under a loaded name")
  4. headers of every file                -> quarantine on a wrong header
  5. one DuckDB transaction: each file bulk-loaded into its raw table while a thread hashes it;
     then per file: sha256 and row count vs manifest, and snapshots must not be empty
     (a delta may legitimately have 0 rows); the registry row is written in the same transaction
  6. commit, then move the folder to the archive
A refused batch is rolled back (nothing reaches raw), moved to the quarantine with REJECTED.md, and
recorded. Any other error (a crash) rolls back and propagates: the batch stays in the landing zone and
loads cleanly on the next run.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb

from pipelines.config import Settings
from pipelines.landing import formats, loader, registry
from pipelines.landing.errors import BatchRejected, Rule, Violation
from pipelines.landing.manifest import Manifest, check_folder, read_manifest
from pipelines.landing.registry import BatchRecord, FileRecord
from pipelines.landing.zone import (
    Batch,
    discover,
    free_destination,
    move_batch,
    sha256_file,
    stray_entries,
    write_rejection,
)
from pipelines.sources import SOURCE_FILES, SourceFile, System, create_raw_tables

Progress = Callable[[str], None]


@dataclass(frozen=True)
class FileStat:
    name: str
    raw_table: str
    rows: int
    bytes: int
    sha256: str


@dataclass
class BatchOutcome:
    batch_id: str
    system: str
    extract_date: date | None
    status: str  # loaded | quarantined | duplicate | waiting
    delivery: int | None = None
    reason: str | None = None
    violations: list[Violation] = field(default_factory=list)
    files: list[FileStat] = field(default_factory=list)
    stored_at: Path | None = None
    seconds: float = 0.0

    @property
    def rows(self) -> int:
        return sum(f.rows for f in self.files)

    @property
    def bytes(self) -> int:
        return sum(f.bytes for f in self.files)


@dataclass
class IngestReport:
    loaded: list[BatchOutcome] = field(default_factory=list)
    quarantined: list[BatchOutcome] = field(default_factory=list)
    waiting: list[BatchOutcome] = field(default_factory=list)
    duplicates: list[BatchOutcome] = field(default_factory=list)
    stray: list[str] = field(default_factory=list)  # landing-zone entries that are no batch folder
    seconds: float = 0.0

    def table_stats(self) -> dict[str, dict[str, float]]:
        """Per raw table: rows, batches and bytes loaded in this run, and those batches' load seconds."""
        stats = {f.raw_table: {"rows": 0, "batches": 0, "bytes": 0, "seconds": 0.0} for f in SOURCE_FILES}
        for outcome in self.loaded:
            for fs in outcome.files:
                s = stats[fs.raw_table]
                s["rows"] += fs.rows
                s["bytes"] += fs.bytes
                s["batches"] += 1
                s["seconds"] += outcome.seconds
        return stats

    def summary(self) -> str:
        return (
            f"ingest: {len(self.loaded)} loaded ({sum(o.rows for o in self.loaded):,} rows), "
            f"{len(self.quarantined)} quarantined, {len(self.duplicates)} duplicate, "
            f"{len(self.waiting)} waiting, in {self.seconds:.1f}s"
        )


def _atomically(con: duckdb.DuckDBPyConnection, write: Callable[..., None], *args) -> None:
    """Run one registry write (a delete and an insert, or inserts into two tables) as one transaction."""
    con.execute("BEGIN TRANSACTION")
    try:
        write(con, *args)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def ingest_pending(
    cfg: Settings,
    progress: Progress | None = None,
    systems: Iterable[System] | None = None,
    memory_limit: str = loader.DEFAULT_MEMORY_LIMIT,
) -> IngestReport:
    """Load every complete batch waiting in `cfg.landing` into the raw tables of `cfg.warehouse`.

    `systems` restricts the run to some systems (the Dagster assets run one system each). Prints one
    progress line per batch through `progress`. The raw tables and the `ops` schema are created if
    missing, so downstream models always find their sources.
    """
    say = progress or (lambda _msg: None)
    started = time.perf_counter()
    report = IngestReport(stray=stray_entries(cfg.landing) if systems is None else [])
    for entry in report.stray:
        say(f"landing zone: ignoring '{entry}' (not a <system>/<YYYY-MM-DD>/ batch folder)")
    con = loader.connect(cfg.warehouse, memory_limit=memory_limit)
    try:
        create_raw_tables(con)
        registry.ensure_schema(con)
        for batch in discover(cfg.landing, systems):
            outcome = _ingest_batch(con, cfg, batch)
            getattr(
                report,
                {
                    "loaded": "loaded",
                    "quarantined": "quarantined",
                    "duplicate": "duplicates",
                    "waiting": "waiting",
                }[outcome.status],
            ).append(outcome)
            say(_progress_line(outcome, cfg))
    finally:
        con.close()
    report.seconds = time.perf_counter() - started
    say(report.summary())
    return report


def _progress_line(o: BatchOutcome, cfg: Settings) -> str:
    where = ""
    if o.stored_at is not None:
        try:
            where = f" -> {o.stored_at.relative_to(cfg.home)}"
        except ValueError:
            where = f" -> {o.stored_at}"
    if o.status == "loaded":
        size = f"{o.rows:,} rows, {o.bytes / 1e6:,.1f} MB"
        return f"{o.batch_id}: loaded {len(o.files)} file(s), {size} in {o.seconds:.1f}s{where}"
    if o.status == "waiting":
        return f"{o.batch_id}: waiting (no manifest.json yet)"
    if o.status == "duplicate":
        return f"{o.batch_id}: duplicate delivery, not loaded ({o.reason}){where}"
    return f"{o.batch_id}: QUARANTINED: {o.reason}{where}"


def _ingest_batch(con: duckdb.DuckDBPyConnection, cfg: Settings, batch: Batch) -> BatchOutcome:
    started = time.perf_counter()
    now = _now()
    outcome = BatchOutcome(batch.batch_id, batch.system, batch.extract_date, "waiting")
    if not batch.complete:
        present = [
            FileRecord(p.name, None, None, None, p.stat().st_size) for p in sorted(batch.path.iterdir()) if p.is_file()
        ]
        delivery = registry.next_delivery(con, batch.batch_id)
        _atomically(
            con,
            registry.record_waiting,
            BatchRecord(
                batch.batch_id,
                batch.system,
                batch.extract_date,
                delivery,
                "waiting",
                "no manifest.json yet: still being copied",
                present,
            ),
            now,
        )
        outcome.delivery = delivery
        outcome.reason = "no manifest.json yet"
        return outcome

    outcome.delivery = registry.next_delivery(con, batch.batch_id)
    manifest: Manifest | None = None
    try:
        if batch.extract_date is None:
            raise BatchRejected([Violation("", Rule.FOLDER, f"'{batch.name}' is not an extract date like 2026-11-26")])
        manifest = read_manifest(batch.path)
        types = check_folder(batch.path, batch.system, manifest)
        prior = registry.loaded_delivery(con, batch.batch_id)
        if prior is not None:
            _redelivery(con, cfg, batch, manifest, types, prior, outcome, now)
        else:
            _check_headers(batch, types)
            _load(con, cfg, batch, manifest, types, outcome, now)
    except BatchRejected as rejected:
        _quarantine(con, cfg, batch, manifest, outcome, rejected.violations, now)
    outcome.seconds = time.perf_counter() - started
    return outcome


def _file_records(batch: Batch, manifest: Manifest | None, stats: list[FileStat] | None = None) -> list[FileRecord]:
    if stats is not None:
        return [FileRecord(s.name, s.raw_table, s.rows, s.sha256, s.bytes) for s in stats]
    if manifest is None:
        return []
    records = []
    for name, entry in sorted(manifest.files.items()):
        path = batch.path / name
        size = path.stat().st_size if path.is_file() else None
        f = next((k for k in SOURCE_FILES if k.system == batch.system and k.matches(name)), None)
        records.append(FileRecord(name, f.raw_table if f else None, entry.rows, entry.sha256, size))
    return records


def _redelivery(
    con,
    cfg: Settings,
    batch: Batch,
    manifest: Manifest,
    types: dict[str, SourceFile],
    prior: tuple[int, datetime, dict[str, str]],
    outcome: BatchOutcome,
    now: datetime,
) -> None:
    """A batch name that already loaded: identical content is a duplicate, anything else is refused."""
    delivered = {name: sha256_file(batch.path / name) for name in sorted(types)}
    bad = [
        Violation(name, Rule.CHECKSUM, f"sha256 is {sha}, manifest.json says {manifest.files[name].sha256}")
        for name, sha in delivered.items()
        if sha != manifest.files[name].sha256
    ]
    if bad:
        raise BatchRejected(bad)
    loaded_delivery, loaded_at, loaded = prior
    if delivered != loaded:
        changed = []
        for name in sorted(set(delivered) | set(loaded)):
            if name not in loaded:
                changed.append(
                    Violation(
                        name,
                        Rule.CHANGED,
                        f"not in delivery {loaded_delivery}, which loaded {loaded_at:%Y-%m-%d %H:%M} UTC",
                    )
                )
            elif name not in delivered:
                changed.append(Violation(name, Rule.CHANGED, f"loaded in delivery {loaded_delivery} but absent now"))
            elif delivered[name] != loaded[name]:
                changed.append(
                    Violation(
                        name,
                        Rule.CHANGED,
                        f"sha256 {delivered[name][:12]}… differs from {loaded[name][:12]}… "
                        "loaded in delivery "
                        f"{loaded_delivery} ({loaded_at:%Y-%m-%d %H:%M} UTC); a loaded batch is never merged "
                        "or replaced: deliver the change in a new batch",
                    )
                )
        raise BatchRejected(changed)
    destination = free_destination(cfg.archive, batch.system, batch.name)
    records = _file_records(batch, manifest)  # sizes, read before the folder moves
    move_batch(batch, destination)
    outcome.status = "duplicate"
    outcome.reason = f"identical to delivery {loaded_delivery}, loaded {loaded_at:%Y-%m-%d %H:%M} UTC"
    outcome.stored_at = destination
    _atomically(
        con,
        registry.record,
        BatchRecord(
            batch.batch_id,
            batch.system,
            batch.extract_date,
            outcome.delivery or 0,
            "duplicate",
            outcome.reason,
            records,
            str(destination),
        ),
        now,
    )


def _check_headers(batch: Batch, types: dict[str, SourceFile]) -> None:
    problems: list[Violation] = []
    for name, f in sorted(types.items()):
        if not name.lower().endswith(".xlsx"):  # workbooks are checked while converting
            problems += formats.check_csv_header(batch.path / name, f)
    if problems:
        raise BatchRejected(problems)


def _contract_order(types: dict[str, SourceFile]) -> list[tuple[str, SourceFile]]:
    order = {f: i for i, f in enumerate(SOURCE_FILES)}
    return sorted(types.items(), key=lambda item: (order[item[1]], item[0]))


def _load(
    con,
    cfg: Settings,
    batch: Batch,
    manifest: Manifest,
    types: dict[str, SourceFile],
    outcome: BatchOutcome,
    now: datetime,
) -> None:
    """Load every file of the batch in one transaction; commit only if every check passes."""
    assert batch.extract_date is not None
    files = _contract_order(types)
    stats: list[FileStat] = []
    cfg.home.mkdir(parents=True, exist_ok=True)
    with (
        ThreadPoolExecutor(max_workers=1, thread_name_prefix="sha256") as hasher,
        tempfile.TemporaryDirectory(prefix="coachwh-ingest-", dir=cfg.home) as tmp,
    ):
        hashes: dict[str, Future[str]] = {name: hasher.submit(sha256_file, batch.path / name) for name, _ in files}
        con.execute("BEGIN TRANSACTION")
        try:
            for name, f in files:
                stats.append(_load_file(con, batch, manifest, name, f, hashes[name], Path(tmp), now))
            destination = free_destination(cfg.archive, batch.system, batch.name)
            registry.record(
                con,
                BatchRecord(
                    batch.batch_id,
                    batch.system,
                    batch.extract_date,
                    outcome.delivery or 0,
                    "loaded",
                    None,
                    _file_records(batch, manifest, stats),
                    str(destination),
                ),
                now,
            )
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            for future in hashes.values():
                future.cancel()
            raise
    move_batch(batch, destination)
    outcome.status = "loaded"
    outcome.files = stats
    outcome.stored_at = destination


def _load_file(
    con,
    batch: Batch,
    manifest: Manifest,
    name: str,
    f: SourceFile,
    digest: Future[str],
    tmp: Path,
    now: datetime,
) -> FileStat:
    path = batch.path / name
    expected = manifest.files[name]
    if name.lower().endswith(".xlsx"):
        source = tmp / (Path(name).stem + ".csv")
        formats.xlsx_to_csv(path, f, source)
        skip = 1
    else:
        source, skip = path, f.header_rows
    try:
        rows = loader.insert_file(
            con,
            f,
            source,
            skip=skip,
            batch_id=batch.batch_id,
            extract_date=batch.extract_date,
            source_file=name,
            loaded_at=now,
        )
    except duckdb.Error as e:
        problems = []
        sha = digest.result()
        if sha != expected.sha256:
            problems.append(Violation(name, Rule.CHECKSUM, f"sha256 is {sha}, manifest.json says {expected.sha256}"))
        found = formats.diagnose_csv(source, f if skip == f.header_rows else _one_header(f), name)
        if found is None and not problems and not isinstance(e, duckdb.InvalidInputException):
            raise  # not the file's fault (disk full, out of memory, ...): a crash, the batch stays pending
        first = str(e).splitlines()[0] if str(e) else type(e).__name__
        problems.append(found or Violation(name, Rule.UNREADABLE, f"DuckDB's CSV reader refused it: {first}"))
        raise BatchRejected(problems) from None
    problems = []
    sha = digest.result()
    if sha != expected.sha256:
        problems.append(Violation(name, Rule.CHECKSUM, f"sha256 is {sha}, manifest.json says {expected.sha256}"))
    if rows != expected.rows:
        problems.append(Violation(name, Rule.ROW_COUNT, f"manifest.json says {expected.rows:,} rows, found {rows:,}"))
    if rows == 0 and f.kind == "snapshot":
        problems.append(Violation(name, Rule.EMPTY, "a snapshot must hold rows (only delta files may be empty)"))
    if problems:
        raise BatchRejected(problems)
    return FileStat(name, f.raw_table, rows, path.stat().st_size, sha)


def _one_header(f: SourceFile) -> SourceFile:
    from dataclasses import replace

    return replace(f, header_rows=1)


def _quarantine(
    con,
    cfg: Settings,
    batch: Batch,
    manifest: Manifest | None,
    outcome: BatchOutcome,
    violations: list[Violation],
    now: datetime,
) -> None:
    destination = free_destination(cfg.quarantine, batch.system, batch.name)
    records = _file_records(batch, manifest)
    move_batch(batch, destination)
    write_rejection(destination, batch, outcome.delivery or 0, violations, now)
    outcome.status = "quarantined"
    outcome.violations = violations
    outcome.reason = "; ".join(str(v) for v in violations)
    outcome.stored_at = destination
    _atomically(
        con,
        registry.record,
        BatchRecord(
            batch.batch_id,
            batch.system,
            batch.extract_date,
            outcome.delivery or 0,
            "quarantined",
            outcome.reason,
            records,
            str(destination),
        ),
        now,
    )
