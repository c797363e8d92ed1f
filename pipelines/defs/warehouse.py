"""The dbt project as Dagster assets: raw tables → staging → intermediate → marts.

dbt sources carry `meta.dagster.asset_key: [raw, <table>]`, so each model's upstream is the ingestion
asset that fills its raw table, and the UI shows one graph from the landing zone to the marts. dbt tests
surface as asset checks (dagster-dbt's default).
"""

import hashlib
import json
import os
import shutil
from collections.abc import Generator, Mapping, Sequence
from functools import cache, cached_property
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_dbt import (
    DagsterDbtTranslator,
    DagsterDbtTranslatorSettings,
    DbtCliInvocation,
    DbtCliResource,
    DbtProject,
    dbt_assets,
)
from packaging import version

from pipelines.config import DBT_PROJECT_DIR, ENGINES, dbt_executable, settings
from pipelines.defs.dbt_checks import test_description
from pipelines.defs.dbt_stream import events_while_dbt_runs
from pipelines.defs.failing_rows import found_rows, with_first_rows
from pipelines.defs.ingest import WAREHOUSE_POOL
from pipelines.defs.resources import RESOURCE_KEY, CoachwhConfig
from pipelines.defs.retries import NIGHTLY_RETRY_POLICY, non_transient
from pipelines.extracts import build_inputs_in, record_built_from
from pipelines.landing.registry import mark_full_refresh_done, pending_full_refresh
from pipelines.model_code import built_fingerprints, code_fingerprint, record_fingerprint
from pipelines.raw_audit import is_passing_audit, record_audit


@cache
def dbt_project() -> DbtProject:
    """Created once. Under `dagster dev` the manifest is re-parsed (when the project changed) so edits show
    up; elsewhere the manifest prepared at setup time (`coachwh prepare`) is used: nothing parses at import.
    (dagster-dbt's own `prepare_if_dev` would look for a `dbt` on PATH; ours runs the dbt of this venv.)"""
    if os.getenv("DAGSTER_IS_DEV_CLI"):
        prepare_manifest()
    return DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)


class LayerTranslator(DagsterDbtTranslator):
    """Groups dbt models by layer (the schema their folder builds into), so the UI reads like the flow."""

    def get_asset_spec(self, manifest: Mapping[str, Any], unique_id: str, project: DbtProject | None):
        spec = super().get_asset_spec(manifest, unique_id, project)
        props = self.get_resource_props(manifest, unique_id)
        if props["resource_type"] == "source":
            return spec
        layer = props.get("config", {}).get("schema") or "warehouse"
        return spec.replace_attributes(group_name=layer, owners=["team:data-engineering"])

    def get_asset_check_spec(self, asset_spec, manifest: Mapping[str, Any], unique_id: str, project):
        """A dbt test's check, with what the test checks in words (`pipelines.defs.dbt_checks`)."""
        spec = super().get_asset_check_spec(asset_spec, manifest, unique_id, project)
        if spec is None or spec.description:
            return spec
        return spec._replace(description=test_description(manifest, manifest["nodes"][unique_id]) or None)


# How the build's log lines that say why it rebuilds every incremental model begin (`coachwh run` shows them).
FULL_REFRESH = "full refresh"


def duckdb_build_events(invocation: DbtCliInvocation, warehouse: Path) -> Generator[Any, None, bool]:
    """The events of a dbt build on DuckDB as they come, but the check of a test that found rows last, with the
    first of those rows (pipelines/defs/failing_rows.py). Returns whether the raw-versions audit passed."""
    audited = False
    failed: list[dg.AssetCheckResult] = []
    try:
        for event in events_while_dbt_runs(invocation):
            audited = audited or is_passing_audit(event)
            if found_rows(event):
                failed.append(event)
            else:
                yield event
    except Exception:  # dbt failed (an ERROR test, a model): what its tests found still goes out
        yield from _with_rows(failed, invocation, warehouse)
        raise
    except GeneratorExit:  # the step stopped following the events: nothing more can go out
        raise
    except BaseException:  # an interrupt (Terminate, Ctrl-C): no rows read, but a failed test must stay recorded,
        yield from failed  # or publishing later would go by the test's previous result
        raise
    yield from _with_rows(failed, invocation, warehouse)
    return audited


