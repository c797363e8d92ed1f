"""The bundled sample generator's exports meet every suite: the contracts raise no false alarms."""

import duckdb
import pytest

from pipelines.config import settings
from pipelines.quality.runner import validate_batches
from pipelines.sources import SOURCE_FILES


@pytest.mark.slow
def test_generated_small_sample_meets_every_suite(tmp_path, monkeypatch, engine):
    from pipelines.landing.ingest import ingest_pending
    from pipelines.sample import generate

    monkeypatch.setenv("COACHWH_HOME", str(tmp_path))
    cfg = settings()
    generate(out=cfg.landing, profile="small", days=1, hr_format="xlsx")
    report = ingest_pending(cfg)
    assert not report.quarantined
    with duckdb.connect(str(cfg.warehouse), read_only=True) as con:
        batches = {}
        for f in SOURCE_FILES:
            rows = con.execute(f"select distinct _batch_id from raw.{f.raw_table}").fetchall()
            batches[f.raw_table] = [r[0] for r in rows]
    for f in SOURCE_FILES:
        result = validate_batches(cfg.warehouse, f.raw_table, sorted(batches[f.raw_table]), engine=engine)
        assert result.rows > 0, f.raw_table
        assert result.failures == [], [x.message() for x in result.failures]
