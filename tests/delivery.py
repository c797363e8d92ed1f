"""Build a home night by night as an operator would: deliver a generated landing zone's batches late, run
`coachwh` in a subprocess, read what it published."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb

BIN = Path(sys.executable).parent


def hold_back(landing: Path, held: Path, extract_date: str) -> Path:
    """Move every system's batch of `extract_date` out of the landing zone; the folder to deliver it from."""
    for system_dir in landing.iterdir():
        if (system_dir / extract_date).exists():
            (held / extract_date / system_dir.name).mkdir(parents=True)
            shutil.move(system_dir / extract_date, held / extract_date / system_dir.name / extract_date)
    return held / extract_date


def deliver(batches: Path, landing: Path) -> None:
    """Put batches held back by `hold_back` into the landing zone, where the next run finds them."""
    for system_dir in batches.iterdir():
        for batch in system_dir.iterdir():
            shutil.move(batch, landing / system_dir.name / batch.name)


def coachwh(home: Path, *args: str, expect: int = 0) -> str:
    """`coachwh ARGS` in a subprocess on `home` (its own landing zone and Dagster instance), as an operator runs
    it; its output, once its exit code is `expect`."""
    env = {**os.environ, "COACHWH_HOME": str(home), "COACHWH_LANDING": str(home / "landing")}
    env.pop("DAGSTER_HOME", None)
    done = subprocess.run([str(BIN / "coachwh"), *args], env=env, capture_output=True, text=True, timeout=3600)
    assert done.returncode == expect, f"coachwh {' '.join(args)}:\n{done.stdout[-4000:]}\n{done.stderr[-4000:]}"
    return done.stdout + done.stderr


def published(path: Path) -> dict[str, tuple[list[tuple[str, str]], list[tuple]]]:
    """Every mart of the published file: its (column, type) list and its rows, in the file's order.
    (marts.publication describes the publication itself: its run id and time differ from run to run by design.)"""
    with duckdb.connect(str(path), read_only=True) as con:
        tables = [
            r[0]
            for r in con.execute(
                "select table_name from information_schema.tables where table_schema = 'marts' "
                "and table_name <> 'publication' order by 1"
            ).fetchall()
        ]
        return {
            t: (
                [(r[0], r[1]) for r in con.execute(f'describe marts."{t}"').fetchall()],
                con.execute(f'select * from marts."{t}"').fetchall(),
            )
            for t in tables
        }
