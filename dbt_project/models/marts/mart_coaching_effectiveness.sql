-- mart_coaching_effectiveness: one row per front-line manager and quarter (metrics.md).
-- Rows: people whose job row with the greatest Effective Date <= quarter end says 'First-Line Manager' and
-- who have at least one direct report at quarter end (quarter end is capped at the as-of date).
-- Built from the monthly rows of the quarter, every month of it, the unpublished ones before the coverage start
-- too: coaching minutes delivered are sums of the manager's rows of int_manager_months__coaching
-- (mart_manager_coaching's rows), bookings and quota of int_manager_months__revenue, separations and avg_headcount
-- of int_manager_months__retention. From the quarter's sessions: coverage (distinct direct reports at quarter end
-- coached in the quarter; distinct coachees do not add up over months), and the sessions and coaching-skill
-- ratings received, which a month without a monthly row of the manager may hold (see received_quarter).
-- Quarter turnover: separations / (sum of the monthly avg_headcount / the number of the quarter's months up to
-- the as-of date), a month without a row counting 0.
-- next_quarter_*: the same measures for the following quarter and the same manager (whatever their role
-- then), NULL until that quarter is complete (as-of date >= its last calendar day).
-- coaching_hours_per_direct_report: macro coaching_hours_per_direct_report, as in mart_manager_coaching.
-- coaching_intensity_quartile: NTILE(4) over the quarter's rows ordered by coaching_hours_per_direct_report
-- ascending (NULL would sort first, as "no coaching", but it cannot occur: direct_reports_eoq > 0 and
-- minutes with no duration count 0), then manager_employee_id; 4 = most coaching. The order reads the hours
-- as macro coaching_intensity_order rounds them, so that mathematically equal ratios meet the id tie-break.

with quarters as (

    select
        quarter,
        quarter_end,
        is_quarter_published,
        is_next_quarter_complete,
        -- calendar months of the quarter up to the as-of date (the denominator of mean avg_headcount)
        {{ dbt.datediff('quarter', 'quarter_end', 'month') }} + 1 as months_to_date
    from {{ ref('int_calendar__quarters') }}

),

job as (

    select employee_id, effective_date, valid_until, management_level, manager_employee_id
    from {{ ref('int_people__job_intervals') }}

),

reporting as (

    select employee_id, manager_employee_id, valid_from, valid_to
    from {{ ref('int_people__reporting_intervals') }}

),

reports_eoq as (

    select
        reporting.manager_employee_id,
        quarters.quarter,
        count(distinct reporting.employee_id) as direct_reports_eoq
    from reporting
    inner join quarters
        on {{ reporting_on_day('reporting', 'quarters.quarter_end') }}
    group by reporting.manager_employee_id, quarters.quarter

),

flm_quarters as (

    select
        reports_eoq.manager_employee_id,
        quarters.quarter,
        quarters.quarter_end,
        quarters.is_next_quarter_complete,
        job.manager_employee_id as second_line_manager_employee_id,
        reports_eoq.direct_reports_eoq
    from reports_eoq
    inner join quarters
        on reports_eoq.quarter = quarters.quarter
    inner join job
            on {{ job_row_on_day('job', 'reports_eoq.manager_employee_id', 'quarters.quarter_end') }}
    where job.management_level = 'First-Line Manager'
      and reports_eoq.direct_reports_eoq > 0

),

-- Coaching delivered in the quarter: the sum of the manager's monthly coaching rows of the quarter
-- (int_manager_months__coaching, every month of it, the unpublished ones before the coverage start too); a month
-- in which the manager delivered a session always has a row.
coaching_quarter as (

    select
        manager_employee_id,
        cast({{ dbt.date_trunc('quarter', 'month') }} as date) as quarter,
        {{ exact_sum('coaching_minutes_delivered') }} as coaching_minutes_delivered
    from {{ ref('int_manager_months__coaching') }}
    group by 1, 2

),

-- Coaching received in the quarter: counted sessions dated in the quarter whose coachee is the manager, and their
-- coaching-skill ratings, from the sessions themselves rather than the sum of the monthly rows: a session received
-- in a month without a monthly row (no direct report and no session delivered then, as a rep before a promotion)
-- is received in the quarter all the same, as mart_second_line_coaching and mart_skill_ratings count it.
received_quarter as (

    select
        flm_quarters.manager_employee_id,
        flm_quarters.quarter,
        count(distinct sessions.coaching_report_id) as sessions_received
    from flm_quarters
    inner join {{ ref('int_coaching__sessions') }} as sessions
        on sessions.coachee_employee_id = flm_quarters.manager_employee_id
       and {{ in_period('sessions.review_date', 'flm_quarters', 'quarter') }}
    group by flm_quarters.manager_employee_id, flm_quarters.quarter

),

