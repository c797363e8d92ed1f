"""The report: after each publication, $COACHWH_HOME/report/index.html is rebuilt from the published file."""

import dagster as dg

from pipelines.defs.publish import LAST, PUBLISHED_KEY
from pipelines.defs.resources import CoachwhConfig
from pipelines.defs.retries import non_transient

REPORT_KEY = dg.AssetKey(["report", "index_html"])


def report_definitions() -> dg.Definitions:
    @dg.asset(
        key=REPORT_KEY,
        deps=[PUBLISHED_KEY],
        group_name="publish",
        owners=["team:data-engineering"],
        description="The offline report page for sales and L&D leaders, $COACHWH_HOME/report/index.html, built "
        "from the published marts only (read-only), after each publication.",
        kinds={"html"},
        op_tags=LAST,
    )
    def report_page(context: dg.AssetExecutionContext, coachwh: CoachwhConfig) -> dg.MaterializeResult:
        from pipelines.report import build_report

        cfg = coachwh.settings
        with non_transient():
            path = build_report(cfg.published, cfg.report_dir)
        context.log.info(f"report written to {path}")
        return dg.MaterializeResult(metadata={"path": dg.MetadataValue.path(str(path)), "bytes": path.stat().st_size})

    return dg.Definitions(assets=[report_page])
