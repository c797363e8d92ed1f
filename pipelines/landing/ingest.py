"""ingest_pending(): every complete batch in the landing zone becomes raw rows, or is refused whole.

The journey of one batch (`_ingest_batch`), per system in batch-date order:
  1. discover      no manifest.json yet -> waiting (registry row), left in place
  2. safe?         a batch folder that is a symbolic link, or links inside it -> refused, nothing read
  3. manifest      folder name, manifest.json, file set, survey file names -> refused on any disagreement
  4. redelivery?   batch name already loaded: identical checksums -> duplicate (archived, not loaded);
                   different -> refused ("changed file under a loaded name"; retract the batch first)
  5. format        headers of every file -> refused on a wrong header
  6. load          one DuckDB transaction: each file bulk-loaded into its raw table (a thread hashes it
                   meanwhile), then sha256 and row count vs manifest, no NUL byte, no empty snapshot file
                   where it would replace rows (a first one, a wave nobody answered, loads with a warning)
  7. contracts     the GX suites of the batch's files, on its rows inside that transaction (DuckDB SQL)
  8. commit        registry row and validation results in the same transaction, commit, archive;
     or refuse     rollback, quarantine with REJECTED.md (file, row, column, values, count, rule), then
                   record the refusal and its validation results
Warn-level expectations that fail do not refuse a batch: they are stored and reported. Any other error
(a crash) rolls back and propagates: the batch stays in the landing zone and loads on the next run.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb

from pipelines.config import Settings
from pipelines.errors import CommandError
from pipelines.landing import contracts, formats, line_endings, loader, registry
from pipelines.landing.errors import BatchRejected, Rule, Violation
from pipelines.landing.manifest import MANIFEST_NAME, Manifest, check_folder, read_manifest
from pipelines.landing.registry import BatchRecord, FileRecord
from pipelines.landing.retract import uphold_recorded_retractions
from pipelines.landing.scratch import REMOVED as SCRATCH_REMOVED
from pipelines.landing.scratch import scratch_folder, sweep_abandoned
from pipelines.landing.zone import (
    STRAY_WHY,
    Batch,
    FileScan,
    archived_deliveries,
    discover,
    free_destination,
    move_batch,
    require_landing,
    scan_file,
    sha256_file,
    stray_entries,
    strays_of,
    symlinks,
    write_rejection,
)
from pipelines.quality import results
from pipelines.sources import (
    RAW_SCHEMA,
    SOURCE_FILES,
    SYSTEMS,
    SourceFile,
    System,
    create_raw_tables,
    quote,
    source_file,
)

Progress = Callable[[str], None]


@dataclass(frozen=True)
class FileStat:
    name: str
    raw_table: str
    rows: int
    bytes: int
    sha256: str
    line_endings_mixed: bool = False  # loaded from a copy with every CRLF an LF (line_endings.py)


@dataclass
class BatchOutcome:
    batch_id: str
    system: str
    extract_date: date | None
    status: str  # loaded | quarantined | duplicate | waiting | archived (loaded before, its move finished now)
    delivery: int | None = None
    reason: str | None = None
    violations: list[Violation] = field(default_factory=list)
    files: list[FileStat] = field(default_factory=list)
    stored_at: Path | None = None
    seconds: float = 0.0
    contract_warnings: list[str] = field(default_factory=list)  # failed warn-level expectations, in words

    @property
    def warnings(self) -> list[str]:
        """Everything the batch loaded with a warning: its failed warn-level expectations, then its files'."""
        return self.contract_warnings + [f"{table}: {what}" for table, what in _file_warnings(self.files)]

    def file_warnings(self, raw_table: str) -> list[str]:
        """What this batch's file of `raw_table` did that the contract takes only with a warning, in words."""
        return [f"{self.batch_id}: {what}" for table, what in _file_warnings(self.files) if table == raw_table]

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
    archived: list[BatchOutcome] = field(default_factory=list)  # loaded by a run killed before it archived them
    # rows each raw table of the systems gated holds after this run (all batches, not only this run's)
    table_rows: dict[str, int] = field(default_factory=dict)
    stray: list[str] = field(default_factory=list)  # landing-zone entries that are no batch folder, of these systems
    # retracted deliveries found in raw again (a warehouse restored from before the retraction), taken out again
    retractions_upheld: list[str] = field(default_factory=list)
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
    run_id: str | None = None,
) -> IngestReport:
    """Load every complete batch waiting in `cfg.landing` into the raw tables of `cfg.warehouse`.

    `systems` restricts the run to some systems (the Dagster assets run one system each). Prints one
    progress line per batch through `progress`. The raw tables and the `ops` schema are created if
    missing, so downstream models always find their sources. `run_id` (the Dagster run) is stored with
    the validation results; by default each call gets its own.
    """
    require_landing(cfg.landing)
    require_warehouse_of_archive(cfg)
    run_id = run_id or f"ingest-{uuid.uuid4().hex[:12]}"
    say = progress or (lambda _msg: None)
    started = time.perf_counter()
    gated_systems = set(systems) if systems is not None else set(SYSTEMS)
    report = IngestReport(stray=strays_of(systems, stray_entries(cfg.landing)))
    for entry in report.stray:
        say(f"landing zone: '{entry}' {STRAY_WHY}")
    for folder in sweep_abandoned(cfg.home):
        say(f"{SCRATCH_REMOVED} of a gate that was killed: {folder.name}")
    con = loader.connect(cfg.warehouse, memory_limit=memory_limit)
    try:
        create_raw_tables(con)
        registry.ensure_schema(con)
        results.ensure_schema(con)
        for record in registry.write_missing_retraction_records(con, cfg.in_home):
            say(f"recorded an earlier retraction where a rebuilt warehouse will find it: {record}")
        retracted = registry.retracted_files(cfg.quarantine)
        report.retractions_upheld = uphold_recorded_retractions(con, retracted, gated_systems)
        for done in report.retractions_upheld:
            say(f"WARNING {done}")
        for batch in discover(cfg.landing, systems):
            outcome = _ingest_batch(con, cfg, batch, run_id, retracted)
            getattr(
                report,
                {
                    "loaded": "loaded",
                    "quarantined": "quarantined",
                    "duplicate": "duplicates",
                    "waiting": "waiting",
                    "archived": "archived",
                }[outcome.status],
            ).append(outcome)
            say(_progress_line(outcome, cfg))
        gated = {f.raw_table for f in SOURCE_FILES if f.system in gated_systems}
        for table in sorted(gated):
            report.table_rows[table] = con.execute(f"SELECT count(*) FROM {RAW_SCHEMA}.{quote(table)}").fetchone()[0]
    finally:
        con.close()
    report.seconds = time.perf_counter() - started
    say(report.summary())
    return report


