"""The report page, built by the nightly job from the published small sample: every chart is there, the
numbers in its embedded data are the marts', each chart renders as a PNG, and the build is deterministic."""

from __future__ import annotations

import json
import re
import shutil
from datetime import date, timedelta
from html.parser import HTMLParser

import duckdb
import pytest

from pipelines.cli import main
from pipelines.report import REPORT_FILE, build_report, render_pngs
from pipelines.report.data import publication_stamp

pytestmark = pytest.mark.slow

CHARTS = ("intensity", "slm", "engagement", "skills", "second_line")


@pytest.fixture(scope="module")
def page(night) -> str:
    cfg, ok = night
    assert ok
    return (cfg.report_dir / REPORT_FILE).read_text(encoding="utf-8")


def _json(page: str, element_id: str):
    found = re.search(rf'<script type="application/json" id="{element_id}">(.*?)</script>', page, re.S)
    assert found, f"no {element_id} in the page"
    return json.loads(found.group(1).replace("<\\/", "</"))


def _tags(page: str) -> list[tuple[str, dict]]:
    """Start tags of the page as a browser parses them (script bodies are not markup)."""

    class Tags(HTMLParser):
        def __init__(self):
            super().__init__()
            self.found = []

        def handle_starttag(self, tag, attrs):
            self.found.append((tag, dict(attrs)))

    parser = Tags()
    parser.feed(page)
    return parser.found


def _records(spec: dict) -> list[dict]:
    """Every row of every dataset of a Vega-Lite spec (Altair inlines them under `datasets`)."""
    return [row for rows in spec["datasets"].values() for row in rows]


def _marts(cfg, sql: str) -> list[dict]:
    with duckdb.connect(str(cfg.published), read_only=True) as con:
        cur = con.execute(sql)
        names = [d[0] for d in cur.description]
        return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def _same(a, b) -> bool:
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, float | int) and isinstance(b, float | int):
        return a == pytest.approx(b, rel=1e-12, abs=1e-12)
    return a == b


def test_the_page_holds_every_chart_offline_with_the_as_of_date(page, night):
    cfg, _ = night
    for chart in CHARTS:
        assert f'id="chart-{chart}"' in page
        assert _json(page, f"spec-{chart}")["$schema"].startswith("https://vega.github.io/schema/vega-lite/v6")
    assert 'id="managers-table"' in page and _json(page, "table-managers")
    # Offline: no element of the page fetches anything (no src or href); Vega itself is inlined.
    tags = _tags(page)
    assert not [t for t in tags if {"src", "href"} & set(t[1])], tags
    assert [t for t, _ in tags].count("script") == len(CHARTS) + 3  # bundle, specs, table, drawing
    assert "vegaEmbed" in page and len(page) > 500_000
    # The as-of date of the published file (publication if present, else the last month end of dim_month).
    published_as_of = _marts(cfg, "select max(month_end) as d from marts.dim_month")[0]["d"]
    assert f'id="as-of-date">{published_as_of.isoformat()}<' in page
    assert "too few to mean much" in page  # the small sample has two managers per quartile


# The quarters a comparison can learn from: some front-line manager coached in it (else the quartiles are the
# ids' order); some FLM was coached by their SLM (else there is one side); some SLM covered an FLM.
COACHED = (
    "select quarter from marts.mart_coaching_effectiveness where is_next_quarter_complete "
    "group by quarter having sum(coaching_minutes_delivered) > 0"
)
SLM_COACHED = (
    "select quarter from marts.mart_coaching_effectiveness where is_next_quarter_complete "
    "group by quarter having sum(case when coached_by_slm then 1 else 0 end) > 0"
)
SLM_COVERED = (
    "select quarter from marts.mart_second_line_coaching where is_next_quarter_complete "
    "group by quarter having sum(flms_coached) > 0"
)


def test_quarters_without_coaching_are_left_out_of_the_comparisons_and_the_page_says_so(page, night):
    cfg, _ = night
    # the sample's first published quarter is before its first coaching report: CRM history starts later
    # than the deals' creation dates that open the coverage
    skipped = _marts(
        cfg,
        "select distinct cast(year(quarter) as varchar) || ' Q' || cast(quarter(quarter) as varchar) as q "
        f"from marts.mart_coaching_effectiveness where is_next_quarter_complete and quarter not in ({COACHED})",
    )
    assert [r["q"] for r in skipped] == ["2025 Q3"]
    assert "2025 Q3 left out: no coaching recorded in it." in page
    assert "2025 Q3" not in {r["quarter"] for r in _records(_json(page, "spec-intensity"))}


