"""The report a sales leader opens: one offline HTML page built from the published marts only.

    build_report(published, out_dir) -> out_dir / "index.html"

Modules: data (SQL on the published file, read-only), charts (Altair), headlines (the sentences),
page (HTML with Vega inlined). `render_pngs` draws each chart as a PNG with vl-convert (no browser).
"""

from __future__ import annotations

import os
from pathlib import Path

import vl_convert as vlc

from pipelines.publication import PublicationError, held_open
from pipelines.report.charts import all_charts
from pipelines.report.data import read_report_data
from pipelines.report.headlines import all_headlines
from pipelines.report.page import VL_VERSION, chart_spec, render_page

__all__ = ["build_report", "render_pngs", "REPORT_FILE"]

REPORT_FILE = "index.html"


def build_report(published: Path, out_dir: Path) -> Path:
    """Write out_dir/index.html from the published marts file; returns its path."""
    if not Path(published).exists():
        raise PublicationError(f"{published}: no published marts yet (run `coachwh run` first)")
    if held := held_open(Path(published)):  # a BI tool that opened it for writing locks every reader out, this one too
        raise PublicationError(held)
    data = read_report_data(Path(published))
    if data.as_of_date is None:
        raise PublicationError(f"{published} holds no data: it was published before any extract had loaded")
    specs = {name: chart_spec(chart) for name, chart in all_charts(data).items()}
    page = render_page(data, specs, all_headlines(data.numbers))
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / REPORT_FILE
    tmp = target.with_name(target.name + ".tmp")
    tmp.write_text(page, encoding="utf-8")
    os.replace(tmp, target)  # a reader on the shared drive never sees half a page
    return target


def render_pngs(published: Path, out_dir: Path) -> dict[str, Path]:
    """One PNG per chart of the report (vl-convert, no browser), by chart id."""
    data = read_report_data(Path(published))
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = {}
    for name, chart in all_charts(data).items():
        path = out_dir / f"{name}.png"
        path.write_bytes(vlc.vegalite_to_png(chart_spec(chart), vl_version=VL_VERSION))
        written[name] = path
    return written
