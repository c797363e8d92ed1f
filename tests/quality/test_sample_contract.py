"""The bundled sample generator's exports meet every suite at the gate: the contracts raise no false alarms."""

import duckdb
import pytest

from pipelines.config import settings
from pipelines.sources import SOURCE_FILES


@pytest.mark.slow
def test_generated_small_sample_meets_every_suite(tmp_path, monkeypatch):
    from pipelines.landing.ingest import ingest_pending
    from pipelines.sample import generate

    monkeypatch.setenv("COACHWH_HOME", str(tmp_path))
    monkeypatch.delenv("COACHWH_LANDING", raising=False)
    cfg = settings()
    generate(out=cfg.landing, profile="small", days=1, hr_format="xlsx")
    report = ingest_pending(cfg)
    assert not report.quarantined, [o.reason for o in report.quarantined]
    assert [w for o in report.loaded for w in o.warnings] == []
    with duckdb.connect(str(cfg.warehouse), read_only=True) as con:
        suites = con.execute(
            "SELECT suite, count(DISTINCT batch_id), count(*) FILTER (WHERE NOT success) "
            "FROM ops.validation_results GROUP BY suite"
        ).fetchall()
    assert {s for s, _, _ in suites} == {f.raw_table for f in SOURCE_FILES}
    assert all(failed == 0 and batches >= 1 for _, batches, failed in suites), suites
