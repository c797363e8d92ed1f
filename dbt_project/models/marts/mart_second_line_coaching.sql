-- mart_second_line_coaching: one row per second-line manager and quarter (metrics.md).
-- Rows: people whose job_history row with the greatest Effective Date <= quarter end (capped at the as-of
-- date) says 'Second-Line Manager' and who have direct reports at quarter end. Their FLMs: those direct
-- reports at quarter end whose own job row at quarter end says 'First-Line Manager' (the same set is
-- followed into the next quarter, whatever their role then).
-- Sessions "in the quarter": counted sessions with a review date from the quarter's first day to its end.
-- FLM coaching hours: mean over the FLMs of mart_coaching_effectiveness.coaching_hours_per_direct_report
-- (FLMs without a row skipped; NULL when none has one). FLM team attainment: sum of bookings_usd over sum
-- of quota_usd of the FLMs' manager-month revenue rows in the quarter, every month of it (from
-- int_manager_months__revenue, the rows of mart_manager_revenue before the coverage start too); NULL when
-- the quota sum is 0 or there is no row. Next-quarter values NULL until the next quarter is complete.
-- Sums and means of doubles are order-free (macros exact_sum, exact_avg). Published quarters only.

with quarters as (

    select * from {{ ref('int_calendar__quarters') }}

),

job as (

    select employee_id, effective_date, valid_until, management_level
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
        reporting.employee_id,
        job.management_level
    from reporting
    inner join quarters
        on {{ reporting_on_day('reporting', 'quarters.quarter_end') }}
    left join job
        on {{ job_row_on_day('job', 'reporting.employee_id', 'quarters.quarter_end') }}

),

slm_quarters as (

    select distinct
        reports_eoq.manager_employee_id,
        quarters.quarter,
        quarters.quarter_end,
        quarters.next_quarter,
        quarters.is_next_quarter_complete
    from reports_eoq
    inner join quarters
        on reports_eoq.quarter = quarters.quarter
    inner join job
        on {{ job_row_on_day('job', 'reports_eoq.manager_employee_id', 'quarters.quarter_end') }}
    where job.management_level = 'Second-Line Manager'
      and quarters.is_quarter_published

),

their_flms as (

    select slm_quarters.manager_employee_id, slm_quarters.quarter, reports_eoq.employee_id as flm_employee_id
    from slm_quarters
    inner join reports_eoq
        on reports_eoq.manager_employee_id = slm_quarters.manager_employee_id
       and reports_eoq.quarter = slm_quarters.quarter
    where reports_eoq.management_level = 'First-Line Manager'

),

sessions_to_flms as (

    select
        their_flms.manager_employee_id,
        their_flms.quarter,
        sessions.coaching_report_id,
        sessions.coachee_employee_id,
        sessions.duration_minutes
    from their_flms
    inner join slm_quarters
        on slm_quarters.manager_employee_id = their_flms.manager_employee_id
       and slm_quarters.quarter = their_flms.quarter
    inner join {{ ref('int_coaching__sessions') }} as sessions
        on sessions.coach_employee_id = their_flms.manager_employee_id
       and sessions.coachee_employee_id = their_flms.flm_employee_id
       and {{ in_period('sessions.review_date', 'slm_quarters', 'quarter') }}

),

coaching_given as (

    select
        manager_employee_id,
        quarter,
        count(*) as sessions_to_flms,
        count(distinct coachee_employee_id) as flms_coached,
        {{ exact_sum('coalesce(duration_minutes, 0)') }} as coaching_minutes_to_flms
    from sessions_to_flms
    group by manager_employee_id, quarter

),

ratings_given as (

    select
        sessions_to_flms.manager_employee_id,
        sessions_to_flms.quarter,
        sum(ratings.rating) as rating_sum,
        count(ratings.rating) as rating_count
    from sessions_to_flms
    inner join {{ ref('int_coaching__session_ratings') }} as ratings
        on ratings.coaching_report_id = sessions_to_flms.coaching_report_id
    where ratings.skill_group = 'coaching'
    group by sessions_to_flms.manager_employee_id, sessions_to_flms.quarter

),

flm_counts as (

    select manager_employee_id, quarter, count(*) as flms_eoq
    from their_flms
    group by manager_employee_id, quarter

),

-- The FLMs' coaching and team results, this quarter (offset 0) and next (offset 3 months).
flm_results as (

    select
        their_flms.manager_employee_id,
        their_flms.quarter,
        offsets.months_ahead,
        {{ exact_avg('effectiveness.coaching_hours_per_direct_report') }} as flm_coaching_hours_per_direct_report
    from their_flms
    cross join (select 0 as months_ahead union all select 3) as offsets
    left join {{ ref('mart_coaching_effectiveness') }} as effectiveness
        on effectiveness.manager_employee_id = their_flms.flm_employee_id
       and effectiveness.quarter = {{ dbt.dateadd('month', 'offsets.months_ahead', 'their_flms.quarter') }}
    group by their_flms.manager_employee_id, their_flms.quarter, offsets.months_ahead

),

