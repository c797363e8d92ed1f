"""The content contracts at the gate: a batch's suites run on its rows before they are committed.

The rows are in the loader's open transaction (appended to raw, visible only to this connection); each
raw table the batch filled is validated on `_batch_id` alone. An error-level expectation that fails
refuses the batch (the caller rolls back and quarantines it, this module only says why); a warn-level
one lets it load and is reported. Either way the results are stored by the caller. One rule looks beyond the
batch, against raw: a key that keeps a column's value in every batch (`SourceFile.key_keeps`, a survey
response's wave) may not come back with another.
"""

from __future__ import annotations

import duckdb

from pipelines.landing.errors import Rule, Violation
from pipelines.quality.report import Failure, ValidationReport, value_repr
from pipelines.quality.runner import batch_parameters, batch_relation, validate
from pipelines.sources import RAW_SCHEMA, quote, source_file
from pipelines.warehouse_file import sql_literal

EXAMPLES = 5


def validate_batch(con: duckdb.DuckDBPyConnection, batch_id: str, raw_tables: list[str]) -> list[ValidationReport]:
    """Run the suite of each raw table on the rows of `batch_id` (in `con`'s transaction)."""
    params = batch_parameters(batch_id)
    return [validate(con, batch_relation(t, batch_id), t, params=params) for t in raw_tables]


def violation(f: Failure) -> Violation:
    """A failed expectation as a row of REJECTED.md: file, first row, column, values, count, rule."""
    first = f.examples[0] if f.examples else None
    values = ", ".join(f"{value_repr(v)} ({n} row{'s' if n > 1 else ''})" for v, n in f.top_values)
    rows = ", ".join(str(ex.row_number) for ex in f.examples)
    records = ", ".join(ex.record for ex in f.examples if ex.record)
    detail = (
        f"{f.unexpected_count:,} row(s) where {f.column} {f.rule_phrase()} ({f.severity}-level expectation)"
        + (f"; offending values: {values}" if values else "")
        + f"; first rows: {rows}"
        + (f"; records: {records}" if records else "")
        + f" [GX {f.expectation['type']}]"
    )
    return Violation(
        first.source_file if first else "",
        Rule.CONTRACT,
        detail,
        row=first.row_number if first else None,
        column=f.column,
    )


def keys_kept_elsewhere(con: duckdb.DuckDBPyConnection, batch_id: str, raw_tables: list[str]) -> list[Violation]:
    """The rows of `batch_id` whose key a batch loaded before holds with another value of the file's `key_keeps`
    column (a survey response of another wave): a suite sees one batch, so this rule is checked here, against
    raw. Keys and values are compared trimmed, as staging reads them."""
    found = []
    for table in raw_tables:
        f = source_file(table)
        if f.key_keeps is None:
            continue
        table_sql = f"{RAW_SCHEMA}.{quote(table)}"
        keep = quote(f.key_keeps)
        same_key = " AND ".join(f"trim(new.{quote(k)}) = trim(old.{quote(k)})" for k in f.key)
        record = "concat_ws(' / ', " + ", ".join(f"new.{quote(k)}" for k in f.key) + ")"
        rows = con.execute(
            f"WITH clash AS (SELECT new._source_file AS file, new._row_number AS row, {record} AS record, "
            f"new.{keep} AS value, arg_min(old.{keep}, old._batch_id) AS earlier, min(old._batch_id) AS batch "
            f"FROM {table_sql} AS new JOIN {table_sql} AS old ON {same_key} AND old._batch_id <> new._batch_id "
            f"AND trim(old.{keep}) IS DISTINCT FROM trim(new.{keep}) "
            f"WHERE new._batch_id = {sql_literal(batch_id)} GROUP BY ALL) "
            f"SELECT *, count(*) OVER () FROM clash ORDER BY file, row LIMIT {EXAMPLES}"
        ).fetchall()
        if not rows:
            continue
        file, row, record, value, earlier, earlier_batch, n = rows[0]
        others = "; ".join(f"row {r[1]} {r[2]!r} ({r[4]!r} in {r[5]})" for r in rows[1:])
        found.append(
            Violation(
                file,
                Rule.KEY_ELSEWHERE,
                f"{n:,} row(s) name a record that a batch loaded before holds with another {f.key_keeps}: "
                f"{'/'.join(f.key)} {record!r} has {f.key_keeps} {value!r} here and {earlier!r} in batch "
                f"{earlier_batch}"
                + (f"; also {others}" if others else "")
                + f" (a {'/'.join(f.key)} keeps its {f.key_keeps} in every batch)",
                row=row,
                column=f.key[0],
            )
        )
    return found


def refusals(reports: list[ValidationReport]) -> list[Violation]:
    """One violation per failed error-level expectation (empty: the batch may commit)."""
    return [violation(f) for rep in reports for f in rep.errors]


def warnings(reports: list[ValidationReport]) -> list[str]:
    """The failed warn-level expectations, in words (the batch loads; these are reported)."""
    return [f"{rep.raw_table}: {f.message()}" for rep in reports for f in rep.warnings]
