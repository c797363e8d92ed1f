"""The nightly job end to end on the small sample: exports in, marts published; a bad batch stops at the gate."""

import shutil

import duckdb
import pytest

from pipelines.config import settings
from pipelines.nightly import run_nightly
from pipelines.sample import generate

pytestmark = pytest.mark.slow

PUBLISHED = {
    "mart_manager_coaching",
    "mart_manager_retention",
    "mart_manager_revenue",
    "mart_manager_engagement",
    "mart_coaching_effectiveness",
    "mart_coaching_impact",
    "dim_employee",
    "dim_month",
    "identity_unmatched",
}


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
def night(tmp_path_factory):
    home = tmp_path_factory.mktemp("home")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("COACHWH_HOME", str(home))
        mp.delenv("COACHWH_LANDING", raising=False)
        mp.delenv("DAGSTER_HOME", raising=False)
        cfg = settings()
        generate(out=cfg.landing, profile="small", days=2)
        ok = run_nightly(cfg)
        yield cfg, ok


def test_the_nightly_job_loads_every_batch_and_publishes_every_mart(night):
    cfg, ok = night
    assert ok
    counts = _published_counts(cfg.published)
    assert PUBLISHED <= set(counts)
    assert all(counts[t] > 0 for t in PUBLISHED - {"identity_unmatched"}), counts
    # Everything that landed was loaded and archived: the landing zone shows only what is pending.
    assert not [p for p in cfg.landing.rglob("manifest.json")]
    with duckdb.connect(str(cfg.warehouse), read_only=True) as con:
        statuses = dict(con.execute("select status, count(*) from ops.batch_registry group by 1").fetchall())
        as_of = con.execute("select as_of_date from intermediate.int_calendar__as_of").fetchone()[0]
    assert set(statuses) == {"loaded"}
    assert str(as_of) == "2026-11-02"  # history until 2026-10-31, then two nightly batches
    # The Dagster run history is kept where the UI reads it.
    assert (cfg.home / "dagster").is_dir()


def test_a_bad_batch_stops_at_the_gate_and_yesterdays_marts_stay_published(night):
    cfg, _ = night
    before = _published_counts(cfg.published)
    # Tomorrow's CRM batch arrives with a User.csv that no longer matches its manifest.
    src = cfg.archive / "crm" / "2026-11-02"
    bad = cfg.landing / "crm" / "2026-11-03"
    shutil.copytree(src, bad)
    manifest = (bad / "manifest.json").read_text().replace("2026-11-02", "2026-11-03")
    (bad / "manifest.json").write_text(manifest)
    with open(bad / "User.csv", "a", encoding="utf-8") as f:
        f.write("005000000000001AAA,x,,,,,,,true,,,\n")

    assert run_nightly(cfg) is False  # loud: the CLI exits non-zero

    rejected = (cfg.quarantine / "crm" / "2026-11-03" / "REJECTED.md").read_text()
    assert "User.csv" in rejected
    assert not bad.exists()
    assert _published_counts(cfg.published) == before
    with duckdb.connect(str(cfg.warehouse), read_only=True) as con:
        loaded = con.execute("select count(*) from raw.crm_user where _extract_date = '2026-11-03'").fetchone()[0]
    assert loaded == 0


def test_status_shows_the_as_of_date_the_refused_batch_and_staleness(night):
    from datetime import date

    from pipelines.status import status_lines

    cfg, _ = night
    text = "\n".join(status_lines(cfg, today=date(2026, 11, 3)))
    assert "as-of     2026-11-02" in text
    assert "REFUSED crm/2026-11-03" in text and "User.csv" in text
    assert "STALE" not in text
    later = "\n".join(status_lines(cfg, today=date(2026, 11, 10)))
    assert "STALE: no crm extract for 8 days" in later
    assert "STALE: no survey" not in later  # a quarterly survey is not late after a week
