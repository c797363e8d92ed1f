"""`coachwh replay DATE --into DIR`: the marts as of a past extract date, rebuilt in a new home from the archive.

On the small sample: the history night is built and published, the next night too; then the history night
is replayed into a new home and built there. Its published marts must be the history night's publication
row for row (time comes from the data, and the publication stores rows in grain order), and the original
home must be untouched by the replay.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from pipelines import publication as pub
from tests.delivery import coachwh, deliver, hold_back, published

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def two_nights(tmp_path_factory) -> tuple[Path, str, pub.Publication]:
    home = tmp_path_factory.mktemp("replay") / "home"
    home.mkdir()
    coachwh(home, "generate", "--profile", "small", "--days", "1")
    landing = home / "landing"
    history, night = sorted(p.name for p in (landing / "crm").iterdir())
    held = hold_back(landing, home.parent / "held", night)
    coachwh(home, "run")
    deliver(held, landing)
    coachwh(home, "run")
    kept = pub.list_publications(home / "coachwh_marts.duckdb", home / "publications")
    first = next(p for p in kept if not p.current)
    assert first.as_of_date.isoformat() == history
    return home, history, first


def test_a_replay_of_the_history_night_publishes_that_nights_marts_row_for_row(two_nights, tmp_path):
    home, history, first = two_nights
    archive_before = sorted(p.relative_to(home) for p in (home / "archive").rglob("*"))
    replay = tmp_path / "replay"

    out = coachwh(home, "replay", history, "--into", str(replay))
    command = out.split(" there with:\n", 1)[1].strip()
    assert f"COACHWH_HOME={replay} COACHWH_LANDING={replay / 'landing'} " in command
    copied = sorted(f"{s.name}/{b.name}" for s in (replay / "landing").iterdir() for b in s.iterdir())
    assert copied == sorted(f"{s}/{history}" for s in ("crm", "hris", "lms", "survey"))
    assert sorted(p.relative_to(home) for p in (home / "archive").rglob("*")) == archive_before

    # the printed line as an operator pastes it: another folder, a shell with the production home set, no venv on PATH
    production = {"COACHWH_HOME": str(home), "DAGSTER_HOME": str(home / "dagster"), "PATH": "/usr/bin:/bin"}
    done = subprocess.run(command, shell=True, cwd=tmp_path, env=production, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-4000:]
    replayed = published(replay / "coachwh_marts.duckdb")
    assert replayed == published(first.path)  # the same tables, columns, types and rows, in the same order
    assert sum(len(rows) for _, rows in replayed.values()) > 1000


def test_a_replay_refuses_a_used_folder_a_date_before_any_load_and_a_lost_archive(two_nights, tmp_path):
    home, history, _ = two_nights
    used = tmp_path / "used"
    used.mkdir()
    (used / "something").write_text("kept")
    err = coachwh(home, "replay", history, "--into", str(used), expect=2)
    assert f"coachwh replay: {used} is not empty: a replay starts a new home" in err
    err = coachwh(home, "replay", "2020-01-01", "--into", str(tmp_path / "new"), expect=2)
    assert "no batch loaded with an extract date up to 2020-01-01" in err
    archived = home / "archive" / "lms" / history
    archived.rename(archived.with_name("moved"))
    try:
        err = coachwh(home, "replay", history, "--into", str(tmp_path / "new"), expect=2)
    finally:
        archived.with_name("moved").rename(archived)
    assert f"archived deliveries are missing: lms/{history} ({archived})" in err
    assert not (tmp_path / "new").exists()  # nothing copied before the refusal