def test_the_intensity_chart_carries_mart_coaching_impact(page, night):
    cfg, _ = night
    got = sorted(_records(_json(page, "spec-intensity")), key=lambda r: (r["quarter"], r["quartile"]))
    want = _marts(
        cfg,
        "select cast(year(quarter) as varchar) || ' Q' || cast(quarter(quarter) as varchar) as quarter, "
        "coaching_intensity_quartile as quartile, managers, avg_coaching_hours_per_direct_report, "
        "avg_next_quarter_attainment_pct, avg_next_quarter_turnover_rate "
        f"from marts.mart_coaching_impact where quarter in ({COACHED}) order by 1, 2",
    )
    assert len(got) == len(want) > 0
    for g, w in zip(got, want, strict=True):
        assert all(_same(g[k], v) for k, v in w.items()), (g, w)
        assert g["too_few"] == (w["managers"] < 5)


def test_the_engagement_chart_sets_each_shown_team_of_a_wave_beside_its_flms_coaching_quartile(page, night):
    """Worked out here in Python from the marts' rows: a wave's quarter from its name, the FLM's quartile of that
    quarter, suppressed teams, quarters not complete and quarters without any coaching left out, then team means per
    wave and quartile."""
    cfg, _ = night
    flms = _marts(cfg, "select * from marts.mart_coaching_effectiveness")
    quartiles = {(r["manager_employee_id"], r["quarter"]): r["coaching_intensity_quartile"] for r in flms}
    coached = {r["quarter"] for r in flms if r["coaching_hours_per_direct_report"] > 0}
    complete = {
        r["quarter"] for r in flms if r["quarter_end"].month % 3 == 0 and (r["quarter_end"] + timedelta(1)).day == 1
    }
    groups: dict[tuple[str, int], list[dict]] = {}
    for team in _marts(cfg, "select * from marts.mart_manager_engagement where not is_suppressed"):
        year, q = team["wave"].split("-Q")
        quarter = date(int(year), 3 * int(q) - 2, 1)
        quartile = quartiles.get((team["manager_employee_id"], quarter))
        if quartile is not None and quarter in coached and quarter in complete:
            groups.setdefault((team["wave"], quartile), []).append(team)
    got = {(r["wave"], r["quartile"]): r for r in _records(_json(page, "spec-engagement"))}
    assert set(got) == set(groups) and len(groups) > 4
    for key, teams in groups.items():
        row = got[key]
        favourable = [t["q_coach_favorable_pct"] for t in teams if t["q_coach_favorable_pct"] is not None]
        enps = [t["enps"] for t in teams if t["enps"] is not None]
        assert row["managers"] == len(teams) and row["responses"] == sum(t["responses"] for t in teams)
        assert _same(row["avg_q_coach_favorable_pct"], sum(favourable) / len(favourable))
        assert _same(row["avg_enps"], sum(enps) / len(enps))
        assert row["too_few"] == (len(teams) < 5)
    waves = len({wave for wave, _ in groups})
    assert f"Over {waves} survey waves, the teams of the FLMs who coached most in the wave&#x27;s quarter" in page


def test_the_slm_chart_counts_every_effectiveness_row_of_the_quarters_it_can_compare(page, night):
    cfg, _ = night
    got = _records(_json(page, "spec-slm"))
    total = _marts(
        cfg,
        "select count(*) as n from marts.mart_coaching_effectiveness where is_next_quarter_complete "
        f"and quarter in ({SLM_COACHED})",
    )
    assert sum(r["managers"] for r in got) == total[0]["n"] > 0
    coached = _marts(
        cfg,
        "select avg(next_quarter_attainment_pct) as a from marts.mart_coaching_effectiveness "
        "where is_next_quarter_complete and coached_by_slm and quarter = (select max(quarter) from "
        "marts.mart_coaching_effectiveness where is_next_quarter_complete)",
    )[0]["a"]
    last = max(r["quarter"] for r in got)
    row = next(r for r in got if r["quarter"] == last and r["group_name"] == "Coached by their SLM")
    assert _same(row["avg_next_quarter_attainment_pct"], coached)


def test_the_skills_chart_weighs_mart_skill_impact_by_its_counts(page, night):
    cfg, _ = night
    got = {(r["skill"], r["rating_band"]): r for r in _records(_json(page, "spec-skills"))}
    want = _marts(
        cfg,
        "select replace(skill, '_', ' ') as skill, rating_band, sum(coachees) as coachees, "
        "sum(avg_next_quarter_attainment_pct * coachees_with_next_quarter_attainment) "
        "/ nullif(sum(coachees_with_next_quarter_attainment), 0) as avg_next_quarter_attainment_pct "
        "from marts.mart_skill_impact group by all",
    )
    assert set(got) == {(w["skill"], w["rating_band"]) for w in want}  # named as a reader says them
    assert len({s for s, _ in got}) == 14 and ("needs discovery", "high") in got
    for w in want:
        g = got[(w["skill"], w["rating_band"])]
        assert g["coachees"] == w["coachees"]
        assert _same(g["avg_next_quarter_attainment_pct"], w["avg_next_quarter_attainment_pct"])


