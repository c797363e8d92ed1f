"""The nightly job end to end on the small sample: two `coachwh run` started together, then a night with a
bad batch. Each fixture builds on the one before it explicitly, so every test can run alone."""

import dataclasses
import io
import os
import re
import shutil
import subprocess
import sys
import time
from contextlib import redirect_stderr
from datetime import date
from pathlib import Path

import duckdb
import pytest

from pipelines import publication as pub
from pipelines.config import DBT_PROJECT_DIR, PROJECT_ROOT, settings
from pipelines.defs.warehouse import KEEP_BUILD_FOLDERS
from pipelines.nightly import run_nightly
from pipelines.sample import generate
from tests.landing.kit import write_batch
from tests.pipeline.webhook import Webhook

pytestmark = pytest.mark.slow

PUBLISHED = {
    "mart_manager_coaching", "mart_manager_retention", "mart_manager_revenue", "mart_manager_engagement",
    "mart_coaching_effectiveness", "mart_coaching_impact", "dim_employee", "dim_month", "identity_unmatched",
    "unattributed_activity", "publication", "mart_skill_ratings", "mart_skill_impact", "mart_second_line_coaching",
}  # fmt: skip


def _published_counts(path):
    with duckdb.connect(str(path), read_only=True) as con:
        tables = [
            r[0]
            for r in con.execute(
                "select table_name from information_schema.tables where table_schema = 'marts'"
            ).fetchall()
        ]
        return {t: con.execute(f"select count(*) from marts.{t}").fetchone()[0] for t in tables}


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory):
    """Two `coachwh run` processes started one second apart on a fresh landing zone."""
    home = tmp_path_factory.mktemp("home")
    env = {k: v for k, v in os.environ.items() if k not in ("COACHWH_LANDING", "DAGSTER_HOME")}
    env["COACHWH_HOME"] = str(home)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("COACHWH_HOME", str(home))
        mp.delenv("COACHWH_LANDING", raising=False)
        mp.delenv("DAGSTER_HOME", raising=False)
        cfg = settings()
        generate(out=cfg.landing, profile="small", days=2)
        coachwh = str(Path(sys.executable).parent / "coachwh")
        # From another working directory: the paths come from COACHWH_HOME, not from where it is started.
        procs = []
        for _ in range(2):
            procs.append(
                subprocess.Popen(
                    [coachwh, "run"], cwd="/", env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
                )
            )
            time.sleep(1.0)
        outputs = [p.communicate(timeout=900)[0] for p in procs]
        yield cfg, [p.returncode for p in procs], outputs


def _with_first_course_again(courses: bytes) -> bytes:
    """courses.csv with a last row: its first course again, its LO ID followed by a space. The gate compares keys
    as delivered and loads it; staging reads both as one course and keeps the later row (a WARN check says so)."""
    first = courses.decode("utf-8").splitlines()[1].split(",", 1)
    return courses + f"{first[0]} ,{first[1]}\n".encode()