ratings_received_quarter as (

    select
        flm_quarters.manager_employee_id,
        flm_quarters.quarter,
        sum(ratings.rating) as coaching_skill_rating_sum_received,
        count(ratings.rating) as coaching_skill_rating_count_received
    from flm_quarters
    inner join {{ ref('int_coaching__session_ratings') }} as ratings
        on ratings.coachee_employee_id = flm_quarters.manager_employee_id
       and ratings.skill_group = 'coaching'
       and {{ in_period('ratings.review_date', 'flm_quarters', 'quarter') }}
    group by flm_quarters.manager_employee_id, flm_quarters.quarter

),

-- Direct reports at quarter end coached by the manager at least once in the quarter.
reports_coached as (

    select
        flm_quarters.manager_employee_id,
        flm_quarters.quarter,
        count(distinct sessions.coachee_employee_id) as direct_reports_coached
    from flm_quarters
    inner join {{ ref('int_coaching__sessions') }} as sessions
        on sessions.coach_employee_id = flm_quarters.manager_employee_id
       and {{ in_period('sessions.review_date', 'flm_quarters', 'quarter') }}
    inner join reporting
        on reporting.manager_employee_id = flm_quarters.manager_employee_id
       and reporting.employee_id = sessions.coachee_employee_id
       and {{ reporting_on_day('reporting', 'flm_quarters.quarter_end') }}
    group by flm_quarters.manager_employee_id, flm_quarters.quarter

),

revenue_quarter as (

    select
        manager_employee_id,
        {{ dbt.date_trunc('quarter', 'month') }} as quarter,
        {{ exact_sum('bookings_usd') }} as bookings_usd,
        {{ exact_sum('quota_usd') }} as quota_usd
    from {{ ref('int_manager_months__revenue') }}
    group by 1, 2

),

retention_quarter as (

    select
        manager_employee_id,
        {{ dbt.date_trunc('quarter', 'month') }} as quarter,
        sum(separations) as separations,
        {{ exact_sum('avg_headcount') }} as sum_avg_headcount
    from {{ ref('int_manager_months__retention') }}
    group by 1, 2

),

-- Quarter outcomes of every manager with a revenue or retention row in the quarter.
outcomes as (

    select
        coalesce(revenue_quarter.manager_employee_id, retention_quarter.manager_employee_id)
            as manager_employee_id,
        coalesce(revenue_quarter.quarter, retention_quarter.quarter) as quarter,
        coalesce(revenue_quarter.bookings_usd, 0) as bookings_usd,
        coalesce(revenue_quarter.quota_usd, 0) as quota_usd,
        coalesce(retention_quarter.separations, 0) as separations,
        coalesce(retention_quarter.sum_avg_headcount, 0) / quarters.months_to_date as avg_headcount
    from revenue_quarter
    full outer join retention_quarter
        on revenue_quarter.manager_employee_id = retention_quarter.manager_employee_id
       and revenue_quarter.quarter = retention_quarter.quarter
    inner join quarters
        on quarters.quarter = coalesce(revenue_quarter.quarter, retention_quarter.quarter)

),

rates as (

    select
        manager_employee_id,
        quarter,
        bookings_usd,
        quota_usd,
        separations,
        avg_headcount,
        case when quota_usd <> 0 then bookings_usd / quota_usd end as attainment_pct,
        case when avg_headcount > 0 then separations / avg_headcount end as turnover_rate
    from outcomes

),