def test_the_second_line_chart_and_the_table_are_the_marts_rows(page, night):
    cfg, _ = night
    got = sorted(_records(_json(page, "spec-second_line")), key=lambda r: (r["quarter"], r["manager_employee_id"]))
    want = _marts(
        cfg,
        "select manager_employee_id, flms_eoq, flm_coverage_pct, next_quarter_flm_coaching_hours_per_direct_report, "
        "next_quarter_flm_team_attainment_pct from marts.mart_second_line_coaching "
        f"where is_next_quarter_complete and flms_eoq > 0 and quarter in ({SLM_COVERED}) "
        "order by quarter, manager_employee_id",
    )
    assert len(got) == len(want) > 0
    for g, w in zip(got, want, strict=True):
        assert all(_same(g[k], v) for k, v in w.items()), (g, w)

    table = {r["manager_employee_id"]: r for r in _json(page, "table-managers")}
    rows = _marts(
        cfg,
        "select manager_employee_id, direct_reports_eoq, coaching_hours_per_direct_report, coverage_pct, "
        "avg_coaching_skill_rating_received, coached_by_slm, attainment_pct, turnover_rate "
        "from marts.mart_coaching_effectiveness where quarter = (select max(quarter) from "
        "marts.mart_coaching_effectiveness where quarter_end = quarter + interval 3 month - interval 1 day)",
    )
    assert set(table) == {r["manager_employee_id"] for r in rows} and len(_json(page, "table-managers")) == len(rows)
    for w in rows:
        assert all(_same(table[w["manager_employee_id"]][k], v) for k, v in w.items()), w
    # what each team answered in the survey wave of that quarter (2026 Q3: wave 2026-Q3), where the mart shows it
    quarter = _marts(
        cfg,
        "select max(quarter) as q from marts.mart_coaching_effectiveness "
        "where quarter_end = quarter + interval 3 month - interval 1 day",
    )[0]["q"]
    wave = f"{quarter.year}-Q{(quarter.month - 1) // 3 + 1}"
    shown = {
        r["manager_employee_id"]: r["q_coach_favorable_pct"]
        for r in _marts(cfg, f"select * from marts.mart_manager_engagement where wave = '{wave}' and not is_suppressed")
    }
    said = [table[m]["q_coach_favorable_pct"] for m in sorted(table)]
    assert said == [shown.get(m) for m in sorted(table)]
    assert any(v is not None for v in said) and None in said  # teams shown, and one not (no row, or suppressed)


def test_every_chart_renders_as_a_png(night, tmp_path):
    cfg, _ = night
    pngs = render_pngs(cfg.published, tmp_path)
    assert set(pngs) == set(CHARTS)
    for path in pngs.values():
        data = path.read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 5_000, path


def test_the_build_is_deterministic_and_coachwh_report_makes_the_same_page(page, night, tmp_path, monkeypatch):
    cfg, _ = night
    monkeypatch.setenv("COACHWH_HOME", str(cfg.home))
    assert main(["report", "--out", str(tmp_path / "a")]) == 0
    again = build_report(cfg.published, tmp_path / "b")
    assert (tmp_path / "a" / REPORT_FILE).read_bytes() == again.read_bytes() == page.encode("utf-8")


def test_the_as_of_date_and_publication_time_come_from_publication_else_from_dim_month(night, tmp_path):
    cfg, _ = night
    copy = tmp_path / "published_copy.duckdb"
    shutil.copy(cfg.published, copy)
    with duckdb.connect(str(copy)) as con:
        last_month_end = con.execute("select max(month_end) from marts.dim_month").fetchone()[0]
        assert con.execute("select max(as_of_date) from marts.publication").fetchone()[0] == last_month_end
        con.execute("update marts.publication set as_of_date = date '2030-01-02'")
    with duckdb.connect(str(copy), read_only=True) as con:
        as_of, published_at = publication_stamp(con)
        assert as_of == date(2030, 1, 2) and published_at is not None
    with duckdb.connect(str(copy)) as con:
        con.execute("drop table marts.publication")  # a file published before the table existed
    with duckdb.connect(str(copy), read_only=True) as con:
        assert publication_stamp(con) == (last_month_end, None)