@pytest.fixture(scope="module")
def refused_night(two_runs):
    """The night after: tomorrow's CRM batch arrives with a User.csv that no longer matches its manifest,
    yesterday's LMS batch is delivered again, byte for byte, tomorrow's LMS batch arrives (the same rows again,
    which moves the as-of date, so that the marts change) and tomorrow's HRIS batch is still being copied (no
    manifest yet); alerts go to a local webhook. In-process."""
    cfg, _, _ = two_runs
    src = cfg.archive / "crm" / "2026-11-02"
    bad = cfg.landing / "crm" / "2026-11-03"
    shutil.copytree(src, bad)
    manifest = (bad / "manifest.json").read_text().replace("2026-11-02", "2026-11-03")
    (bad / "manifest.json").write_text(manifest)
    with open(bad / "User.csv", "a", encoding="utf-8") as f:
        f.write("005000000000001AAA,x,,,,,,,true,,,\n")
    shutil.copytree(cfg.archive / "lms" / "2026-11-02", cfg.landing / "lms" / "2026-11-02")
    tomorrow = {f.name: f.read_bytes() for f in (cfg.archive / "lms" / "2026-11-02").glob("*.csv")}
    tomorrow["courses.csv"] = _with_first_course_again(tomorrow["courses.csv"])
    write_batch(cfg.landing, "lms", "2026-11-03", tomorrow)
    copying = cfg.landing / "hris" / "2026-11-03"
    shutil.copytree(cfg.archive / "hris" / "2026-11-02", copying)
    (copying / "manifest.json").unlink()
    # build folders of earlier nights beside those of the runs above, older than any of them
    stale = [DBT_PROJECT_DIR / "target" / f"coachwh_dbt_models-stale{i}-0000000" for i in range(KEEP_BUILD_FOLDERS)]
    for folder in stale:
        (folder / "compiled").mkdir(parents=True, exist_ok=True)
        os.utime(folder, (time.time() - 30 * 86400,) * 2)
    lines = []
    progress = io.StringIO()  # the stage lines go to stderr, the summary to `out`
    with Webhook() as hook, pytest.MonkeyPatch.context() as mp, redirect_stderr(progress):
        mp.setenv("COACHWH_HOME", str(cfg.home))
        mp.delenv("DAGSTER_HOME", raising=False)
        ok = run_nightly(dataclasses.replace(cfg, alert_webhook=hook.url), out=lines.append)
    return cfg, ok, progress.getvalue().splitlines() + lines, hook.bodies, stale


def test_two_runs_started_together_run_one_after_the_other_and_load_everything_once(two_runs):
    cfg, codes, outputs = two_runs
    assert codes == [0, 0], outputs
    assert "waiting for it to finish" in outputs[1]
    # the second found nothing new: its publication took the first one's place rather than sit beside a copy
    assert re.search(r"the same marts as run \S+: kept in its place", outputs[1]), outputs[1]
    assert not any("Could not set lock" in o or "Conflicting lock" in o for o in outputs)
    with duckdb.connect(str(cfg.warehouse), read_only=True) as con:
        statuses = con.execute("select status, count(*) from ops.batch_registry group by 1").fetchall()
        duplicated = con.execute(
            "select count(*) from (select _batch_id, _row_number, count(*) n from raw.crm_call group by 1, 2) "
            "where n > 1"
        ).fetchone()[0]
    assert statuses == [("loaded", 10)]  # 3 nights of crm, hris, lms + the survey history: once each
    assert duplicated == 0
    assert not list(cfg.landing.rglob("manifest.json"))
    assert len(pub.list_publications(cfg.published, cfg.publications)) == 1


def test_the_second_run_starts_from_the_dbt_parse_of_the_first(two_runs):
    # Parsed at setup under another COACHWH_HOME, the first build parses the whole project; it keeps that
    # parse (keep_partial_parse), so the next night does not parse it again.
    cfg, _, _ = two_runs
    first, second = sorted((cfg.home / "logs").glob("run-*.log"))[:2]
    assert "Unable to do partial parsing because profile has changed" in first.read_text()
    assert "Unable to do partial parsing" not in second.read_text()


def test_each_passing_build_records_how_far_the_raw_versions_are_audited(two_runs):
    # the first build audits the whole history, the second only what loaded after it (nothing here)
    cfg, _, _ = two_runs
    with duckdb.connect(str(cfg.warehouse), read_only=True) as con:
        audits = con.execute(
            "select audited_through, full_history from ops.raw_version_audits order by audited_at"
        ).fetchall()
        newest = con.execute("select max(_loaded_at) from raw.crm_call").fetchone()[0]
    assert [full for _, full in audits] == [True, False]
    assert audits[0][0] == audits[1][0] >= newest


def test_the_runs_are_listed_on_the_nightly_job_page_of_the_ui(two_runs):
    # The UI lists a job's runs (and the Overview timeline its location's) by the tag of the code location's
    # label, "<repository>@<location name of workspace.yaml>": a run executed in-process must carry it too.
    import dagster as dg
    import yaml
    from dagster._core.storage.tags import REPOSITORY_LABEL_TAG

    from pipelines.instance import dagster_instance

    cfg, _, _ = two_runs
    (location,) = yaml.safe_load((PROJECT_ROOT / "workspace.yaml").read_text())["load_from"]
    label = f"__repository__@{location['python_module']['location_name']}"
    with dagster_instance(cfg) as instance:
        listed = instance.get_runs(dg.RunsFilter(job_name="nightly", tags={REPOSITORY_LABEL_TAG: label}))
    assert len(listed) == 2


