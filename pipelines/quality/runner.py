"""Run a suite over the rows of one batch inside DuckDB, and phrase what failed.

`validate(con, relation, raw_table, ...)`: one aggregate query gives the counts of the row-level
expectations on near-unique columns in a single scan, and whether a key of a uniqueness expectation
repeats (a second query counts its rows when one does); in a large batch, one query per set of repeating
columns gives the others from their distinct values (`_per_value`); and only a failed expectation costs
one more query for its example rows and its most frequent offending values. No row
leaves DuckDB (see `translate` for why, and for the GX semantics kept). `relation` is any table, view
or subquery with the delivered columns and `_batch_id`, `_source_file`, `_row_number`: the gate passes
the rows of the batch it is loading (inside its open transaction), `validate_batches` passes rows that
are already in raw.
"""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import duckdb

from pipelines.quality.report import MAX_EXAMPLES, WITHHELD, Example, Failure, ValidationReport
from pipelines.quality.suites import is_personal, load_suite
from pipelines.quality.translate import (
    Compiled,
    Parameters,
    aggregate_sql,
    compile_suite,
    distinct_values_sql,
    duplicate_count_sql,
    gx_success,
    raw_columns,
    same_rule_pairs,
    sharing_verdicts,
    targets_sql,
    unexpected_rows_sql,
    value_sql,
)
from pipelines.sources import RAW_SCHEMA, quote, source_file
from pipelines.warehouse_file import READER_MEMORY_LIMIT, connect_waiting, sql_literal

SAMPLE_ROWS = 50_000
REPEATING_SHARE = 0.5  # at most this share of the sampled values distinct: evaluate per distinct value
# Grouping by value pays off on large batches only: below this many rows one scan of every row is cheaper
# than the sample probe and a GROUP BY per column set (a night's 180 k crm rows: 0.30 s against 0.63 s).
PER_VALUE_MIN_ROWS = 1_000_000
# At least this share of the sampled rows with equal values in two columns under the same rule: the later
# takes the earlier's verdict where they are equal (comparing costs a few ns a row, a regex about 60).
EQUAL_SHARE = 0.2


def batch_relation(raw_table: str, batch_id: str, schema: str = RAW_SCHEMA) -> str:
    """The rows of one batch in a raw table, as a relation for `validate`."""
    return f"(SELECT * FROM {schema}.{quote(raw_table)} WHERE _batch_id = {sql_literal(batch_id)})"


def batch_parameters(batch_id: str, schema: str = RAW_SCHEMA) -> Parameters:
    """Values of the GX suite parameters for one batch: the CRM user ids delivered with it."""
    return {"crm_user_ids": f'SELECT "Id" FROM {batch_relation("crm_user", batch_id, schema)}'}


def validate(
    con: duckdb.DuckDBPyConnection,
    relation: str,
    raw_table: str,
    *,
    suite: dict[str, Any] | None = None,
    params: Parameters | None = None,
) -> ValidationReport:
    """Every expectation of the suite of raw.<raw_table> on `relation`: counts, verdicts, examples."""
    started = time.monotonic()
    suite = suite or load_suite(raw_table)
    compiled = compile_suite(suite, params)
    # the record's key as delivered (e.g. `Id`), so an example can be found in the source system
    key = "concat_ws(' / ', " + ", ".join(quote(k) for k in source_file(raw_table).key) + ")"
    report = ValidationReport(raw_table, expectations_run=len(compiled))
    files = con.execute(
        f"SELECT _batch_id, _source_file, count(*) FROM {relation} GROUP BY ALL ORDER BY 1, 2"
    ).fetchall()
    report.rows = sum(n for _, _, n in files)
    report.batch_ids = sorted({b for b, _, _ in files})
    report.source_files = list(dict.fromkeys(f for _, f, _ in files))
    if report.rows:
        counts = _counts(con, relation, compiled, report.rows)
        for c in compiled:
            element, missing = counts[f"d_{c.index}"], counts[f"m_{c.index}"]
            if c.is_uniqueness:
                # a repeated key costs a query of its own: GX counts every row of a repeated key
                repeats = not counts[f"k_{c.index}"]
                unexpected = con.execute(duplicate_count_sql(c, relation)).fetchone()[0] if repeats else 0
            else:
                unexpected = counts[f"u_{c.index}"]
            result = Failure(
                c.index,
                c.expectation,
                unexpected_count=int(unexpected),
                element_count=int(element),
                missing_count=int(missing),
                success=gx_success(c.expectation, element, missing, unexpected),
                show_batch=len(report.batch_ids) > 1,
            )
            if not result.success:
                _add_examples(con, relation, c, result, key)
            report.results.append(result)
    report.seconds = round(time.monotonic() - started, 3)
    return report


