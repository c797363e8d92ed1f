"""The content contracts at the gate: a batch's suites run on its rows before they are committed.

The rows are in the loader's open transaction (appended to raw, visible only to this connection); each
raw table the batch filled is validated on `_batch_id` alone. An error-level expectation that fails
refuses the batch (the caller rolls back and quarantines it, this module only says why); a warn-level
one lets it load and is reported. Either way the results are stored by the caller.
"""

from __future__ import annotations

import duckdb

from pipelines.landing.errors import Rule, Violation
from pipelines.quality.report import Failure, ValidationReport, value_repr
from pipelines.quality.runner import batch_parameters, batch_relation, validate


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
        f"{f.unexpected_count:,} row(s) break the {f.severity}-level expectation "
        f"'{f.column} {f.rule_phrase()}'"
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


def refusals(reports: list[ValidationReport]) -> list[Violation]:
    """One violation per failed error-level expectation (empty: the batch may commit)."""
    return [violation(f) for rep in reports for f in rep.errors]


def warnings(reports: list[ValidationReport]) -> list[str]:
    """The failed warn-level expectations, in words (the batch loads; these are reported)."""
    return [f"{rep.raw_table}: {f.message()}" for rep in reports for f in rep.warnings]
