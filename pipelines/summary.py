"""The few lines `coachwh run` ends with: what loaded, what was refused and why, what waits, which checks
failed or warned, what was published and how fresh it is, and the headline answer of the marts."""

from __future__ import annotations

from pathlib import Path

import duckdb

from pipelines.defs.run_report import RunReport
from pipelines.publication import current

SHOW = 6  # batch ids listed before "and N more"


def headline(published: Path) -> str | None:
    """The report page's first headline (coaching intensity against next-quarter attainment), word for word, so
    the terminal and the page a leader opens say the same thing; None without a readable publication."""
    from pipelines.report.data import read_headline_numbers
    from pipelines.report.headlines import intensity

    if not published.exists():
        return None
    try:
        return intensity(read_headline_numbers(published, "intensity"))
    except duckdb.Error:
        return None


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
        lines.append(f"          waiting for a complete manifest: {_ids(report.waiting)}")
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
    said = headline(published)
    if said:
        lines.append(f"headline  {said}")
    return lines
