"""Publish the marts to the file BI tools read.

DuckDB lets one process write a file and locks every other process out, readers included. So BI never
opens the warehouse the pipeline writes: after a successful build the marts are copied into a fresh file
that atomically replaces `$COACHWH_HOME/coachwh_marts.duckdb`. Readers with the old file open keep their view;
new connections see the new marts. A failed build never reaches this step, so yesterday's marts stay up.
"""


import os
import time
from pathlib import Path

import dagster as dg
import duckdb

from pipelines.config import settings

PUBLISHED_SCHEMA = "marts"


def publish_marts(warehouse: Path, published: Path) -> dict[str, int]:
    """Copy every table of the warehouse's `marts` schema into `published` (replaced atomically)."""
    tmp = published.with_name(published.name + ".tmp")
    tmp.unlink(missing_ok=True)
    with duckdb.connect() as con:
        con.execute(f"ATTACH '{warehouse}' AS wh (READ_ONLY)")
        tables = [
            r[0]
            for r in con.execute(
                "select table_name from information_schema.tables "
                "where table_catalog = 'wh' and table_schema = ? order by table_name",
                [PUBLISHED_SCHEMA],
            ).fetchall()
        ]
        if not tables:
            raise RuntimeError(f"{warehouse} has no tables in schema {PUBLISHED_SCHEMA}: nothing to publish")
        con.execute(f"ATTACH '{tmp}' AS pub")
        con.execute(f"CREATE SCHEMA pub.{PUBLISHED_SCHEMA}")
        rows = {}
        for table in tables:
            name = f'{PUBLISHED_SCHEMA}."{table}"'
            con.execute(f"CREATE TABLE pub.{name} AS SELECT * FROM wh.{name}")
            rows[table] = con.execute(f"SELECT count(*) FROM pub.{name}").fetchone()[0]
        con.execute("DETACH pub")
    os.replace(tmp, published)
    return rows


def publish_definitions(mart_keys: list[dg.AssetKey]) -> dg.Definitions:
    @dg.asset(
        key=["published", "marts"],
        deps=mart_keys,
        group_name="publish",
        owners=["team:data-engineering"],
        description="The marts, copied to $COACHWH_HOME/coachwh_marts.duckdb for BI tools (read-only; replaced "
        "atomically after each successful build).",
        kinds={"duckdb"},
    )
    def published_marts(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
        cfg = settings()
        started = time.monotonic()
        rows = publish_marts(cfg.warehouse, cfg.published)
        context.log.info(f"published {len(rows)} tables to {cfg.published}")
        return dg.MaterializeResult(
            metadata={
                "path": dg.MetadataValue.path(str(cfg.published)),
                "tables": dg.MetadataValue.json(rows),
                "seconds": round(time.monotonic() - started, 2),
            }
        )

    return dg.Definitions(assets=[published_marts])
