"""The landing gate's happy paths: load, wait, duplicate, changed, late, crash, row order, formats."""

from __future__ import annotations

import pytest

from pipelines.landing import loader
from pipelines.landing.errors import Rule
from pipelines.landing.ingest import WarehouseMissing
from pipelines.sources import source_file
from pipelines.status import status_lines
from pipelines.warehouse_file import FileUnreadable, sql_literal
from tests.landing.kit import csv_text, default_files, qualtrics_headers, rows_for, write_batch
from tests.quality.rows import clean_row

# the Id clean_row("crm_call", n) has, as SQL of the row number
CALL_ID_OF_ROW = "'a04' || lpad(_row_number::VARCHAR, 15, '0')"


def test_complete_batches_load_with_lineage_and_move_to_archive(gate):
    for system in ("crm", "hris", "survey", "lms"):
        write_batch(gate.landing, system, "2026-11-26", default_files(system, rows=4))
    report = gate.ingest()

    assert not report.quarantined and len(report.loaded) == 4
    assert gate.count("crm_user") == 4 and gate.count("survey_responses") == 4
    assert gate.query(
        "SELECT DISTINCT _batch_id, _system, _extract_date::VARCHAR, _source_file FROM raw.hris_workers"
    ) == [("hris/2026-11-26", "hris", "2026-11-26", "workers.csv")]
    assert gate.query("SELECT list(_row_number ORDER BY _row_number) FROM raw.lms_courses")[0][0] == [
        1,
        2,
        3,
        4,
    ]
    # Qualtrics: three header rows skipped, the first data row is the first response
    assert gate.query("SELECT ResponseId FROM raw.survey_responses WHERE _row_number = 1") == [("Respon-1",)]
    assert not any((gate.landing / s).exists() and any((gate.landing / s).iterdir()) for s in ("crm", "hris"))
    assert (gate.cfg.archive / "crm" / "2026-11-26" / "manifest.json").exists()
    statuses = {(r["batch_id"], r["status"]) for r in gate.registry()}
    assert statuses == {(f"{s}/2026-11-26", "loaded") for s in ("crm", "hris", "survey", "lms")}
    assert sum(1 for line in gate.lines if "loaded" in line) >= 4
    # only raw tables live in raw; the bookkeeping lives in ops
    schemas = {r[0] for r in gate.query("SELECT DISTINCT schema_name FROM duckdb_tables()")}
    assert schemas == {"raw", "ops"}


def test_batch_without_manifest_waits_then_loads(gate):
    folder = write_batch(gate.landing, "lms", "2026-11-26", default_files("lms"), manifest=False)
    report = gate.ingest()
    assert [o.batch_id for o in report.waiting] == ["lms/2026-11-26"] and not report.loaded
    assert folder.exists() and gate.count("lms_courses") == 0
    assert [(r["status"], r["reason"]) for r in gate.registry()] == [
        ("waiting", "no manifest.json yet: still being copied")
    ]

    write_batch(gate.landing, "lms", "2026-11-26", default_files("lms"))
    report = gate.ingest()
    assert [o.batch_id for o in report.loaded] == ["lms/2026-11-26"]
    assert [r["status"] for r in gate.registry()] == ["loaded"]  # the waiting row became the final one


def test_same_batch_delivered_twice_loads_once(gate):
    files = default_files("crm")
    write_batch(gate.landing, "crm", "2026-11-26", files)
    gate.ingest()
    write_batch(gate.landing, "crm", "2026-11-26", files)
    report = gate.ingest()

    assert [o.batch_id for o in report.duplicates] == ["crm/2026-11-26"]
    assert not report.quarantined and not report.loaded
    assert gate.count("crm_user") == 3
    assert (gate.cfg.archive / "crm" / "2026-11-26").is_dir()
    assert (gate.cfg.archive / "crm" / "2026-11-26.2" / "User.csv").is_file()  # kept, not overwritten
    assert [(r["delivery"], r["status"]) for r in gate.registry()] == [(1, "loaded"), (2, "duplicate")]
    assert all(r["byte_count"] > 0 and r["row_count"] == 18 for r in gate.registry())


