"""The report page: one self-contained HTML file (Vega, Vega-Lite and Vega-Embed inlined, no network).

Each chart's Vega-Lite spec, data included, sits in a `<script type="application/json" id="spec-<id>">`;
the managers' table in `<script type="application/json" id="table-managers">`. A few lines of inline
script draw the charts and make the table sortable. Nothing in the page depends on the clock: the same
published file gives the same bytes.
"""

from __future__ import annotations

import html
import json
import os
from functools import lru_cache
from pathlib import Path

import altair as alt
import vl_convert as vlc

from pipelines.report.data import SMALL_GROUP, ReportData, Rows
from pipelines.report.headlines import NO_SURVEY_WAVE, left_out

VL_VERSION = ".".join(alt.VEGALITE_VERSION.split(".")[:2])

SECTIONS = {
    "intensity": (
        "Does more coaching go with better results the quarter after?",
        "Each quarter, front-line managers are split into four equal groups by coaching hours per direct "
        "report (1 = least, 4 = most). The bars show how their teams did in the following quarter: share of "
        "quota booked, and share of the team who left. A quarter appears here once the quarter after it is "
        "complete, so the latest quarter of the managers' table below may not be here yet.",
    ),
    "slm": (
        "Coaching the coaches: FLMs coached by their second-line manager",
        "Front-line managers who received at least one coaching session in the quarter (usually from their "
        "second-line manager) against those who received none, and their teams' results the quarter after.",
    ),
    "engagement": (
        "Do their teams say they are coached?",
        'The engagement survey asks each team whether "My manager gives me coaching that helps me improve" (1 to '
        "5), and whether they would recommend working here (eNPS, -100 to 100). Each wave is set beside the "
        "coaching of its own quarter: the bars are the average team of the front-line managers of each coaching "
        "quartile, once the quarter is complete. A team below the survey's anonymity threshold (5 finished "
        "responses unless configured otherwise) is never shown.",
    ),
    "skills": (
        "Which skills go with better results?",
        "Everyone rated on a skill in a quarter is placed by their average rating: low (below 3), mid (3 to "
        "4) or high (4 and above). Each dot is the next-quarter attainment of one group, all quarters "
        "together: a rep's own for the selling skills, the manager's team's for the coaching skills. The wider "
        "the gap between the orange and the green dot, the more the skill seems to matter.",
    ),
    "second_line": (
        "The second-line view",
        "Each dot is one second-line manager in one quarter: how many of their FLMs they coached, against how "
        "much those FLMs coached their own reps, and how their teams sold, in the quarter after.",
    ),
}


def _bundle_cache() -> Path:
    root = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return root / "coachwh" / f"vega-bundle-{vlc.__version__}-vl{VL_VERSION}.js"


@lru_cache(maxsize=1)
def _javascript() -> str:
    """Vega, Vega-Lite and Vega-Embed as one script (from vl-convert; no CDN). vl-convert bundles it anew on
    every call (about 2 s, a tenth of a night's fixed cost), so it is kept in the user's cache folder per
    vl-convert and Vega-Lite version; where that folder cannot be written, it is bundled every time."""
    cache = _bundle_cache()
    try:
        return cache.read_text(encoding="utf-8")
    except OSError:
        pass
    bundle = vlc.javascript_bundle(vl_version=VL_VERSION)
    try:
        cache.parent.mkdir(parents=True, exist_ok=True)
        spare = cache.with_name(f".{cache.name}.{os.getpid()}")
        spare.write_text(bundle, encoding="utf-8")
        os.replace(spare, cache)  # a concurrent reader sees the whole bundle or none
    except OSError:
        pass
    return bundle


def chart_spec(chart: alt.TopLevelMixin) -> dict:
    """The Vega-Lite spec of a chart with its data inlined (Altair's datasets)."""
    return chart.to_dict()


