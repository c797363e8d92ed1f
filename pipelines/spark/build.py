"""The dbt step of the nightly job on Spark: raw out as Parquet, `dbt build` on Spark, marts back in."""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from pipelines.config import Settings
from pipelines.defs.dbt_stream import events_while_dbt_runs
from pipelines.spark.exchange import exchange_dir, load_marts, require_exchange, spark_build_args, stage_raw


class SparkNotInstalled(RuntimeError):
    """The Spark engine was asked for on a machine without its packages or a Java runtime."""


# pyspark 4 runs on Java 17 or later: an older one fails at the session's start with "Java gateway process exited",
# the cause (UnsupportedClassVersionError) only in the run's log.
JAVA_MAJOR_NEEDED = 17


def check_spark_installed() -> None:
    missing = [name for name in ("pyspark", "dbt.adapters.spark") if _missing(name)]
    java = _java()
    if java is None:
        missing.append("a Java runtime (java on PATH, or JAVA_HOME)")
    else:
        major = java_major_version(java)
        if major is not None and major < JAVA_MAJOR_NEEDED:
            missing.append(f"Java {JAVA_MAJOR_NEEDED} or later ({java} is Java {major})")
    if missing:
        raise SparkNotInstalled(
            f"--engine spark needs {', '.join(missing)}: run `make setup-spark` (requirements-spark.lock, "
            f"and Java {JAVA_MAJOR_NEEDED} from Debian when there is none as recent), and point JAVA_HOME at it if "
            "it is set"
        )


def _java() -> str | None:
    """The java pyspark starts: JAVA_HOME's when that is set, else the one on PATH."""
    home = os.environ.get("JAVA_HOME")
    if home:
        java = Path(home) / "bin" / "java"
        return str(java) if java.is_file() else None
    return shutil.which("java")


def java_major_version(java: str) -> int | None:
    """The major version `java -version` prints (`"17.0.15"` -> 17, `"1.8.0_402"` -> 8); None if it cannot say."""
    try:
        said = subprocess.run([java, "-version"], capture_output=True, text=True, timeout=30).stderr
    except (OSError, subprocess.SubprocessError):
        return None
    found = re.search(r'version "(\d+)(?:\.(\d+))?', said)
    if found is None:
        return None
    major, minor = int(found.group(1)), int(found.group(2) or 0)
    return minor if major == 1 else major


def _missing(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is None
    except ModuleNotFoundError:
        return True


class SparkSessionLost(RuntimeError):
    """The JVM behind dbt's Spark session went away mid-build (killed, out of memory): every later model and test
    errors alike, each naming only the socket py4j could not reach."""


# What dbt's errors say on Spark once the session's JVM is gone: py4j's gateway refuses or drops the connection.
SESSION_LOST = (
    "Connection refused",
    "Answer from Java side is empty",
    "Py4JNetworkError",
    "java.lang.OutOfMemoryError",
    "stopped SparkContext",
    "SparkContext was shut down",
)


def _lost_session(error: BaseException) -> SparkSessionLost | None:
    said = next((s for s in SESSION_LOST if s in str(error)), None)
    if said is None:
        return None
    return SparkSessionLost(
        f"the Spark session's JVM stopped during the build (dbt's errors say '{said}'): killed, or out of memory "
        "(spark.driver.memory in dbt_project/profiles.yml)? Nothing was published; the next run starts a new "
        "session. dbt's output is in the run log"
    )


class _SameNameIds(dict):
    """A manifest map keyed by unique id that also answers for the id another target gives the same node.

    dbt hashes a generic test's arguments into its unique id, and a test on a quoted raw column (`quote: true`)
    gets that column quoted the target's way: "Hire Date" on DuckDB, `Hire Date` on Spark. Same test, same
    name (the Dagster check), another id. The Dagster assets come from the manifest prepared for DuckDB, so
    the events of a Spark build are looked up here by id, and an unknown id by its name part."""

    def __init__(self, mapping: Mapping[str, Any], ids_by_name: Mapping[str, str]):
        super().__init__(mapping)
        self._ids_by_name = ids_by_name

    def _alias(self, key: object) -> str | None:
        if not (isinstance(key, str) and key.startswith("test.")):
            return None
        alias = self._ids_by_name.get(key.rsplit(".", 1)[0])
        return alias if alias is not None and dict.__contains__(self, alias) else None

    def __missing__(self, key: str) -> Any:
        alias = self._alias(key)
        if alias is None:
            raise KeyError(key)
        return dict.__getitem__(self, alias)

    def __contains__(self, key: object) -> bool:
        return dict.__contains__(self, key) or self._alias(key) is not None

    def get(self, key: str, default: Any = None) -> Any:
        return self[key] if key in self else default


def spark_view(manifest: Mapping[str, Any]) -> dict[str, Any]:
    """The DuckDB-prepared manifest, with its nodes, parent_map and child_map also found by the ids the Spark
    target gives the same generic tests (see _SameNameIds): `test.<project>.<name>.<hash>`. Test names are
    unique in a dbt project; checked here."""
    ids_by_name: dict[str, str] = {}
    for unique_id, node in manifest["nodes"].items():
        if not (unique_id.startswith("test.") and node.get("test_metadata")):
            continue  # models, and singular tests (no hash in their id)
        name = unique_id.rsplit(".", 1)[0]
        if name in ids_by_name:
            raise ValueError(f"two dbt tests share the name {name}: {ids_by_name[name]}, {unique_id}")
        ids_by_name[name] = unique_id
    view = dict(manifest)
    for key in ("nodes", "parent_map", "child_map"):
        view[key] = _SameNameIds(manifest[key], ids_by_name)
    return view


def build_on_spark(context: Any, dbt: Any, cfg: Settings, full_refresh: bool = False) -> Iterator[Any]:
    """Yield the events of `dbt build --target spark` for the Dagster dbt asset (`dbt` is its DbtCliResource),
    between staging the raw tables and loading the marts Spark exported into the warehouse file."""
    check_spark_installed()
    exchange = exchange_dir(cfg)
    require_exchange(exchange)
    staged = stage_raw(cfg.warehouse, exchange)
    context.log.info(f"staged {len(staged)} raw tables ({sum(staged.values())} rows) as Parquet in {exchange / 'raw'}")
    # Only what tonight's build exports may be loaded back.
    shutil.rmtree(exchange / "marts", ignore_errors=True)
    invocation = dbt.cli(spark_build_args(cfg, full_refresh), context=context)
    invocation.manifest = spark_view(invocation.manifest)
    try:
        yield from events_while_dbt_runs(invocation)
    except Exception as e:
        if (lost := _lost_session(e)) is None:
            raise
        raise lost from e
    loaded = load_marts(exchange, cfg.warehouse)
    context.log.info(f"loaded {len(loaded)} marts built on Spark into {cfg.warehouse}: {loaded}")