def _agg_names(compiled: list[Compiled]) -> list[str]:
    return [f"{k}_{c.index}" for c in compiled for k in ("dmk" if c.is_uniqueness else "dmu")]


def _counts(con, relation: str, compiled: list[Compiled], rows: int) -> dict[str, int]:
    """d_i, m_i and u_i of every expectation: one scan of the rows for those on near-unique columns (all of
    them in a small batch; one evaluation of a rule where two columns hold the same value, `_same_values`),
    and one evaluation per distinct value, weighted by its rows, for the others (`_per_value`)."""
    per_value = _per_value(con, relation, compiled, rows)
    apart = {c.index for group in per_value.values() for c in group}
    per_row = [c for c in compiled if c.index not in apart]
    per_row, scanned = sharing_verdicts(per_row, relation, _same_values(con, relation, per_row, rows))
    counts = dict(
        zip(["n", *_agg_names(per_row)], con.execute(aggregate_sql(per_row, scanned)).fetchone(), strict=True)
    )
    for columns, group in per_value.items():
        sql = aggregate_sql(group, distinct_values_sql(relation, columns), weight="_n")
        counts.update(zip(_agg_names(group), con.execute(sql).fetchone(), strict=True))
    return counts


def _per_value(con, relation: str, compiled: list[Compiled], rows: int) -> dict[tuple[str, ...], list[Compiled]]:
    """The row-level expectations worth evaluating once per distinct value of the columns they read,
    grouped by those columns, in a relation of `rows` rows.

    A value's verdict depends on the value alone, and a regex, an IN list or a condition costs DuckDB a
    few dozen to a hundred ns a row: on columns whose values repeat (dates, owners, vocabularies), grouping
    first gives the same counts for a fraction of the work. Whether they repeat is judged on the first
    SAMPLE_ROWS rows; a wrong guess costs time, never a different count. Under PER_VALUE_MIN_ROWS rows none
    is: the probe alone costs more than it could save."""
    if rows < PER_VALUE_MIN_ROWS:
        return {}
    candidates: dict[tuple[str, ...], list[Compiled]] = {}
    for c in compiled:
        if not c.is_uniqueness:
            candidates.setdefault(raw_columns(c.expectation), []).append(c)
    if not candidates:
        return {}
    sets = list(candidates)
    probes = ", ".join(f"count(DISTINCT ({', '.join(cols)})), count(({', '.join(cols)}))" for cols in sets)
    sample = con.execute(f"SELECT {probes} FROM (SELECT * FROM {relation} LIMIT {SAMPLE_ROWS})").fetchone()
    return {
        cols: candidates[cols]
        for i, cols in enumerate(sets)
        if sample[2 * i] <= REPEATING_SHARE * max(sample[2 * i + 1], 1)
    }


def _same_values(con, relation: str, per_row: list[Compiled], rows: int) -> dict[int, int]:
    """Which row-level expectation takes the verdict of which earlier one with the same rule where their
    values are equal (`translate.sharing_verdicts`): those whose columns are equal in at least EQUAL_SHARE
    of the first SAMPLE_ROWS rows, each with the column it most often equals. A chain is not followed:
    an expectation whose verdicts are taken evaluates its own. Like `_per_value`, a wrong guess costs time,
    never a different count, and a batch under PER_VALUE_MIN_ROWS is not probed."""
    pairs = same_rule_pairs(per_row) if rows >= PER_VALUE_MIN_ROWS else []
    if not pairs:
        return {}
    probes = ", ".join(f"count(*) FILTER (WHERE {value_sql(a)} = {value_sql(b)})" for a, b in pairs)
    sampled, *equal = con.execute(
        f"SELECT count(*), {probes} FROM (SELECT * FROM {relation} LIMIT {SAMPLE_ROWS})"
    ).fetchone()
    same_as: dict[int, int] = {}
    for n, (a, b) in sorted(zip(equal, pairs, strict=True), key=lambda p: -p[0]):
        taken, sources = set(same_as), set(same_as.values())
        if n >= EQUAL_SHARE * max(sampled, 1) and b.index not in taken | sources and a.index not in taken:
            same_as[b.index] = a.index
    return same_as