class WarehouseMissing(CommandError):
    """The archive holds loaded deliveries but the warehouse that loaded them is gone."""


def require_warehouse_of_archive(cfg: Settings) -> None:
    """Refuse to start a new, empty warehouse in a home whose archive holds deliveries that loaded before: built
    from the night's batches alone, its marts would be published over the full ones as a success."""
    if cfg.warehouse.exists() or not cfg.archive.is_dir():
        return
    archived = len(archived_deliveries(cfg.archive))
    if archived:
        raise WarehouseMissing(
            f"{cfg.warehouse} is missing, but {cfg.archive} holds {archived} delivery folder(s) loaded into it "
            "before: a new warehouse would hold only the batches still to load, and publish marts without the "
            "history. Restore the file from a backup, or rebuild it from every received file: `coachwh unarchive` "
            "moves the loaded deliveries back into the landing zone, then `coachwh run`. Nothing was loaded; the "
            "published marts stay as they are."
        )


def _progress_line(o: BatchOutcome, cfg: Settings) -> str:
    where = ""
    if o.stored_at is not None:
        try:
            where = f" -> {o.stored_at.relative_to(cfg.home)}"
        except ValueError:
            where = f" -> {o.stored_at}"
    if o.status == "loaded":
        size = f"{o.rows:,} rows, {o.bytes / 1e6:,.1f} MB"
        warned = "".join(f"\n  WARNING {w}" for w in o.warnings)
        return f"{o.batch_id}: loaded {len(o.files)} file(s), {size} in {o.seconds:.1f}s{where}{warned}"
    if o.status == "waiting":
        return f"{o.batch_id}: waiting ({o.reason})"
    if o.status == "duplicate":
        return f"{o.batch_id}: duplicate delivery, not loaded ({o.reason}){where}"
    if o.status == "archived":
        return f"{o.batch_id}: {o.reason}{where}"
    return f"{o.batch_id}: QUARANTINED: {o.reason}{where}"


