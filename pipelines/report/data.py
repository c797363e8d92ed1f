"""What the report shows, read from the published marts only (one read-only connection, SQL per figure).

Each figure is a list of rows (a dict per row, column -> value, ready for JSON: Altair takes them as inline
data, so the report needs no pandas, whose import alone is most of a night's report step), sorted so the
same file gives the same rows.
`managers` is the size of each group: groups below SMALL_GROUP are flagged `too_few` for the page.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import duckdb

Rows = list[dict]

SMALL_GROUP = 5  # fewer managers (or coachees) than this in a group: "too few to mean much"


def _label(column: str) -> str:
    """SQL for a quarter's label, '2026 Q1'."""
    return f"cast(year({column}) as varchar) || ' Q' || cast(quarter({column}) as varchar)"


@dataclass(frozen=True)
class ReportData:
    as_of_date: date | None  # None: a file published before anything loaded (refused now; an old kept one may be)
    published_at: datetime | None  # UTC; None for a file published before marts.publication existed
    impact: Rows  # quarter x coaching-intensity quartile
    slm_split: Rows  # quarter x coached by their SLM or not
    engagement: Rows  # survey wave x coaching-intensity quartile of the wave's quarter
    skills: Rows  # skill x rating band, over every quarter with a complete next quarter
    second_line: Rows  # SLM x quarter with a complete next quarter
    managers: Rows  # FLMs of the last complete quarter
    managers_quarter: date | None
    managers_left_out: str  # the later complete quarters the table leaves out (no coaching in them), or ''
    numbers: dict[str, dict]  # the figures the headlines quote, by section


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> Rows:
    cur = con.cursor().execute(sql, params or [])
    names = [d[0] for d in cur.description]
    return [{n: _plain(v) for n, v in zip(names, row, strict=True)} for row in cur.fetchall()]


def _plain(value):
    """A value JSON can carry: DuckDB's DECIMAL sums come back as Decimal."""
    return float(value) if isinstance(value, Decimal) else value


def publication_stamp(con: duckdb.DuckDBPyConnection) -> tuple[date | None, datetime | None]:
    """(as-of date, when published, UTC) from marts.publication; a file from before that table has no publication
    time, and its as-of date is the last month end of dim_month."""
    has_publication = (
        con.cursor()
        .execute(
            "select count(*) from information_schema.tables where table_schema = 'marts' and table_name = 'publication'"
        )
        .fetchone()[0]
    )
    sql = (
        "select max(as_of_date), max(published_at) from marts.publication"
        if has_publication
        else "select max(month_end), null from marts.dim_month"
    )
    return con.cursor().execute(sql).fetchone()


# A comparison holds only the quarters that can say something about it. A quarter in which no front-line
# manager coached ranks its managers by id alone (all at 0 hours), one in which no SLM coached an FLM puts every
# FLM on one side, and one in which no SLM covered an FLM has no "coached at least half" side: such quarters
# (the first published ones, before the CRM held any coaching report) would only dilute or even reverse the
# comparison. The page says which quarters it left out.
def _evidence(table: str, rows: str, informative: str) -> tuple[str, str]:
    """SQL for the quarters of `table`'s `rows` that `informative` (an aggregate over a quarter's rows) keeps,
    and SQL for the labels of those it leaves out ('' when none): one predicate, both sides of it."""
    kept = f"select quarter from marts.{table} where {rows} group by quarter having {informative}"
    label = _label("quarter")
    left_out = (
        f"select coalesce(string_agg(distinct {label}, ', ' order by {label}), '') "
        f"from marts.{table} where {rows} and quarter not in ({kept})"
    )
    return kept, left_out


COACHED_QUARTERS, COACHED_LEFT_OUT = _evidence(
    "mart_coaching_effectiveness", "is_next_quarter_complete", "max(coaching_hours_per_direct_report) > 0"
)
SLM_COACHED_QUARTERS, SLM_COACHED_LEFT_OUT = _evidence(
    "mart_coaching_effectiveness", "is_next_quarter_complete", "bool_or(coached_by_slm)"
)
SLM_COVERED_QUARTERS, SLM_COVERED_LEFT_OUT = _evidence(
    "mart_second_line_coaching", "is_next_quarter_complete and flms_eoq > 0", "max(flm_coverage_pct) > 0"
)


