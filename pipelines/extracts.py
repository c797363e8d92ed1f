"""The latest extract date loaded per system, read from the raw tables' `_extract_date`.

One definition for the publication table, the freshness checks and `coachwh status`: what the raw tables
hold (a retracted or quarantined batch is not there), not what the landing zone has seen. The publication
labels the marts with the dates of the raw their last build read (`record_built_from`), which a batch loaded
since the build has not changed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb

from pipelines.config import Settings
from pipelines.landing.registry import OPS_SCHEMA, loaded_fingerprints
from pipelines.sources import RAW_SCHEMA, SOURCE_FILES, SYSTEMS
from pipelines.warehouse_file import connect_waiting, insert_rows, table_exists

BUILT_FROM = "marts_built_from"  # ops.marts_built_from: system, extract_date
BUILT_FROM_DELIVERIES = "marts_built_from_deliveries"  # ops.marts_built_from_deliveries: batch_id, fingerprint


def latest_extract_dates(con: duckdb.DuckDBPyConnection, catalog: str | None = None) -> dict[str, date | None]:
    """system -> max(_extract_date) over its raw tables (None when nothing of it is loaded).

    `catalog` names an attached database (e.g. 'wh'); None means the connection's own."""
    where_catalog = "table_catalog = current_database()" if catalog is None else "table_catalog = ?"
    params = [] if catalog is None else [catalog]
    present = {
        r[0]
        for r in con.execute(
            f"select table_name from information_schema.tables where {where_catalog} and table_schema = ?",
            [*params, RAW_SCHEMA],
        ).fetchall()
    }
    prefix = f"{catalog}." if catalog else ""
    parts = [
        f"select '{f.system}' as system, max(_extract_date) as d from {prefix}{RAW_SCHEMA}.{f.raw_table}"
        for f in SOURCE_FILES
        if f.raw_table in present
    ]
    latest: dict[str, date | None] = dict.fromkeys(SYSTEMS)
    if parts:
        rows = con.execute(
            f"select system, cast(max(d) as date) from ({' union all '.join(parts)}) group by system"
        ).fetchall()
        latest.update(dict(rows))
    return latest


@dataclass(frozen=True)
class BuildInputs:
    """The raw a dbt build reads, taken before it starts: each system's latest extract date, and the deliveries
    in raw (batch id -> `registry.delivery_fingerprint`)."""

    extract_dates: dict[str, date | None]
    deliveries: dict[str, str]


def build_inputs_in(warehouse: Path) -> BuildInputs:
    """The BuildInputs of a warehouse file (nothing when there is none yet).

    Opened for writing, as dbt opens it next in the step that calls this: while another process holds the file
    (an analyst's connection, read-only or not) this waits, saying for whom, where dbt would fail at once."""
    if not warehouse.exists():
        return BuildInputs(dict.fromkeys(SYSTEMS), {})
    with connect_waiting(warehouse) as con:
        has_registry = all(table_exists(con, OPS_SCHEMA, t) for t in ("batch_registry", "batch_files"))
        return BuildInputs(latest_extract_dates(con), loaded_fingerprints(con) if has_registry else {})


def record_built_from(warehouse: Path, reads: BuildInputs) -> None:
    """After a dbt build: what the raw it read held (`reads`, taken before it started).

    A batch loaded after the build (`coachwh ingest`, then `published/marts` materialized alone in the UI; a night
    whose build failed after its gate loaded) is in no mart yet: the publication must not date the marts by it, and
    a batch retracted during the build still is in them: the publication must say it holds it."""
    with connect_waiting(warehouse) as con:
        con.execute(f"CREATE SCHEMA IF NOT EXISTS {OPS_SCHEMA}")
        con.execute(f"CREATE OR REPLACE TABLE {OPS_SCHEMA}.{BUILT_FROM} (system VARCHAR, extract_date DATE)")
        con.executemany(f"INSERT INTO {OPS_SCHEMA}.{BUILT_FROM} VALUES (?, ?)", list(reads.extract_dates.items()))
        deliveries = f"{OPS_SCHEMA}.{BUILT_FROM_DELIVERIES}"
        con.execute(f"CREATE OR REPLACE TABLE {deliveries} (batch_id VARCHAR, fingerprint VARCHAR)")
        insert_rows(con, deliveries, [list(item) for item in reads.deliveries.items()])


