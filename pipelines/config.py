"""Paths and settings from the environment, in one place.

COACHWH_HOME     holds the landing zone, the archive, the quarantine and the DuckDB files (default ./data)
COACHWH_LANDING  where the customer's systems drop their nightly batches (default $COACHWH_HOME/landing)
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_project"


@dataclass(frozen=True)
class Settings:
    home: Path
    landing: Path

    @property
    def archive(self) -> Path:
        return self.home / "archive"

    @property
    def quarantine(self) -> Path:
        return self.home / "quarantine"

    @property
    def warehouse(self) -> Path:
        """The DuckDB file the nightly job writes. Only the pipeline opens it."""
        return self.home / "warehouse.duckdb"

    @property
    def published(self) -> Path:
        """The read-only copy of the marts that BI tools open; replaced atomically after each build."""
        return self.home / "coachwh_marts.duckdb"


def settings() -> Settings:
    """Read the environment now (not at import), so tests and the CLI can point it elsewhere."""
    home = Path(os.environ.get("COACHWH_HOME", "data")).resolve()
    landing = Path(os.environ.get("COACHWH_LANDING", home / "landing")).resolve()
    return Settings(home=home, landing=landing)
