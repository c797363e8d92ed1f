"""The settings of `pipelines.config` as a Dagster resource, shared by every area of `defs/`."""

from __future__ import annotations

import os
from pathlib import Path

import dagster as dg

from pipelines.config import ConfigError, Settings

RESOURCE_KEY = "coachwh"
WEBHOOK_ENV = "COACHWH_ALERT_WEBHOOK"


class CoachwhConfig(dg.ConfigurableResource):
    """Paths and settings: every asset, check and sensor that needs a path or a threshold takes this.

    Built once from the environment when the definitions load (`CoachwhConfig.from_settings(settings())`),
    with absolute paths, so a run never depends on the working directory of the process that executes it.
    """

    home: str
    landing: str
    keep_publications: int = 7
    stale_after_days: int = 2
    survey_stale_after_days: int = 100
    alert_webhook: str | None = None
    alert_command: str | None = None
    anonymity_threshold: int | None = None

    @classmethod
    def from_settings(cls, cfg: Settings) -> CoachwhConfig:
        # A webhook URL carries its secret (Slack, Teams): taken from the environment when the run or sensor starts,
        # so that the Launchpad, the config schema and the runs' stored config show the variable's name, not the URL.
        webhook = cfg.alert_webhook
        if webhook and os.environ.get(WEBHOOK_ENV) == webhook:
            webhook = dg.EnvVar(WEBHOOK_ENV)
        return cls(
            home=str(cfg.home),
            landing=str(cfg.landing),
            keep_publications=cfg.keep_publications,
            stale_after_days=cfg.stale_after_days,
            survey_stale_after_days=cfg.survey_stale_after_days,
            alert_webhook=webhook,
            alert_command=cfg.alert_command,
            anonymity_threshold=cfg.anonymity_threshold,
        )

    @property
    def settings(self) -> Settings:
        home, landing = Path(self.home), Path(self.landing)
        if not (home.is_absolute() and landing.is_absolute()):
            raise ConfigError(f"CoachwhConfig needs absolute paths, got home={self.home!r} landing={self.landing!r}")
        return Settings(
            home=home,
            landing=landing,
            keep_publications=self.keep_publications,
            stale_after_days=self.stale_after_days,
            survey_stale_after_days=self.survey_stale_after_days,
            alert_webhook=self.alert_webhook,
            alert_command=self.alert_command,
            anonymity_threshold=self.anonymity_threshold,
        )