def built_from_deliveries(con: duckdb.DuckDBPyConnection, catalog: str) -> dict[str, str] | None:
    """batch id -> delivery fingerprint of the raw the last dbt build read; None for a warehouse built before this
    was recorded."""
    if not _recorded(con, catalog, BUILT_FROM_DELIVERIES):
        return None
    return dict(
        con.execute(f"select batch_id, fingerprint from {catalog}.{OPS_SCHEMA}.{BUILT_FROM_DELIVERIES}").fetchall()
    )


def built_from_extract_dates(con: duckdb.DuckDBPyConnection, catalog: str) -> dict[str, date | None] | None:
    """system -> the latest extract date of the raw the last dbt build read; None for a warehouse built before
    this was recorded (its raw tables say it then)."""
    if not _recorded(con, catalog, BUILT_FROM):
        return None
    latest: dict[str, date | None] = dict.fromkeys(SYSTEMS)
    latest.update(dict(con.execute(f"select system, extract_date from {catalog}.{OPS_SCHEMA}.{BUILT_FROM}").fetchall()))
    return latest


def _recorded(con: duckdb.DuckDBPyConnection, catalog: str, table: str) -> bool:
    """Whether the ops table exists in the attached database `catalog` (a warehouse built before it did: no)."""
    query = (
        "select count(*) from information_schema.tables where table_catalog = ? and table_schema = ? and table_name = ?"
    )
    return bool(con.execute(query, [catalog, OPS_SCHEMA, table]).fetchone()[0])


def days_behind(latest: dict[str, date | None]) -> dict[str, int | None]:
    """system -> days its latest extract lags the newest system's (None when it has none)."""
    newest = max((d for d in latest.values() if d is not None), default=None)
    return {s: (newest - d).days if d is not None and newest is not None else None for s, d in latest.items()}


# An extract dated after this many days past today (UTC) cannot have run yet: the one place where the freshness
# verdicts look at the clock. A day of slack: a system ahead of UTC dates its night's extract a day early.
FUTURE_SLACK_DAYS = 1


def dated_in_future(extract_date: date | None, today: date | None) -> bool:
    """An extract date that no night up to `today` (UTC) can have given: see FUTURE_SLACK_DAYS."""
    return extract_date is not None and today is not None and (extract_date - today).days > FUTURE_SLACK_DAYS


def freshness_verdicts(
    latest: dict[str, date | None], cfg: Settings, today: date | None = None
) -> dict[str, tuple[bool, str]]:
    """system -> (fresh, one-line description), from the latest extract date per system.

    Relative to the data: a system lags the newest one. With `today`, an extract dated after it (a mistyped
    folder or manifest date, loaded as any other) is named as well: it sets the as-of date of every mart, and
    without this the healthy systems would seem to lag behind it: the others' lag is measured without it."""
    future = {s for s, d in latest.items() if dated_in_future(d, today)}
    plausible = {s: (None if s in future else d) for s, d in latest.items()}
    behind = days_behind(plausible)
    newest = max((d for d in plausible.values() if d is not None), default=None)
    out = {}
    for system in SYSTEMS:
        lag, limit = behind[system], cfg.stale_after(system)
        if system in future:
            out[system] = (
                False,
                f"{system} latest extract {latest[system]} is dated after today ({today}, UTC), and sets the "
                f"as-of date of the marts: a mistyped folder or manifest date? `coachwh retract "
                f"{system}/{latest[system]} --reason TEXT` takes it out",
            )
        elif latest[system] is None:
            out[system] = (newest is None, f"no {system} extract loaded yet")
        elif lag > limit:
            out[system] = (
                False,
                f"{system} latest extract {latest[system]} is {lag} days behind the newest "
                f"({newest}); more than {limit}",
            )
        else:
            out[system] = (
                True,
                f"{system} latest extract {latest[system]} ({lag} days behind the newest, limit {limit})",
            )
    return out
