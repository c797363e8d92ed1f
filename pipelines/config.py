"""Paths and settings from the environment, in one place, read once.

COACHWH_HOME                 the landing zone, archive, quarantine, DuckDB files, publications and run history
                             (default: ./data, resolved to an absolute path when read)
COACHWH_LANDING              where the systems drop their nightly batches (default $COACHWH_HOME/landing)
COACHWH_KEEP_PUBLICATIONS    earlier publications kept beside the current one, for rollback (default 7)
COACHWH_STALE_AFTER_DAYS     a nightly system whose latest extract is this many days behind the newest
                             system's gets a freshness warning (default 2)
COACHWH_SURVEY_STALE_AFTER_DAYS  the same for the survey, which delivers once per wave (default 100)
COACHWH_ALERT_WEBHOOK        URL that receives a JSON alert when a night goes wrong (optional)
COACHWH_ALERT_COMMAND        shell command run with the same JSON on stdin (optional)
COACHWH_ANONYMITY_THRESHOLD  a team's survey scores are published only from this many finished responses (unset:
                             the dbt project's default, 5; set: `coachwh run` passes it to dbt as `anonymity_threshold`)

`settings()` reads the environment now (not at import), so tests and the CLI can point it elsewhere. Dagster
assets receive the same values as the `CoachwhConfig` resource (`pipelines.defs.resources`), built once
from `settings()` when the definitions load; nothing writes the environment at run time. (This module does
not import Dagster, so `coachwh generate` stays quick.) dbt reads `COACHWH_HOME` through
`dbt_project/profiles.yml`; `coachwh` resolves that variable to an absolute path once, when it starts.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

from pipelines.errors import CommandError

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_project"
SURVEY = "survey"
# Where dbt builds the models (`coachwh run --engine`): the DuckDB warehouse, or Spark (pipelines/spark).
ENGINES = ("duckdb", "spark")


def beside_python(command: str, bin_dir: Path = Path(sys.executable).parent) -> Path | None:
    """A command installed beside this Python (the venv's bin), so that it runs without the venv on PATH (tests,
    cron, a line an operator pastes); None when there is none."""
    path = bin_dir / command
    return path if path.exists() else None


def dbt_executable(bin_dir: Path = Path(sys.executable).parent) -> Path:
    """The dbt that builds and `coachwh docs` run, beside this Python. `coachwh-dbt` (pipelines/dbt_launcher.py)
    is dbt that exits without its last garbage collection; an install made before it existed runs dbt itself
    until `make setup` runs again."""
    return beside_python("coachwh-dbt", bin_dir) or bin_dir / "dbt"


class ConfigError(CommandError, ValueError):
    """A setting from the environment that cannot be used as it is."""


@dataclass(frozen=True)
class Settings:
    home: Path
    landing: Path
    keep_publications: int = 7
    stale_after_days: int = 2
    survey_stale_after_days: int = 100
    alert_webhook: str | None = None
    alert_command: str | None = None
    anonymity_threshold: int | None = None  # None: dbt_project.yml's default (metrics.md: "default 5, configurable")

    @property
    def archive(self) -> Path:
        return self.home / "archive"

    @property
    def quarantine(self) -> Path:
        return self.home / "quarantine"

    def in_home(self, stored: str | None) -> Path:
        """A batch folder the registry recorded (`stored_at`: <home>/archive|quarantine/<system>/<folder>, absolute),
        in this home. A home copied, moved or restored to another path then acts on its own files, never on those
        of the home it came from; any other path is taken as it is."""
        path = Path(stored or "")
        parts = path.parts
        if len(parts) >= 3 and parts[-3] in (self.archive.name, self.quarantine.name):
            return self.home.joinpath(*parts[-3:])
        return path

    @property
    def warehouse(self) -> Path:
        """The DuckDB file the nightly job writes. Only the pipeline opens it."""
        return self.home / "warehouse.duckdb"

    @property
    def published(self) -> Path:
        """The read-only copy of the marts that BI tools open; replaced atomically after each build."""
        return self.home / "coachwh_marts.duckdb"

    @property
    def publications(self) -> Path:
        """Earlier publications (one DuckDB file each), for `coachwh rollback`."""
        return self.home / "publications"

    @property
    def run_lock(self) -> Path:
        """Held by `coachwh run` (and `coachwh docs`) while it uses the warehouse: one at a time."""
        return self.home / ".run.lock"

    @property
    def dagster_home(self) -> Path:
        """$DAGSTER_HOME when set, else $COACHWH_HOME/dagster: the run history the UI reads."""
        return Path(os.environ.get("DAGSTER_HOME") or self.home / "dagster").resolve()

    @property
    def report_dir(self) -> Path:
        """Where the report page (index.html) is written after each publication."""
        return self.home / "report"

    def stale_after(self, system: str) -> int:
        return self.survey_stale_after_days if system == SURVEY else self.stale_after_days

    def dbt_vars(self) -> dict[str, object]:
        """The dbt variables these settings set (none unless configured, so that the parse `coachwh prepare` made at
        setup, which dbt reuses only under the same variables, still serves)."""
        if self.anonymity_threshold is None:
            return {}
        return {"anonymity_threshold": self.anonymity_threshold}


def _int_env(name: str, default: int | None, minimum: int = 0) -> int | None:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name}={raw!r} is not a whole number") from None
    if value < minimum:
        raise ConfigError(f"{name}={value} must be at least {minimum}")
    return value


def settings() -> Settings:
    """Read the environment now (not at import), so tests and the CLI can point it elsewhere."""
    home = Path(os.environ.get("COACHWH_HOME") or "data").resolve()
    landing = Path(os.environ.get("COACHWH_LANDING") or home / "landing").resolve()
    return Settings(
        home=home,
        landing=landing,
        keep_publications=_int_env("COACHWH_KEEP_PUBLICATIONS", 7),
        stale_after_days=_int_env("COACHWH_STALE_AFTER_DAYS", 2, minimum=1),
        survey_stale_after_days=_int_env("COACHWH_SURVEY_STALE_AFTER_DAYS", 100, minimum=1),
        alert_webhook=os.environ.get("COACHWH_ALERT_WEBHOOK") or None,
        alert_command=os.environ.get("COACHWH_ALERT_COMMAND") or None,
        anonymity_threshold=_int_env("COACHWH_ANONYMITY_THRESHOLD", None, minimum=1),
    )