IMPACT_SQL = f"""
select
    {_label("quarter")} as quarter,
    coaching_intensity_quartile as quartile,
    managers,
    avg_coaching_hours_per_direct_report,
    avg_next_quarter_attainment_pct,
    avg_next_quarter_turnover_rate,
    managers < {SMALL_GROUP} as too_few
from marts.mart_coaching_impact
where quarter in ({COACHED_QUARTERS})
order by quarter, quartile
"""

SLM_SPLIT_SQL = f"""
select
    {_label("quarter")} as quarter,
    case when coached_by_slm then 'Coached by their SLM' else 'Not coached by their SLM' end as group_name,
    count(*) as managers,
    avg(next_quarter_attainment_pct) as avg_next_quarter_attainment_pct,
    avg(next_quarter_turnover_rate) as avg_next_quarter_turnover_rate,
    count(*) < {SMALL_GROUP} as too_few
from marts.mart_coaching_effectiveness
where is_next_quarter_complete and quarter in ({SLM_COACHED_QUARTERS})
group by quarter, coached_by_slm
order by quarter, group_name
"""


# A survey wave beside the coaching of its own quarter: wave 2026-Q3 asks about the coaching of July to September
# 2026. A wave closes within its quarter or after it, so the figures wait until the quarter is complete: until
# then the quartiles would rank the managers on part of their coaching. Only the teams whose scores the mart
# shows (the rest are below the anonymity threshold, suppressed) of front-line managers (the rows of
# mart_coaching_effectiveness, which rank them by coaching), in quarters with coaching recorded.
def _wave_quarter(wave: str) -> str:
    """SQL for the first day of a wave's quarter: '2026-Q3' -> 2026-07-01 (the gate admits waves like that only)."""
    return f"make_date(cast(left({wave}, 4) as integer), 3 * cast(right({wave}, 1) as integer) - 2, 1)"


def _complete(alias: str = "") -> str:
    """SQL: the quarter of a row of mart_coaching_effectiveness (`alias.`) is complete, its end not capped."""
    return f"{alias}quarter_end = {alias}quarter + interval 3 month - interval 1 day"


COMPLETE = _complete()
COACHED_AT_ALL = (
    "select quarter from marts.mart_coaching_effectiveness group by quarter "
    "having max(coaching_hours_per_direct_report) > 0"
)
SURVEYED_TEAMS = f"""
select
    e.wave,
    eff.coaching_intensity_quartile as quartile,
    e.manager_employee_id,
    e.responses,
    e.q_coach_favorable_pct,
    e.enps
from marts.mart_manager_engagement as e
inner join marts.mart_coaching_effectiveness as eff
    on eff.manager_employee_id = e.manager_employee_id and eff.quarter = {_wave_quarter("e.wave")}
where not e.is_suppressed and {_complete("eff.")} and eff.quarter in ({COACHED_AT_ALL})
"""


def _shown_waves(where: str) -> str:
    """SQL listing the waves with a team shown that pass `where` (SQL on WAVE_QUARTER): '2025-Q3, 2025-Q4'."""
    return f"""
        select coalesce(string_agg(distinct wave, ', ' order by wave), '')
        from marts.mart_manager_engagement
        where not is_suppressed and {where}
    """


WAVE_QUARTER = _wave_quarter("wave")
EFFECTIVENESS_QUARTERS = "select quarter from marts.mart_coaching_effectiveness"
SURVEY_LEFT_OUT = _shown_waves(
    f"{WAVE_QUARTER} in ({EFFECTIVENESS_QUARTERS} where {COMPLETE} and quarter not in ({COACHED_AT_ALL}))"
)
SURVEY_NOT_YET = _shown_waves(f"{WAVE_QUARTER} in ({EFFECTIVENESS_QUARTERS} where not {COMPLETE})")
# the waves of quarters before the first published one (a survey that ran before the CRM held any activity)
SURVEY_BEFORE = _shown_waves(f"{WAVE_QUARTER} < (select min(quarter) from marts.mart_coaching_effectiveness)")

