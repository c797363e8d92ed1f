"""`coachwh unarchive`: a lost or damaged warehouse rebuilt from the archive gives back the raw it held."""

from __future__ import annotations

import duckdb
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
    # publications made before they recorded their deliveries: judged by time
    between = SimpleNamespace(run_id="between", published_at=loaded_at + (retracted_at - loaded_at) / 2, batches=None)
    after = SimpleNamespace(run_id="after", published_at=retracted_at + timedelta(seconds=1), batches=None)
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
    assert "quarantine also holds 1 folder(s) of batches not loaded now that this warehouse has no record of" in (
        gate.status()
    )
    assert "RETRACTED.md in each): lms/2026-11-26" in gate.status()


def test_a_publication_built_from_a_retracted_delivery_is_known_to_hold_it_whenever_it_was_made(gate):
    """Helper Q: judged by time, a retraction made after a rebuild from the archive missed the publications made
    before the loss (the rebuilt registry's load time is the reload's), and a warehouse backup restored from
    before a retraction published the batch again, unflagged. A publication now records the deliveries its marts
    were built from (files and checksums, whatever the registry numbered them), and holds a retracted batch when
    it was built from that very delivery."""
    from types import SimpleNamespace

    from pipelines.landing.registry import delivery_fingerprint, retracted_since_published

    for day, start in (("2026-11-25", 1), ("2026-11-26", 4)):
        write_batch(gate.landing, "lms", day, default_files("lms", start=start))
    gate.ingest()
    files = dict(gate.query("SELECT file_name, sha256 FROM ops.batch_files WHERE batch_id = 'lms/2026-11-26'"))
    bad = delivery_fingerprint(files)
    good = {"lms/2026-11-25": delivery_fingerprint(dict(gate.query(
        "SELECT file_name, sha256 FROM ops.batch_files WHERE batch_id = 'lms/2026-11-25'")))}  # fmt: skip
    never = None  # (times play no part in judging a publication that recorded its deliveries)
    with_it = SimpleNamespace(run_id="with", published_at=never, batches={**good, "lms/2026-11-26": bad})
    without = SimpleNamespace(run_id="without", published_at=never, batches=good)
    other = SimpleNamespace(run_id="other", published_at=never, batches={**good, "lms/2026-11-26": "f" * 64})
    publications = [with_it, without, other]

    # lost, rebuilt from the archive, then retracted: known from the warehouse
    gate.cfg.warehouse.unlink()
    unarchive(gate.cfg)
    gate.ingest()
    retract(gate.cfg, "lms/2026-11-26", "a recall")
    held = {"with": ["lms/2026-11-26 (a recall)"]}
    assert retracted_since_published(gate.cfg.warehouse, publications) == held
    # and from the quarantine's record alone (the warehouse lost again)
    gate.cfg.warehouse.unlink()
    assert retracted_since_published(gate.cfg.warehouse, publications, gate.cfg.quarantine) == held


def test_status_names_a_retracted_delivery_back_in_raw_and_settles_a_folder_whose_batch_loaded_since(gate):
    """Helper Q: a warehouse backup restored from before a retraction (or the same files delivered again) put the
    batch back in raw without a word; and the note on quarantine folders unknown to a rebuilt registry stayed after
    the corrected redelivery loaded."""
    import shutil

    write_batch(gate.landing, "lms", "2026-11-26", default_files("lms"))
    gate.ingest()
    backup = gate.cfg.home / "warehouse.backup"
    shutil.copyfile(gate.cfg.warehouse, backup)
    retract(gate.cfg, "lms/2026-11-26", "a recall")
    assert "RETRACTED YET LOADED" not in gate.status()
    shutil.copyfile(backup, gate.cfg.warehouse)  # the backup restored: the registry says it loaded, raw holds it
    said = gate.status()
    assert "RETRACTED YET LOADED lms/2026-11-26: raw holds the very files retracted at " in said
    assert "(a recall): a warehouse restored from before the retraction? The next run's gate takes them out" in said
    assert "quarantine also holds" not in said  # its batch is loaded now: the line above says what matters

    gate.cfg.warehouse.unlink()  # rebuilt without it, then a corrected delivery of that date
    gate.ingest()
    assert "quarantine also holds 1 folder(s)" in gate.status()
    write_batch(gate.landing, "lms", "2026-11-26", default_files("lms", start=20))
    gate.ingest()
    said = gate.status()
    assert "quarantine also holds" not in said and "RETRACTED YET LOADED" not in said  # settled


