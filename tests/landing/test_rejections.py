"""Every way a batch breaks the contract: refused whole, nothing loaded, the reason names file and place."""

from __future__ import annotations

import hashlib
import json

import pytest

from pipelines.landing.errors import Rule
from pipelines.sources import source_file
from tests.landing.kit import csv_text, default_files, rows_for, write_batch

USER = source_file("crm_user")
CALL = source_file("crm_call")


def _with(system: str, name: str, data: bytes) -> dict[str, bytes]:
    files = default_files(system)
    files[name] = data
    return files


def _user_csv_with(line_fix) -> bytes:
    """User.csv whose second record spans two lines, then `line_fix` edits the text."""
    rows = rows_for(USER, 4)
    rows[1][USER.columns.index("Title")] = "Rep,\nSenior"
    return line_fix(csv_text(USER.columns, rows))


def _assert_refused(gate, report, batch_id, *, file, rule, line=None, row=None, column=None, text=None):
    assert [o.batch_id for o in report.quarantined] == [batch_id], gate.lines
    assert not report.loaded
    assert gate.total_raw_rows() == 0
    outcome = report.quarantined[0]
    hit = [v for v in outcome.violations if v.rule == rule]
    assert hit, outcome.violations
    v = hit[0]
    assert v.file == file
    assert (v.line, v.row, v.column) == (line, row, column) or (line, row, column) == (None, None, None)
    if text:
        assert text in v.detail, v.detail
    system, day = batch_id.split("/")
    rejected = (gate.cfg.quarantine / system / day / "REJECTED.md").read_text()
    assert rule in rejected and (file or "(batch folder)") in rejected
    if line is not None:
        assert f"line {line}" in rejected
    if row is not None:
        assert f"row {row}" in rejected
    reg = [r for r in gate.registry() if r["batch_id"] == batch_id]
    assert [r["status"] for r in reg] == ["quarantined"] and file in reg[0]["reason"]
    assert not (gate.landing / system / day).exists()
    return v


def test_missing_and_unexpected_header_columns_are_named(gate):
    cols = list(USER.columns)
    cols[cols.index("Email")] = "E-mail"
    write_batch(gate.landing, "crm", "2026-11-26", _with("crm", "User.csv", csv_text(cols, rows_for(USER, 2))))
    v = _assert_refused(gate, gate.ingest(), "crm/2026-11-26", file="User.csv", rule=Rule.HEADER, line=1)
    assert "missing column(s) 'Email'" in v.detail and "unexpected column(s) 'E-mail'" in v.detail


def test_a_header_naming_a_column_twice_is_refused(gate):
    cols = [*USER.columns[:-1], USER.columns[0]]  # Id twice, SystemModstamp missing
    write_batch(gate.landing, "crm", "2026-11-26", _with("crm", "User.csv", csv_text(cols, rows_for(USER, 2))))
    v = _assert_refused(gate, gate.ingest(), "crm/2026-11-26", file="User.csv", rule=Rule.HEADER, line=1)
    assert v.detail == "missing column(s) 'SystemModstamp'"
    cols = [*USER.columns, USER.columns[0]]  # every column, and Id again
    write_batch(gate.landing, "crm", "2026-11-27", _with("crm", "User.csv", csv_text(cols, rows_for(USER, 2))))
    report = gate.ingest()
    v = next(v for v in report.quarantined[0].violations if v.rule == Rule.HEADER)
    assert v.detail == "repeated column(s) 'Id'"


def test_a_value_in_a_file_with_its_columns_in_another_order_is_named_by_its_own_column(gate):
    cols = list(reversed(USER.columns))
    rows = [list(reversed(r)) for r in rows_for(USER, 4)]
    rows[3][cols.index("LastName")] = "LastNa-\x004"
    write_batch(gate.landing, "crm", "2026-11-26", _with("crm", "User.csv", csv_text(cols, rows)))
    _assert_refused(
        gate, gate.ingest(), "crm/2026-11-26", file="User.csv", rule=Rule.NUL, line=5, row=4, column="LastName"
    )


