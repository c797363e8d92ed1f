"""The few lines `coachwh run` ends with: what loaded, what was refused and why, what waits, which checks
failed or warned, what was published and how fresh it is, and the headline answer of the marts."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb

from pipelines.defs.run_report import RunReport
from pipelines.publication import current

SHOW = 6  # batch ids listed before "and N more"


@dataclass(frozen=True)
class Headline:
    quarter: str
    top: float
    bottom: float
    top_managers: int
    bottom_managers: int

    def line(self) -> str:
        return (
            f"in {self.quarter}, front-line managers in the most-coached quartile reached {self.top:.1%} of quota "
            f"the next quarter, the least-coached {self.bottom:.1%} ({self.top_managers} and "
            f"{self.bottom_managers} managers; marts.mart_coaching_impact)"
        )


HEADLINE_SQL = """
with q as (
    select quarter,
           max(avg_next_quarter_attainment_pct) filter (where coaching_intensity_quartile = 4) as top,
           max(avg_next_quarter_attainment_pct) filter (where coaching_intensity_quartile = 1) as bottom,
           max(managers) filter (where coaching_intensity_quartile = 4) as top_managers,
           max(managers) filter (where coaching_intensity_quartile = 1) as bottom_managers
    from marts.mart_coaching_impact
    group by quarter
)
select quarter, top, bottom, top_managers, bottom_managers
from q where top is not null and bottom is not null
order by quarter desc limit 1
"""


def headline(published: Path) -> Headline | None:
    """Next-quarter attainment of quartile 4 against quartile 1, in the latest quarter that has both."""
    if not published.exists():
        return None
    try:
        with duckdb.connect(str(published), read_only=True) as con:
            row = con.execute(HEADLINE_SQL).fetchone()
    except duckdb.Error:
        return None
    if row is None:
        return None
    quarter = row[0]
    label = f"{quarter.year}-Q{(quarter.month - 1) // 3 + 1}" if hasattr(quarter, "year") else str(quarter)
    return Headline(label, float(row[1]), float(row[2]), int(row[3] or 0), int(row[4] or 0))


def _ids(ids: list[str]) -> str:
    shown = ", ".join(ids[:SHOW])
    return shown + (f" and {len(ids) - SHOW} more" if len(ids) > SHOW else "")


def summary_lines(report: RunReport, published: Path) -> list[str]:
    took = (
        f" in {(report.ended_at - report.started_at).total_seconds():.0f} s"
        if report.started_at and report.ended_at
        else ""
    )
    lines = [f"── run {report.run_id} ({report.job}) {report.verdict}{took}"]
    lines.append(
        f"batches   loaded {len(report.loaded)}"
        + (f": {_ids(report.loaded)}" if report.loaded else "")
        + f"  ({report.rows_loaded:,} rows)"
    )
    lines += [f"          REFUSED {b}: {r}" for b, r in report.refused.items()]
    if report.duplicates:
        lines.append(f"          duplicate deliveries, archived and not loaded again: {_ids(report.duplicates)}")
    if report.waiting:
        lines.append(f"          waiting for their manifest: {_ids(report.waiting)}")
    for step, reason in report.failed_steps.items():
        lines.append(f"failed    step {step}: {reason}")
    # the gate's check fails once per raw table of a refused batch: the REFUSED lines above say it once
    failed = [c for c in report.failed_checks if c.check != "landing_gate"]
    gate = "the landing gate's check failed (the REFUSED batches above)" if report.refused else ""
    if failed:
        lines.append(f"checks    {len(failed)} ERROR check(s) failed" + (f", and {gate}" if gate else "") + ":")
    else:
        lines.append("checks    " + (f"{gate}; no other ERROR check failed" if gate else "no ERROR check failed"))
    lines += [f"          FAILED {c.name}: {c.description}" for c in failed]
    lines += [f"          warned {c.name}: {c.description}" for c in report.warned_checks]
    now = current(published)
    if report.published:
        p = report.published
        lines.append(f"published {p['tables']} tables, {p['rows']:,} rows, as of {p['as_of_date']} → {p['path']}")
        if p.get("same_marts_as"):
            lines.append(f"          the same marts as run {p['same_marts_as']}: kept in its place, not beside it")
    elif now:
        lines.append(f"published nothing this run: BI keeps run {now.run_id} (as of {now.as_of_date}) at {published}")
    else:
        lines.append("published nothing (no publication yet)")
    top = headline(published)
    if top:
        lines.append(f"headline  {top.line()}")
    return lines