flm_revenue as (

    select
        their_flms.manager_employee_id,
        their_flms.quarter,
        offsets.months_ahead,
        {{ exact_sum('revenue.bookings_usd') }} as bookings_usd,
        {{ exact_sum('revenue.quota_usd') }} as quota_usd
    from their_flms
    cross join (select 0 as months_ahead union all select 3) as offsets
    inner join {{ ref('int_manager_months__revenue') }} as revenue
        on revenue.manager_employee_id = their_flms.flm_employee_id
       and {{ dbt.date_trunc('quarter', 'revenue.month') }}
           = {{ dbt.dateadd('month', 'offsets.months_ahead', 'their_flms.quarter') }}
    group by their_flms.manager_employee_id, their_flms.quarter, offsets.months_ahead

),

joined as (

    select
        slm_quarters.manager_employee_id,
        slm_quarters.quarter,
        slm_quarters.quarter_end,
        slm_quarters.is_next_quarter_complete,
        coalesce(flm_counts.flms_eoq, 0) as flms_eoq,
        coalesce(coaching_given.flms_coached, 0) as flms_coached,
        coalesce(coaching_given.sessions_to_flms, 0) as sessions_to_flms,
        coalesce(coaching_given.coaching_minutes_to_flms, 0) as coaching_minutes_to_flms,
        coalesce(ratings_given.rating_sum, 0) as coaching_skill_rating_sum_given,
        coalesce(ratings_given.rating_count, 0) as coaching_skill_rating_count_given,
        this_hours.flm_coaching_hours_per_direct_report,
        coalesce(this_revenue.bookings_usd, 0) as flm_team_bookings_usd,
        coalesce(this_revenue.quota_usd, 0) as flm_team_quota_usd,
        next_hours.flm_coaching_hours_per_direct_report as next_flm_coaching_hours_per_direct_report,
        next_revenue.bookings_usd as next_bookings_usd,
        next_revenue.quota_usd as next_quota_usd
    from slm_quarters
    left join flm_counts
        on flm_counts.manager_employee_id = slm_quarters.manager_employee_id
       and flm_counts.quarter = slm_quarters.quarter
    left join coaching_given
        on coaching_given.manager_employee_id = slm_quarters.manager_employee_id
       and coaching_given.quarter = slm_quarters.quarter
    left join ratings_given
        on ratings_given.manager_employee_id = slm_quarters.manager_employee_id
       and ratings_given.quarter = slm_quarters.quarter
    left join flm_results as this_hours
        on this_hours.manager_employee_id = slm_quarters.manager_employee_id
       and this_hours.quarter = slm_quarters.quarter
       and this_hours.months_ahead = 0
    left join flm_results as next_hours
        on next_hours.manager_employee_id = slm_quarters.manager_employee_id
       and next_hours.quarter = slm_quarters.quarter
       and next_hours.months_ahead = 3
    left join flm_revenue as this_revenue
        on this_revenue.manager_employee_id = slm_quarters.manager_employee_id
       and this_revenue.quarter = slm_quarters.quarter
       and this_revenue.months_ahead = 0
    left join flm_revenue as next_revenue
        on next_revenue.manager_employee_id = slm_quarters.manager_employee_id
       and next_revenue.quarter = slm_quarters.quarter
       and next_revenue.months_ahead = 3

)

select
    cast(manager_employee_id as string) as manager_employee_id,
    cast(quarter as date) as quarter,
    cast(quarter_end as date) as quarter_end,
    cast(flms_eoq as integer) as flms_eoq,
    cast(flms_coached as integer) as flms_coached,
    cast(case when flms_eoq > 0 then cast(flms_coached as double) / flms_eoq end as double) as flm_coverage_pct,
    cast(sessions_to_flms as integer) as sessions_to_flms,
    cast(coaching_minutes_to_flms as double) as coaching_minutes_to_flms,
    cast(coaching_skill_rating_sum_given as integer) as coaching_skill_rating_sum_given,
    cast(coaching_skill_rating_count_given as integer) as coaching_skill_rating_count_given,
    cast(case when coaching_skill_rating_count_given > 0
              then cast(coaching_skill_rating_sum_given as double) / coaching_skill_rating_count_given
         end as double) as avg_coaching_skill_rating_given,
    cast(flm_coaching_hours_per_direct_report as double) as flm_coaching_hours_per_direct_report,
    cast(flm_team_bookings_usd as double) as flm_team_bookings_usd,
    cast(flm_team_quota_usd as double) as flm_team_quota_usd,
    cast(case when flm_team_quota_usd <> 0 then flm_team_bookings_usd / flm_team_quota_usd end as double)
        as flm_team_attainment_pct,
    cast(is_next_quarter_complete as boolean) as is_next_quarter_complete,
    cast(case when is_next_quarter_complete then next_flm_coaching_hours_per_direct_report end as double)
        as next_quarter_flm_coaching_hours_per_direct_report,
    cast(case when is_next_quarter_complete and next_quota_usd <> 0 then next_bookings_usd / next_quota_usd end
         as double) as next_quarter_flm_team_attainment_pct
from joined