def _json_script(element_id: str, payload: object) -> str:
    text = json.dumps(payload, sort_keys=True, default=str).replace("</", "<\\/")
    return f'<script type="application/json" id="{element_id}">{text}</script>'


# What an empty section says.
NO_COMPLETE_QUARTER = "No quarter has a complete next quarter yet"
EMPTY = {"engagement": NO_SURVEY_WAVE}


def _small_note(rows: Rows) -> str:
    if not any(row.get("too_few") for row in rows):
        return ""
    return (
        f'<p class="note">Faded marks: groups of fewer than {SMALL_GROUP} managers or people '
        "- too few to mean much on their own.</p>"
    )


def _section(chart_id: str, rows: Rows, spec: dict, headline: str) -> str:
    title, caption = SECTIONS[chart_id]
    body = (
        f'<div class="chart" id="chart-{chart_id}"></div>{_json_script(f"spec-{chart_id}", spec)}'
        if rows
        else f'<p class="note">{EMPTY.get(chart_id, NO_COMPLETE_QUARTER)}: nothing to show.</p>'
    )
    return (
        f'<section id="{chart_id}"><h2>{html.escape(title)}</h2><p>{html.escape(caption)}</p>'
        f'<p class="headline">{html.escape(headline)}</p>{body}{_small_note(rows)}</section>'
    )


TABLE_COLUMNS = [
    ("manager_name", "Manager", "text"),
    ("second_line_manager_name", "Second-line manager", "text"),
    ("direct_reports_eoq", "Reps", "int"),
    ("coaching_hours_per_direct_report", "Coaching hours per rep, in the quarter", "num"),
    ("coverage_pct", "Reps coached", "pct"),
    ("avg_rating_given", "Avg rating given (1-5)", "num"),
    ("avg_coaching_skill_rating_received", "Own coaching rating (1-5)", "num"),
    ("coached_by_slm", "Coached by SLM", "bool"),
    ("q_coach_favorable_pct", "Team says coaching helps (survey, 4-5 of 5)", "pct"),
    ("attainment_pct", "Attainment (bookings / quota)", "pct"),
    ("turnover_rate", "Turnover in the quarter", "pct"),
]

SCRIPT = """
const fmt = {
  text: v => v, int: v => String(v), num: v => v.toFixed(2), pct: v => (100 * v).toFixed(0) + '%',
  bool: v => (v ? 'yes' : 'no'),
};
for (const el of document.querySelectorAll('script[id^="spec-"]')) {
  const id = el.id.slice(5);
  vegaEmbed('#chart-' + id, JSON.parse(el.textContent), {actions: false, renderer: 'svg'});
}
const tableData = document.getElementById('table-managers');
if (tableData) {
  const rows = JSON.parse(tableData.textContent);
  const table = document.getElementById('managers-table');
  const cols = [...table.querySelectorAll('th')].map(th => [th.dataset.col, th.dataset.kind]);
  const body = table.querySelector('tbody');
  const draw = () => {
    body.innerHTML = '';
    for (const r of rows) {
      const tr = body.insertRow();
      for (const [c, kind] of cols) {
        const td = tr.insertCell();
        td.textContent = r[c] === null || r[c] === undefined ? '\\u2013' : fmt[kind](r[c]);
        if (kind !== 'text') td.className = 'n';
      }
    }
  };
  let sorted = null, dir = 1;
  for (const th of table.querySelectorAll('th')) {
    th.addEventListener('click', () => {
      const c = th.dataset.col;
      dir = sorted === c ? -dir : (th.dataset.kind === 'text' ? 1 : -1);
      sorted = c;
      rows.sort((a, b) => {
        const x = a[c], y = b[c];
        if (x === y) return 0;
        if (x === null) return 1;
        if (y === null) return -1;
        return (x < y ? -1 : 1) * dir;
      });
      draw();
    });
  }
  draw();
}
"""