def _ingest_batch(
    con: duckdb.DuckDBPyConnection, cfg: Settings, batch: Batch, run_id: str, retracted: dict[tuple[str, str], dict]
) -> BatchOutcome:
    started = time.perf_counter()
    now = _now()
    outcome = BatchOutcome(batch.batch_id, batch.system, batch.extract_date, "waiting")
    if not batch.complete:
        _record_waiting(con, batch, outcome, now)
        return outcome
    outcome.delivery = registry.next_delivery(con, batch.batch_id)
    manifest: Manifest | None = None
    try:
        _refuse_if(symlinks(batch))
        _refuse_if(_folder_name(batch))
        manifest = read_manifest(batch.path)
        types = check_folder(batch.path, batch.system, manifest)
        prior = registry.loaded_delivery(con, batch.batch_id)
        if prior is not None:
            _redelivery(con, cfg, batch, manifest, types, prior, outcome, now)
        else:
            _refuse_if(_retracted_before(batch, manifest, retracted))
            _refuse_if(_header_violations(batch, types))
            _load_validate_commit(con, cfg, batch, manifest, types, outcome, now, run_id)
    except BatchRejected as rejected:
        _quarantine(con, cfg, batch, manifest, outcome, rejected.violations, now)
        if rejected.reports:
            _atomically(con, _store_results, run_id, outcome, rejected.reports, now)
    outcome.seconds = time.perf_counter() - started
    return outcome


def _retracted_before(batch: Batch, manifest: Manifest, retracted: dict[tuple[str, str], dict]) -> list[Violation]:
    """The very files of a delivery retracted under this batch name (`registry.retracted_files`), delivered again:
    a source system sending the same bad export once more. A corrected delivery has other files."""
    fingerprint = registry.delivery_fingerprint({name: f.sha256 for name, f in manifest.files.items()})
    r = retracted.get((batch.batch_id, fingerprint))
    if r is None:
        return []
    return [
        Violation(
            "",
            Rule.RETRACTED,
            f"these files are those retracted at {r['retracted_at']:%Y-%m-%d %H:%M:%S} UTC by {r['retracted_by']} "
            f"({r['reason']}): deliver corrected ones; if that retraction was a mistake, rename {r['record']} to "
            f"{registry.WITHDRAWN_RECORD} and deliver these again",
        )
    ]


def _refuse_if(problems: list[Violation]) -> None:
    if problems:
        raise BatchRejected(problems)


def _folder_name(batch: Batch) -> list[Violation]:
    if batch.extract_date is None:
        return [Violation("", Rule.FOLDER, f"'{batch.name}' is not an extract date like 2026-11-26")]
    return []


def _record_waiting(con, batch: Batch, outcome: BatchOutcome, now: datetime) -> None:
    present = [
        FileRecord(p.name, None, None, None, p.stat().st_size)
        for p in sorted(batch.path.iterdir())
        if p.is_file() and not p.is_symlink()
    ]
    outcome.delivery = registry.next_delivery(con, batch.batch_id)
    if (batch.path / MANIFEST_NAME).is_file():  # there, but no JSON yet (`zone.manifest_being_written`)
        outcome.reason, why = "manifest.json not complete yet", "still being written"
    else:
        outcome.reason, why = "no manifest.json yet", "still being copied"
    reason = f"{outcome.reason}: {why}"
    record = BatchRecord(batch.batch_id, batch.system, batch.extract_date, outcome.delivery, "waiting", reason, present)
    _atomically(con, registry.record_waiting, record, now)


