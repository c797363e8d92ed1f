"""Every validation result, kept in the warehouse: `ops.validation_results`.

One row per expectation, batch and validation (the gate validates each batch once, before it commits
or refuses it; `python -m pipelines.quality` can validate loaded batches again): when, in which run,
which suite and expectation, its severity, whether it passed, GX's counts and a few examples. The rows
of a loaded batch are written in the batch's own transaction; those of a refused batch right after its
rollback, so a refusal leaves its evidence behind too. `coachwh check` and the Dagster `source_contract`
checks read them back (`latest`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import duckdb

from pipelines.quality.report import WITHHELD, Failure, ValidationReport, describe_rule, value_repr
from pipelines.sources import SOURCE_FILES
from pipelines.warehouse_file import insert_rows, table_exists

TABLE = "ops.validation_results"
DDL = (
    "CREATE SCHEMA IF NOT EXISTS ops",
    f"""CREATE TABLE IF NOT EXISTS {TABLE} (
        run_id            VARCHAR NOT NULL,  -- the Dagster run (or the CLI invocation) that validated
        batch_id          VARCHAR NOT NULL,  -- "<system>/<extract-date>"
        delivery          INTEGER,           -- which delivery of that batch name
        outcome           VARCHAR,           -- what became of the batch: loaded | quarantined | revalidated
        suite             VARCHAR NOT NULL,  -- expectations/<suite>.json; = the raw table
        expectation_index INTEGER NOT NULL,  -- position in the suite
        expectation_type  VARCHAR NOT NULL,  -- GX name, e.g. expect_column_values_to_be_in_set
        column_name       VARCHAR,
        expectation       VARCHAR NOT NULL,  -- the rule in words
        severity          VARCHAR NOT NULL,  -- error | warn
        success           BOOLEAN NOT NULL,
        element_count     BIGINT,
        missing_count     BIGINT,
        unexpected_count  BIGINT,
        examples          VARCHAR,           -- JSON list of objects: file, row, value, record (the first few)
        top_values        VARCHAR,           -- JSON: [[value, count]], the most frequent offenders
        message           VARCHAR,           -- the failure in words, for a failed expectation
        validated_at      TIMESTAMP NOT NULL
    )""",
)


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    for statement in DDL:
        con.execute(statement)
    withhold_stored_personal_values(con)


def withhold_stored_personal_values(con: duckdb.DuckDBPyConnection) -> int:
    """Results stored by a version that kept the values of personal columns (`suites.is_personal`; an install
    upgraded since) lose them: the examples' values and the message's mentions of them say they are withheld,
    the most frequent values go. Otherwise `coachwh check` and every night's `source_contract` check would show
    them again. Returns the rows changed (0 once done: the values are gone)."""
    personal = [(f.raw_table, c.name) for f in SOURCE_FILES for c in f.fields if c.personal]
    if not personal:
        return 0
    shown = value_repr(WITHHELD)
    rows = con.execute(
        f"SELECT rowid, examples, top_values, message FROM {TABLE} "
        "WHERE (suite, column_name) IN (SELECT unnest(?::VARCHAR[]), unnest(?::VARCHAR[])) "
        "AND (top_values IS NOT NULL "
        "     OR list_filter(json_extract_string(examples, '$[*].value'), lambda v: v <> ?) <> [])",
        [[t for t, _ in personal], [c for _, c in personal], shown],
    ).fetchall()
    for rowid, examples, top_values, message in rows:
        listed = json.loads(examples) if examples else []
        values = {ex["value"] for ex in listed} | {v for v, _ in (json.loads(top_values) if top_values else [])}
        for value in sorted(values - {shown}, key=len, reverse=True):
            message = message.replace(value, shown) if message else message
        scrubbed = json.dumps([{**ex, "value": shown} for ex in listed]) if listed else None
        con.execute(
            f"UPDATE {TABLE} SET examples = ?, top_values = NULL, message = ? WHERE rowid = ?",
            [scrubbed, message, rowid],
        )
    return len(rows)


def _row(run_id, batch_id, delivery, outcome, suite, r: Failure, when) -> list[Any]:
    examples = [
        {"file": ex.source_file, "row": ex.row_number, "value": value_repr(ex.value), "record": ex.record}
        for ex in r.examples
    ]
    return [
        run_id,
        batch_id,
        delivery,
        outcome,
        suite,
        r.index,
        r.expectation["type"],
        r.column,
        describe_rule(r.expectation),
        r.severity,
        r.success,
        r.element_count,
        r.missing_count,
        r.unexpected_count,
        json.dumps(examples) if examples else None,
        json.dumps([[value_repr(v), n] for v, n in r.top_values]) if r.top_values else None,
        None if r.success else r.message(),
        when,
    ]


def store(
    con: duckdb.DuckDBPyConnection,
    *,
    run_id: str,
    batch_id: str,
    delivery: int | None,
    outcome: str,
    reports: list[ValidationReport],
    when: datetime,
) -> None:
    """Insert the results of one batch's suites (in the caller's transaction, if any)."""
    insert_rows(
        con,
        TABLE,
        [_row(run_id, batch_id, delivery, outcome, rep.raw_table, r, when) for rep in reports for r in rep.results],
    )


@dataclass(frozen=True)
class SuiteRun:
    """The latest validation of one suite on one batch, as `coachwh check` shows it."""

    batch_id: str
    suite: str
    outcome: str
    validated_at: datetime
    run_id: str
    expectations: int
    errors_failed: int
    warnings_failed: int
    failures: list[dict[str, Any]]  # severity, expectation, column, unexpected_count, message


def latest(
    con: duckdb.DuckDBPyConnection, batch_ids: list[str] | None = None, suite: str | None = None
) -> list[SuiteRun]:
    """The latest validation of each (batch, suite), newest batch first; optionally only some."""
    if not table_exists(con, *TABLE.split(".")):
        return []
    where, params = ["true"], []
    if batch_ids:
        where.append(f"batch_id IN ({', '.join('?' for _ in batch_ids)})")
        params += batch_ids
    if suite:
        where.append("suite = ?")
        params.append(suite)
    rows = con.execute(
        f"""
        WITH latest AS (
            SELECT * FROM {TABLE} WHERE {" AND ".join(where)}
            QUALIFY validated_at = max(validated_at) OVER (PARTITION BY batch_id, suite)
        )
        SELECT batch_id, suite, any_value(outcome), max(validated_at), any_value(run_id), count(*),
               count(*) FILTER (WHERE NOT success AND severity = 'error'),
               count(*) FILTER (WHERE NOT success AND severity = 'warn'),
               list({{'severity': severity, 'expectation': expectation, 'column': column_name,
                     'unexpected_count': unexpected_count, 'message': message}}
                    ORDER BY expectation_index) FILTER (WHERE NOT success)
        FROM latest GROUP BY batch_id, suite ORDER BY max(validated_at) DESC, batch_id DESC, suite
        """,
        params,
    ).fetchall()
    return [SuiteRun(b, s, o, t, run, int(n), int(e), int(w), list(f or [])) for b, s, o, t, run, n, e, w, f in rows]