def _with_rows(failed: list[dg.AssetCheckResult], invocation: DbtCliInvocation, warehouse: Path):
    if invocation.process.poll() is None:  # dbt still holds the warehouse: the counts alone
        return failed
    return with_first_rows(failed, warehouse, invocation.target_path, invocation.manifest)


def dbt_build_args(full_refresh: bool = False, dbt_vars: dict[str, object] | None = None) -> list[str]:
    """The dbt command line of a nightly build: the models, then the data tests on what they built.

    dbt's unit tests check the models' SQL on fixed fixtures, not the night's data: they belong to the
    test suite (`make test` builds with them), not to every night, where they cost about 5 s. dbt's own
    log file keeps info-level events only: at debug level it writes every statement of every node, a third
    of dbt's time on a night (dagster-dbt reads the events from dbt's JSON output, which is unchanged).
    Nor does it write its JSON artifacts: the manifest twice and run_results.json, about 2 s on a night;
    Dagster has the manifest prepared at setup, and every result arrives as an event."""
    args = ["build", "--exclude-resource-type", "unit_test", "--log-level-file", "info", "--no-write-json"]
    if dbt_vars:  # settings that differ from the project's defaults (Settings.dbt_vars)
        args += ["--vars", json.dumps(dbt_vars)]
    if full_refresh:
        args.append("--full-refresh")
    return args


class WarehouseBuildConfig(dg.Config):
    full_refresh: bool = False
    # Where dbt builds the models: the DuckDB warehouse, or Spark (pipelines/spark: raw out as Parquet, marts
    # back into the warehouse's marts schema, so publishing is the same).
    engine: str = "duckdb"


class LocalDbtCliResource(DbtCliResource):
    """dagster-dbt's dbt resource, for the dbt-core installed beside this Python.

    dagster-dbt learns dbt's version by running `dbt --version`, a second Python start of about 3 s before
    every build; the dbt it runs is this environment's own, so its version is the installed dbt-core's.
    And before every build it opens a dbt adapter in Dagster's own process, parsing the project's macros
    (1.6 s), for `fetch_row_counts` and `fetch_column_metadata` only; the nightly build uses neither (the
    row counts are in the published file's `publication` table), so it opens none."""

    @cached_property
    def _cli_version(self) -> version.Version:
        from dbt.version import __version__

        return version.parse(__version__)

    def _initialize_dbt_core_adapter(self, args: Sequence[str]) -> None:
        return None