def test_changed_file_under_a_loaded_batch_name_is_refused(gate):
    write_batch(gate.landing, "crm", "2026-11-26", default_files("crm"))
    gate.ingest()
    changed = default_files("crm")
    f = source_file("crm_user")
    changed["User.csv"] = csv_text(f.columns, rows_for(f, 4))
    write_batch(gate.landing, "crm", "2026-11-26", changed)
    report = gate.ingest()

    assert [o.batch_id for o in report.quarantined] == ["crm/2026-11-26"]
    assert gate.count("crm_user") == 3
    reason = report.quarantined[0].reason
    assert "User.csv" in reason and "already loaded" in reason
    rejected = (gate.cfg.quarantine / "crm" / "2026-11-26" / "REJECTED.md").read_text()
    assert "User.csv" in rejected and "changed file under an already loaded batch name" in rejected
    assert "`coachwh retract crm/2026-11-26 --reason TEXT` first, then deliver it again" in rejected
    assert [r["status"] for r in gate.registry()] == ["loaded", "quarantined"]


def test_late_batch_for_an_older_date_loads_normally(gate):
    write_batch(gate.landing, "lms", "2026-11-27", default_files("lms", start=10))
    gate.ingest()
    write_batch(gate.landing, "lms", "2026-11-25", default_files("lms", start=1))
    report = gate.ingest()
    assert [o.batch_id for o in report.loaded] == ["lms/2026-11-25"]
    assert gate.query("SELECT _batch_id, count(*) FROM raw.lms_transcripts GROUP BY 1 ORDER BY 1") == [
        ("lms/2026-11-25", 3),
        ("lms/2026-11-27", 3),
    ]


def test_batches_of_a_system_load_in_date_order(gate):
    for day in ("2026-11-28", "2026-11-26", "2026-11-27"):
        write_batch(gate.landing, "lms", day, default_files("lms"))
    report = gate.ingest()
    assert [o.batch_id for o in report.loaded] == ["lms/2026-11-26", "lms/2026-11-27", "lms/2026-11-28"]