def test_the_run_reads_as_stages_and_ends_with_the_summary_and_the_headline(two_runs):
    _, _, outputs = two_runs
    first = outputs[0]
    for stage in (
        "gate      crm",
        "contracts 11 source contracts on the loaded batches",
        "dbt       ",
        "freshness",
        "publish   ",
    ):
        assert stage in first, first
    assert "/" in first.split("dbt       ", 1)[1].split()[0]  # n/N models
    assert " of 467 " not in first  # dbt's own lines are in the log file, not on the terminal
    assert "batches   loaded 10:" in first
    assert "as of 2026-11-02" in first
    assert "headline  Over " in first and "the managers who coached most (quartile 4, " in first  # the page's words
    assert len(first.splitlines()) < 40


def test_every_mart_and_the_publication_table_are_published(two_runs):
    cfg, _, _ = two_runs
    counts = _published_counts(cfg.published)
    assert PUBLISHED <= set(counts)
    assert all(counts[t] > 0 for t in PUBLISHED - {"identity_unmatched", "unattributed_activity"}), counts
    with duckdb.connect(str(cfg.published), read_only=True) as con:
        rows = con.execute(
            "select table_name, row_count, as_of_date, crm_extract_date, hris_extract_date, survey_extract_date, "
            "lms_extract_date, count(distinct run_id) over () from marts.publication"
        ).fetchall()
        # the dbt docs of every mart and of its columns, and the publication table's own, as comments BI tools show
        undocumented = con.execute(
            "select table_name, column_name from duckdb_columns() where schema_name = 'marts' "
            "and coalesce(comment, '') = '' "
            "union all select table_name, null from duckdb_tables() where schema_name = 'marts' "
            "and coalesce(comment, '') = ''"
        ).fetchall()
        documented_publication = con.execute(
            "select count(*) from duckdb_columns() where table_name = 'publication' and comment <> ''"
        ).fetchone()[0]
        grain = con.execute("select comment from duckdb_tables() where table_name = 'mart_manager_coaching'").fetchone()
    assert {r[0] for r in rows} == set(counts)
    assert all(r[1] == counts[r[0]] for r in rows if r[0] != "publication")
    assert {r[2:] for r in rows} == {
        (date(2026, 11, 2), date(2026, 11, 2), date(2026, 11, 2), date(2026, 10, 31), date(2026, 11, 2), 1)
    }
    with duckdb.connect(str(cfg.warehouse), read_only=True) as con:
        as_of = con.execute("select as_of_date from intermediate.int_calendar__as_of").fetchone()[0]
        built_from = dict(con.execute("select system, extract_date from ops.marts_built_from").fetchall())
    assert as_of == date(2026, 11, 2)  # the publication's as-of date is the marts' own
    # the dates the build recorded of the raw it read, which the publication dates the marts by
    assert built_from == dict(zip(("crm", "hris", "survey", "lms"), rows[0][3:7], strict=True))
    assert undocumented == []
    assert documented_publication == len(pub.PUBLICATION_COLUMNS)
    assert "manager" in grain[0].lower(), grain


