"""The first rows a failed dbt test found, on its Dagster check, in the run's summary and in the alert.

dbt says only how many rows broke a test ("1 row breaks it"); the data engineer then had to find the test's
compiled SQL and run it. The test's SELECT is its own answer: once dbt has exited (its process holds the
warehouse's DuckDB file while it runs), the step runs that SQL again, read-only, for its first rows and
attaches them to the check (`first_failing_rows`). A check that failed is held back until then; the others
pass through as they come. DuckDB builds only: a Spark build's test SQL is Spark's.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import dagster as dg
import duckdb

from pipelines.defs.metadata import metadata_value
from pipelines.warehouse_file import READER_MEMORY_LIMIT, connect_waiting

EXAMPLES = 3  # rows shown per failed test
VALUE_CHARS = 80  # a longer value is cut there
FIRST_ROWS = "first_failing_rows"  # the metadata key: {"columns": [name, ...], "rows": [[value, ...], ...]}
LOCK_WAIT_SECONDS = 30
# A test on the survey's rows is not read again: its rows would be single responses, or a team below the anonymity
# threshold (what assert_engagement_suppression_follows_threshold finds), and they would travel in the alert.
SURVEY_NODES = frozenset(
    {
        "source.coachwh.raw.survey_responses",
        "model.coachwh.stg_survey__responses",
        "model.coachwh.mart_manager_engagement",
    }
)


def found_rows(event: Any) -> bool:
    """Whether `event` is a dbt test's check that failed or warned on rows (not one that errored)."""
    return (
        isinstance(event, dg.AssetCheckResult)
        and not event.passed
        and metadata_value(event.metadata, "status") in ("fail", "warn")
        and bool(metadata_value(event.metadata, "unique_id"))
    )


def with_first_rows(
    checks: list[dg.AssetCheckResult], warehouse: Path, target_path: Path, manifest: Mapping[str, Any]
) -> list[dg.AssetCheckResult]:
    """`checks` with the first rows of each test attached, as far as they can be read: a test whose SQL is gone
    or fails to run again keeps its count alone (why is in the metadata), and the checks are never lost."""
    if not checks:
        return []
    try:
        con = connect_waiting(
            warehouse, read_only=True, config={"memory_limit": READER_MEMORY_LIMIT}, wait_seconds=LOCK_WAIT_SECONDS
        )
    except Exception as e:  # the checks go out with their counts
        return [_with(check, note=f"rows not read: {type(e).__name__}: {e}") for check in checks]
    with con:
        return [_read(con, check, target_path, manifest) for check in checks]


def _read(
    con: duckdb.DuckDBPyConnection, check: dg.AssetCheckResult, target_path: Path, manifest: Mapping[str, Any]
) -> dg.AssetCheckResult:
    unique_id = str(metadata_value(check.metadata, "unique_id"))
    if SURVEY_NODES & set(manifest.get("nodes", {}).get(unique_id, {}).get("depends_on", {}).get("nodes", [])):
        return _with(check, note="rows not read: a test on survey responses (anonymity)")
    try:
        sql = compiled_sql(target_path, manifest, unique_id)
        if sql is None:
            return _with(check, note="rows not read: dbt wrote no compiled SQL for the test")
        cur = con.execute(f"select * from (\n{sql}\n) as failing limit {EXAMPLES}")
        names = [d[0] for d in cur.description]
        rows = [[_short(v) for v in row] for row in cur.fetchall()]
    except (duckdb.Error, OSError) as e:  # the check goes out all the same, with its count
        return _with(check, note=f"rows not read: {str(e).splitlines()[0] if str(e) else type(e).__name__}")
    return _with(check, found={"columns": names, "rows": rows})


def compiled_sql(target_path: Path, manifest: Mapping[str, Any], unique_id: str) -> str | None:
    """The SQL dbt compiled for test `unique_id` in the build whose target folder is `target_path`."""
    node = manifest.get("nodes", {}).get(unique_id)
    if node is None:
        return None
    compiled = target_path / "compiled" / node["package_name"]
    # a generic test's file lies under its yml's path, a singular test's under its own (dbt's layout)
    for path in (compiled / node["original_file_path"] / node["path"], compiled / node["original_file_path"]):
        if path.is_file():
            return path.read_text(encoding="utf-8").strip().rstrip(";")
    return None


def first_rows_text(metadata: Mapping[str, Any]) -> str:
    """`; first: a=1, b='x'; a=2, b='y'` from a check's FIRST_ROWS metadata ('' when there is none)."""
    found = metadata_value(metadata, FIRST_ROWS) or {}
    names, rows = found.get("columns", []), found.get("rows", [])
    if not rows:
        return ""
    return "; first: " + "; ".join(", ".join(f"{n}={v!r}" for n, v in zip(names, row, strict=True)) for row in rows)


def _with(check: dg.AssetCheckResult, found: dict | None = None, note: str | None = None) -> dg.AssetCheckResult:
    extra: dict[str, Any] = {}
    if found is not None:
        extra[FIRST_ROWS] = dg.MetadataValue.json(found)
    if note is not None:
        extra["first_failing_rows_note"] = note
    return dg.AssetCheckResult(
        asset_key=check.asset_key,
        check_name=check.check_name,
        passed=check.passed,
        severity=check.severity,
        description=check.description,
        metadata={**check.metadata, **extra},
    )


def _short(value: Any) -> Any:
    if isinstance(value, (int, float, bool)) or value is None:
        return value
    text = str(value)
    return text if len(text) <= VALUE_CHARS else text[: VALUE_CHARS - 1] + "…"