def test_a_retracted_delivery_back_in_raw_from_a_restored_backup_is_taken_out_again_by_the_next_gate(gate):
    """Auditor R: a warehouse restored from a backup made before a retraction published the recalled rows again
    every night, the run saying SUCCEEDED. The quarantine's record of the retraction is upheld: the gate takes the
    rows out as `coachwh retract` did (registry, full refresh) and warns; a withdrawn retraction is not upheld."""
    import shutil

    from pipelines.landing.registry import RETRACTION_RECORD, WITHDRAWN_RECORD, full_refresh_requests

    write_batch(gate.landing, "lms", "2026-11-25", default_files("lms", start=1))
    write_batch(gate.landing, "lms", "2026-11-26", default_files("lms", start=4))
    gate.ingest()
    kept = gate.count("lms_transcripts") - 3  # each default lms batch holds 3 transcript rows
    backup = gate.cfg.home / "warehouse.backup"
    shutil.copyfile(gate.cfg.warehouse, backup)
    retract(gate.cfg, "lms/2026-11-26", "a recall")
    shutil.copyfile(backup, gate.cfg.warehouse)
    with duckdb.connect(str(gate.cfg.warehouse)) as con:
        before = len(full_refresh_requests(con))
    assert gate.count("lms_transcripts") == kept + 3

    report = gate.ingest(systems=["crm"])  # another system's gate leaves lms as it is
    assert report.retractions_upheld == [] and gate.count("lms_transcripts") == kept + 3
    report = gate.ingest()
    assert gate.count("lms_transcripts") == kept and gate.count("lms_courses") > 0  # 11-25's rows stay
    assert gate.query("SELECT count(*) FROM raw.lms_transcripts WHERE _batch_id = 'lms/2026-11-26'") == [(0,)]
    [said] = report.retractions_upheld
    assert said.startswith("lms/2026-11-26: raw held the very files retracted at ") and "(a recall)" in said
    assert f"WARNING {said}" in gate.lines
    assert gate.query("SELECT status FROM ops.batch_registry WHERE batch_id = 'lms/2026-11-26'") == [("retracted",)]
    assert gate.query("SELECT reason, rows_removed FROM ops.batch_retractions") == [("a recall", 6)]
    with duckdb.connect(str(gate.cfg.warehouse)) as con:
        assert len(full_refresh_requests(con)) == before + 1  # the incremental models forget the rows too
    assert "RETRACTED YET LOADED" not in gate.status()
    assert gate.ingest().retractions_upheld == []  # once

    # a retraction withdrawn (its record renamed) is not upheld: a restored warehouse keeps the rows
    [record] = gate.cfg.quarantine.glob(f"lms/*/{RETRACTION_RECORD}")
    record.rename(record.with_name(WITHDRAWN_RECORD))
    shutil.copyfile(backup, gate.cfg.warehouse)
    assert gate.ingest().retractions_upheld == [] and gate.count("lms_transcripts") == kept + 3


def test_a_retraction_made_before_retraction_records_existed_gets_one_at_the_next_gate(gate):
    """Helper P: an install upgraded from a version without `retraction.json` forgot its earlier retractions once
    the warehouse was rebuilt from the archive. The next gate writes the record while the warehouse still knows."""
    from types import SimpleNamespace

    from pipelines.landing.registry import RETRACTION_RECORD, loaded_fingerprints, retracted_since_published

    write_batch(gate.landing, "lms", "2026-11-25", default_files("lms"))
    write_batch(gate.landing, "lms", "2026-11-26", default_files("lms", start=4))
    gate.ingest()
    with duckdb.connect(str(gate.cfg.warehouse), read_only=True) as con:
        built_from = loaded_fingerprints(con)
    retract(gate.cfg, "lms/2026-11-26", "a recall")
    record = gate.cfg.quarantine / "lms" / "2026-11-26" / RETRACTION_RECORD
    record.unlink()  # what the older version left: RETRACTED.md only
    gate.ingest()
    assert record.is_file()
    gate.cfg.warehouse.unlink()
    unarchive(gate.cfg)
    gate.ingest()
    publication = SimpleNamespace(run_id="before", published_at=None, batches=built_from)
    assert retracted_since_published(gate.cfg.warehouse, [publication], gate.cfg.quarantine) == {
        "before": ["lms/2026-11-26 (a recall)"]
    }