# Means over teams: each team's share of favourable answers and its eNPS count alike, whatever its size. A group's
# size is its teams with a share (a team shown may have left the item unanswered).
ENGAGEMENT_SQL = f"""
select
    wave,
    quartile,
    count(q_coach_favorable_pct) as managers,
    sum(responses) as responses,
    avg(q_coach_favorable_pct) as avg_q_coach_favorable_pct,
    avg(enps) as avg_enps,
    count(q_coach_favorable_pct) < {SMALL_GROUP} as too_few
from ({SURVEYED_TEAMS})
group by wave, quartile
order by wave, quartile
"""


def skill_name(skill: str) -> str:
    """A skill as a reader says it: `needs_discovery` -> `needs discovery`."""
    return skill.replace("_", " ")


# Over every quarter: coachees summed, the band's attainment weighted by the rows that have one.
SKILLS_SQL = f"""
select
    skill,
    skill_kind,
    rating_band,
    sum(coachees) as coachees,
    sum(coachees_with_next_quarter_attainment) as coachees_with_attainment,
    sum(avg_next_quarter_attainment_pct * coachees_with_next_quarter_attainment)
        / nullif(sum(coachees_with_next_quarter_attainment), 0) as avg_next_quarter_attainment_pct,
    sum(coachees_with_next_quarter_attainment) < {SMALL_GROUP} as too_few
from marts.mart_skill_impact
group by skill, skill_kind, rating_band
order by skill_kind desc, skill, case rating_band when 'low' then 1 when 'mid' then 2 else 3 end
"""

SECOND_LINE_SQL = f"""
select
    {_label("slm.quarter")} as quarter,
    slm.manager_employee_id,
    coalesce(e.name, slm.manager_employee_id) as manager_name,
    slm.flms_eoq,
    slm.flms_coached,
    slm.flm_coverage_pct,
    slm.flm_coaching_hours_per_direct_report,
    slm.next_quarter_flm_coaching_hours_per_direct_report,
    slm.flm_team_attainment_pct,
    slm.next_quarter_flm_team_attainment_pct
from marts.mart_second_line_coaching as slm
left join marts.dim_employee as e on e.employee_id = slm.manager_employee_id
where slm.is_next_quarter_complete and slm.flms_eoq > 0 and slm.quarter in ({SLM_COVERED_QUARTERS})
order by slm.quarter, slm.manager_employee_id
"""

# The managers' table shows the last complete quarter in which some front-line manager coached: a later one
# without any coaching (such as a quarter before the CRM held any coaching report, published because its deals
# open the coverage) would list every manager at 0 hours and 0% coached. The page names what it leaves out.
LAST_COMPLETE_QUARTER_SQL = f"""
select max(quarter) from marts.mart_coaching_effectiveness
where {COMPLETE} and quarter in ({COACHED_AT_ALL})
"""
TABLE_LEFT_OUT_SQL = f"""
select coalesce(string_agg(distinct {_label("quarter")}, ', ' order by {_label("quarter")}), '')
from marts.mart_coaching_effectiveness
where {COMPLETE} and quarter > coalesce(({LAST_COMPLETE_QUARTER_SQL}), date '0001-01-01')
"""