def warehouse_definitions(coachwh: CoachwhConfig | None = None) -> dg.Definitions:
    """The dbt models and tests as assets and checks, with the dbt and settings resources."""
    project = dbt_project()

    # Source tests (the castable guards on raw columns) become checks on the raw assets they test.
    translator = LayerTranslator(settings=DagsterDbtTranslatorSettings(enable_source_tests_as_checks=True))

    @dbt_assets(
        manifest=project.manifest_path,
        project=project,
        dagster_dbt_translator=translator,
        pool=WAREHOUSE_POOL,
        retry_policy=NIGHTLY_RETRY_POLICY,  # in any job: a UI selection too
    )
    def coachwh_dbt_models(
        context: dg.AssetExecutionContext, dbt: DbtCliResource, coachwh: CoachwhConfig, config: WarehouseBuildConfig
    ):
        check_dbt_home(coachwh.settings.home)
        if config.engine not in ENGINES:
            engines = ", ".join(ENGINES)
            raise dg.Failure(description=f"engine {config.engine!r} is none of {engines}", allow_retries=False)
        # a subset (a selection in the UI, a job of other assets running dbt's source tests) leaves the models it
        # did not select as they were (`assets_def.keys` would be the subset's own keys)
        whole = not context.assets_def.is_subset
        # `coachwh retract` asks for one full rebuild, so the incremental models forget the batch too. A subset
        # rebuilds what it selected in full, and leaves the request to the next build of every model.
        requests = pending_full_refresh(coachwh.settings.warehouse, config.engine)
        for _, reason in requests:
            pending = "" if whole else " (this selection rebuilds only its models: the request stays pending)"
            context.log.info(f"{FULL_REFRESH} requested: {reason}{pending}")
        # Incremental data made by other code (an upgrade) is rebuilt from raw: see pipelines/model_code.py.
        code = code_fingerprint(project.manifest_path)
        built = built_fingerprints(coachwh.settings.warehouse)
        code_changed = built.get(config.engine) != code
        if code_changed and config.engine in built:
            context.log.info(f"{FULL_REFRESH}: the incremental models' code differs from the code that built them")
        elif code_changed and built:  # (a first build has nothing to explain)
            context.log.info(
                f"{FULL_REFRESH}: no build on {config.engine} is recorded in this warehouse (its first on"
                f" {config.engine}, or one made before builds recorded their engine)"
            )
        full_refresh = config.full_refresh or bool(requests) or code_changed
        # what the publication dates the marts by, and the deliveries it holds: the raw this build reads (the step
        # holds the warehouse pool).
        # It waits for a process that holds the file, which dbt would fail on at once.
        reads = build_inputs_in(coachwh.settings.warehouse)
        try:
            with non_transient():
                if config.engine == "spark":
                    from pipelines.spark.build import build_on_spark

                    yield from build_on_spark(context, dbt, coachwh.settings, full_refresh)
                else:
                    invocation = dbt.cli(dbt_build_args(full_refresh, coachwh.settings.dbt_vars()), context=context)
                    audited = yield from duckdb_build_events(invocation, coachwh.settings.warehouse)
                    keep_partial_parse(invocation.target_path)
                    # the raw rows this build audited need not be audited again on the next night
                    if audited:
                        record_audit(coachwh.settings.warehouse, full_refresh)
                # A subset (one mart, the source tests alone) may leave incremental models built by older code, and
                # would date marts it did not rebuild: only a whole build records its code and the raw it read.
                if whole:
                    record_fingerprint(coachwh.settings.warehouse, code, config.engine)
                    record_built_from(coachwh.settings.warehouse, reads)
        finally:
            prune_build_folders(context.op_execution_context.op.name)
        if requests and whole:
            mark_full_refresh_done(coachwh.settings.warehouse, requests[-1][0], config.engine)

    return dg.Definitions(
        assets=[coachwh_dbt_models],
        resources={
            RESOURCE_KEY: coachwh or CoachwhConfig.from_settings(settings()),
            "dbt": LocalDbtCliResource(
                project_dir=project,
                profiles_dir=str(DBT_PROJECT_DIR),
                dbt_executable=str(dbt_executable()),
            ),
        },
    )


def keep_partial_parse(build_target: Path, project_dir: Path = DBT_PROJECT_DIR) -> None:
    """Keep the parse of a finished build as the one the next build starts from.

    dagster-dbt gives each build its own target folder and copies target/partial_parse.msgpack into it, but
    dbt reuses a parse only under the profile it was made with, and the profile holds the warehouse path
    ($COACHWH_HOME): parsed at setup under another home (the benchmark, a service's own home), every build
    parsed the whole project again, about 7 s a night. The build's own parse is made under this run's
    profile; project files are unchanged since it began (a changed file makes dbt re-parse that file anyway)."""
    made = build_target / "partial_parse.msgpack"
    if made.exists():
        kept = project_dir / "target" / "partial_parse.msgpack"
        spare = kept.with_name(f".{kept.name}.{os.getpid()}")
        shutil.copyfile(made, spare)
        os.replace(spare, kept)  # atomic: a build starting now copies the old or the new file, never half


# Build folders kept under target/ (the newest ones, a failed build's included): a week of nights.
KEEP_BUILD_FOLDERS = 7


