"""How far the raw versions are audited: the dbt test `assert_raw_versions_accounted_for` checks that every
raw version of a delta record is kept, superseded or tombstoned in staging. After a dbt build on DuckDB in
which it passed, the newest raw load time is recorded in `ops.raw_version_audits`; the next nightly build
audits only the keys of the raw rows loaded after it (dbt macro `raw_audited_through`), a full refresh all.

A build that failed, or that did not run the test (a selection in the UI), records nothing: its rows are
audited again by the next build that does.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pipelines.landing.registry import OPS_SCHEMA
from pipelines.sources import RAW_SCHEMA
from pipelines.warehouse_file import connect_waiting

TABLE = f"{OPS_SCHEMA}.raw_version_audits"
AUDIT_TEST = "test.coachwh.assert_raw_versions_accounted_for"
DDL = f"""CREATE TABLE IF NOT EXISTS {TABLE} (
    audited_through TIMESTAMP NOT NULL,  -- every raw row loaded up to here is accounted for in staging
    audited_at      TIMESTAMP NOT NULL,
    full_history    BOOLEAN NOT NULL     -- the build audited every raw row (a full refresh or the first)
)"""


def is_passing_audit(event: Any) -> bool:
    """True for the Dagster event of a passing raw-versions audit. dagster-dbt puts each test's dbt unique_id
    and status in its events' metadata; the nightly build does not write dbt's run_results.json (nor its
    two copies of the manifest, 2 s a night)."""
    metadata = getattr(event, "metadata", None) or {}
    return _value(metadata.get("unique_id")) == AUDIT_TEST and _value(metadata.get("status")) == "pass"


def _value(entry: Any) -> Any:
    return getattr(entry, "value", entry)  # Dagster wraps metadata values (TextMetadataValue)


def record_audit(warehouse: Path, full_refresh: bool) -> datetime | None:
    """After a build whose audit passed: every raw row loaded so far is audited. Returns the load time
    recorded (None when raw holds no row yet). Nothing loads while dbt builds (the warehouse pool)."""
    with connect_waiting(warehouse) as con:
        tables = con.execute(
            "SELECT table_name FROM duckdb_columns() WHERE schema_name = ? AND column_name = '_loaded_at'",
            [RAW_SCHEMA],
        ).fetchall()
        if not tables:
            return None
        newest = " UNION ALL ".join(f'SELECT max(_loaded_at) AS t FROM {RAW_SCHEMA}."{t}"' for (t,) in tables)
        through = con.execute(f"SELECT max(t) FROM ({newest})").fetchone()[0]
        if through is None:
            return None
        con.execute(f"CREATE SCHEMA IF NOT EXISTS {OPS_SCHEMA}")
        con.execute(DDL)
        # as the dbt macro decides: the whole history on a full refresh or when nothing was recorded before
        full_history = full_refresh or con.execute(f"SELECT count(*) = 0 FROM {TABLE}").fetchone()[0]
        con.execute(
            f"INSERT INTO {TABLE} VALUES (?, ?, ?)", [through, datetime.now(UTC).replace(tzinfo=None), full_history]
        )
        return through