# The FLMs of one quarter: coaching given (hours, coverage, ratings given from the monthly coaching mart),
# coaching received, what their team said of it in the quarter's survey wave (a team the mart shows only: below
# the anonymity threshold its scores are null), results.
MANAGERS_SQL = f"""
with given as (
    select manager_employee_id, sum(rating_sum_given) as rating_sum, sum(rating_count_given) as rating_count
    from marts.mart_manager_coaching
    where month >= ? and month < ? + interval 3 month
    group by manager_employee_id
),

surveyed as (
    select manager_employee_id, q_coach_favorable_pct
    from marts.mart_manager_engagement
    where not is_suppressed and {WAVE_QUARTER} = ?
)
select
    eff.manager_employee_id,
    coalesce(e.name, eff.manager_employee_id) as manager_name,
    coalesce(slm.name, eff.second_line_manager_employee_id) as second_line_manager_name,
    eff.direct_reports_eoq,
    eff.coaching_hours_per_direct_report,
    eff.coverage_pct,
    cast(given.rating_sum as double) / nullif(given.rating_count, 0) as avg_rating_given,
    eff.avg_coaching_skill_rating_received,
    eff.coached_by_slm,
    surveyed.q_coach_favorable_pct,
    eff.attainment_pct,
    eff.turnover_rate
from marts.mart_coaching_effectiveness as eff
left join marts.dim_employee as e on e.employee_id = eff.manager_employee_id
left join marts.dim_employee as slm on slm.employee_id = eff.second_line_manager_employee_id
left join given on given.manager_employee_id = eff.manager_employee_id
left join surveyed on surveyed.manager_employee_id = eff.manager_employee_id
where eff.quarter = ?
-- the hours as the mart ranks them (dbt macro coaching_intensity_order)
order by round(eff.coaching_hours_per_direct_report, 10) desc, eff.manager_employee_id
"""


# The figures each headline quotes (one row each). Means are over managers, not over groups.
HEADLINE_SQL = {
    # _n: the distinct managers behind a side (a manager counts once however many quarters they appear in)
    "intensity": f"""
        select
            count(distinct quarter) as quarters,
            avg(next_quarter_attainment_pct) filter (where coaching_intensity_quartile = 4) as top,
            avg(next_quarter_attainment_pct) filter (where coaching_intensity_quartile = 1) as bottom,
            count(distinct manager_employee_id) filter (
                where coaching_intensity_quartile = 4 and next_quarter_attainment_pct is not null) as top_n,
            count(distinct manager_employee_id) filter (
                where coaching_intensity_quartile = 1 and next_quarter_attainment_pct is not null) as bottom_n,
            ({COACHED_LEFT_OUT}) as left_out
        from marts.mart_coaching_effectiveness
        where is_next_quarter_complete and quarter in ({COACHED_QUARTERS})
    """,
    "slm": f"""
        select
            avg(next_quarter_attainment_pct) filter (where coached_by_slm) as coached,
            avg(next_quarter_attainment_pct) filter (where not coached_by_slm) as not_coached,
            count(distinct manager_employee_id) filter (
                where coached_by_slm and next_quarter_attainment_pct is not null) as coached_n,
            count(distinct manager_employee_id) filter (
                where not coached_by_slm and next_quarter_attainment_pct is not null) as not_coached_n,
            ({SLM_COACHED_LEFT_OUT}) as left_out
        from marts.mart_coaching_effectiveness
        where is_next_quarter_complete and quarter in ({SLM_COACHED_QUARTERS})
    """,
    "engagement": f"""
        select
            count(distinct wave) as waves,
            avg(q_coach_favorable_pct) filter (where quartile = 4) as top,
            avg(q_coach_favorable_pct) filter (where quartile = 1) as bottom,
            count(distinct manager_employee_id) filter (where quartile = 4 and q_coach_favorable_pct is not null)
                as top_n,
            count(distinct manager_employee_id) filter (where quartile = 1 and q_coach_favorable_pct is not null)
                as bottom_n,
            ({SURVEY_LEFT_OUT}) as left_out,
            ({SURVEY_NOT_YET}) as not_yet,
            ({SURVEY_BEFORE}) as before_coverage
        from ({SURVEYED_TEAMS})
    """,
    "skills": """
        with bands as (
            select skill, skill_kind, rating_band,
                sum(avg_next_quarter_attainment_pct * coachees_with_next_quarter_attainment)
                    / nullif(sum(coachees_with_next_quarter_attainment), 0) as attainment,
                sum(coachees_with_next_quarter_attainment) as n
            from marts.mart_skill_impact
            group by all
        ),
        gaps as (
            select hi.skill, hi.skill_kind, hi.attainment - lo.attainment as gap, least(hi.n, lo.n) as n
            from bands as hi
            inner join bands as lo on lo.skill = hi.skill and lo.rating_band = 'low'
            where hi.rating_band = 'high' and hi.attainment is not null and lo.attainment is not null
        )
        select
            arg_max(skill, gap) filter (where skill_kind = 'rep') as rep_best,
            max(gap) filter (where skill_kind = 'rep') as rep_best_gap,
            arg_min(skill, gap) filter (where skill_kind = 'rep') as rep_worst,
            min(gap) filter (where skill_kind = 'rep') as rep_worst_gap,
            arg_max(skill, gap) filter (where skill_kind = 'coaching') as coaching_best,
            max(gap) filter (where skill_kind = 'coaching') as coaching_best_gap,
            -- the caveat is about the skill the sentence names: the smaller of its two sides
            arg_max(n, gap) filter (where skill_kind = 'coaching') as coaching_best_n
        from gaps
    """,
    "second_line": f"""
        select
            avg(next_quarter_flm_coaching_hours_per_direct_report) filter (where flm_coverage_pct >= 0.5) as high,
            avg(next_quarter_flm_coaching_hours_per_direct_report) filter (where flm_coverage_pct < 0.5) as low,
            count(distinct manager_employee_id) filter (
                where flm_coverage_pct >= 0.5 and next_quarter_flm_coaching_hours_per_direct_report is not null)
                as high_n,
            count(distinct manager_employee_id) filter (
                where flm_coverage_pct < 0.5 and next_quarter_flm_coaching_hours_per_direct_report is not null)
                as low_n,
            ({SLM_COVERED_LEFT_OUT}) as left_out
        from marts.mart_second_line_coaching
        where is_next_quarter_complete and flms_eoq > 0 and quarter in ({SLM_COVERED_QUARTERS})
    """,
    "managers": f"""
        select
            count(*) as managers,
            min(coaching_hours_per_direct_report) as min_hours,
            max(coaching_hours_per_direct_report) as max_hours,
            avg(attainment_pct) as avg_attainment
        from marts.mart_coaching_effectiveness
        where quarter = ({LAST_COMPLETE_QUARTER_SQL})
    """,
}