joined as (

    select
        flm_quarters.manager_employee_id,
        flm_quarters.quarter,
        flm_quarters.quarter_end,
        flm_quarters.second_line_manager_employee_id,
        flm_quarters.direct_reports_eoq,
        coalesce(coaching_quarter.coaching_minutes_delivered, 0) as coaching_minutes_delivered,
        {{ coaching_hours_per_direct_report(
            'coalesce(coaching_quarter.coaching_minutes_delivered, 0)', 'flm_quarters.direct_reports_eoq'
        ) }} as coaching_hours_per_direct_report,
        coalesce(reports_coached.direct_reports_coached, 0) as direct_reports_coached,
        cast(coalesce(reports_coached.direct_reports_coached, 0) as double)
            / flm_quarters.direct_reports_eoq as coverage_pct,
        coalesce(ratings_received_quarter.coaching_skill_rating_sum_received, 0) as coaching_skill_rating_sum_received,
        coalesce(ratings_received_quarter.coaching_skill_rating_count_received, 0)
            as coaching_skill_rating_count_received,
        case when ratings_received_quarter.coaching_skill_rating_count_received > 0
             then cast(ratings_received_quarter.coaching_skill_rating_sum_received as double)
                  / ratings_received_quarter.coaching_skill_rating_count_received
        end as avg_coaching_skill_rating_received,
        coalesce(received_quarter.sessions_received, 0) as sessions_received,
        coalesce(received_quarter.sessions_received, 0) > 0 as coached_by_slm,
        coalesce(this_q.bookings_usd, 0) as bookings_usd,
        coalesce(this_q.quota_usd, 0) as quota_usd,
        this_q.attainment_pct,
        coalesce(this_q.separations, 0) as separations,
        coalesce(this_q.avg_headcount, 0) as avg_headcount,
        this_q.turnover_rate,
        flm_quarters.is_next_quarter_complete,
        next_q.attainment_pct as next_attainment_pct,
        next_q.turnover_rate as next_turnover_rate
    from flm_quarters
    left join coaching_quarter
        on flm_quarters.manager_employee_id = coaching_quarter.manager_employee_id
       and flm_quarters.quarter = coaching_quarter.quarter
    left join received_quarter
        on flm_quarters.manager_employee_id = received_quarter.manager_employee_id
       and flm_quarters.quarter = received_quarter.quarter
    left join ratings_received_quarter
        on flm_quarters.manager_employee_id = ratings_received_quarter.manager_employee_id
       and flm_quarters.quarter = ratings_received_quarter.quarter
    left join reports_coached
        on flm_quarters.manager_employee_id = reports_coached.manager_employee_id
       and flm_quarters.quarter = reports_coached.quarter
    left join rates as this_q
        on flm_quarters.manager_employee_id = this_q.manager_employee_id
       and flm_quarters.quarter = this_q.quarter
    left join rates as next_q
        on flm_quarters.manager_employee_id = next_q.manager_employee_id
       and next_q.quarter = {{ dbt.dateadd('month', 3, 'flm_quarters.quarter') }}

)

select
    cast(manager_employee_id as string) as manager_employee_id,
    cast(quarter as date) as quarter,
    cast(quarter_end as date) as quarter_end,
    cast(second_line_manager_employee_id as string) as second_line_manager_employee_id,
    cast(direct_reports_eoq as integer) as direct_reports_eoq,
    cast(coaching_minutes_delivered as double) as coaching_minutes_delivered,
    cast(coaching_hours_per_direct_report as double) as coaching_hours_per_direct_report,
    cast(direct_reports_coached as integer) as direct_reports_coached,
    cast(coverage_pct as double) as coverage_pct,
    cast(coaching_skill_rating_sum_received as integer) as coaching_skill_rating_sum_received,
    cast(coaching_skill_rating_count_received as integer) as coaching_skill_rating_count_received,
    cast(avg_coaching_skill_rating_received as double) as avg_coaching_skill_rating_received,
    cast(sessions_received as integer) as sessions_received,
    cast(coached_by_slm as boolean) as coached_by_slm,
    cast(bookings_usd as double) as bookings_usd,
    cast(quota_usd as double) as quota_usd,
    cast(attainment_pct as double) as attainment_pct,
    cast(separations as integer) as separations,
    cast(avg_headcount as double) as avg_headcount,
    cast(turnover_rate as double) as turnover_rate,
    cast(is_next_quarter_complete as boolean) as is_next_quarter_complete,
    cast(case when is_next_quarter_complete then next_attainment_pct end as double)
        as next_quarter_attainment_pct,
    cast(case when is_next_quarter_complete then next_turnover_rate end as double)
        as next_quarter_turnover_rate,
    cast(ntile(4) over (
        partition by quarter
        order by {{ coaching_intensity_order('coaching_hours_per_direct_report') }} asc nulls first, manager_employee_id
    ) as integer) as coaching_intensity_quartile
from joined
-- published quarters only: from the one that contains the coverage start (metrics.md "Coverage")
where quarter in (select quarter from quarters where is_quarter_published)