def _store_results(con, run_id: str, outcome: BatchOutcome, reports, now: datetime) -> None:
    results.store(
        con,
        run_id=run_id,
        batch_id=outcome.batch_id,
        delivery=outcome.delivery,
        outcome=outcome.status,
        reports=reports,
        when=now,
    )


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
    prior: registry.LoadedDelivery,
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
    loaded_delivery, loaded_at, loaded = prior.delivery, prior.recorded_at, prior.files
    archived = cfg.in_home(prior.stored_at)
    if delivered == loaded and not archived.exists():
        # The delivery that loaded, still here: the run that committed it was killed before moving it to the
        # archive. Finish the move; it is no new delivery.
        move_batch(batch, archived)
        outcome.status = "archived"
        outcome.delivery = loaded_delivery
        outcome.reason = (
            f"loaded as delivery {loaded_delivery} on {loaded_at:%Y-%m-%d %H:%M} UTC by a run stopped before it "
            "archived the files: archived now"
        )
        outcome.stored_at = archived
        return
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
                        "or replaced: deliver the change in a new batch, or to replace it `coachwh retract "
                        f"{batch.batch_id} --reason TEXT` first, then deliver it again",
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


def _header_violations(batch: Batch, types: dict[str, SourceFile]) -> list[Violation]:
    problems: list[Violation] = []
    for name, f in sorted(types.items()):
        if not name.lower().endswith(".xlsx"):  # workbooks are checked while converting
            problems += formats.check_csv_header(batch.path / name, f)
    return problems


def _contract_order(types: dict[str, SourceFile]) -> list[tuple[str, SourceFile]]:
    order = {f: i for i, f in enumerate(SOURCE_FILES)}
    return sorted(types.items(), key=lambda item: (order[item[1]], item[0]))


def _load_validate_commit(
    con,
    cfg: Settings,
    batch: Batch,
    manifest: Manifest,
    types: dict[str, SourceFile],
    outcome: BatchOutcome,
    now: datetime,
    run_id: str,
) -> None:
    """Load every file of the batch in one transaction, run its contracts there, and commit only if
    every check and every error-level expectation passes; else roll back (BatchRejected)."""
    assert batch.extract_date is not None
    files = _contract_order(types)
    stats: list[FileStat] = []
    with (
        ThreadPoolExecutor(max_workers=1, thread_name_prefix="sha256") as hasher,
        scratch_folder(cfg.home) as tmp,
    ):
        scans: dict[str, Future[FileScan]] = {name: hasher.submit(scan_file, batch.path / name) for name, _ in files}
        con.execute("BEGIN TRANSACTION")
        try:
            for name, f in files:
                stats.append(_load_file(con, batch, manifest, name, f, scans[name], Path(tmp), now))
            tables = sorted({s.raw_table for s in stats})
            reports = contracts.validate_batch(con, batch.batch_id, tables)
            refused = contracts.refusals(reports) + contracts.keys_kept_elsewhere(con, batch.batch_id, tables)
            if refused:
                raise BatchRejected(refused, reports)
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
            outcome.status = "loaded"
            _store_results(con, run_id, outcome, reports, now)
            con.execute("COMMIT")
        except BaseException:
            outcome.status = "waiting"
            con.execute("ROLLBACK")
            for future in scans.values():
                future.cancel()
            raise
    move_batch(batch, destination)
    outcome.files = stats
    outcome.stored_at = destination
    outcome.contract_warnings = contracts.warnings(reports)


