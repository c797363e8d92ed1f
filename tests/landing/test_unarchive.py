"""`coachwh unarchive`: a lost or damaged warehouse rebuilt from the archive gives back the raw it held."""

from __future__ import annotations

import pytest

from pipelines.landing.retract import retract
from pipelines.landing.unarchive import UnarchiveRefused, unarchive
from pipelines.locks import file_lock
from tests.landing.kit import default_files, write_batch

RAW = ["lms_courses", "lms_transcripts"]


def _raw(gate) -> dict[str, list[tuple]]:
    """Every raw row of the lms tables, without the load's own columns (its run and time)."""
    out = {}
    for table in RAW:
        columns = [
            r[0]
            for r in gate.query(
                "SELECT column_name FROM duckdb_columns() WHERE schema_name = 'raw' AND table_name = ? "
                "AND column_name NOT IN ('_loaded_at') ORDER BY column_index",
                [table],
            )
        ]
        listed = ", ".join(f'"{c}"' for c in columns)
        out[table] = gate.query(f"SELECT {listed} FROM raw.{table} ORDER BY ALL")
    return out


def _three_nights(gate) -> None:
    """Three lms deliveries, the second delivered twice (a duplicate archived as .2), the third retracted."""
    for day, start in (("2026-11-24", 1), ("2026-11-25", 4), ("2026-11-26", 7)):
        write_batch(gate.landing, "lms", day, default_files("lms", start=start))
        gate.ingest()
    write_batch(gate.landing, "lms", "2026-11-25", default_files("lms", start=4))
    assert [o.batch_id for o in gate.ingest().duplicates] == ["lms/2026-11-25"]
    retract(gate.cfg, "lms/2026-11-26", "a recall")


def test_a_lost_warehouse_is_rebuilt_with_the_raw_it_held_and_nothing_retracted_or_repeated(gate):
    _three_nights(gate)
    before = _raw(gate)
    assert (gate.cfg.archive / "lms" / "2026-11-25.2").is_dir()
    gate.cfg.warehouse.unlink()

    moved, aside = unarchive(gate.cfg)
    assert moved == ["lms/2026-11-24", "lms/2026-11-25"] and aside is None
    assert (gate.cfg.archive / "lms" / "2026-11-25.2").is_dir()  # the repeated delivery stays archived
    assert sorted(p.name for p in (gate.landing / "lms").iterdir()) == ["2026-11-24", "2026-11-25"]
    report = gate.ingest()
    assert [o.batch_id for o in report.loaded] == ["lms/2026-11-24", "lms/2026-11-25"]
    assert _raw(gate) == before


def test_a_damaged_warehouse_is_moved_aside_not_deleted(gate):
    write_batch(gate.landing, "lms", "2026-11-24", default_files("lms"))
    gate.ingest()
    before = _raw(gate)
    gate.cfg.warehouse.write_bytes(b"overwritten by something else" * 100)

    moved, aside = unarchive(gate.cfg)
    assert moved == ["lms/2026-11-24"]
    assert aside is not None and aside.read_bytes().startswith(b"overwritten") and not gate.cfg.warehouse.exists()
    assert aside.parent == gate.cfg.warehouse.parent and aside.name.startswith("warehouse.damaged-")
    gate.ingest()
    assert _raw(gate) == before


def test_nothing_moves_while_the_warehouse_reads_a_run_goes_or_a_same_named_delivery_waits(gate):
    write_batch(gate.landing, "lms", "2026-11-24", default_files("lms"))
    gate.ingest()
    archived = gate.cfg.archive / "lms" / "2026-11-24"

    with pytest.raises(UnarchiveRefused, match="is there and DuckDB reads it"):
        unarchive(gate.cfg)
    gate.cfg.warehouse.unlink()
    with file_lock(gate.cfg.run_lock, "coachwh run"), pytest.raises(UnarchiveRefused, match="coachwh run"):
        unarchive(gate.cfg)
    write_batch(gate.landing, "lms", "2026-11-24", default_files("lms", start=9))  # a redelivery waiting
    with pytest.raises(UnarchiveRefused, match="already holds lms/2026-11-24"):
        unarchive(gate.cfg)
    assert archived.is_dir()  # nothing moved by any refusal


def test_an_empty_archive_is_refused(gate):
    with pytest.raises(UnarchiveRefused, match="holds no loaded delivery"):
        unarchive(gate.cfg)


def test_a_publication_holding_a_retracted_batch_is_still_known_after_the_rebuild(gate):
    """The retraction's record in the quarantine outlives the warehouse: after `unarchive` and the reload, a
    publication made while the batch was loaded still counts as holding it (the rollback guard's question)."""
    from datetime import timedelta
    from types import SimpleNamespace

    from pipelines.landing.registry import retracted_since_published

    _three_nights(gate)
    ((loaded_at, retracted_at),) = gate.query("SELECT loaded_at, retracted_at FROM ops.batch_retractions")
    between = SimpleNamespace(run_id="between", published_at=loaded_at + (retracted_at - loaded_at) / 2)
    after = SimpleNamespace(run_id="after", published_at=retracted_at + timedelta(seconds=1))
    held = {"between": ["lms/2026-11-26 (a recall)"]}
    assert retracted_since_published(gate.cfg.warehouse, [between, after], gate.cfg.quarantine) == held
    assert "quarantine also holds" not in gate.status()  # the registry knows the retracted folder

    gate.cfg.warehouse.unlink()
    unarchive(gate.cfg)
    gate.ingest()
    assert gate.query("SELECT count(*) FROM ops.batch_retractions") == [(0,)]  # the new warehouse never saw it
    assert retracted_since_published(gate.cfg.warehouse, [between, after], gate.cfg.quarantine) == held
    assert retracted_since_published(gate.cfg.warehouse, [between, after]) == {}  # (what the warehouse alone says)
    # `coachwh status` points at the quarantine's folders the new registry does not know
    assert "quarantine also holds 1 folder(s) this warehouse has no record of" in gate.status()
    assert "RETRACTED.md): lms/2026-11-26" in gate.status()
