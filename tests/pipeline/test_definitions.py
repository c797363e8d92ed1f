"""The Dagster code location loads and shows one connected graph from the exports to the marts."""

import os
import time

import dagster as dg
import pytest

from pipelines.config import DBT_PROJECT_DIR
from pipelines.defs.warehouse import dbt_build_args, prepare_manifest
from pipelines.sources import SOURCE_FILES

MARTS = [
    "mart_manager_coaching",
    "mart_manager_retention",
    "mart_manager_revenue",
    "mart_manager_engagement",
    "mart_coaching_effectiveness",
    "mart_coaching_impact",
    "dim_employee",
    "dim_month",
    "identity_unmatched",
    "unattributed_activity",
    "mart_skill_ratings",
    "mart_skill_impact",
    "mart_second_line_coaching",
]


@pytest.fixture(scope="module")
def defs():
    prepare_manifest()
    from pipelines.definitions import defs

    return defs


def test_dbt_command_line():
    nightly = ["build", "--exclude-resource-type", "unit_test", "--log-level-file", "info", "--no-write-json"]
    assert dbt_build_args() == nightly
    assert dbt_build_args(full_refresh=True) == [*nightly, "--full-refresh"]


def test_the_dbt_resource_knows_the_installed_dbt_version_without_running_dbt():
    # LocalDbtCliResource overrides dagster-dbt's `_cli_version` (it runs `dbt --version`): if an upgrade
    # renames it, the override would silently stop applying
    from dagster_dbt import DbtCliResource
    from dbt.version import __version__

    from pipelines.defs.warehouse import LocalDbtCliResource

    assert "_cli_version" in vars(DbtCliResource)
    resource = LocalDbtCliResource(project_dir=str(DBT_PROJECT_DIR), dbt_executable="/bin/false")
    assert str(resource._cli_version) == __version__


def test_the_dbt_resource_opens_no_dbt_adapter_in_dagsters_process():
    # dagster-dbt opens an adapter (parsing every macro, 1.6 s) before each build, for row counts and column
    # metadata the pipeline never fetches; the override must keep applying after an upgrade
    import inspect

    from dagster_dbt import DbtCliResource

    from pipelines.defs.warehouse import LocalDbtCliResource

    assert "_initialize_dbt_core_adapter" in vars(DbtCliResource)
    assert "self._initialize_dbt_core_adapter(" in inspect.getsource(DbtCliResource.cli)
    resource = LocalDbtCliResource(project_dir=str(DBT_PROJECT_DIR), dbt_executable="/bin/false")
    assert resource._initialize_dbt_core_adapter(["build"]) is None


def test_every_export_and_every_mart_is_an_asset(defs):
    graph = defs.resolve_asset_graph()
    keys = {k.to_user_string() for k in graph.get_all_asset_keys()}
    assert {f"raw/{f.raw_table}" for f in SOURCE_FILES} <= keys
    assert {f"marts/{m}" for m in MARTS} <= keys
    assert "published/marts" in keys
    # the report page is rebuilt after each publication
    report = defs.resolve_asset_graph().get(dg.AssetKey(["report", "index_html"]))
    assert report.parent_keys == {dg.AssetKey(["published", "marts"])}


def test_the_graph_is_connected_from_every_raw_table_to_the_headline_mart(defs):
    graph = defs.resolve_asset_graph()
    upstream = graph.get(dg.AssetKey(["marts", "mart_coaching_impact"]))
    seen, todo = set(), [upstream.key]
    while todo:
        key = todo.pop()
        if key not in seen:
            seen.add(key)
            todo.extend(graph.get(key).parent_keys)
    needed = {
        dg.AssetKey(["raw", t])
        for t in (
            "crm_coaching_report",
            "crm_opportunity",
            "crm_forecasting_quota",
            "crm_dated_conversion_rate",
            "crm_user",
            "hris_job_history",
        )
    }
    assert needed <= seen


def test_every_dbt_data_test_of_a_model_is_an_asset_check_so_the_ui_shows_it(defs):
    import json

    manifest = json.loads((DBT_PROJECT_DIR / "target" / "manifest.json").read_text())
    tests = {n["name"] for n in manifest["nodes"].values() if n["resource_type"] == "test"}
    checks = {k.name for k in defs.resolve_asset_graph().asset_check_keys}
    # a test of several models is a check of the one its meta.dagster.ref names; a test of macros on literal
    # values tests no asset
    assert tests - checks == {"assert_parsers_agree"}
    assert {"assert_activity_reconciles", "assert_raw_versions_accounted_for"} <= checks


def test_groups_read_like_the_flow(defs):
    graph = defs.resolve_asset_graph()
    groups = {graph.get(k).group_name for k in graph.get_all_asset_keys() if graph.get(k).is_materializable}
    assert {"crm", "hris", "survey", "lms", "staging", "intermediate", "marts", "publish"} <= groups