def _add_examples(con, relation: str, c: Compiled, result: Failure, key: str) -> None:
    """The first unexpected rows (file order; key order for repeated keys) with the record's key, and
    the most frequent offending values with their counts."""
    targets = targets_sql(c.expectation)
    value = targets[0] if len(targets) == 1 else "row(" + ", ".join(targets) + ")"
    rows = con.execute(
        unexpected_rows_sql(c, relation, f"_batch_id, _source_file, _row_number, {value} AS v, {key} AS k")
        + f" ORDER BY _batch_id, _source_file, {', '.join(c.keys) + ', ' if c.keys else ''}_row_number"
        f" LIMIT {MAX_EXAMPLES}"
    ).fetchall()
    result.examples = [Example(b, f, int(n), _plain(v), k or "") for b, f, n, v, k in rows]
    tops = con.execute(
        f"SELECT v, count(*) AS n, min(_row_number) AS first FROM "
        f"({unexpected_rows_sql(c, relation, f'_row_number, {value} AS v')}) "
        f"GROUP BY v ORDER BY n DESC, first LIMIT {MAX_EXAMPLES}"
    ).fetchall()
    result.top_values = [(_plain(v), int(n)) for v, n, _ in tops]
    if is_personal(c.expectation):  # the rows are named, the values not
        result.examples = [replace(ex, value=WITHHELD) for ex in result.examples]
        result.top_values = []


def _plain(value: Any) -> Any:
    """DuckDB's row(...) of a compound key as a tuple; anything else as it is."""
    if isinstance(value, dict):
        return tuple(value.values())
    return value


def validate_batches(
    warehouse: Path,
    raw_tables: list[str],
    batch_ids: list[str] | None = None,
    *,
    wait_seconds: float = 600.0,
) -> list[ValidationReport]:
    """Validate loaded batches of each raw table (default: its latest, max `_extract_date`), each batch on its
    own as at the gate; one report per table. The warehouse is opened read-only once, for the seconds the
    queries take, as the gate validates all the tables of a batch in one connection (every suite over the
    large history and four nights: 11.7 s with a connection per table, 10.2-10.6 s with one)."""
    if not warehouse.exists():
        return [ValidationReport(t, selection="no warehouse yet") for t in raw_tables]
    with connect_waiting(
        warehouse, read_only=True, config={"memory_limit": READER_MEMORY_LIMIT}, wait_seconds=wait_seconds
    ) as con:
        return [_validate_loaded(con, t, batch_ids) for t in raw_tables]


def _validate_loaded(con: duckdb.DuckDBPyConnection, raw_table: str, batch_ids: list[str] | None) -> ValidationReport:
    """The batches of one raw table, each validated on its own, merged into one report."""
    started = time.monotonic()
    total = ValidationReport(raw_table)
    table = f"{RAW_SCHEMA}.{quote(raw_table)}"
    if not batch_ids:
        total.selection = "latest batch (max _extract_date)"
        batch_ids = [
            b
            for (b,) in con.execute(
                f"SELECT DISTINCT _batch_id FROM {table} "
                f"WHERE _extract_date = (SELECT max(_extract_date) FROM {table}) ORDER BY 1"
            ).fetchall()
        ]
    else:
        total.selection = f"batches {', '.join(batch_ids)}"
    for batch_id in batch_ids:
        one = validate(con, batch_relation(raw_table, batch_id), raw_table, params=batch_parameters(batch_id))
        total.merge(one)
    total.seconds = round(time.monotonic() - started, 3)
    return total