def _one_row(con: duckdb.DuckDBPyConnection, sql: str) -> dict:
    return _rows(con, sql)[0]


def read_headline_numbers(published: Path, name: str) -> dict:
    """The figures of one headline (`HEADLINE_SQL[name]`), read from the published file alone."""
    with duckdb.connect(str(published), read_only=True) as con:
        return _one_row(con, HEADLINE_SQL[name])


def read_report_data(published: Path) -> ReportData:
    """Everything the page shows, from the published file (opened read-only)."""
    with duckdb.connect(str(published), read_only=True) as con:
        last_quarter = con.cursor().execute(LAST_COMPLETE_QUARTER_SQL).fetchone()[0]
        managers = _rows(con, MANAGERS_SQL, [last_quarter] * 4) if last_quarter is not None else []
        as_of_date, published_at = publication_stamp(con)
        return ReportData(
            as_of_date=as_of_date,
            published_at=published_at,
            impact=_rows(con, IMPACT_SQL),
            slm_split=_rows(con, SLM_SPLIT_SQL),
            engagement=_rows(con, ENGAGEMENT_SQL),
            skills=_rows(con, SKILLS_SQL),
            second_line=_rows(con, SECOND_LINE_SQL),
            managers=managers,
            managers_quarter=last_quarter,
            managers_left_out=con.cursor().execute(TABLE_LEFT_OUT_SQL).fetchone()[0],
            numbers={name: _one_row(con, sql) for name, sql in HEADLINE_SQL.items()},
        )