def prune_build_folders(op_name: str, keep: int = KEEP_BUILD_FOLDERS, project_dir: Path = DBT_PROJECT_DIR) -> None:
    """Remove all but the newest `keep` build folders of the dbt asset `op_name` under target/.

    dagster-dbt gives every build a folder of its own, `target/<op>-<run id>-<random>`, with the compiled
    and the executed SQL of each node, dbt.log and a copy of the parse: 2-5 MB that it never removes, so
    a nightly job would grow the install by 1-2 GB a year. The newest are kept for reading what a recent
    build ran; the manifest and the parse in target/ itself are left alone."""
    builds = [p for p in (project_dir / "target").glob(f"{op_name}-*") if p.is_dir()]
    builds.sort(key=_last_written, reverse=True)
    for old in builds[keep:]:
        shutil.rmtree(old, ignore_errors=True)


def _last_written(build: Path) -> float:
    """When a build folder was last written: its dbt.log grows while the build runs. 0 when it is gone."""
    times = []
    for path in (build, build / "dbt.log"):
        try:
            times.append(path.stat().st_mtime)
        except OSError:
            pass
    return max(times, default=0.0)


def check_dbt_home(home: Path, environ: Mapping[str, str] = os.environ) -> None:
    """dbt runs as a subprocess with the dbt project as its working directory and finds the warehouse
    through `COACHWH_HOME` in its profile: refuse to build when that would be another file than the one
    the pipeline writes (`coachwh` sets it to an absolute path when it starts; services set it absolute)."""
    raw = environ.get("COACHWH_HOME")
    seen = Path(raw) if raw else DBT_PROJECT_DIR / ".." / "data"
    if not seen.is_absolute() or seen.resolve() != home.resolve():
        raise dg.Failure(
            description=f"dbt would open {seen}/warehouse.duckdb (COACHWH_HOME={raw!r}) but the pipeline writes "
            f"{home}/warehouse.duckdb: set COACHWH_HOME to the absolute path {home} for this process",
            allow_retries=False,
        )


# Beside target/manifest.json: the digest of the project files that parse read (`project_digest`).
PARSED_FROM = "manifest.parsed-from"


def project_digest(project_dir: Path = DBT_PROJECT_DIR) -> str:
    """sha256 over the path and the content of every file a dbt parse of the project reads."""
    files = [p for p in (project_dir / "dbt_project.yml", project_dir / "profiles.yml") if p.is_file()]
    for folder in ("models", "macros", "tests", "seeds"):
        files += sorted(p for p in (project_dir / folder).rglob("*") if p.is_file())
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.relative_to(project_dir).as_posix().encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def record_parsed_from(digest: str, project_dir: Path = DBT_PROJECT_DIR) -> None:
    """Note beside the manifest the `project_digest` of the files the parse that wrote it read."""
    (project_dir / "target" / PARSED_FROM).write_text(digest + "\n", encoding="utf-8")


def manifest_is_stale(project_dir: Path = DBT_PROJECT_DIR) -> bool:
    """True when target/manifest.json is missing or was parsed from other project files than today's.

    By content, not by file times: an upgrade that deletes a model, a test or a macro leaves no newer file
    behind (the manifest would keep the deleted node, and the fingerprint of `pipelines.model_code` the
    deleted macro), and a checkout or an unpacked archive may carry any time."""
    target = project_dir / "target"
    if not (target / "manifest.json").exists() or not (target / PARSED_FROM).exists():
        return True
    return (target / PARSED_FROM).read_text(encoding="utf-8").strip() != project_digest(project_dir)


def prepare_manifest(force: bool = False) -> None:
    """Parse the dbt project into target/manifest.json (what `dbt parse` does), only when it changed.

    Run at setup and before an in-process run, never at import: loading the definitions reads the file."""
    if force or manifest_is_stale():
        from dbt.cli.main import dbtRunner

        args = ["parse", "--quiet", "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR)]
        parsed_from = project_digest()  # before the parse: a file edited meanwhile makes it stale again
        result = dbtRunner().invoke(args)
        if not result.success:
            raise RuntimeError(f"dbt parse failed: {result.exception or 'see the dbt log above'}")
        record_parsed_from(parsed_from)
        # dagster-dbt keeps each manifest it read, by path: definitions built after this must read the new one
        from dagster_dbt.dbt_manifest import read_manifest_path

        read_manifest_path.cache_clear()
