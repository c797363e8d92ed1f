"""The latest extract date loaded per system, read from the raw tables' `_extract_date`.

One definition for the publication table, the freshness checks and `coachwh status`: what the raw tables
hold (a retracted or quarantined batch is not there), not what the landing zone has seen.
"""

from __future__ import annotations

from datetime import date

import duckdb

from pipelines.config import Settings
from pipelines.sources import RAW_SCHEMA, SOURCE_FILES, SYSTEMS


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


def days_behind(latest: dict[str, date | None]) -> dict[str, int | None]:
    """system -> days its latest extract lags the newest system's (None when it has none)."""
    newest = max((d for d in latest.values() if d is not None), default=None)
    return {s: (newest - d).days if d is not None and newest is not None else None for s, d in latest.items()}


def freshness_verdicts(latest: dict[str, date | None], cfg: Settings) -> dict[str, tuple[bool, str]]:
    """system -> (fresh, one-line description), from the latest extract date per system."""
    behind = days_behind(latest)
    newest = max((d for d in latest.values() if d is not None), default=None)
    out = {}
    for system in SYSTEMS:
        lag, limit = behind[system], cfg.stale_after(system)
        if latest[system] is None:
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
