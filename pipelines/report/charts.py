"""The report's charts: one Altair chart per question, from the rows of `report.data`.

Groups with too few managers (data.SMALL_GROUP) are drawn faded, and their tooltips say so.
"""

from __future__ import annotations

import altair as alt

from pipelines.report.data import SMALL_GROUP, ReportData, Rows, skill_name

WIDTH = 300
PCT = ".0%"
# Whole percents: a turnover of a few percent would otherwise get ticks every half percent, printed
# "0% 1% 1% 2% 2% 3% 3%" by the whole-percent format.
PCT_AXIS = alt.Axis(format=PCT, tickMinStep=0.01)
FADED = alt.condition("datum.too_few", alt.value(0.25), alt.value(1.0))
QUARTILE_COLORS = alt.Scale(domain=[1, 2, 3, 4], range=["#c6dbef", "#6baed6", "#2171b5", "#08306b"])
BAND_COLORS = alt.Scale(domain=["low", "mid", "high"], range=["#d95f02", "#bdbdbd", "#1b9e77"])
SLM_COLORS = alt.Scale(domain=["Coached by their SLM", "Not coached by their SLM"], range=["#1b9e77", "#bdbdbd"])


def _quarter_axis(rows: Rows, field: str = "quarter") -> alt.Axis:
    """Quarter (or wave) labels level while they fit side by side in a panel (about 40 px each), slanted beyond: a
    history of two years or more would otherwise print its labels over one another."""
    quarters = len({r[field] for r in rows})
    if quarters * 40 <= WIDTH:
        return alt.Axis(labelAngle=0)
    return alt.Axis(labelAngle=-45, labelAlign="right", labelBaseline="middle")


def _faded_when_too_few(field: str, scale: alt.Scale) -> dict:
    """A mark of a group too small to mean much: its fill faded, its outline kept in the group's colour, so that
    it still shows (a light colour faded on white would vanish) and reads apart from a missing one.

    The outline's legend is left on: Vega-Lite merges the colour and the outline of one field into one legend,
    and `legend=None` on the outline took the colour's key away with it."""
    return {"fillOpacity": FADED, "stroke": alt.Stroke(field, scale=scale)}


def _inline(rows: Rows) -> dict:
    """Rows as Vega-Lite inline data (Altair moves them under the spec's `datasets`)."""
    return {"values": rows}


def _too_few_tooltip() -> alt.Tooltip:
    return alt.Tooltip("too_few:N", title=f"fewer than {SMALL_GROUP} (too few to mean much)")


def _next_quarter_bars(base: alt.Chart, attainment_title: str, turnover_title: str) -> alt.HConcatChart:
    """Grouped bars of next-quarter attainment beside next-quarter turnover, on one shared encoding."""
    attainment = base.mark_bar(strokeWidth=1).encode(
        y=alt.Y("avg_next_quarter_attainment_pct:Q", title="Next-quarter attainment", axis=PCT_AXIS)
    )
    turnover = base.mark_bar(strokeWidth=1).encode(
        y=alt.Y("avg_next_quarter_turnover_rate:Q", title="Next-quarter turnover", axis=PCT_AXIS)
    )
    return alt.hconcat(
        attainment.properties(width=WIDTH, title=attainment_title),
        turnover.properties(width=WIDTH, title=turnover_title),
    )


def intensity_chart(impact: Rows) -> alt.HConcatChart:
    """Next-quarter attainment and turnover by coaching-intensity quartile, quarter by quarter."""
    base = alt.Chart(_inline(impact)).encode(
        x=alt.X("quarter:O", title="Quarter coached", axis=_quarter_axis(impact)),
        xOffset=alt.XOffset("quartile:O"),
        color=alt.Color("quartile:O", scale=QUARTILE_COLORS, title="Coaching quartile (4 = most)"),
        **_faded_when_too_few("quartile:O", QUARTILE_COLORS),
        tooltip=[
            "quarter:O",
            alt.Tooltip("quartile:O", title="quartile"),
            "managers:Q",
            alt.Tooltip("avg_coaching_hours_per_direct_report:Q", title="coaching h / rep", format=".2f"),
            alt.Tooltip("avg_next_quarter_attainment_pct:Q", title="next-quarter attainment", format=PCT),
            alt.Tooltip("avg_next_quarter_turnover_rate:Q", title="next-quarter turnover", format=".1%"),
            _too_few_tooltip(),
        ],
    )
    return _next_quarter_bars(base, "Attainment the quarter after", "Turnover the quarter after")


def slm_chart(slm_split: Rows) -> alt.HConcatChart:
    """FLMs coached by their SLM in a quarter against those who were not: their next quarter."""
    base = alt.Chart(_inline(slm_split)).encode(
        x=alt.X("quarter:O", title="Quarter coached", axis=_quarter_axis(slm_split)),
        xOffset=alt.XOffset("group_name:N"),
        color=alt.Color("group_name:N", scale=SLM_COLORS, title=None),
        **_faded_when_too_few("group_name:N", SLM_COLORS),
        tooltip=[
            "quarter:O",
            alt.Tooltip("group_name:N", title="group"),
            "managers:Q",
            alt.Tooltip("avg_next_quarter_attainment_pct:Q", title="next-quarter attainment", format=PCT),
            alt.Tooltip("avg_next_quarter_turnover_rate:Q", title="next-quarter turnover", format=".1%"),
            _too_few_tooltip(),
        ],
    )
    return _next_quarter_bars(base, "Team attainment the quarter after", "Team turnover the quarter after")


