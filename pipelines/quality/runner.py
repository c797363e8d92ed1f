"""Run a suite over the rows of one batch, chunk by chunk, and collect the failures.

Row-level expectations (not null, regex, vocabulary, range, conditional) run on chunks of at most
`chunk_rows` rows, selected by `_row_number` ranges per batch and source file from DuckDB and released
after each chunk, so memory stays flat however large the batch. Key uniqueness needs the whole batch:
DuckDB first keeps only the rows whose key occurs more than once within their batch (usually none), then
GX evaluates the uniqueness expectations on those rows, chunked by whole key groups. Results are
therefore the same for any chunk size (a test checks it). Examples are the first rows in batch and file
order (key order for duplicates).
"""

from __future__ import annotations

import gc
import tempfile
import time
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from pipelines.quality.engine import INDEX_COLUMNS, ExpectationOutcome, GxEngine
from pipelines.quality.report import MAX_EXAMPLES, Example, Failure, ValidationReport
from pipelines.quality.snapshot import MEMORY_LIMIT, snapshot_batches
from pipelines.quality.suites import (
    NUMBER_SUFFIX,
    base_column,
    is_uniqueness,
    load_suite,
    suite_columns,
    target_columns,
)
from pipelines.sources import quote

DEFAULT_CHUNK_ROWS = 250_000
INDEX_META = "coachwh_index"


def _select_list(columns: list[str]) -> str:
    items = []
    for c in columns:
        if c.endswith(NUMBER_SUFFIX):
            items.append(f"TRY_CAST({quote(base_column(c))} AS DOUBLE) AS {quote(c)}")
        else:
            items.append(quote(c))
    return ", ".join([*items, *INDEX_COLUMNS])


