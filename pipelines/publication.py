"""Publications: the file BI reads, what it holds, the earlier ones kept beside it, and the way back.

DuckDB lets one process write a file and locks every other process out, readers included. So BI never
opens the warehouse the pipeline writes; after a successful build the marts are copied into a new file:

    $COACHWH_HOME/publications/.<name>.partial      built here (marts + marts.publication), then renamed to
    $COACHWH_HOME/publications/<UTC stamp>_<run id>.duckdb   the publication, kept for rollback, then copied to
    $COACHWH_HOME/.coachwh_marts.duckdb.swap        and renamed over (os.replace, atomic on one file system)
    $COACHWH_HOME/coachwh_marts.duckdb              the current publication: what BI opens, read-only

A reader that has the old file open keeps its view (the old inode lives until it closes); new connections
see the new file; nobody ever sees a half-written one. A failure at any step leaves the current file as it
was and removes its temporary files; a process killed outright leaves a `.partial` or `.swap` that the
next publish or rollback sweeps (listing ignores them). The current file is a copy, never a hard link, so a
BI user who opens it read-write cannot alter the kept publication.

`marts.publication` has one row per table of the published file, itself included (its `row_count` is the
number of tables in the file), so "which tables, how many rows, from which run, how fresh" is one query; it
describes itself and its columns in comments (PUBLICATION_COLUMNS), as the marts carry their dbt descriptions.
Each mart's rows are stored sorted by its columns from the first (every mart's grain leads its columns), so a
plain `select *` reads them in grain order and two publications of the same marts hold the same rows in the
same order.
The last `keep` publications before the newest are kept (default 7) besides the newest; older ones are
deleted, except the one that is current after a rollback. A publication that holds the same marts as the one
it replaces as current (a quiet night, a rerun with nothing new) takes that one's place among the kept ones
instead of adding a copy: a week of quiet nights does not push the last different marts out of reach, and
"the one before the current" is marts that differ.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable, Iterator, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb

from pipelines.errors import CommandError
from pipelines.extracts import built_from_deliveries, built_from_extract_dates, latest_extract_dates
from pipelines.locks import LockTimeout, file_lock
from pipelines.sources import SYSTEMS
from pipelines.warehouse_file import attach_waiting, lock_holder, sql_literal

PUBLISHED_SCHEMA = "marts"
PUBLICATION_TABLE = "publication"
SUFFIX = ".duckdb"
# Beside each kept publication: the deliveries its marts were built from, so that a batch retracted later, or
# loaded again from a restored backup, is known to be in it (`registry.retracted_since_published`).
DELIVERIES = ".deliveries.json"
PARTIAL = ".partial"
SWAP = ".swap"
WAL = ".wal"  # DuckDB's write-ahead log: <file>.wal
LOCK_NAME = ".lock"
# The storage format of the published file: the oldest DuckDB that BI tools may read it with. The pipeline's own
# DuckDB writes its newest format by default, which no earlier DuckDB opens ("Trying to read a database file with
# version number ..."), and a BI tool's JDBC or ODBC driver bundles a DuckDB of its own, often an older one.
PUBLISHED_STORAGE_VERSION = "v1.0.0"


class PublicationError(CommandError):
    """Nothing to publish, or no such publication to roll back to."""


@dataclass(frozen=True)
class Publication:
    path: Path
    run_id: str
    published_at: datetime
    as_of_date: date | None
    tables: int
    rows: int  # rows over the published tables, not counting the publication table itself
    extract_dates: dict[str, date | None]
    current: bool = False
    # batch id -> delivery fingerprint of the raw its marts were built from (its DELIVERIES file); None for a
    # publication made before those were recorded
    batches: dict[str, str] | None = None


SYSTEM_NAMES = {"crm": "CRM", "hris": "HRIS", "survey": "survey", "lms": "LMS"}

# The publication table, declared once: its description and its columns (name, type, description) make both its
# DDL and the comments it carries in the published file, as the marts carry their dbt descriptions.
PUBLICATION_DESCRIPTION = (
    "One row per table of this published file, itself included: its row count, the run that published the file, "
    "when (UTC), the as-of date of the marts and each system's latest extract date, so that a dashboard can say "
    "how fresh it is."
)
PUBLICATION_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("table_name", "VARCHAR NOT NULL", "A table of the published file (schema marts), this one included."),
    (
        "row_count",
        "BIGINT NOT NULL",
        "Rows of that table in this file; for the publication table itself, the number of tables in the file.",
    ),
    ("run_id", "VARCHAR NOT NULL", "The pipeline run (Dagster run id) that published this file."),
    ("published_at", "TIMESTAMP NOT NULL", "When this file was published (UTC)."),
    (
        "as_of_date",
        "DATE",
        "The as-of date of the marts: the latest extract date loaded, over all systems. Nothing after it is known.",
    ),
    *(
        (
            f"{s}_extract_date",
            "DATE",
            f"The latest {SYSTEM_NAMES[s]} extract date the marts were built from; NULL when none had loaded.",
        )
        for s in SYSTEMS
    ),
)


def publication_ddl(table: str) -> str:
    return f"CREATE TABLE {table} ({', '.join(f'{name} {kind}' for name, kind, _ in PUBLICATION_COLUMNS)})"


def publication_comments(table: str) -> list[str]:
    """The COMMENT statements that describe the publication table `table` and each of its columns."""
    return [
        f"COMMENT ON TABLE {table} IS {sql_literal(PUBLICATION_DESCRIPTION)}",
        *(f"COMMENT ON COLUMN {table}.{name} IS {sql_literal(text)}" for name, _, text in PUBLICATION_COLUMNS),
    ]


def _archive_name(published_at: datetime, run_id: str) -> str:
    safe = "".join(c if c.isalnum() or c in "-_" else "-" for c in run_id)
    return f"{published_at.strftime('%Y%m%dT%H%M%S%fZ')}_{safe}{SUFFIX}"


def _build(
    warehouse: Path, target: Path, run_id: str, published_at: datetime
) -> tuple[dict[str, int], dict[str, str] | None]:
    """Write every table of the warehouse's `marts` schema, then the publication table, into `target`; returns
    the row counts and the deliveries the marts were built from (None when the warehouse has no record of them)."""
    wh = "wh"
    with duckdb.connect() as con:
        attach_waiting(con, warehouse, wh)
        tables = [
            r[0]
            for r in con.execute(
                "select table_name from information_schema.tables where table_catalog = ? and table_schema = ? "
                "and table_name <> ? order by table_name",
                [wh, PUBLISHED_SCHEMA, PUBLICATION_TABLE],
            ).fetchall()
        ]
        if not tables:
            raise PublicationError(f"{warehouse} has no tables in schema {PUBLISHED_SCHEMA}: nothing to publish")
        # the dates of the raw the marts were built from; a warehouse built before they were recorded: its raw
        extracts = built_from_extract_dates(con, catalog=wh) or latest_extract_dates(con, catalog=wh)
        deliveries = built_from_deliveries(con, catalog=wh)
        if all(d is None for d in extracts.values()):
            # empty marts over an empty warehouse would replace nothing true with nothing: a mistyped
            # COACHWH_HOME or an empty landing zone, not a night to publish
            raise PublicationError(
                f"{warehouse} holds no loaded extract of any system: nothing to publish (is COACHWH_HOME right, "
                "and has a batch landed in COACHWH_LANDING?)"
            )
        con.execute(f"ATTACH {sql_literal(str(target))} AS pub (STORAGE_VERSION '{PUBLISHED_STORAGE_VERSION}')")
        con.execute(f"CREATE SCHEMA pub.{PUBLISHED_SCHEMA}")
        for t in tables:
            # Rows in the order of their columns, the grain's first: a publication of the same marts is the same
            # file row for row, whichever engine built them (Spark hands its tables back in any order).
            source = f'"{wh}".{PUBLISHED_SCHEMA}."{t}"'
            con.execute(f'CREATE TABLE pub.{PUBLISHED_SCHEMA}."{t}" AS SELECT * FROM {source} ORDER BY ALL')
        _copy_comments(con, wh, "pub")
        counts = dict(
            con.execute(
                " union all ".join(f"select '{t}', count(*) from pub.{PUBLISHED_SCHEMA}.\"{t}\"" for t in tables)
            ).fetchall()
        )
        as_of = max((d for d in extracts.values() if d is not None), default=None)
        names = sorted([*tables, PUBLICATION_TABLE])  # stored in the order of its grain, as every table is
        counts[PUBLICATION_TABLE] = len(names)
        table = f"pub.{PUBLISHED_SCHEMA}.{PUBLICATION_TABLE}"
        con.execute(publication_ddl(table))
        con.execute(
            f"INSERT INTO {table} SELECT unnest(?::VARCHAR[]), unnest(?::BIGINT[]), ?, ?, ?" + ", ?" * len(SYSTEMS),
            [
                names,
                [counts[t] for t in names],
                run_id,
                published_at.replace(tzinfo=None),
                as_of,
                *(extracts[s] for s in SYSTEMS),
            ],
        )
        con.execute(";\n".join(publication_comments(table)))
        con.execute("DETACH pub")
    return counts, deliveries


def _copy_comments(con: duckdb.DuckDBPyConnection, source: str, target: str) -> None:
    """The marts' descriptions (dbt persists its docs on the marts as table and column comments) go with them,
    so that a BI tool or `duckdb_columns()` on the published file shows what each table and column means."""
    tables = con.execute(
        "SELECT table_name, comment FROM duckdb_tables() WHERE database_name = ? AND schema_name = ? "
        "AND comment IS NOT NULL",
        [source, PUBLISHED_SCHEMA],
    ).fetchall()
    columns = con.execute(
        "SELECT table_name, column_name, comment FROM duckdb_columns() WHERE database_name = ? AND schema_name = ? "
        "AND comment IS NOT NULL",
        [source, PUBLISHED_SCHEMA],
    ).fetchall()
    statements = [f'COMMENT ON TABLE {target}.{PUBLISHED_SCHEMA}."{t}" IS {sql_literal(c)}' for t, c in tables]
    statements += [
        f'COMMENT ON COLUMN {target}.{PUBLISHED_SCHEMA}."{t}"."{col}" IS {sql_literal(c)}' for t, col, c in columns
    ]
    if statements:
        con.execute(";\n".join(statements))


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _make_current(source: Path, published: Path) -> None:
    """Copy `source` beside `published` and rename it over: readers see the old file or the new, whole."""
    swap = published.with_name(f".{published.name}{SWAP}")
    try:
        shutil.copyfile(source, swap)
        _fsync(swap)
        os.replace(swap, published)
        # A write-ahead log beside the published file belongs to the file just replaced (a BI tool that opened it
        # read-write and wrote, then was killed or is still open): DuckDB would replay it into the new file and
        # refuse it, "WAL does not match database file", to every reader of every later publication.
        published.with_name(published.name + WAL).unlink(missing_ok=True)
        _fsync(published.parent)
    finally:
        swap.unlink(missing_ok=True)


def sweep(published: Path, folder: Path) -> list[Path]:
    """Remove what a killed publish or rollback left behind; returns what was removed. Call under the lock."""
    strays = [*folder.glob(f".*{PARTIAL}*"), *published.parent.glob(f".{published.name}*{SWAP}")]
    for p in strays:
        p.unlink(missing_ok=True)
    return strays


@dataclass(frozen=True)
class Published:
    rows: dict[str, int]  # rows per table of the new file
    replaced: Publication | None  # the kept publication it replaced, holding the same marts


def same_marts(a: Path, b: Path) -> bool:
    """Whether two publication files hold the same marts: the same tables, columns and rows. The publication
    table is left out: it names the run and the time, which always differ."""
    with duckdb.connect() as con:
        for alias, path in (("a", a), ("b", b)):
            con.execute(f"ATTACH {sql_literal(str(path))} AS {alias} (READ_ONLY)")
        shape = (
            "SELECT table_name, column_name, data_type FROM information_schema.columns WHERE table_catalog = ? "
            "AND table_schema = ? AND table_name <> ? ORDER BY table_name, ordinal_position"
        )
        columns = con.execute(shape, ["a", PUBLISHED_SCHEMA, PUBLICATION_TABLE]).fetchall()
        if columns != con.execute(shape, ["b", PUBLISHED_SCHEMA, PUBLICATION_TABLE]).fetchall():
            return False
        for t in dict.fromkeys(name for name, _, _ in columns):
            a_rows, b_rows = (f'{alias}.{PUBLISHED_SCHEMA}."{t}"' for alias in ("a", "b"))
            # equal counts, and no row of a missing from b (EXCEPT ALL counts duplicates): the same multiset
            differs = con.execute(
                f"SELECT (SELECT count(*) FROM {a_rows}) <> (SELECT count(*) FROM {b_rows}) "
                f"OR EXISTS (SELECT * FROM {a_rows} EXCEPT ALL SELECT * FROM {b_rows})"
            ).fetchone()[0]
            if differs:
                return False
    return True


def _kept_copy_of_current(published: Path, folder: Path) -> Publication | None:
    """The kept publication the current file is a copy of (its name says run and time), or None."""
    now_current = current(published)
    if now_current is None:
        return None
    kept = folder / _archive_name(now_current.published_at, now_current.run_id)
    return replace(now_current, path=kept, current=True) if kept.exists() else None


def _same_marts_or_unknown(a: Path, b: Path) -> bool:
    """same_marts, where a kept file that cannot be read counts as other marts: the new file is current already,
    and an unreadable earlier one must not fail the night that published it."""
    try:
        return same_marts(a, b)
    except duckdb.Error:
        return False


def publish(
    warehouse: Path,
    published: Path,
    folder: Path,
    run_id: str,
    *,
    keep: int = 7,
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> Published:
    """Publish the warehouse's marts as the new current file; keep it in `folder`, in place of the publication
    that was current when that one holds the same marts; prune to `keep` earlier ones. The current file changes
    only at the final rename."""
    folder.mkdir(parents=True, exist_ok=True)
    with file_lock(folder / LOCK_NAME, f"publish {run_id}"):
        sweep(published, folder)
        before = _kept_copy_of_current(published, folder)
        published_at = now()
        final = folder / _archive_name(published_at, run_id)
        partial = folder / f".{final.name}{PARTIAL}"
        try:
            rows, deliveries = _build(warehouse, partial, run_id, published_at)
            if deliveries is not None:  # written first: a kept publication never lacks the file once it had one
                _write_deliveries(final, deliveries)
            os.replace(partial, final)
        finally:
            partial.unlink(missing_ok=True)
            partial.with_name(partial.name + ".wal").unlink(missing_ok=True)
        _make_current(final, published)
        replaced = before if before is not None and _same_marts_or_unknown(final, before.path) else None
        if replaced is not None:
            _remove(replaced.path)
        prune(folder, published, keep)
    return Published(rows, replaced)


def _read(path: Path) -> Publication | None:
    """The publication row of a file, or None when it is not one (an older file without the table)."""
    try:
        with duckdb.connect(str(path), read_only=True) as con:
            rows = con.execute(
                "select table_name, row_count, run_id, published_at, as_of_date, "
                + ", ".join(f"{s}_extract_date" for s in SYSTEMS)
                + f" from {PUBLISHED_SCHEMA}.{PUBLICATION_TABLE}"
            ).fetchall()
    except duckdb.Error:
        return None
    if not rows:
        return None
    first = rows[0]
    return Publication(
        path=path,
        run_id=first[2],
        published_at=first[3],
        as_of_date=first[4],
        tables=len(rows),
        rows=sum(r[1] for r in rows if r[0] != PUBLICATION_TABLE),
        extract_dates=dict(zip(SYSTEMS, first[5:], strict=True)),
        batches=_read_deliveries(path),
    )


def current(published: Path) -> Publication | None:
    return _read(published) if published.exists() else None


def held_open(published: Path) -> str | None:
    """Why the current file cannot be read, when a process holds it open for writing (a BI tool not opened
    read-only: DuckDB then locks everyone else out, other readers and the tools included); None otherwise."""
    try:
        duckdb.connect(str(published), read_only=True).close()
    except duckdb.IOException as e:
        who = lock_holder(e)
        if who:
            return (
                f"{published} is held open for writing by {who}, so nothing else can read it: BI tools must open it "
                "read-only (README, 'For analysts and BI tools'); close that connection"
            )
    except duckdb.Error:
        pass
    return None


def _same(a: Publication, b: Publication | None) -> bool:
    return b is not None and (a.run_id, a.published_at) == (b.run_id, b.published_at)


def list_publications(published: Path, folder: Path) -> list[Publication]:
    """Every kept publication, newest first, the current one marked."""
    now_current = current(published)
    kept = [p for p in (_read(f) for f in sorted(folder.glob(f"*{SUFFIX}"), reverse=True)) if p is not None]
    return [replace(p, current=_same(p, now_current)) for p in kept]


def prune(folder: Path, published: Path, keep: int) -> list[Path]:
    """Delete publications beyond the newest and `keep` earlier ones (never the current one)."""
    doomed = [p.path for p in list_publications(published, folder)[keep + 1 :] if not p.current]
    for f in doomed:
        _remove(f)
    return doomed


def _deliveries_file(path: Path) -> Path:
    return path.with_name(path.name.removesuffix(SUFFIX) + DELIVERIES)


def _write_deliveries(path: Path, deliveries: dict[str, str]) -> None:
    record = _deliveries_file(path)
    partial = record.with_name(f".{record.name}{PARTIAL}")
    partial.write_text(json.dumps(dict(sorted(deliveries.items())), indent=1) + "\n", encoding="utf-8")
    partial.replace(record)


def _read_deliveries(path: Path) -> dict[str, str] | None:
    try:
        recorded = json.loads(_deliveries_file(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):  # none (an older publication, the BI file itself) or unreadable: unknown
        return None
    return recorded if isinstance(recorded, dict) else None


def _remove(path: Path) -> None:
    """A kept publication and the record of its deliveries."""
    path.unlink(missing_ok=True)
    _deliveries_file(path).unlink(missing_ok=True)


@contextmanager
def rollback_lock(run_lock: Path) -> Iterator[None]:
    """Hold the run lock (`$COACHWH_HOME/.run.lock`) while a rollback is made: no `coachwh run` starts meanwhile,
    and a rollback asked for while one is going is refused, since that run would publish over it when it ends."""
    with ExitStack() as held:
        try:
            held.enter_context(file_lock(run_lock, "coachwh rollback", wait_seconds=0))
        except LockTimeout as e:
            refusal = f"not rolled back: {e} (a coachwh run publishes when it ends): roll back after it"
            raise PublicationError(refusal) from None
        yield


def _refuse_if_replaced_since(published: Path, asked_at: datetime | None, now_current: Publication | None) -> None:
    """Refuse a rollback asked for before the current file was put there (a publication that finished, another
    rollback): "the one before the current" would undo what nobody has looked at yet. The file's modification time
    is when it became current (each publish and rollback writes a new copy), not when its run began publishing."""
    if asked_at is None or not published.exists():
        return
    replaced = datetime.fromtimestamp(published.stat().st_mtime, UTC)
    if replaced > asked_at:
        what = f"publication {now_current.run_id}" if now_current else "another file"
        raise PublicationError(
            f"not rolled back: {published} became {what} at {replaced:%Y-%m-%d %H:%M:%S} UTC, after this rollback "
            f"was asked for ({asked_at.astimezone(UTC):%Y-%m-%d %H:%M:%S} UTC); look at it, then ask again"
        )


def rollback(
    published: Path,
    folder: Path,
    run_id: str | None = None,
    *,
    asked_at: datetime | None = None,
    retracted: Mapping[str, list[str]] | None = None,
) -> Publication:
    """Make an earlier publication current: the one of `run_id` (a unique prefix will do), else the newest one
    published before the current one whose marts differ from it (a rerun that published the same bad marts again
    is passed over) and that holds no batch retracted since (`retracted`: run id -> such batches; a named run is
    brought back all the same, the caller says what it holds). Atomic for readers, like a publish. With
    `asked_at` (aware), refused when the current file was put there after it (`_refuse_if_replaced_since`)."""
    retracted = retracted or {}
    with file_lock(folder / LOCK_NAME, f"rollback to {run_id or 'the previous publication'}"):
        sweep(published, folder)
        kept = list_publications(published, folder)
        _refuse_if_replaced_since(published, asked_at, next((p for p in kept if p.current), None))
        if run_id:
            matches = [p for p in kept if p.run_id.startswith(run_id)]
            if len(matches) != 1:
                known = ", ".join(p.run_id for p in kept) or "none"
                raise PublicationError(f"{len(matches)} kept publications match run id {run_id!r} (kept: {known})")
            target = matches[0]
        else:
            if not kept:
                raise PublicationError(f"nothing has been published yet ({folder} holds no publication)")
            at = next((i for i, p in enumerate(kept) if p.current), None)
            if at is None and (held := held_open(published)):
                raise PublicationError(f"{held}, or name the run id to roll back to (coachwh publications)")
            if at is None or at + 1 >= len(kept):
                raise PublicationError(
                    "no earlier publication to roll back to"
                    if at is not None
                    else "the current file is none of the kept publications: name a run id (coachwh publications)"
                )
            earlier = kept[at + 1 :]
            usable = [p for p in earlier if p.run_id not in retracted]
            target = next((p for p in usable if not same_marts(p.path, kept[at].path)), None)
            if target is None:
                held = len(earlier) - len(usable)
                why = [f"{len(usable)} hold the same marts as the current one"] if usable else []
                if held:
                    why.append(f"{held} a batch retracted since (name its run id to bring it back all the same)")
                raise PublicationError(
                    f"of the {len(earlier)} earlier kept publication(s), {' and '.join(why)}: nothing to roll back to"
                )
        if target.current:
            raise PublicationError(f"publication {target.run_id} is already current")
        _in_published_storage(target.path)
        _make_current(target.path, published)
    return replace(target, current=True)


def _in_published_storage(kept: Path) -> None:
    """A publication kept by a version that wrote DuckDB's newest storage format (before PUBLISHED_STORAGE_VERSION)
    is rewritten in the published one, tables, rows and comments as they are, before it becomes current: brought
    back as it was, no BI tool with an older DuckDB could open the BI file."""
    with duckdb.connect(str(kept), read_only=True) as con:
        (tags,) = con.execute("select tags from duckdb_databases() where database_name = current_database()").fetchone()
    if str((tags or {}).get("storage_version", "")).startswith(PUBLISHED_STORAGE_VERSION):
        return
    partial = kept.with_name(f".{kept.name}{PARTIAL}")
    partial.unlink(missing_ok=True)
    try:
        with duckdb.connect() as con:
            con.execute(f"ATTACH {sql_literal(str(kept))} AS kept (READ_ONLY)")
            con.execute(f"ATTACH {sql_literal(str(partial))} AS pub (STORAGE_VERSION '{PUBLISHED_STORAGE_VERSION}')")
            con.execute("COPY FROM DATABASE kept TO pub")
            con.execute("DETACH pub")
        os.replace(partial, kept)
    finally:
        partial.unlink(missing_ok=True)