def test_crash_in_the_middle_of_a_batch_leaves_no_rows_and_reloads_cleanly(gate, monkeypatch):
    write_batch(gate.landing, "crm", "2026-11-26", default_files("crm"))
    real = loader.insert_file
    calls = {"n": 0}

    def crash_after_first(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("simulated crash: power cut in the middle of the batch")
        return real(*args, **kwargs)

    monkeypatch.setattr(loader, "insert_file", crash_after_first)
    with pytest.raises(RuntimeError, match="simulated crash"):
        gate.ingest()
    assert gate.total_raw_rows() == 0
    assert gate.registry() == []
    assert (gate.landing / "crm" / "2026-11-26" / "manifest.json").exists()  # still pending

    monkeypatch.setattr(loader, "insert_file", real)
    report = gate.ingest()
    assert [o.batch_id for o in report.loaded] == ["crm/2026-11-26"]
    assert gate.total_raw_rows() == 18


def test_bom_crlf_and_quoted_commas_quotes_and_line_breaks(gate):
    f = source_file("crm_coaching_report")
    rows = rows_for(f, 5)
    comments = f.columns.index("Comments__c")
    rows[1][comments] = 'Great call, but "pause" more.\nNext time: ask first,\r\nthen listen.'
    rows[3][comments] = "multi\n\nline\n\n"
    files = default_files("crm")
    files["Coaching_Report_vod__c.csv"] = csv_text(f.columns, rows, bom=True, crlf=True)
    write_batch(gate.landing, "crm", "2026-11-26", files)
    report = gate.ingest()

    assert not report.quarantined
    got = gate.query('SELECT _row_number, "Id", Comments__c FROM raw.crm_coaching_report ORDER BY _row_number')
    assert [(n, i) for n, i, _ in got] == [
        (k, clean_row(f.raw_table, k)["Id"]) for k in range(1, 6)
    ]  # record ordinal == file order
    assert got[1][2] == rows[1][comments] and got[3][2] == "multi\n\nline\n\n"
    # the BOM is not part of the first column's name or value
    assert gate.query('SELECT "Id" FROM raw.crm_coaching_report WHERE _row_number = 1') == [
        (clean_row(f.raw_table, 1)["Id"],)
    ]


def test_row_number_is_file_order_on_a_large_multiline_file(gate):
    f = source_file("crm_call")
    n = 30_000
    rows = rows_for(f, n)
    products = f.columns.index("Detailed_Products_vod__c")
    for i in range(0, n, 7):
        rows[i][products] = f'line one of {i}\nline, two\n"three"'
    files = default_files("crm")
    files["Call2_vod__c.csv"] = csv_text(f.columns, rows)
    write_batch(gate.landing, "crm", "2026-11-26", files)
    gate.ingest()
    mismatches = gate.query(f'SELECT count(*) FROM raw.crm_call WHERE "Id" <> {CALL_ID_OF_ROW}')
    assert gate.count("crm_call") == n and mismatches == [(0,)]


def test_an_empty_delta_loads(gate):
    files = default_files("lms")
    files["transcripts.csv"] = csv_text(source_file("lms_transcripts").columns, [])
    write_batch(gate.landing, "lms", "2026-11-26", files)
    report = gate.ingest()
    assert [o.batch_id for o in report.loaded] == ["lms/2026-11-26"]
    assert gate.count("lms_transcripts") == 0 and gate.count("lms_courses") == 3


def test_a_file_whose_header_ends_in_lf_and_rows_in_crlf_loads_with_a_warning(gate):
    """A header written by hand ("\\n") above rows written by Python's csv module ("\\r\\n"): DuckDB's strict reader
    refuses the mix, so the gate loads a copy with every CRLF an LF, and says so. The rows are the same; a quoted
    value's CRLF becomes an LF."""
    f = source_file("survey_responses")
    clean = csv_text(f.columns, rows_for(f, 3), extra_header_rows=qualtrics_headers(f))  # all LF
    header_end = 0
    for _ in range(3):
        header_end = clean.index(b"\n", header_end) + 1
    mixed = clean[:header_end] + clean[header_end:].replace(b"\n", b"\r\n")
    write_batch(gate.landing, "survey", "2026-11-26", {"responses_2025-Q3.csv": mixed})
    files = default_files("lms")
    c = source_file("lms_courses")
    rows = rows_for(c, 3)
    rows[1][c.columns.index("Training Title")] = "Coaching\r\nthe coaches"
    files["courses.csv"] = csv_text(c.columns, rows).replace(b"\n", b"\r\n", 1)  # header CRLF, rows LF
    write_batch(gate.landing, "lms", "2026-11-26", files)
    report = gate.ingest()
    assert sorted(o.batch_id for o in report.loaded) == ["lms/2026-11-26", "survey/2026-11-26"], gate.lines
    mixed = "ends some lines in LF and some in CRLF: loaded with every CRLF read as LF"
    assert {o.batch_id: o.warnings for o in report.loaded} == {
        "survey/2026-11-26": [f"survey_responses: responses_2025-Q3.csv {mixed}"],
        "lms/2026-11-26": [f"lms_courses: courses.csv {mixed}"],
    }
    assert gate.query('SELECT "ResponseId", _row_number FROM raw.survey_responses ORDER BY _row_number') == [
        (r[f.columns.index("ResponseId")], i) for i, r in enumerate(rows_for(f, 3), start=1)
    ]
    assert gate.query('SELECT "Training Title" FROM raw.lms_courses WHERE _row_number = 2') == [
        ("Coaching\nthe coaches",)
    ]


def test_a_file_with_one_kind_of_line_ending_loads_as_delivered_crlf_in_a_quoted_value_kept(gate):
    files = default_files("lms")
    c = source_file("lms_courses")
    rows = rows_for(c, 3)
    rows[1][c.columns.index("Training Title")] = "Coaching\nthe coaches"  # a bare LF inside a CRLF file
    files["courses.csv"] = csv_text(c.columns, rows, crlf=True)
    write_batch(gate.landing, "lms", "2026-11-26", files)
    report = gate.ingest()
    assert [o.batch_id for o in report.loaded] == ["lms/2026-11-26"] and report.loaded[0].warnings == []
    assert gate.query('SELECT "Training Title" FROM raw.lms_courses WHERE _row_number = 2') == [
        ("Coaching\nthe coaches",)
    ]


@pytest.mark.parametrize("chunk", [1, 2, 3, 5, 64])
def test_the_lf_copy_is_exact_across_chunk_boundaries(tmp_path, chunk):
    from pipelines.landing.line_endings import copy_with_lf

    data = b'a,b\r\n1,"x\r\ny"\r\n\r\r\n2,3\n4,5\r'
    (tmp_path / "in.csv").write_bytes(data)
    copy_with_lf(tmp_path / "in.csv", tmp_path / "out.csv", chunk=chunk)
    assert (tmp_path / "out.csv").read_bytes() == data.replace(b"\r\n", b"\n")


def _empty_wave() -> bytes:
    f = source_file("survey_responses")
    return csv_text(f.columns, [], extra_header_rows=qualtrics_headers(f))


def test_a_new_survey_wave_without_responses_loads_with_a_warning(gate):
    files = default_files("survey")  # responses_2025-Q3.csv, 3 responses
    files["responses_2025-Q4.csv"] = _empty_wave()
    write_batch(gate.landing, "survey", "2026-11-26", files)
    report = gate.ingest()
    assert [o.batch_id for o in report.loaded] == ["survey/2026-11-26"], gate.lines
    assert gate.count("survey_responses") == 3
    assert report.loaded[0].warnings == ["survey_responses: responses_2025-Q4.csv holds no responses (wave 2025-Q4)"]
    assert "WARNING survey_responses: responses_2025-Q4.csv holds no responses" in "\n".join(gate.lines)


def test_a_batch_of_a_wave_nobody_answered_does_not_move_the_as_of_date(gate):
    """The as-of date is read from the rows in raw, by the marts and by `coachwh status` alike: a batch that brought
    none (a wave nobody answered, the latest batch) moves neither."""
    write_batch(gate.landing, "crm", "2026-11-25", default_files("crm"))
    write_batch(gate.landing, "survey", "2026-11-26", {"responses_2025-Q4.csv": _empty_wave()})
    assert len(gate.ingest().loaded) == 2, gate.lines
    assert "as-of     2026-11-25 (latest extract date loaded" in "\n".join(status_lines(gate.cfg))


def test_an_empty_redelivery_of_a_wave_with_responses_is_refused_and_keeps_them(gate):
    write_batch(gate.landing, "survey", "2026-11-26", default_files("survey"))  # wave 2025-Q3, 3 responses
    assert len(gate.ingest().loaded) == 1
    write_batch(gate.landing, "survey", "2026-11-27", {"responses_2025-Q3.csv": _empty_wave()})
    report = gate.ingest()
    assert [o.batch_id for o in report.quarantined] == ["survey/2026-11-27"]
    (v,) = report.quarantined[0].violations
    assert (v.file, v.rule) == ("responses_2025-Q3.csv", Rule.EMPTY)
    assert v.detail.startswith(
        "wave 2025-Q3 holds no responses here, but 3 of it were loaded before (the latest in batch survey/2026-11-26)"
    )
    assert gate.count("survey_responses") == 3


def test_an_empty_wave_delivered_late_older_than_its_responses_loads_as_history(gate):
    """metrics.md: a wave's latest delivery is its truth, an earlier one history only; a late batch still loads."""
    write_batch(gate.landing, "survey", "2026-11-26", default_files("survey"))  # wave 2025-Q3, 3 responses
    assert len(gate.ingest().loaded) == 1
    write_batch(gate.landing, "survey", "2026-11-20", {"responses_2025-Q3.csv": _empty_wave()})  # arrives late
    assert [o.batch_id for o in gate.ingest().loaded] == ["survey/2026-11-20"], gate.lines
    assert {r["batch_id"]: r["status"] for r in gate.registry()} == {
        "survey/2026-11-20": "loaded",
        "survey/2026-11-26": "loaded",
    }
    assert gate.count("survey_responses") == 3


def test_a_survey_file_names_its_wave_as_the_contract_spells_it_empty_or_not(gate):
    """`2025-q3` is no wave: the file is refused by its name before it loads, whether it holds responses or not."""
    with_rows = {"responses_2025-q3.csv": default_files("survey")["responses_2025-Q3.csv"]}
    write_batch(gate.landing, "survey", "2026-11-25", with_rows)
    write_batch(gate.landing, "survey", "2026-11-26", {"responses_2025-q4.csv": _empty_wave()})
    refused = {o.batch_id: o.violations for o in gate.ingest().quarantined}
    assert {b: [(v.file, v.rule) for v in vs] for b, vs in refused.items()} == {
        "survey/2026-11-25": [("responses_2025-q3.csv", Rule.FILE_NAME)],
        "survey/2026-11-26": [("responses_2025-q4.csv", Rule.FILE_NAME)],
    }


def test_landing_zone_strays_are_reported_and_left_alone(gate):
    (gate.landing / "README.txt").write_text("not a batch")
    (gate.landing / "crm").mkdir()
    (gate.landing / "crm" / "stray.csv").write_text("x")
    (gate.landing / "crm" / ".DS_Store").write_text("x")  # hidden: a file manager's, not a delivery
    report = gate.ingest()
    assert sorted(report.stray) == ["README.txt", "crm/stray.csv"]
    # one system's gate (a Dagster step): what lies in its folder, and what at the top names no system
    assert gate.ingest(systems=["hris"]).stray == ["README.txt"]
    assert (gate.landing / "README.txt").exists()


def test_the_scratch_folder_of_a_killed_gate_is_removed_and_a_running_ones_kept(gate):
    import os
    import subprocess
    import sys

    from pipelines.landing.scratch import PREFIX

    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead = gate.cfg.home / f"{PREFIX}{gone.stdout.strip()}-abc123"  # its process has exited: a killed gate's
    running = gate.cfg.home / f"{PREFIX}{os.getpid()}-def456"  # this process's: a gate running beside
    for folder in (dead, running):
        folder.mkdir(parents=True)
        (folder / "Workers.csv").write_text("half a workbook")
    write_batch(gate.landing, "hris", "2024-01-31", default_files("hris"))
    report = gate.ingest()
    assert [o.batch_id for o in report.loaded] == ["hris/2024-01-31"]
    assert not dead.exists() and running.exists()
    assert f"removed the scratch folder of a gate that was killed: {dead.name}" in gate.lines
    # the batch's own scratch folder is gone with it
    assert [p.name for p in gate.cfg.home.glob(f"{PREFIX}*")] == [running.name]


@pytest.mark.slow
def test_row_number_is_file_order_across_parallel_csv_buffers(gate, tmp_path):
    """~70 MB, multi-line quoted fields: read by several DuckDB threads, row numbers stay in file order."""
    import duckdb

    f = source_file("crm_call")
    path = tmp_path / "Call2_vod__c.csv"
    clean = clean_row("crm_call", 1)
    exprs = [
        f'{CALL_ID_OF_ROW.replace("_row_number", "i")} AS "Id"'
        if c == "Id"
        else f"CASE WHEN i % 7 = 0 THEN 'one ' || i || chr(10) || 'two, \"2\"' || chr(10) ELSE 'v' || i END AS \"{c}\""
        if c == "Detailed_Products_vod__c"
        else f'{sql_literal(clean[c]) if clean[c] else "NULL"} AS "{c}"'
        for c in f.columns
    ]
    with duckdb.connect() as con:
        con.execute(f"COPY (SELECT {', '.join(exprs)} FROM range(1, 400001) t(i)) TO '{path}' (HEADER)")
    files = default_files("crm")
    files["Call2_vod__c.csv"] = path.read_bytes()
    write_batch(gate.landing, "crm", "2026-11-26", files, rows={"Call2_vod__c.csv": 400_000})
    report = gate.ingest()
    assert not report.quarantined, report.quarantined and report.quarantined[0].reason
    assert gate.query(f'SELECT count(*), count(*) FILTER (WHERE "Id" <> {CALL_ID_OF_ROW}) FROM raw.crm_call') == [
        (400_000, 0)
    ]


def test_row_numbers_restart_per_file_after_earlier_batches_and_beside_another_file(gate):
    """`_row_number` is counted from the row ids of the rows one file appended: rows of earlier batches in
    the table, and another file of the same batch appended to it just before, do not shift it."""
    f = source_file("survey_responses")
    extra = [[f"Q {c}" for c in f.columns], ['{"ImportId":"' + c + '"}' for c in f.columns]]

    def wave(wave_id: str, n: int, start: int) -> bytes:
        rows = [
            [wave_id if c == "Wave" else v for c, v in zip(f.columns, row, strict=True)]
            for row in rows_for(f, n, start)
        ]
        return csv_text(f.columns, rows, extra_header_rows=extra)

    write_batch(gate.landing, "survey", "2026-11-25", {"responses_2025-Q3.csv": wave("2025-Q3", 3, 1)})
    write_batch(
        gate.landing,
        "survey",
        "2026-11-26",
        {"responses_2025-Q3.csv": wave("2025-Q3", 4, 11), "responses_2025-Q4.csv": wave("2025-Q4", 2, 21)},
    )
    report = gate.ingest()
    assert not report.quarantined, report.quarantined and report.quarantined[0].reason
    got = gate.query("SELECT _batch_id, _source_file, ResponseId, _row_number FROM raw.survey_responses ORDER BY ALL")
    assert got == [
        ("survey/2026-11-25", "responses_2025-Q3.csv", "Respon-1", 1),
        ("survey/2026-11-25", "responses_2025-Q3.csv", "Respon-2", 2),
        ("survey/2026-11-25", "responses_2025-Q3.csv", "Respon-3", 3),
        ("survey/2026-11-26", "responses_2025-Q3.csv", "Respon-11", 1),
        ("survey/2026-11-26", "responses_2025-Q3.csv", "Respon-12", 2),
        ("survey/2026-11-26", "responses_2025-Q3.csv", "Respon-13", 3),
        ("survey/2026-11-26", "responses_2025-Q3.csv", "Respon-14", 4),
        ("survey/2026-11-26", "responses_2025-Q4.csv", "Respon-21", 1),
        ("survey/2026-11-26", "responses_2025-Q4.csv", "Respon-22", 2),
    ]


def test_crash_after_commit_before_the_archive_move_never_doubles_rows(gate, monkeypatch):
    from pipelines.landing import ingest as ingest_module

    write_batch(gate.landing, "lms", "2026-11-26", default_files("lms"))
    real_move = ingest_module.move_batch

    def crash(*args, **kwargs):
        raise OSError("simulated crash between commit and move")

    monkeypatch.setattr(ingest_module, "move_batch", crash)
    with pytest.raises(OSError, match="simulated crash"):
        gate.ingest()
    assert gate.count("lms_courses") == 3  # committed
    monkeypatch.setattr(ingest_module, "move_batch", real_move)
    report = gate.ingest()  # the folder is still in the landing zone: recognised, archived, not loaded again
    assert [o.batch_id for o in report.archived] == ["lms/2026-11-26"]
    assert not (report.loaded or report.duplicates or report.quarantined)  # no second delivery: nothing to alert
    assert gate.count("lms_courses") == 3
    assert (gate.cfg.archive / "lms" / "2026-11-26" / "courses.csv").is_file()
    assert not (gate.landing / "lms" / "2026-11-26").exists()
    assert [(r["delivery"], r["status"]) for r in gate.registry()] == [(1, "loaded")]
    assert "lms/2026-11-26: loaded as delivery 1 on " in gate.lines[-2] and "archived now" in gate.lines[-2]


def test_a_warehouse_failure_is_a_crash_not_a_quarantine(gate, monkeypatch):
    import duckdb

    write_batch(gate.landing, "lms", "2026-11-26", default_files("lms"))

    def disk_full(*args, **kwargs):
        raise duckdb.IOException("IO Error: could not write file: No space left on device")

    monkeypatch.setattr(loader, "insert_file", disk_full)
    with pytest.raises(duckdb.IOException, match="No space left"):
        gate.ingest()
    assert not gate.cfg.quarantine.exists()
    assert (gate.landing / "lms" / "2026-11-26" / "manifest.json").is_file()


def test_status_lists_a_refused_batch_until_its_corrected_redelivery_loads(gate):

    write_batch(gate.landing, "lms", "2026-11-26", default_files("lms"), rows={"courses.csv": 99})
    assert [o.batch_id for o in gate.ingest().quarantined] == ["lms/2026-11-26"]
    assert "REFUSED lms/2026-11-26: courses.csv" in "\n".join(status_lines(gate.cfg))
    write_batch(gate.landing, "lms", "2026-11-26", default_files("lms"))  # the corrected delivery
    assert [o.batch_id for o in gate.ingest().loaded] == ["lms/2026-11-26"]
    assert "lms/2026-11-26" not in "\n".join(status_lines(gate.cfg))


def test_status_says_how_long_a_batch_has_waited_for_its_manifest_and_what_to_do_when_it_is_stuck(gate):
    import os
    import time

    write_batch(gate.landing, "lms", "2026-11-26", default_files("lms"), manifest=False)  # being copied
    stuck = write_batch(gate.landing, "lms", "2026-11-27", default_files("lms"), manifest=False)
    three_hours_ago = time.time() - 3 * 3600 - 30
    for p in [stuck, *stuck.iterdir()]:
        os.utime(p, (three_hours_ago, three_hours_ago))
    waiting = [x.strip() for x in status_lines(gate.cfg) if "waiting: " in x]
    assert waiting == [
        "waiting: lms/2026-11-26 (no manifest.json; last written 0 h 0 min ago)",
        "waiting: lms/2026-11-27 (no manifest.json; last written 3 h 0 min ago: a copy that stopped, or files that "
        "came after their batch was refused; deliver the whole folder again, manifest.json last)",
    ]


def test_status_names_who_holds_the_warehouse_and_still_says_what_bi_sees(gate):
    import subprocess
    import sys

    write_batch(gate.landing, "lms", "2026-11-26", default_files("lms"))
    gate.ingest()
    hold = "import sys, time, duckdb; c = duckdb.connect(sys.argv[1]); print('held', flush=True); time.sleep(30)"
    analyst = subprocess.Popen([sys.executable, "-c", hold, str(gate.cfg.warehouse)], stdout=subprocess.PIPE, text=True)
    try:
        assert analyst.stdout.readline().strip() == "held"
        lines = status_lines(gate.cfg)
    finally:
        analyst.kill()
        analyst.wait(timeout=10)
    assert lines[-2].startswith(f"warehouse is held by PID {analyst.pid} (python"), lines
    assert lines[-2].endswith("(a run writing it, or a reader); try again when it is done")
    assert lines[-1] == "published nothing yet"


def test_status_says_the_landing_zone_is_missing_as_the_gate_refuses_it(gate):

    gate.landing.rename(gate.landing.with_name("unmounted"))
    (line,) = [x for x in status_lines(gate.cfg) if x.startswith("landing ")]
    assert line == (
        f"landing   {gate.landing}  MISSING: the landing zone {gate.landing} does not exist (or is no folder): "
        "set COACHWH_LANDING (default $COACHWH_HOME/landing) to the folder the systems deliver into, or mount it"
    )


def test_status_names_what_lies_outside_every_batch_folder(gate):

    (gate.landing / "CRM" / "2026-11-26").mkdir(parents=True)
    lines = status_lines(gate.cfg)
    assert "stray     'CRM' is no <system>/<YYYY-MM-DD>/ batch folder, so nothing in it is loaded" in "\n".join(lines)


def test_status_names_an_extract_dated_in_the_future(gate):
    from datetime import date

    write_batch(gate.landing, "lms", "2099-01-01", default_files("lms"))
    assert [o.batch_id for o in gate.ingest().loaded] == ["lms/2099-01-01"]  # loads: time comes from the data
    text = "\n".join(status_lines(gate.cfg, today=date(2026, 12, 5)))
    assert "FUTURE: lms latest extract 2099-01-01 is dated after today (2026-12-05, UTC)" in text, text
    assert "LATE" not in text and "STALE" not in text, text


def test_a_lost_warehouse_is_not_rebuilt_from_the_new_batches_alone(gate):
    """warehouse.duckdb deleted between nights: the next gate refuses, rather than start an empty warehouse whose
    marts (one night of deltas) would be published over the full ones; moving the archive back rebuilds it."""
    write_batch(gate.landing, "lms", "2026-11-26", default_files("lms"))
    gate.ingest()
    gate.cfg.warehouse.unlink()
    write_batch(gate.landing, "lms", "2026-11-27", default_files("lms"))
    with pytest.raises(WarehouseMissing, match="archive"):
        gate.ingest()
    assert not gate.cfg.warehouse.exists() and (gate.landing / "lms" / "2026-11-27").exists()
    assert "warehouse MISSING: " in "\n".join(status_lines(gate.cfg))

    (gate.cfg.archive / "lms" / "2026-11-26").rename(gate.landing / "lms" / "2026-11-26")
    report = gate.ingest()
    assert [o.batch_id for o in report.loaded] == ["lms/2026-11-26", "lms/2026-11-27"]


def test_a_damaged_warehouse_is_named_with_the_way_back_not_a_traceback(gate):
    write_batch(gate.landing, "lms", "2026-11-26", default_files("lms"))
    gate.ingest()
    size = gate.cfg.warehouse.stat().st_size
    with open(gate.cfg.warehouse, "r+b") as f:  # a disk that lost the file's end
        f.truncate(size // 2)
    text = "\n".join(status_lines(gate.cfg))
    assert "warehouse DAMAGED: IO Error: Could not read enough bytes from file" in text, text
    assert text.count("A lost or damaged warehouse") == 1, text
    gate.cfg.warehouse.write_bytes(b"overwritten by something else" * 100)
    with pytest.raises(FileUnreadable, match="not a valid DuckDB database file.*A lost or damaged warehouse"):
        gate.ingest()