def test_a_refused_batch_alerts_names_it_and_the_rest_is_still_published(refused_night):
    cfg, ok, lines, bodies, _ = refused_night
    assert ok is False  # loud: the CLI exits non-zero
    rejected = (cfg.quarantine / "crm" / "2026-11-03" / "REJECTED.md").read_text()
    assert "User.csv" in rejected
    kept = pub.list_publications(cfg.published, cfg.publications)
    assert len(kept) == 2 and kept[0].current  # the rest was published all the same...
    assert kept[0].extract_dates["crm"] == date(2026, 11, 2)  # ...but nothing of the refused batch
    assert kept[0].extract_dates["lms"] == kept[0].as_of_date == date(2026, 11, 3)
    (body,) = bodies
    assert body["run_id"] == kept[0].run_id
    assert {c["check"] for c in body["failed_checks"]} == {"landing_gate"}
    assert [b["batch_id"] for b in body["quarantined_batches"]] == ["crm/2026-11-03"]
    assert "User.csv" in body["quarantined_batches"][0]["reason"]
    assert body["quarantined_batches"][0]["reason"].endswith(
        f"(REJECTED.md in {cfg.quarantine / 'crm' / '2026-11-03'})"
    )
    text = "\n".join(lines)
    assert "REFUSED crm/2026-11-03" in text and "NEEDS ATTENTION" in text
    assert "checks    the landing gate's check failed (the REFUSED batches above); no other ERROR check failed" in text
    # the LMS batch delivered again is said to be a duplicate, on its gate line and in the summary
    assert re.search(r"gate      lms     1 batch\(es\) loaded, 1 duplicate, [\d,]+ rows", text), text
    assert "duplicate deliveries, archived and not loaded again: lms/2026-11-02" in text, text
    assert "waiting for a complete manifest: hris/2026-11-03" in text, text
    # the course delivered twice, once with a space after its LO ID: staging kept the later row, and the WARN
    # check names the other with the first rows its test found, read again after dbt
    first_course = (cfg.archive / "lms" / "2026-11-03" / "courses.csv").read_text().splitlines()[1].split(",")[0]
    assert (
        "warned staging/stg_lms__courses stg_lms__courses__rows_kept: 1 row breaks it; first: "
        f"file_name='courses.csv', row_number=1, LO ID='{first_course}'"
    ) in text, text
    with duckdb.connect(str(cfg.warehouse), read_only=True) as con:
        loaded = con.execute("select count(*) from raw.crm_user where _extract_date = '2026-11-03'").fetchone()[0]
    assert loaded == 0


def test_a_night_keeps_only_the_newest_dbt_build_folders(refused_night):
    # dagster-dbt leaves a folder per build under target/; the night's build prunes all but the newest
    _, _, lines, _, stale = refused_night
    run_id = next(m.group(1) for line in lines if (m := re.match(r"── run (\S+) ", line)))
    builds = [p.name for p in (DBT_PROJECT_DIR / "target").glob("coachwh_dbt_models-*")]
    assert not any(folder.exists() for folder in stale)
    assert len(builds) == KEEP_BUILD_FOLDERS
    # dagster-dbt names a build's folder <asset>-<first 7 characters of the run id>-<random>
    assert any(name.startswith(f"coachwh_dbt_models-{run_id[:7]}-") for name in builds)  # this night's is kept


def test_status_shows_the_as_of_date_the_refused_batch_the_publication_and_staleness(refused_night):
    from pipelines.status import status_lines

    cfg, *_ = refused_night
    text = "\n".join(status_lines(cfg, today=date(2026, 11, 3)))
    assert "as-of     2026-11-03" in text
    assert "REFUSED crm/2026-11-03" in text and "User.csv" in text
    assert "STALE" not in text and "LATE" not in text
    tables = len(_published_counts(cfg.published))
    assert f"as of 2026-11-03, {tables} tables (2 publication(s) kept" in text
    later = "\n".join(status_lines(cfg, today=date(2026, 11, 10)))
    assert "STALE: no crm extract for 8 days" in later
    assert "STALE: no survey" not in later  # a quarterly survey is not late after a week