def test_nightly_job_covers_every_asset_and_is_scheduled(defs):
    job = defs.resolve_job_def("nightly")
    every_asset = {k for k in defs.resolve_asset_graph().get_all_asset_keys()}
    assert set(job.asset_layer.selected_asset_keys) == every_asset
    schedule = defs.resolve_schedule_def("nightly_0200_utc")
    assert schedule.cron_schedule == "0 2 * * *"


def test_nightly_runs_one_step_at_a_time_and_the_landing_sensor_starts_it(defs):
    # DuckDB takes one writer process: parallel steps would fight over the warehouse file lock.
    assert defs.resolve_job_def("nightly").executor_def.name == "in_process"
    sensor = defs.resolve_sensor_def("landing_zone_sensor")
    assert sensor.job_name == "nightly"
    assert sensor.default_status == dg.DefaultSensorStatus.RUNNING
    for name in ("alert_on_run_failure", "alert_on_failed_checks"):
        assert defs.resolve_sensor_def(name).default_status == dg.DefaultSensorStatus.RUNNING


def test_under_dagster_dev_a_stale_manifest_is_reparsed_without_dbt_on_path(monkeypatch):
    from pipelines.defs.warehouse import PARSED_FROM, dbt_project, project_digest

    monkeypatch.setenv("DAGSTER_IS_DEV_CLI", "1")
    monkeypatch.setenv("PATH", "/usr/bin:/bin")  # as `make ui` or cron may start it: no venv on PATH
    manifest = dbt_project.__wrapped__().manifest_path
    recorded = manifest.parent / PARSED_FROM
    recorded.write_text("0" * 64)  # parsed from other files than today's: stale
    os.utime(manifest, (0, 0))  # so that a fresh time below shows the parse happened
    project = dbt_project.__wrapped__()
    assert project.manifest_path == manifest
    assert manifest.stat().st_mtime > time.time() - 600  # parsed again, just now
    assert recorded.read_text().strip() == project_digest()


def test_a_manifest_is_stale_when_a_project_file_changes_appears_or_disappears(tmp_path):
    from pipelines.defs.warehouse import manifest_is_stale, project_digest, record_parsed_from

    project = tmp_path / "dbt_project"
    for folder in ("models", "macros", "target"):
        (project / folder).mkdir(parents=True)
    (project / "dbt_project.yml").write_text("name: x\n")
    model = project / "models" / "a.sql"
    model.write_text("select 1")
    macro = project / "macros" / "m.sql"
    macro.write_text("{% macro m() %}1{% endmacro %}")
    (project / "target" / "manifest.json").write_text("{}")

    def parsed_now() -> None:
        record_parsed_from(project_digest(project), project)

    assert manifest_is_stale(project)  # nothing recorded: parsed by something else
    parsed_now()
    assert not manifest_is_stale(project)
    macro.unlink()  # an upgrade deletes a macro: no file is newer than the manifest
    assert manifest_is_stale(project)
    parsed_now()
    (project / "models" / "b.sql").write_text("select 2")
    assert manifest_is_stale(project)
    parsed_now()
    model.write_text("select 3")
    os.utime(model, (0, 0))  # restored from an archive with an old time
    assert manifest_is_stale(project)
    parsed_now()
    os.utime(model, None)  # touched, same content
    assert not manifest_is_stale(project)


def test_only_the_newest_build_folders_are_kept(tmp_path):
    from pipelines.defs.warehouse import prune_build_folders

    target = tmp_path / "target"
    now = time.time()
    for i in range(5):
        build = target / f"coachwh_dbt_models-run{i}-abc"
        (build / "compiled").mkdir(parents=True)
        os.utime(build, (now - 3600 * (10 - i),) * 2)  # run0 oldest ... run4 newest
    # run0's folder is the oldest, but its dbt.log was written last: a build that ran long
    log = target / "coachwh_dbt_models-run0-abc" / "dbt.log"
    log.write_text("...")
    os.utime(log, (now,) * 2)
    os.utime(log.parent, (now - 3600 * 10,) * 2)
    other = target / "other_asset-run0-abc"
    other.mkdir()
    os.utime(other, (0, 0))
    for name in ("manifest.json", "partial_parse.msgpack"):
        (target / name).write_text("{}")

    prune_build_folders("coachwh_dbt_models", keep=3, project_dir=tmp_path)

    assert sorted(p.name for p in target.iterdir()) == [
        "coachwh_dbt_models-run0-abc",  # newest by its log
        "coachwh_dbt_models-run3-abc",
        "coachwh_dbt_models-run4-abc",
        "manifest.json",
        "other_asset-run0-abc",  # another asset's builds are not this one's to prune
        "partial_parse.msgpack",
    ]
    prune_build_folders("coachwh_dbt_models", keep=3, project_dir=tmp_path / "nothing built yet")


def test_without_dagster_dev_nothing_parses_at_load(monkeypatch):
    from pipelines.defs import warehouse

    monkeypatch.delenv("DAGSTER_IS_DEV_CLI", raising=False)
    monkeypatch.setattr(warehouse, "prepare_manifest", lambda *a, **k: pytest.fail("parsed at load"))
    warehouse.dbt_project.__wrapped__()