STYLE = """
body { font-family: system-ui, -apple-system, 'Segoe UI', sans-serif; margin: 2rem auto; max-width: 70rem;
       color: #222; padding: 0 1rem; }
h1 { margin-bottom: 0.2rem; } .asof { color: #555; margin-top: 0; }
section { margin: 2.5rem 0; } .headline { font-weight: 600; } .note { color: #777; font-size: 0.9rem; }
table { border-collapse: collapse; font-size: 0.9rem; }
th, td { padding: 0.3rem 0.6rem; border-bottom: 1px solid #ddd; }
th { cursor: pointer; text-align: left; background: #f4f4f4; } th:hover { background: #e8e8e8; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
.chart, #managers { overflow-x: auto; }  /* on a phone, wide charts and the table scroll instead of being cut off */
"""


def _table_section(data: ReportData, headline: str) -> str:
    note = left_out(data.managers_left_out, "no coaching recorded").strip()
    left_out_note = f'<p class="note">{html.escape(note)}</p>' if note else ""
    if data.managers_quarter is None or not data.managers:
        return (
            '<section id="managers"><h2>Managers</h2><p class="note">No complete quarter with coaching recorded '
            f"yet.</p>{left_out_note}</section>"
        )
    q = data.managers_quarter
    label = f"{q.year} Q{(q.month - 1) // 3 + 1}"
    which = " with coaching recorded" if data.managers_left_out else ""
    heads = "".join(f'<th data-col="{c}" data-kind="{k}">{html.escape(title)}</th>' for c, title, k in TABLE_COLUMNS)
    small = (
        f'<p class="note">Only {len(data.managers)} managers: too few to compare them with any confidence.</p>'
        if len(data.managers) < SMALL_GROUP
        else ""
    )
    return (
        f'<section id="managers"><h2>Front-line managers, {label} (the last complete quarter{which})</h2>'
        "<p>Coaching given (hours per rep, share of reps coached, average rating given to reps), coaching "
        "received (the rating their own coach gave their coaching skills), what their team answered in the "
        "quarter's survey wave (blank: no wave, or too few answers to show), and the quarter's results. Click "
        "a column to sort.</p>"
        f'<p class="headline">{html.escape(headline)}</p>{left_out_note}'
        f'<table id="managers-table"><thead><tr>{heads}</tr></thead><tbody></tbody></table>'
        f"{_json_script('table-managers', data.managers)}{small}</section>"
    )


def render_page(data: ReportData, specs: dict[str, dict], headlines: dict[str, str]) -> str:
    frames = {
        "intensity": data.impact,
        "slm": data.slm_split,
        "engagement": data.engagement,
        "skills": data.skills,
        "second_line": data.second_line,
    }
    published = f" ({data.published_at:%Y-%m-%d %H:%M} UTC)" if data.published_at else ""
    sections = "".join(_section(cid, frames[cid], specs[cid], headlines[cid]) for cid in SECTIONS)
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>Coaching effectiveness, as of {data.as_of_date.isoformat()}</title><style>{STYLE}</style>"
        f"<script>{_javascript()}</script></head><body>"
        "<h1>Coaching effectiveness</h1>"
        f'<p class="asof">Data as of <strong id="as-of-date">{data.as_of_date.isoformat()}</strong>, '
        # the publication's own date, not "the latest day delivered": after a held-back night or a rollback
        # the source systems have delivered later days that these marts do not hold
        f"the latest day the source systems had delivered when these figures were published{published}. "
        "Every figure comes from the published marts.</p>"
        # the words a sales leader may not use every day, once, before the figures that use them
        '<p class="asof">FLM: a front-line manager, who leads reps. SLM: a second-line manager, who leads FLMs '
        "and coaches them. Coaching quartile: the FLMs of a quarter in four equal groups by coaching hours per "
        "rep they give, 4 = those who coach most. Attainment: bookings over quota.</p>"
        f"{sections}{_table_section(data, headlines['managers'])}"
        f"<script>{SCRIPT}</script></body></html>\n"
    )
