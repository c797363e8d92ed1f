"""Deliver a generated landing zone's batches late, as a test that builds night by night needs them."""

from __future__ import annotations

import shutil
from pathlib import Path


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
