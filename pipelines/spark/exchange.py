"""Parquet between the DuckDB warehouse and Spark: the raw tables out, the marts back in.

The exchange folder ($COACHWH_SPARK_EXCHANGE, default $COACHWH_HOME/spark/exchange) holds `raw/<table>/`
and `marts/<table>/`, one Parquet folder per table, each replaced whole. On a real cluster it is a folder both the
pipeline and the cluster see (a shared mount), which the two may name differently: the pipeline by its path here
($COACHWH_SPARK_EXCHANGE, `/dbfs/mnt/coachwh`), Spark by a URI of its file systems ($COACHWH_SPARK_EXCHANGE_URI,
`dbfs:/mnt/coachwh`; by default the same path, which an in-process Spark reads as a local one).
"""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

from pipelines.config import Settings
from pipelines.sources import RAW_SCHEMA, SOURCE_FILES, quote
from pipelines.warehouse_file import connect_waiting, sql_literal

MARTS_SCHEMA = "marts"
SPARK_TARGET = "spark"


def spark_home(cfg: Settings) -> Path:
    """Spark's own folder: its warehouse (tables), its metastore (Derby) and the exchange folder."""
    return cfg.home / "spark"


class ExchangeUnusable(RuntimeError):
    """The exchange folder cannot be made or written (a file in its place, no permission, a read-only mount), or its
    setting is no path."""


# `dbfs:/mnt/x`, `file:///mnt/x`, `hdfs://nn/x`: a URI, which a path on this machine is not
URI_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


def exchange_dir(cfg: Settings) -> Path:
    """$COACHWH_SPARK_EXCHANGE (a folder a real cluster shares with the pipeline), else $COACHWH_HOME/spark/exchange:
    the folder's path on this machine. Read here, not in pipelines.config: only the Spark engine has it."""
    local = os.environ.get("COACHWH_SPARK_EXCHANGE")
    if local and URI_SCHEME.match(local):
        raise ExchangeUnusable(
            f"COACHWH_SPARK_EXCHANGE={local} is a URI, not a path on this machine: set it to the folder's path here "
            f"(a shared mount) and COACHWH_SPARK_EXCHANGE_URI={local} to how the cluster names it"
        )
    return Path(local or spark_home(cfg) / "exchange").resolve()


def exchange_uri(cfg: Settings) -> str:
    """How Spark names the exchange folder: $COACHWH_SPARK_EXCHANGE_URI (a cluster's name for the shared folder),
    else its path here."""
    return os.environ.get("COACHWH_SPARK_EXCHANGE_URI") or str(exchange_dir(cfg))


def require_exchange(exchange: Path) -> None:
    """Make the exchange folder if it is missing and check a file can be written in it, before any work: else a
    one-line error naming the folder, the reason and the setting that moves it."""
    try:
        exchange.mkdir(parents=True, exist_ok=True)
        probe = exchange / f".write-check-{os.getpid()}"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as e:
        raise ExchangeUnusable(
            f"the Spark exchange folder {exchange} cannot be written ({e.strerror or e}): set COACHWH_SPARK_EXCHANGE "
            "to a folder both the pipeline and Spark can write, or unset it for $COACHWH_HOME/spark/exchange"
        ) from None


def raw_tables() -> list[str]:
    """Every raw table of the export contract, in contract order."""
    return list(dict.fromkeys(f.raw_table for f in SOURCE_FILES))


def stage_raw(warehouse: Path, exchange: Path) -> dict[str, int]:
    """Copy every raw table of `warehouse` to `exchange/raw/<table>/data.parquet`; rows per table.

    Each table is written beside its folder and then swapped in, so Spark never reads a half-written file."""
    out = exchange / "raw"
    out.mkdir(parents=True, exist_ok=True)
    rows = {}
    with connect_waiting(warehouse, read_only=True) as con:
        for table in raw_tables():
            fresh = out / f"{table}.tmp"
            shutil.rmtree(fresh, ignore_errors=True)
            fresh.mkdir()
            con.execute(
                f"COPY {RAW_SCHEMA}.{quote(table)} TO {sql_literal(str(fresh / 'data.parquet'))} (FORMAT parquet)"
            )
            rows[table] = con.execute(f"SELECT count(*) FROM {RAW_SCHEMA}.{quote(table)}").fetchone()[0]
            final = out / table
            shutil.rmtree(final, ignore_errors=True)
            fresh.rename(final)
    return rows


def load_marts(exchange: Path, warehouse: Path) -> dict[str, int]:
    """Replace the warehouse's `marts.<table>` by `exchange/marts/<table>/` for every table Spark exported;
    rows per table. Other tables of the schema are left as they are."""
    folders = sorted(p for p in (exchange / "marts").iterdir() if p.is_dir()) if (exchange / "marts").is_dir() else []
    if not folders:
        raise RuntimeError(f"{exchange / 'marts'} holds no exported mart: nothing to load")
    rows = {}
    with connect_waiting(warehouse) as con:
        con.execute(f"CREATE SCHEMA IF NOT EXISTS {MARTS_SCHEMA}")
        con.execute("BEGIN")
        for folder in folders:
            name = f"{MARTS_SCHEMA}.{quote(folder.name)}"
            files = sql_literal(str(folder / "*.parquet"))
            con.execute(f"CREATE OR REPLACE TABLE {name} AS SELECT * FROM read_parquet({files})")
            rows[folder.name] = con.execute(f"SELECT count(*) FROM {name}").fetchone()[0]
        con.execute("COMMIT")
    return rows


def spark_vars(cfg: Settings) -> str:
    """The dbt --vars of a Spark build: where Spark finds the exchange folder, and the settings' own
    (Settings.dbt_vars)."""
    return json.dumps({"spark_exchange": exchange_uri(cfg), **cfg.dbt_vars()})


def spark_build_args(cfg: Settings, full_refresh: bool = False) -> list[str]:
    """`dbt build` on Spark (models and their tests), with the raw tables registered from the exchange."""
    # as on DuckDB (pipelines.defs.warehouse.dbt_build_args): dbt's unit tests belong to the test suite, not the night
    args = ["build", "--target", SPARK_TARGET, "--vars", spark_vars(cfg), "--exclude-resource-type", "unit_test"]
    if full_refresh:
        args.append("--full-refresh")
    return args