def _load_file(
    con,
    batch: Batch,
    manifest: Manifest,
    name: str,
    f: SourceFile,
    scanned: Future[FileScan],
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
        f = formats.as_delivered(f, formats.csv_header(path))  # its columns may come in another order
    mixed = source is path and line_endings.mixes_line_endings(path, f, skip, tmp)
    if mixed:
        source = tmp / name
        line_endings.copy_with_lf(path, source)
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
        problems = _bytes_problems(name, f, path, source, expected.sha256, scanned.result())
        found = formats.diagnose_csv(source, f if skip == f.header_rows else _one_header(f), name)
        if found is None and not problems and not isinstance(e, duckdb.InvalidInputException):
            raise  # not the file's fault (disk full, out of memory, ...): a crash, the batch stays pending
        first = str(e).splitlines()[0] if str(e) else type(e).__name__
        problems.append(found or Violation(name, Rule.UNREADABLE, f"DuckDB's CSV reader refused it: {first}"))
        raise BatchRejected(problems) from None
    scan = scanned.result()
    problems = _bytes_problems(name, f, path, source, expected.sha256, scan)
    if rows != expected.rows:
        problems.append(
            Violation(
                name,
                Rule.ROW_COUNT,
                f"manifest.json says {expected.rows:,} rows, found {rows:,} (data records: header rows and blank "
                "lines are not counted, and a quoted field that spans lines is one record)",
            )
        )
    if rows == 0 and f.kind == "snapshot":
        problems += _empty_snapshot(con, batch, f, name)
    if problems:
        raise BatchRejected(problems)
    return FileStat(name, f.raw_table, rows, path.stat().st_size, scan.sha256, mixed)


def _empty_snapshot(con, batch: Batch, f: SourceFile, name: str) -> list[Violation]:
    """A snapshot file without rows loads, with a warning (`_file_warnings`), where it replaces nothing:
    on its first delivery (a single-currency org's DatedConversionRate, a wave nobody answered), or delivered late,
    older than a delivery with rows already loaded (history only, metrics.md "Snapshots" and "Survey waves").

    Where it would be the newest delivery after rows, it is refused: staging takes a snapshot's truth from the rows
    of its latest delivery, so an empty file could not replace them, and ignoring it silently would keep what the
    source no longer sends. A survey file is the snapshot of its own wave only."""
    wave = f.file_wave(name)
    scope, params = (f"trim({quote('Wave')}) = ?", [wave]) if wave else ("true", [])
    earlier, latest, latest_batch = con.execute(
        "SELECT count(*), max(_extract_date), arg_max(_batch_id, _extract_date) "
        f"FROM {RAW_SCHEMA}.{quote(f.raw_table)} WHERE {scope} AND _batch_id <> ?",
        [*params, batch.batch_id],
    ).fetchone()
    if not earlier or latest > batch.extract_date:
        return []
    if wave:
        why = (
            f"wave {wave} holds no responses here, but {earlier:,} of it were loaded before (the latest in batch "
            f"{latest_batch}); staging takes a wave's responses from its latest rows, so an empty file cannot "
            "replace them. Deliver the batch without this file to keep them; if they must go, retract the batches "
            "that delivered them (`coachwh retract`: each leaves whole, with its other files)"
        )
    else:
        why = (
            f"a snapshot without rows, after {earlier:,} rows of {f.raw_table} loaded before (the latest in batch "
            f"{latest_batch}): staging takes a snapshot's truth from the rows of its latest delivery, so an empty "
            "file cannot replace them. An export cut short upstream? Deliver the batch again with the file's rows"
        )
    return [Violation(name, Rule.EMPTY, why)]


def _file_warnings(stats: list[FileStat]) -> list[tuple[str, str]]:
    """What a loaded batch's files did that the contract allows but a person should know, as (raw table, words):
    a snapshot without a row (a wave nobody answered, a first delivery of none), line endings mixed."""
    warnings = []
    for s in stats:
        f = source_file(s.raw_table)
        if s.rows == 0 and f.kind == "snapshot":
            wave = f.file_wave(s.name)
            what = f"no responses (wave {wave})" if wave else "no rows"
            warnings.append((s.raw_table, f"{s.name} holds {what}"))
        if s.line_endings_mixed:
            warnings.append(
                (s.raw_table, f"{s.name} ends some lines in LF and some in CRLF: loaded with every CRLF read as LF")
            )
    return warnings


def _bytes_problems(name: str, f: SourceFile, path: Path, source: Path, sha256: str, scan: FileScan) -> list[Violation]:
    """What the scan of a delivered file's bytes says against its manifest entry: another checksum, or a NUL byte
    in a text file (the tail of a copy cut short is often a run of them). A workbook is a zip, full of NUL bytes,
    and its cells hold none: only a file loaded as it was delivered (`source` is `path`) is looked at."""
    if scan.sha256 != sha256:
        return [Violation(name, Rule.CHECKSUM, f"sha256 is {scan.sha256}, manifest.json says {sha256}")]
    if scan.nul_at is not None and source == path:
        return [formats.nul_violation(path, f, scan.nul_at, name)]
    return []


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