def _indexed(expectations: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Copies of the expectations with their suite position in meta (GX results are matched by it)."""
    return [{**e, "meta": {**e.get("meta", {}), INDEX_META: i}} for i, e in enumerate(expectations)]


def _plain(value: Any) -> Any:
    """None for every flavour of missing (None, NaN, pd.NA), numbers and text as they are."""
    try:
        return None if pd.isna(value) else value
    except (TypeError, ValueError):
        return value


class _Collector:
    """Sums GX outcomes of many chunks into one Failure per violated expectation.

    An expectation with `mostly` is judged on the totals of the whole batch (GX judges each chunk alone),
    so the verdict does not depend on the chunk size."""

    def __init__(self, expectations: list[dict[str, Any]]) -> None:
        self.expectations = expectations
        self.found: dict[int, Failure] = {}
        self.checked: dict[int, int] = {}  # non-missing values seen, for `mostly`
        self.failed_chunk: set[int] = set()

    def add(self, outcomes: list[ExpectationOutcome]) -> None:
        for out in outcomes:
            # GX may reorder results: match them to the suite by the position we put in meta.
            i = out.meta[INDEX_META]
            self.checked[i] = self.checked.get(i, 0) + out.checked_count
            if not out.success or out.error:
                self.failed_chunk.add(i)
            if out.unexpected_count == 0 and not out.error:
                continue
            exp = self.expectations[i]
            f = self.found.setdefault(i, Failure(i, exp))
            if out.error and not f.error:
                f.error = out.error
            f.unexpected_count += out.unexpected_count
            columns = target_columns(exp)
            for ex in out.examples:
                if len(f.examples) >= MAX_EXAMPLES:
                    break
                values = tuple(_plain(ex.get(c)) for c in columns)
                f.examples.append(
                    Example(
                        str(ex.get("_batch_id")),
                        str(ex.get("_source_file")),
                        int(ex.get("_row_number")),
                        values[0] if len(values) == 1 else values,
                    )
                )

    def _violated(self, f: Failure) -> bool:
        mostly = f.expectation["kwargs"].get("mostly")
        if f.error or mostly is None:
            return f.error is not None or f.unexpected_count > 0 or f.index in self.failed_chunk
        checked = self.checked.get(f.index, 0)
        return checked > 0 and (checked - f.unexpected_count) / checked < mostly

    def result(self) -> list[Failure]:
        return [self.found[i] for i in sorted(self.found) if self._violated(self.found[i])]


def _run(engine: GxEngine, collector: _Collector, name: str, part: list[dict[str, Any]], con, sql: str, params) -> int:
    frame = con.execute(sql, params).df()
    try:
        if frame.empty:
            return 0
        suite = engine.suite(name, part)
        collector.add(engine.validate(suite, frame))
        return len(frame)
    finally:
        del frame
        gc.collect()  # GX's objects hold the chunk in reference cycles: free it now, not 60 chunks later


def validate_rows(
    con: duckdb.DuckDBPyConnection,
    relation: str,
    raw_table: str,
    *,
    chunk_rows: int = DEFAULT_CHUNK_ROWS,
    suite: dict[str, Any] | None = None,
    engine: GxEngine | None = None,
) -> ValidationReport:
    """Validate every row of `relation` (delivered columns + `_batch_id`, `_source_file`, `_row_number`)
    against the suite of raw.<raw_table>. `relation` is a table or view name in `con`."""
    if chunk_rows < 1:
        raise ValueError(f"chunk_rows must be >= 1, got {chunk_rows}")
    started = time.monotonic()
    suite = suite or load_suite(raw_table)
    expectations = _indexed(suite["expectations"])
    report = ValidationReport(raw_table, expectations_run=len(expectations))
    files = con.execute(
        f"select _batch_id, _source_file, min(_row_number), max(_row_number), count(*) from {relation} "
        "group by 1, 2 order by 1, 2"
    ).fetchall()
    report.rows = sum(f[4] for f in files)
    report.batch_ids = sorted({f[0] for f in files})
    report.source_files = list(dict.fromkeys(f[1] for f in files))
    if report.rows == 0:
        report.seconds = round(time.monotonic() - started, 2)
        return report
    engine = engine or GxEngine(MAX_EXAMPLES)
    collector = _Collector(suite["expectations"])

    row_part = [e for e in expectations if not is_uniqueness(e)]
    if row_part:
        select = _select_list(suite_columns({"expectations": row_part}))
        sql = (
            f"select {select} from {relation} where _batch_id = ? and _source_file = ? "
            "and _row_number between ? and ? order by _row_number"
        )
        for batch_id, name, lo, hi, _ in files:
            for start in range(lo, hi + 1, chunk_rows):
                params = [batch_id, name, start, start + chunk_rows - 1]
                _run(engine, collector, f"{raw_table}.rows", row_part, con, sql, params)
                report.chunks += 1

    for exp in (e for e in expectations if is_uniqueness(e)):
        report.chunks += _validate_uniqueness(con, relation, raw_table, exp, chunk_rows, engine, collector)

    report.failures = collector.result()
    for f in report.failures:
        f.show_batch = len(report.batch_ids) > 1
    report.seconds = round(time.monotonic() - started, 2)
    return report


def _validate_uniqueness(con, relation, raw_table, exp, chunk_rows, engine, collector) -> int:
    """Uniqueness of a key within each batch: GX sees only the rows whose key DuckDB found repeated."""
    keys = target_columns(exp)
    key_list = ", ".join(quote(k) for k in keys)
    group = f"_batch_id, {key_list}"
    any_key = " or ".join(f"{quote(k)} is not null" for k in keys)
    dup = (
        f"select {key_list}, {', '.join(INDEX_COLUMNS)}, count(*) over (partition by {group}) as _n "
        f"from {relation} where {any_key} qualify _n > 1"
    )
    dup = f"select *, dense_rank() over (order by {group}) as _grp from ({dup})"
    groups, biggest = con.execute(f"select count(distinct _grp), coalesce(max(_n), 0) from ({dup})").fetchone()
    if not groups:
        return 0
    per_chunk = max(1, chunk_rows // max(1, biggest))
    sql = (
        f"select {key_list}, {', '.join(INDEX_COLUMNS)} from ({dup}) where _grp between ? and ? "
        f"order by {group}, _source_file, _row_number"
    )
    chunks = 0
    for start in range(1, groups + 1, per_chunk):
        _run(engine, collector, f"{raw_table}.keys", [exp], con, sql, [start, start + per_chunk - 1])
        chunks += 1
    return chunks


def validate_batches(
    warehouse: Path,
    raw_table: str,
    batch_ids: list[str] | None = None,
    *,
    chunk_rows: int = DEFAULT_CHUNK_ROWS,
    wait_seconds: float = 600.0,
    engine: GxEngine | None = None,
) -> ValidationReport:
    """Validate the rows of `batch_ids` (default: the most recent batch, max `_extract_date`) of
    raw.<raw_table> in `warehouse`. The warehouse is opened read-only just long enough to copy those rows
    out (see `snapshot`)."""
    started = time.monotonic()
    suite = load_suite(raw_table)
    columns = sorted({base_column(c) for c in suite_columns(suite)})
    with tempfile.TemporaryDirectory(prefix="coachwh-gx-") as tmp:
        snap = snapshot_batches(warehouse, raw_table, columns, Path(tmp) / "batch.parquet", batch_ids, wait_seconds)
        if snap.path is None:
            report = ValidationReport(raw_table, expectations_run=0)
        else:
            with duckdb.connect(config={"memory_limit": MEMORY_LIMIT, "temp_directory": tmp}) as con:
                con.execute("SET enable_progress_bar = false")
                path = str(snap.path).replace("'", "''")
                con.execute(f"create view batch as select * from read_parquet('{path}')")
                report = validate_rows(con, "batch", raw_table, chunk_rows=chunk_rows, suite=suite, engine=engine)
    report.selection = snap.selection
    report.extract_dates = snap.extract_dates
    report.seconds = round(time.monotonic() - started, 2)
    return report