def test_the_vega_bundle_is_kept_in_the_cache_folder_and_read_back(tmp_path, monkeypatch):
    import vl_convert as vlc

    from pipelines.report import page

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    page._javascript.cache_clear()
    fresh = page._javascript()
    cached = page._bundle_cache()
    assert cached.parent == tmp_path / "coachwh" and cached.read_text(encoding="utf-8") == fresh
    assert fresh == vlc.javascript_bundle(vl_version=page.VL_VERSION)

    cached.write_text("/* kept */", encoding="utf-8")  # read back, not bundled again
    page._javascript.cache_clear()
    assert page._javascript() == "/* kept */"
    page._javascript.cache_clear()


def test_quarter_labels_slant_when_the_history_is_too_long_to_print_them_level():
    from pipelines.report.charts import intensity_chart

    def rows(quarters):
        return [
            {"quarter": f"{2020 + q // 4} Q{q % 4 + 1}", "quartile": k, "managers": 2, "too_few": True,
             "avg_coaching_hours_per_direct_report": 1.0, "avg_next_quarter_attainment_pct": 0.9,
             "avg_next_quarter_turnover_rate": 0.1}
            for q in range(quarters) for k in (1, 2, 3, 4)
        ]  # fmt: skip

    def angle(quarters):
        return intensity_chart(rows(quarters)).to_dict()["hconcat"][0]["encoding"]["x"]["axis"]["labelAngle"]

    assert angle(3) == 0 and angle(7) == 0
    assert angle(14) == -45


def test_a_small_groups_mark_is_faded_but_keeps_its_coloured_outline():
    """Faded alone, the lightest quartile's bar vanished on white: the fill fades, the outline stays."""
    from pipelines.report.charts import QUARTILE_COLORS, intensity_chart

    rows = [{"quarter": "2026 Q2", "quartile": 1, "managers": 2, "too_few": True,
             "avg_coaching_hours_per_direct_report": 1.0, "avg_next_quarter_attainment_pct": 0.9,
             "avg_next_quarter_turnover_rate": 0.1}]  # fmt: skip
    for panel in intensity_chart(rows).to_dict()["hconcat"]:
        encoding = panel["encoding"]
        assert encoding["fillOpacity"]["condition"] == {"test": "datum.too_few", "value": 0.25}
        assert encoding["stroke"]["field"] == "quartile"
        assert encoding["stroke"]["scale"]["range"] == QUARTILE_COLORS.range and "opacity" not in encoding


def test_percent_axes_tick_on_whole_percents_so_no_label_repeats():
    """A turnover of 3% at most must not read "0% 1% 1% 2% 2% 3% 3%" (ticks every half percent)."""
    from pipelines.report.charts import slm_chart

    rows = [{"quarter": "2026 Q2", "group_name": "Coached by their SLM", "managers": 5, "too_few": False,
             "avg_next_quarter_attainment_pct": 0.98, "avg_next_quarter_turnover_rate": 0.029}]  # fmt: skip
    for panel in slm_chart(rows).to_dict()["hconcat"]:
        assert panel["encoding"]["y"]["axis"]["tickMinStep"] == 0.01


def test_the_page_says_when_its_figures_were_published(page, night):
    """After a held-back night or a rollback the systems have delivered later days than the page's as-of date:
    the page says the date is the publication's, and when that publication was made."""
    cfg, _ = night
    published = _marts(cfg, "select max(published_at) as t from marts.publication")[0]["t"]
    assert f"had delivered when these figures were published ({published:%Y-%m-%d %H:%M} UTC)" in page
    assert "the latest day the source systems delivered." not in page


def _legends(vega: object) -> list[dict]:
    """Every legend of a compiled Vega spec, at any depth (a concatenation puts them in its groups or on top)."""
    if isinstance(vega, dict):
        return list(vega.get("legends", [])) + [f for v in vega.values() for f in _legends(v)]
    if isinstance(vega, list):
        return [f for v in vega for f in _legends(v)]
    return []


def test_every_coloured_chart_has_a_key_to_its_colours(night):
    """A reader cannot hover a PNG: which bar is which quartile, which group was coached, which dot is rated low,
    must be on the chart. (The faded outline's `legend=None` once took the colour's legend away on four charts.)"""
    import vl_convert as vlc

    from pipelines.report.charts import all_charts
    from pipelines.report.data import read_report_data
    from pipelines.report.page import chart_spec

    cfg, _ = night
    titles = {
        "intensity": "Coaching quartile (4 = most)",
        "slm": None,
        "engagement": "Coaching quartile (4 = most)",
        "skills": "Rated",
        "second_line": "Quarter",
    }
    for name, chart in all_charts(read_report_data(cfg.published)).items():
        legends = [g for g in _legends(vlc.vegalite_to_vega(chart_spec(chart))) if "fill" in g or "stroke" in g]
        assert legends, f"the {name} chart has no legend for its colours"
        assert titles[name] in {g.get("title") for g in legends}, (name, legends)
