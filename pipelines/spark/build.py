"""The dbt step of the nightly job on Spark: raw out as Parquet, `dbt build` on Spark, marts back in."""

from __future__ import annotations

import importlib.util
import shutil
from collections.abc import Iterator
from typing import Any

from pipelines.config import Settings
from pipelines.spark.exchange import exchange_dir, load_marts, spark_build_args, stage_raw


class SparkNotInstalled(RuntimeError):
    """The Spark engine was asked for on a machine without its packages or a Java runtime."""


def check_spark_installed() -> None:
    missing = [name for name in ("pyspark", "dbt.adapters.spark") if _missing(name)]
    if not shutil.which("java"):
        missing.append("a Java runtime (java on PATH)")
    if missing:
        raise SparkNotInstalled(
            f"--engine spark needs {', '.join(missing)}: run `make setup-spark` (requirements-spark.lock, "
            "and Java 17 from Debian when there is none)"
        )


def _missing(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is None
    except ModuleNotFoundError:
        return True


def build_on_spark(context: Any, dbt: Any, cfg: Settings, full_refresh: bool = False) -> Iterator[Any]:
    """Yield the events of `dbt build --target spark` for the Dagster dbt asset (`dbt` is its DbtCliResource),
    between staging the raw tables and loading the marts Spark exported into the warehouse file."""
    check_spark_installed()
    exchange = exchange_dir(cfg)
    staged = stage_raw(cfg.warehouse, exchange)
    context.log.info(f"staged {len(staged)} raw tables ({sum(staged.values())} rows) as Parquet in {exchange / 'raw'}")
    # Only what tonight's build exports may be loaded back.
    shutil.rmtree(exchange / "marts", ignore_errors=True)
    yield from dbt.cli(spark_build_args(cfg, full_refresh), context=context).stream()
    loaded = load_marts(exchange, cfg.warehouse)
    context.log.info(f"loaded {len(loaded)} marts built on Spark into {cfg.warehouse}: {loaded}")