def test_row_with_wrong_number_of_fields_gives_line_and_row(gate):
    # records: header (line 1), row 1 (line 2), row 2 (lines 3-4), row 3 (line 5) loses a field
    data = _user_csv_with(lambda b: b.replace(b"Title-3,", b"", 1))
    write_batch(gate.landing, "crm", "2026-11-26", _with("crm", "User.csv", data))
    _assert_refused(
        gate,
        gate.ingest(),
        "crm/2026-11-26",
        file="User.csv",
        rule=Rule.FIELD_COUNT,
        line=5,
        row=3,
        text="11 field(s), expected 12",
    )


def test_invalid_utf8_gives_line_row_and_column(gate):
    data = _user_csv_with(lambda b: b.replace(b"LastNa-4", b"LastNa-\xff4", 1))
    write_batch(gate.landing, "crm", "2026-11-26", _with("crm", "User.csv", data), rows={"User.csv": 4})
    _assert_refused(
        gate,
        gate.ingest(),
        "crm/2026-11-26",
        file="User.csv",
        rule=Rule.ENCODING,
        line=6,
        row=4,
        column="LastName",
        text="0xff",
    )


def test_a_nul_byte_gives_line_row_and_column(gate):
    # valid UTF-8, and DuckDB loads it: the gate's scan of the bytes finds it
    data = _user_csv_with(lambda b: b.replace(b"LastNa-4", b"LastNa-\x004", 1))
    write_batch(gate.landing, "crm", "2026-11-26", _with("crm", "User.csv", data), rows={"User.csv": 4})
    v = _assert_refused(
        gate, gate.ingest(), "crm/2026-11-26", file="User.csv", rule=Rule.NUL, line=6, row=4, column="LastName"
    )
    at = data.index(b"\x00") + 1
    assert f"at byte {at:,} of the file" in v.detail


def test_a_tail_of_nul_bytes_is_named_beside_what_duckdb_refused(gate):
    # what a copy cut short often leaves: the file's size reserved, its end never written
    data = _user_csv_with(lambda b: b) + b"\x00" * 4096
    write_batch(gate.landing, "crm", "2026-11-26", _with("crm", "User.csv", data), rows={"User.csv": 4})
    report = gate.ingest()
    v = _assert_refused(gate, report, "crm/2026-11-26", file="User.csv", rule=Rule.NUL, line=7, row=5, column=None)
    assert f"at byte {len(data) - 4096 + 1:,} of the file" in v.detail
    # and the record it makes, one field where twelve belong, as DuckDB's reader refused it
    assert [w.rule for w in report.quarantined[0].violations] == [Rule.NUL, Rule.FIELD_COUNT]


def test_truncated_file_inside_a_quoted_field(gate):
    rows = rows_for(CALL, 3)
    rows[2][CALL.columns.index("Detailed_Products_vod__c")] = "A;B\nC"
    data = csv_text(CALL.columns, rows)
    data = data[: data.index(b"A;B") + 3]  # cut off in the middle of the quoted field
    write_batch(
        gate.landing,
        "crm",
        "2026-11-26",
        _with("crm", "Call2_vod__c.csv", data),
        rows={"Call2_vod__c.csv": 3},
    )
    _assert_refused(
        gate,
        gate.ingest(),
        "crm/2026-11-26",
        file="Call2_vod__c.csv",
        rule=Rule.UNREADABLE,
        line=4,
        row=3,
        text="ends inside a quoted field",
    )


def test_truncated_in_transit_fails_its_checksum(gate):
    folder = write_batch(gate.landing, "lms", "2026-11-26", default_files("lms", rows=5))
    path = folder / "transcripts.csv"
    path.write_bytes(path.read_bytes()[:-40])
    report = gate.ingest()
    _assert_refused(
        gate, report, "lms/2026-11-26", file="transcripts.csv", rule=Rule.CHECKSUM, text="manifest.json says"
    )


def test_manifest_row_count_mismatch_names_expected_and_found(gate):
    write_batch(gate.landing, "lms", "2026-11-26", default_files("lms", rows=5), rows={"courses.csv": 6})
    _assert_refused(
        gate,
        gate.ingest(),
        "lms/2026-11-26",
        file="courses.csv",
        rule=Rule.ROW_COUNT,
        text="manifest.json says 6 rows, found 5 (data records: header rows and blank lines are not counted",
    )


