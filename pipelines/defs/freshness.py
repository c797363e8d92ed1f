"""Freshness: a WARN check per system when its latest loaded extract lags the newest system's.

Relative to the data, not the wall clock: a replay of old exports is not stale, while a CRM that stopped
delivering while the HRIS kept going is. The check sits on the system's first raw table (`raw/crm_user`,
`raw/hris_workers`, `raw/survey_responses`, `raw/lms_courses`) and never refuses or holds back data: it
warns in the UI, in `coachwh status` and in the run summary. Thresholds: COACHWH_STALE_AFTER_DAYS (default
2) and, for the survey that delivers once per wave, COACHWH_SURVEY_STALE_AFTER_DAYS (default 100). One look at
the clock: an extract dated after today (UTC) is named too (`pipelines.extracts.freshness_verdicts`).
"""

from datetime import UTC, datetime

import dagster as dg

from pipelines.defs.ingest import WAREHOUSE_POOL
from pipelines.defs.resources import CoachwhConfig
from pipelines.defs.retries import NIGHTLY_RETRY_POLICY
from pipelines.extracts import freshness_verdicts, latest_extract_dates
from pipelines.sources import SYSTEMS, files_of
from pipelines.warehouse_file import connect_waiting

CHECK_NAME = "extract_freshness"
ANCHORS: dict[str, dg.AssetKey] = {s: dg.AssetKey(["raw", files_of(s)[0].raw_table]) for s in SYSTEMS}


@dg.multi_asset_check(
    specs=[
        dg.AssetCheckSpec(
            CHECK_NAME,
            asset=key,
            description=f"Warns when the latest {system} extract loaded lags the newest system's by more than "
            "the configured days (never refuses data).",
        )
        for system, key in ANCHORS.items()
    ],
    name="extract_freshness",
    pool=WAREHOUSE_POOL,
    retry_policy=NIGHTLY_RETRY_POLICY,  # in any job: a UI selection too
    # a selection in the UI (one system's assets, a mart and what it reads) runs the checks of the systems it holds
    can_subset=True,
)
def extract_freshness(context: dg.AssetCheckExecutionContext, coachwh: CoachwhConfig):
    cfg = coachwh.settings
    if cfg.warehouse.exists():
        with connect_waiting(cfg.warehouse, read_only=True) as con:
            latest = latest_extract_dates(con)
    else:
        latest = dict.fromkeys(SYSTEMS)
    today = datetime.now(UTC).date()  # only to name an extract dated in the future: see freshness_verdicts
    selected = context.selected_asset_check_keys
    for system, (fresh, text) in freshness_verdicts(latest, cfg, today).items():
        if dg.AssetCheckKey(ANCHORS[system], CHECK_NAME) not in selected:
            continue
        if not fresh:
            context.log.warning(text)
        yield dg.AssetCheckResult(
            asset_key=ANCHORS[system],
            check_name=CHECK_NAME,
            passed=fresh,
            severity=dg.AssetCheckSeverity.WARN,
            description=text,
            metadata={"latest_extract_date": str(latest[system]), "stale_after_days": cfg.stale_after(system)},
        )


def freshness_definitions() -> dg.Definitions:
    return dg.Definitions(asset_checks=[extract_freshness])