def engagement_chart(engagement: Rows) -> alt.HConcatChart:
    """Per survey wave and coaching quartile of the wave's quarter: the teams' favourable answers on their
    manager's coaching, and their eNPS."""
    base = alt.Chart(_inline(engagement)).encode(
        x=alt.X("wave:O", title="Survey wave", axis=_quarter_axis(engagement, "wave")),
        xOffset=alt.XOffset("quartile:O"),
        color=alt.Color("quartile:O", scale=QUARTILE_COLORS, title="Coaching quartile (4 = most)"),
        **_faded_when_too_few("quartile:O", QUARTILE_COLORS),
        tooltip=[
            "wave:O",
            alt.Tooltip("quartile:O", title="quartile"),
            alt.Tooltip("managers:Q", title="teams"),
            alt.Tooltip("responses:Q", title="finished responses"),
            alt.Tooltip("avg_q_coach_favorable_pct:Q", title="coaching helps (4-5 of 5)", format=PCT),
            alt.Tooltip("avg_enps:Q", title="eNPS", format=".0f"),
            _too_few_tooltip(),
        ],
    )
    favourable = base.mark_bar(strokeWidth=1).encode(
        y=alt.Y("avg_q_coach_favorable_pct:Q", title="Answers of 4 or 5, team average", axis=PCT_AXIS)
    )
    enps = base.mark_bar(strokeWidth=1).encode(y=alt.Y("avg_enps:Q", title="eNPS, team average"))
    return alt.hconcat(
        favourable.properties(width=WIDTH, title='"My manager gives me coaching that helps me improve"'),
        enps.properties(width=WIDTH, title="Would recommend working here (eNPS)"),
    )


def skills_chart(skills: Rows) -> alt.VConcatChart:
    """Per skill, next-quarter attainment of the people rated low, mid and high on it."""

    def panel(kind: str, title: str) -> alt.Chart:
        return (
            alt.Chart(_inline([{**r, "skill": skill_name(r["skill"])} for r in skills if r["skill_kind"] == kind]))
            .mark_point(filled=True, size=90, strokeWidth=1.5)
            .encode(
                y=alt.Y("skill:N", title=None, sort="ascending"),
                x=alt.X(
                    "avg_next_quarter_attainment_pct:Q",
                    title="Next-quarter attainment",
                    axis=PCT_AXIS,
                    scale=alt.Scale(zero=False),
                ),
                color=alt.Color("rating_band:N", scale=BAND_COLORS, title="Rated", sort=["low", "mid", "high"]),
                **_faded_when_too_few("rating_band:N", BAND_COLORS),
                tooltip=[
                    "skill:N",
                    alt.Tooltip("rating_band:N", title="rated"),
                    alt.Tooltip("coachees_with_attainment:Q", title="coachee-quarters with a result"),
                    alt.Tooltip("avg_next_quarter_attainment_pct:Q", title="next-quarter attainment", format=PCT),
                    _too_few_tooltip(),
                ],
            )
            .properties(width=2 * WIDTH, title=title)
        )

    return alt.vconcat(
        panel("rep", "Selling skills of reps: their own attainment the quarter after"),
        panel("coaching", "Coaching skills of managers: their team's attainment the quarter after"),
    ).resolve_scale(x="shared")


def second_line_chart(second_line: Rows) -> alt.HConcatChart:
    """Each SLM-quarter: share of their FLMs they coached, against their FLMs' coaching next quarter."""
    base = alt.Chart(_inline(second_line)).encode(
        x=alt.X("flm_coverage_pct:Q", title="Share of their FLMs the SLM coached", axis=alt.Axis(format=PCT)),
        size=alt.Size("flms_eoq:Q", title="FLMs"),
        color=alt.Color("quarter:O", title="Quarter"),
        tooltip=[
            alt.Tooltip("manager_name:N", title="SLM"),
            "quarter:O",
            alt.Tooltip("flms_eoq:Q", title="FLMs"),
            alt.Tooltip("flms_coached:Q", title="FLMs coached"),
            alt.Tooltip("flm_coaching_hours_per_direct_report:Q", title="FLM coaching h / rep", format=".2f"),
            alt.Tooltip(
                "next_quarter_flm_coaching_hours_per_direct_report:Q",
                title="FLM coaching h / rep next quarter",
                format=".2f",
            ),
            alt.Tooltip("next_quarter_flm_team_attainment_pct:Q", title="team attainment next quarter", format=PCT),
        ],
    )
    hours = base.mark_circle(opacity=0.8).encode(
        y=alt.Y("next_quarter_flm_coaching_hours_per_direct_report:Q", title="FLMs' coaching h / rep, next quarter")
    )
    attainment = base.mark_circle(opacity=0.8).encode(
        y=alt.Y(
            "next_quarter_flm_team_attainment_pct:Q",
            title="FLMs' team attainment, next quarter",
            axis=PCT_AXIS,
            scale=alt.Scale(zero=False),
        )
    )
    return alt.hconcat(
        hours.properties(width=WIDTH, title="Do coached FLMs coach more?"),
        attainment.properties(width=WIDTH, title="Do their teams sell more?"),
    )


def all_charts(data: ReportData) -> dict[str, alt.TopLevelMixin]:
    """Every chart of the page, by its id (the order of the page)."""
    return {
        "intensity": intensity_chart(data.impact),
        "slm": slm_chart(data.slm_split),
        "engagement": engagement_chart(data.engagement),
        "skills": skills_chart(data.skills),
        "second_line": second_line_chart(data.second_line),
    }