def test_empty_snapshot_after_rows_is_refused_and_a_first_one_loads_with_a_warning(gate):
    """A snapshot file without rows would empty what it is the truth of, which staging (it reads a snapshot's truth
    from its rows) cannot do: refused after rows. Where there is nothing to replace (a single-currency org's rates,
    a first delivery) it loads, and the gate says so."""
    empty = csv_text(source_file("crm_dated_conversion_rate").columns, [])
    write_batch(gate.landing, "crm", "2026-11-25", _with("crm", "DatedConversionRate.csv", empty))
    report = gate.ingest()
    assert [o.batch_id for o in report.loaded] == ["crm/2026-11-25"], gate.lines
    assert report.loaded[0].warnings == ["crm_dated_conversion_rate: DatedConversionRate.csv holds no rows"]
    write_batch(gate.landing, "lms", "2026-11-25", default_files("lms"))
    assert len(gate.ingest().loaded) == 1
    files = _with("lms", "courses.csv", csv_text(source_file("lms_courses").columns, []))
    write_batch(gate.landing, "lms", "2026-11-26", files)
    report = gate.ingest()
    assert [o.batch_id for o in report.quarantined] == ["lms/2026-11-26"] and not report.loaded
    (v,) = report.quarantined[0].violations
    assert (v.file, v.rule) == ("courses.csv", Rule.EMPTY)
    assert v.detail.startswith(
        "a snapshot without rows, after 3 rows of lms_courses loaded before (the latest in batch lms/2026-11-25)"
    )
    assert gate.query("SELECT DISTINCT _batch_id FROM raw.lms_courses") == [("lms/2026-11-25",)]


def test_zero_byte_file_is_unreadable(gate):
    write_batch(gate.landing, "lms", "2026-11-26", _with("lms", "transcripts.csv", b""), rows={"transcripts.csv": 0})
    _assert_refused(
        gate,
        gate.ingest(),
        "lms/2026-11-26",
        file="transcripts.csv",
        rule=Rule.UNREADABLE,
        text="no header row",
    )


def test_file_named_in_manifest_but_missing(gate):
    folder = write_batch(gate.landing, "lms", "2026-11-26", default_files("lms"))
    (folder / "courses.csv").unlink()
    _assert_refused(gate, gate.ingest(), "lms/2026-11-26", file="courses.csv", rule=Rule.MISSING_FILE)


def test_unexpected_file_in_batch(gate):
    folder = write_batch(gate.landing, "lms", "2026-11-26", default_files("lms"))
    (folder / "notes.txt").write_text("hello")
    _assert_refused(gate, gate.ingest(), "lms/2026-11-26", file="notes.txt", rule=Rule.UNEXPECTED_FILE)


def test_a_file_named_in_the_manifest_but_not_in_the_contract_lists_the_contracts_files(gate):
    files = default_files("lms")
    files["notes.csv"] = files["courses.csv"]
    write_batch(gate.landing, "lms", "2026-11-26", files, rows={"notes.csv": 3})
    v = _assert_refused(gate, gate.ingest(), "lms/2026-11-26", file="notes.csv", rule=Rule.UNEXPECTED_FILE)
    assert v.detail == "not a file of the lms contract (its files: courses.csv, transcripts.csv)"


def test_a_manifest_entry_that_is_no_object(gate):
    folder = write_batch(gate.landing, "lms", "2026-11-26", default_files("lms"))
    doc = json.loads((folder / "manifest.json").read_text())
    doc["files"]["courses.csv"] = None
    (folder / "manifest.json").write_text(json.dumps(doc))
    v = _assert_refused(gate, gate.ingest(), "lms/2026-11-26", file="manifest.json", rule=Rule.MANIFEST)
    assert v.detail == "files.courses.csv must be an object {rows, sha256}, found null"


def test_file_type_missing_from_batch(gate):
    files = default_files("lms")
    del files["courses.csv"]
    write_batch(gate.landing, "lms", "2026-11-26", files)
    _assert_refused(gate, gate.ingest(), "lms/2026-11-26", file="", rule=Rule.MISSING_FILE_TYPE, text="courses.csv")


