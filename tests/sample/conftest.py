"""One small landing zone per test session (plus a second run and an xlsx run), generated in a temp folder."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from pipelines.sample import generate


@pytest.fixture(scope="session")
def landing(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("landing")
    generate(out)  # the defaults: small profile, seed 7, history until 2026-10-31, 5 nights
    return out


@pytest.fixture(scope="session")
def landing_again(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("landing_again")
    generate(out)
    return out


@pytest.fixture(scope="session")
def landing_xlsx(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("landing_xlsx")
    generate(out, hr_format="xlsx")
    return out


def batches(root: Path, system: str) -> list[Path]:
    return sorted(p for p in (root / system).iterdir() if p.is_dir())


def read_csv(path: Path, header_rows: int = 1) -> tuple[list[str], list[dict]]:
    """Header (first row) and records as dicts; a BOM is allowed; survey files have three header rows."""
    with open(path, encoding="utf-8-sig", newline="") as f:
        reader = csv.reader(f)
        rows = list(reader)
    header = rows[0]
    return header, [dict(zip(header, r, strict=True)) for r in rows[header_rows:]]


def manifest(batch: Path) -> dict:
    return json.loads((batch / "manifest.json").read_text())