def test_rollback_brings_back_the_previous_publication(refused_night):
    cfg, *_ = refused_night
    newest, previous, *_ = pub.list_publications(cfg.published, cfg.publications)
    page = cfg.report_dir / "index.html"
    page.unlink()  # the rollback writes it again, from the publication it brings back
    done = subprocess.run(
        [str(Path(sys.executable).parent / "coachwh"), "rollback"],
        env={**os.environ, "COACHWH_HOME": str(cfg.home)}, cwd=PROJECT_ROOT, capture_output=True, text=True,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert previous.run_id in done.stdout
    assert pub.current(cfg.published).run_id == previous.run_id
    assert f"as of {previous.as_of_date.isoformat()}</title>" in page.read_text(encoding="utf-8")
    assert _catalog_shows(cfg) == {"published/marts": previous.run_id, "report/index_html": None}
    listing = subprocess.run(
        [str(Path(sys.executable).parent / "coachwh"), "publications"],
        env={**os.environ, "COACHWH_HOME": str(cfg.home)}, cwd=PROJECT_ROOT, capture_output=True, text=True,
    ).stdout  # fmt: skip
    assert f"* {previous.run_id}" in listing and f"  {newest.run_id}" in listing


def test_the_rollback_job_of_the_dagster_ui_brings_back_a_named_publication(refused_night):
    from pipelines.definitions import build_definitions
    from pipelines.instance import dagster_instance

    cfg, *_ = refused_night
    newest, *_ = pub.list_publications(cfg.published, cfg.publications)
    assert not newest.current  # the test above rolled back from it
    job = build_definitions(cfg).resolve_job_def("rollback_publication")
    config = {"ops": {"bring_back_publication": {"config": {"run_id": newest.run_id[:8]}}}}
    with dagster_instance(cfg) as instance:  # the instance the UI launches it on
        assert job.execute_in_process(run_config=config, instance=instance).success
    assert pub.current(cfg.published).run_id == newest.run_id
    page = (cfg.report_dir / "index.html").read_text(encoding="utf-8")
    assert f"as of {newest.as_of_date.isoformat()}</title>" in page
    assert _catalog_shows(cfg) == {"published/marts": newest.run_id, "report/index_html": None}


def _catalog_shows(cfg) -> dict:
    """Per asset of the publication, the publication its latest materialisation in the UI's catalog says it
    holds (None for the report page, which says only that it was rolled back)."""
    import dagster as dg

    from pipelines.instance import dagster_instance

    shown = {}
    with dagster_instance(cfg) as instance:
        for key in (["published", "marts"], ["report", "index_html"]):
            event = instance.get_latest_materialization_event(dg.AssetKey(key)).asset_materialization
            assert event.description.startswith("rolled back to the publication of run ")
            run = event.metadata.get("publication_run_id")
            shown["/".join(key)] = run.value if run is not None else None
    return shown


def test_the_readme_queries_for_analysts_answer_on_the_published_file(refused_night):
    cfg, *_ = refused_night
    readme = (PROJECT_ROOT / "README.md").read_text()
    block = readme.split("```sql\n", 1)[1].split("```", 1)[0]
    queries = [q for q in block.split(";") if q.strip()]
    assert len(queries) == 3
    with duckdb.connect(str(cfg.published), read_only=True) as con:
        for q in queries:
            assert con.execute(q).fetchall(), q


@pytest.fixture(scope="module")
def upgraded_night(refused_night):
    """A night after an upgrade: the warehouse says its incremental models were built by other code."""
    cfg, *_ = refused_night
    with duckdb.connect(str(cfg.warehouse)) as con:
        con.execute(
            "insert into ops.incremental_code (fingerprint, built_at) values ('the code of an earlier release', now())"
        )
    progress = io.StringIO()
    with pytest.MonkeyPatch.context() as mp, redirect_stderr(progress):
        mp.setenv("COACHWH_HOME", str(cfg.home))
        mp.delenv("DAGSTER_HOME", raising=False)
        ok = run_nightly(cfg, out=lambda _: None)
    return cfg, ok, progress.getvalue()


def test_incremental_models_built_by_other_code_are_rebuilt_from_raw(upgraded_night):
    from pipelines.defs.warehouse import dbt_project
    from pipelines.model_code import code_fingerprint

    cfg, ok, progress = upgraded_night
    assert ok
    # the stage lines say why this build takes longer than a night's
    assert "dbt       full refresh: the incremental models' code differs from the code that built them" in progress
    with duckdb.connect(str(cfg.warehouse), read_only=True) as con:
        codes = [c for (c,) in con.execute("select fingerprint from ops.incremental_code order by built_at").fetchall()]
        audits = [
            f for (f,) in con.execute("select full_history from ops.raw_version_audits order by audited_at").fetchall()
        ]
    current = code_fingerprint(dbt_project().manifest_path)
    # every build recorded the code it ran; the nights after the first were incremental until the code differed
    assert codes[:3] == [current] * 3 and codes[3] == "the code of an earlier release" and codes[4:] == [current]
    assert audits == [True, False, False, True]  # the audit of the upgraded night covered the whole history


def test_a_dbt_build_the_step_stops_following_is_stopped_and_the_run_ends_at_once(tmp_path):
    """The dbt step fails while dbt still runs (here dagster-dbt's event conversion raises on the 30th event,
    as it did on a test missing from its manifest). dbt is stopped, so it no longer holds the warehouse's
    lock: the run fails on that error, and no later step waits for the lock (ten minutes each, before). Here
    a step gives up on a locked warehouse at once, so a dbt left running shows as a step up for retry."""
    from dagster_dbt.core.dbt_cli_event import DbtCliEventMessage

    from pipelines import warehouse_file
    from pipelines.instance import open_instance

    original = DbtCliEventMessage.to_default_asset_events
    seen = []

    def breaking(self, *args, **kwargs):
        seen.append(1)
        if len(seen) == 30:
            raise KeyError("test.coachwh.a_test_the_manifest_does_not_know")
        return original(self, *args, **kwargs)

    lines = []
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(DbtCliEventMessage, "to_default_asset_events", breaking)
        waiting = warehouse_file._waiting
        mp.setattr(
            warehouse_file, "_waiting", lambda open_fn, path, _seconds, on_wait=None: waiting(open_fn, path, 0, on_wait)
        )
        mp.setenv("COACHWH_HOME", str(tmp_path))
        mp.delenv("COACHWH_LANDING", raising=False)
        mp.delenv("DAGSTER_HOME", raising=False)
        cfg = settings()
        generate(out=cfg.landing, profile="small", days=1)
        ok = run_nightly(cfg, out=lines.append)
    summary = "\n".join(lines)
    assert not ok
    assert "a_test_the_manifest_does_not_know" in summary, summary
    assert "coachwh prepare" in summary, summary
    assert not cfg.published.exists()
    with open_instance(cfg.dagster_home) as instance:
        run_id = instance.get_run_records(limit=1)[0].dagster_run.run_id
        events = [e.dagster_event for e in instance.all_logs(run_id) if e.dagster_event]
    failed = {e.step_key for e in events if e.event_type_value == "STEP_FAILURE"}
    retried = {e.step_key for e in events if e.event_type_value == "STEP_UP_FOR_RETRY"}
    assert failed == {"coachwh_dbt_models"}
    assert not retried, f"steps that found the warehouse locked: {retried}"


def test_the_run_gives_sigterm_back_as_it_found_it(night, sigterm_around_night):
    """Dagster maps SIGTERM to SIGINT's handler for an in-process run and leaves it so; started with SIGINT ignored
    (a background job), `coachwh run` then ignored `kill` while it sent its summary and alert."""
    _, ok = night
    assert ok
    assert sigterm_around_night["after"] == sigterm_around_night["before"]


def test_verbose_output_goes_to_stderr_so_stdout_holds_the_summary_alone(tmp_path, capsys):
    """`coachwh run --verbose` streams dbt's and the libraries' output (printed to stdout in-process) to stderr;
    quiet, it goes to the run's log. Either way a script reading stdout gets the summary only."""
    from pipelines.nightly import _quiet

    with _quiet(tmp_path / "run.log", verbose=True):
        print("dbt: 1 of 236 OK created sql view model staging.stg_crm__users")
    captured = capsys.readouterr()
    assert captured.out == "" and "stg_crm__users" in captured.err
    with _quiet(tmp_path / "run.log", verbose=False):
        print("dbt: 2 of 236 OK")
    assert capsys.readouterr() == ("", "") and "2 of 236" in (tmp_path / "run.log").read_text()