def test_every_step_that_opens_the_warehouse_is_in_the_pool_and_publish_runs_last(defs):
    from pipelines.defs.ingest import WAREHOUSE_POOL

    job = defs.resolve_job_def("nightly")
    pools = {node.name: node.definition.pool for node in job.graph.node_dict.values()}
    opening = [n for n in pools if n.startswith("ingest_") or "source_contract" in n]
    opening += ["coachwh_dbt_models", "published__marts", "extract_freshness"]
    assert {n: pools[n] for n in opening} == dict.fromkeys(opening, WAREHOUSE_POOL)
    assert job.graph.node_dict["published__marts"].definition.tags["dagster/priority"] == "-100"


def test_every_step_in_the_pool_retries_a_transient_failure_in_any_job_a_ui_selection_included(defs):
    from pipelines.defs.ingest import WAREHOUSE_POOL
    from pipelines.defs.retries import NIGHTLY_RETRY_POLICY

    job = defs.resolve_implicit_global_asset_job_def()  # the job of a selection in the UI's asset graph
    pooled = {n.name: n.definition for n in job.graph.node_dict.values() if n.definition.pool == WAREHOUSE_POOL}
    assert len(pooled) >= 8  # four systems' gates, contracts, freshness, dbt, publish
    assert {name: op.retry_policy for name, op in pooled.items()} == dict.fromkeys(pooled, NIGHTLY_RETRY_POLICY)


def test_the_settings_reach_every_area_as_one_resource_with_absolute_paths(monkeypatch, tmp_path):
    from pipelines.definitions import build_definitions

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COACHWH_HOME", "relative/home")
    defs = build_definitions()
    resource = defs.resources["coachwh"]
    assert resource.home == str(tmp_path / "relative" / "home")
    assert resource.landing == str(tmp_path / "relative" / "home" / "landing")
    dg.Definitions.validate_loadable(defs)


def test_dbt_refuses_to_open_another_warehouse_than_the_pipelines(tmp_path):
    from pipelines.defs.warehouse import check_dbt_home

    check_dbt_home(tmp_path, {"COACHWH_HOME": str(tmp_path)})
    with pytest.raises(dg.Failure, match="set COACHWH_HOME to the absolute path"):
        check_dbt_home(tmp_path, {"COACHWH_HOME": "data"})
    with pytest.raises(dg.Failure):
        check_dbt_home(tmp_path, {"COACHWH_HOME": str(tmp_path / "other")})


def test_a_dbt_test_added_after_the_definitions_loaded_is_in_the_next_definitions_built(defs):
    """`coachwh run` parses the project again when a file changed, then builds its definitions: they must come from
    the new manifest, not from the one dagster-dbt read (and keeps, by path) when the definitions were imported.
    Else the first run after an edit failed on a test the manifest it used did not hold."""
    from pipelines.definitions import build_definitions

    added = DBT_PROJECT_DIR / "tests" / "marts" / "assert_zz_added_between_two_runs.sql"
    assert "assert_zz_added_between_two_runs" not in {k.name for k in defs.resolve_asset_graph().asset_check_keys}
    try:
        added.write_text(
            "-- added by tests/pipeline/test_definitions.py\nselect * from {{ ref('dim_month') }} where false\n"
        )
        prepare_manifest()
        checks = {k.name for k in build_definitions().resolve_asset_graph().asset_check_keys}
        assert "assert_zz_added_between_two_runs" in checks
    finally:
        added.unlink(missing_ok=True)
        prepare_manifest()


def test_the_alert_webhook_is_named_not_shown_in_the_launchpad_yet_reaches_the_run(monkeypatch, tmp_path):
    from dagster._core.snap import JobSnap
    from dagster_graphql.schema.run_config import default_values_yaml_from_type_snap

    from pipelines.config import settings
    from pipelines.defs.resources import CoachwhConfig

    url = "https://hooks.example.invalid/services/T000/B000/SECRET"
    monkeypatch.setenv("COACHWH_HOME", str(tmp_path))
    monkeypatch.setenv("COACHWH_ALERT_WEBHOOK", url)
    coachwh = CoachwhConfig.from_settings(settings())

    @dg.op
    def read_webhook(coachwh: CoachwhConfig) -> str | None:
        return coachwh.settings.alert_webhook

    @dg.job(resource_defs={"coachwh": coachwh})
    def one():
        read_webhook()

    snap = JobSnap.from_job_def(one)
    root = snap.config_schema_snapshot.get_config_snap(snap.mode_def_snaps[0].root_config_key)
    launchpad = default_values_yaml_from_type_snap(snap.config_schema_snapshot, root)
    assert url not in launchpad and "COACHWH_ALERT_WEBHOOK" in launchpad
    assert one.execute_in_process().output_for_node("read_webhook") == url