def test_manifest_disagreeing_with_its_folder(gate):
    files = default_files("lms")
    entries = {n: {"rows": 3, "sha256": hashlib.sha256(d).hexdigest()} for n, d in files.items()}
    doc = {"system": "crm", "extract_date": "2026-11-25", "files": entries}
    write_batch(gate.landing, "lms", "2026-11-26", files, manifest_doc=doc)
    report = gate.ingest()
    v = _assert_refused(gate, report, "lms/2026-11-26", file="manifest.json", rule=Rule.MANIFEST_MISMATCH)
    assert "'crm'" in v.detail
    assert "2026-11-25" in report.quarantined[0].reason


def test_unreadable_manifest(gate):
    """A manifest that is no JSON is waited for while it may still be being written (a stalled copy writes it in
    more than one go), and refused as unreadable once it has stayed so for MANIFEST_SETTLE_SECONDS."""
    import os
    import time

    from pipelines.landing.zone import MANIFEST_SETTLE_SECONDS

    folder = write_batch(gate.landing, "lms", "2026-11-26", default_files("lms"), manifest=False)
    manifest = folder / "manifest.json"
    manifest.write_text('{"system": "lms", ')
    report = gate.ingest()
    assert not report.loaded and not report.quarantined and folder.is_dir()  # still being copied: nothing moves
    assert [o.reason for o in report.waiting] == ["manifest.json not complete yet"]  # not "no manifest.json"
    assert "manifest.json is being written" in gate.status()
    settled = time.time() - MANIFEST_SETTLE_SECONDS - 1
    os.utime(manifest, (settled, settled))
    _assert_refused(
        gate, gate.ingest(), "lms/2026-11-26", file="manifest.json", rule=Rule.MANIFEST, text="not valid JSON"
    )


def test_an_unreadable_manifest_dated_ahead_of_the_clock_is_refused_not_waited_for_until_then(gate):
    """Helper Q: a half-written manifest dated in 2099 (a file server's clock, a copy that kept a bogus time) was
    waited for, with no alert, until 2099. Within MANIFEST_SETTLE_SECONDS of skew it is still waited for."""
    import os
    import time

    from pipelines.landing.zone import MANIFEST_SETTLE_SECONDS

    folder = write_batch(gate.landing, "lms", "2026-11-26", default_files("lms"), manifest=False)
    manifest = folder / "manifest.json"
    manifest.write_text('{"system": "lms", ')
    ahead = time.time() + MANIFEST_SETTLE_SECONDS / 2
    os.utime(manifest, (ahead, ahead))
    assert not gate.ingest().quarantined and folder.is_dir()  # a clock a little ahead: still waited for
    far = time.time() + 80 * 365 * 86400
    os.utime(manifest, (far, far))
    _assert_refused(
        gate, gate.ingest(), "lms/2026-11-26", file="manifest.json", rule=Rule.MANIFEST, text="not valid JSON"
    )


def test_a_manifest_whose_copy_ends_late_loads_its_batch(gate):
    """An empty manifest.json first (the copy stalled), its contents a minute later: the batch waits, then loads."""
    folder = write_batch(gate.landing, "lms", "2026-11-26", default_files("lms"))
    manifest = folder / "manifest.json"
    whole = manifest.read_bytes()
    manifest.write_bytes(b"")
    assert not gate.ingest().quarantined
    manifest.write_bytes(whole)
    assert [o.batch_id for o in gate.ingest().loaded] == ["lms/2026-11-26"]


def test_folder_name_that_is_no_date(gate):
    files = default_files("lms")
    entries = {n: {"rows": 3, "sha256": hashlib.sha256(d).hexdigest()} for n, d in files.items()}
    write_batch(
        gate.landing,
        "lms",
        "latest",
        files,
        manifest_doc={"system": "lms", "extract_date": "2026-11-26", "files": entries},
    )
    _assert_refused(gate, gate.ingest(), "lms/latest", file="", rule=Rule.FOLDER)


