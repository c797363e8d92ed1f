"""The gate on the generator's small profile: every batch loads and raw row counts equal the manifests."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from pipelines.config import Settings
from pipelines.landing.ingest import ingest_pending
from tests.landing.conftest import Gate

pytestmark = pytest.mark.slow


def _generate(out: Path, **kwargs) -> Path:
    from pipelines.sample import generate

    generate(out=out, profile="small", **kwargs)
    return out


@pytest.fixture(scope="session")
def small_landing(tmp_path_factory) -> Path:
    return _generate(tmp_path_factory.mktemp("sample") / "landing")


def _gate_with(landing: Path, home: Path) -> Gate:
    gate = Gate(home)
    shutil.rmtree(gate.landing)
    shutil.copytree(landing, gate.landing)
    return gate


def test_small_profile_loads_and_raw_counts_equal_the_manifests(small_landing, tmp_path):
    gate = _gate_with(small_landing, tmp_path / "home")
    manifests = {
        f"{p.parent.parent.name}/{p.parent.name}": json.loads(p.read_text())
        for p in gate.landing.glob("*/*/manifest.json")
    }
    report = gate.ingest()
    assert not report.quarantined, [o.reason for o in report.quarantined]
    assert sorted(o.batch_id for o in report.loaded) == sorted(manifests)

    loaded = {}
    for table in {fs.raw_table for o in report.loaded for fs in o.files}:
        for batch_id, source_file, n, max_row in gate.query(
            f"SELECT _batch_id, _source_file, count(*), max(_row_number) FROM raw.{table} GROUP BY 1, 2"
        ):
            loaded[(batch_id, source_file)] = n
            assert max_row == n  # row numbers run 1..n
    expected = {
        (batch_id, name): entry["rows"]
        for batch_id, doc in manifests.items()
        for name, entry in doc["files"].items()
        if entry["rows"] > 0
    }
    assert loaded == expected
    # the whole zone is archived, nothing pending; a second run is a no-op
    assert not list(gate.landing.glob("*/*/manifest.json"))
    again = gate.ingest()
    assert not (again.loaded or again.quarantined or again.duplicates)


def test_generated_hr_workbooks_load_like_the_csv_export(tmp_path):
    as_csv = _generate(tmp_path / "csv" / "landing", days=0, hr_format="csv")
    as_xlsx = _generate(tmp_path / "xlsx" / "landing", days=0, hr_format="xlsx")
    results = {}
    for label, landing in (("csv", as_csv), ("xlsx", as_xlsx)):
        home = landing.parent
        report = ingest_pending(Settings(home=home, landing=landing), systems=["hris"])
        assert report.loaded and not report.quarantined, [o.reason for o in report.quarantined]
        gate = Gate.__new__(Gate)
        gate.cfg = Settings(home=home, landing=landing)
        results[label] = {
            table: gate.query(f"SELECT * EXCLUDE (_source_file, _loaded_at) FROM raw.{table} ORDER BY _row_number")
            for table in ("hris_workers", "hris_job_history")
        }
    assert results["csv"] == results["xlsx"]
    assert len(results["csv"]["hris_workers"]) > 50