def test_qualtrics_file_without_its_extra_header_rows(gate):
    f = source_file("survey_responses")
    files = {"responses_2025-Q3.csv": csv_text(f.columns, rows_for(f, 5))}
    write_batch(gate.landing, "survey", "2026-11-26", files, rows={"responses_2025-Q3.csv": 5})
    _assert_refused(
        gate,
        gate.ingest(),
        "survey/2026-11-26",
        file="responses_2025-Q3.csv",
        rule=Rule.HEADER,
        text="ImportId",
    )


def test_a_bad_file_refuses_the_whole_batch_and_the_next_delivery_loads(gate):
    files = default_files("crm")
    bad = dict(files)
    bad["Opportunity.csv"] = bad["Opportunity.csv"].replace(b"Name-2,", b"", 1)
    assert bad["Opportunity.csv"] != files["Opportunity.csv"]
    write_batch(gate.landing, "crm", "2026-11-26", bad)
    report = gate.ingest()
    assert report.quarantined and gate.total_raw_rows() == 0  # User.csv etc. loaded first, then rolled back

    write_batch(gate.landing, "crm", "2026-11-26", files)
    report = gate.ingest()
    assert [o.batch_id for o in report.loaded] == ["crm/2026-11-26"]
    assert [(r["delivery"], r["status"]) for r in gate.registry()] == [(1, "quarantined"), (2, "loaded")]
    # a second bad delivery never overwrites the first quarantined folder
    write_batch(gate.landing, "crm", "2026-11-27", bad)
    gate.ingest()
    write_batch(gate.landing, "crm", "2026-11-27", bad)
    gate.ingest()
    assert (gate.cfg.quarantine / "crm" / "2026-11-27").is_dir()
    assert (gate.cfg.quarantine / "crm" / "2026-11-27.2" / "REJECTED.md").is_file()


@pytest.mark.parametrize("system", ["crm", "hris", "lms", "survey"])
def test_cli_style_report_is_truthy_only_when_quarantined(gate, system, monkeypatch):
    from pipelines.cli import main

    monkeypatch.setenv("COACHWH_HOME", str(gate.cfg.home))
    monkeypatch.setenv("COACHWH_LANDING", str(gate.landing))
    write_batch(gate.landing, system, "2026-11-26", default_files(system))
    assert main(["ingest"]) == 0  # a clean batch: exit 0, nothing quarantined
    assert [r["status"] for r in gate.registry()] == ["loaded"]
    assert json.loads(gate.registry()[0]["files"])  # files with checksums and rows

    files = default_files(system, start=10)
    name = sorted(files)[-1]
    files[name] = files[name][:-1] + b",extra\n"  # one field too many on the last record
    write_batch(gate.landing, system, "2026-11-27", files)
    assert main(["ingest"]) == 1  # a refused batch: exit 1, and it is in the quarantine
    assert (gate.cfg.quarantine / system / "2026-11-27" / "REJECTED.md").is_file()
    assert [r["status"] for r in gate.registry()] == ["loaded", "quarantined"]


def test_a_file_managers_hidden_files_in_a_batch_folder_are_ignored(gate):
    folder = write_batch(gate.landing, "lms", "2026-11-26", default_files("lms"))
    (folder / ".DS_Store").write_bytes(b"\x00\x00\x00\x01Bud1")
    (folder / "Thumbs.db").write_bytes(b"\xd0\xcf\x11\xe0")
    report = gate.ingest()
    assert [o.batch_id for o in report.loaded] == ["lms/2026-11-26"]


def test_a_required_value_of_spaces_only_is_refused_at_the_gate(gate):
    transcripts = source_file("lms_transcripts")
    rows = rows_for(transcripts, 3)
    rows[1][transcripts.columns.index("User ID")] = "   "  # staging reads it as empty: dbt's not-null would fail
    files = default_files("lms")
    files["transcripts.csv"] = csv_text(transcripts.columns, rows)
    write_batch(gate.landing, "lms", "2026-11-26", files)
    _assert_refused(
        gate, gate.ingest(), "lms/2026-11-26", file="transcripts.csv", rule=Rule.CONTRACT, row=2, column="User ID"
    )
