-- mart_skill_impact: one row per quarter, skill and rating band (metrics.md).
-- Built from the mart_skill_ratings rows whose next quarter is complete (as-of date >= its last calendar
-- day). rating_band from the row's avg_rating: low < 3 <= mid < 4 <= high, compared exactly on the integer
-- parts (rating_sum against 3 and 4 times rating_count). Only bands that have rows.
-- Next-quarter outcome of a row:
--   coaching skill: the coachee's next_quarter_attainment_pct / next_quarter_turnover_rate in
--     mart_coaching_effectiveness for the row's quarter (none when the coachee has no row there, i.e. was
--     not an FLM with direct reports at quarter end);
--   rep skill: the coachee's own next-quarter attainment: won bookings they own closed in the next
--     quarter / their quota of the next quarter's months (int_crm__owner_months; NULL when that quota is
--     0), and whether an employment span of the coachee ends in the next quarter.
-- Means are over the rows where the value is not NULL (NULL when none), order-free (macro exact_avg).

with ratings as (

    select
        *,
        case
            when rating_sum < 3 * rating_count then 'low'
            when rating_sum < 4 * rating_count then 'mid'
            else 'high'
        end as rating_band,
        {{ dbt.dateadd('month', 3, 'quarter') }} as next_quarter
    from {{ ref('mart_skill_ratings') }}
    where is_next_quarter_complete

),

effectiveness as (

    select manager_employee_id, quarter, next_quarter_attainment_pct, next_quarter_turnover_rate
    from {{ ref('mart_coaching_effectiveness') }}

),

own_quarters as (

    select
        employee_id,
        {{ dbt.date_trunc('quarter', 'month') }} as quarter,
        sum(own_bookings_usd) as own_bookings_usd,
        sum(quota_usd) as quota_usd
    from {{ ref('int_crm__owner_months') }}
    group by employee_id, {{ dbt.date_trunc('quarter', 'month') }}

),

span_ends as (

    select employee_id, span_end
    from {{ ref('int_people__employment_spans') }}
    where span_end is not null

),

outcomes as (

    select
        ratings.quarter,
        ratings.skill,
        ratings.skill_kind,
        ratings.rating_band,
        ratings.avg_rating,
        case
            when ratings.skill_kind = 'coaching' then effectiveness.next_quarter_attainment_pct
            when own_next.quota_usd <> 0 then cast(own_next.own_bookings_usd as double) / cast(own_next.quota_usd as double)
        end as next_quarter_attainment_pct,
        case when ratings.skill_kind = 'coaching' then effectiveness.next_quarter_turnover_rate end
            as next_quarter_turnover_rate,
        exists (
            select 1 from span_ends
            where span_ends.employee_id = ratings.coachee_employee_id
              and span_ends.span_end >= ratings.next_quarter
              and span_ends.span_end < {{ dbt.dateadd('month', 3, 'ratings.next_quarter') }}
        ) as separated_next_quarter
    from ratings
    left join effectiveness
        on ratings.skill_kind = 'coaching'
       and effectiveness.manager_employee_id = ratings.coachee_employee_id
       and effectiveness.quarter = ratings.quarter
    left join own_quarters as own_next
        on ratings.skill_kind = 'rep'
       and own_next.employee_id = ratings.coachee_employee_id
       and own_next.quarter = ratings.next_quarter

),

grouped as (

    select
        quarter,
        skill,
        skill_kind,
        rating_band,
        count(*) as coachees,
        {{ exact_avg('avg_rating') }} as avg_rating,
        {{ exact_avg('next_quarter_attainment_pct') }} as avg_next_quarter_attainment_pct,
        count(next_quarter_attainment_pct) as coachees_with_next_quarter_attainment,
        {{ exact_avg('next_quarter_turnover_rate') }} as avg_next_quarter_turnover_rate,
        case when skill_kind = 'rep' then count(case when separated_next_quarter then 1 end) end
            as next_quarter_separations
    from outcomes
    group by quarter, skill, skill_kind, rating_band

)

select
    cast(quarter as date) as quarter,
    cast(skill as string) as skill,
    cast(rating_band as string) as rating_band,
    cast(skill_kind as string) as skill_kind,
    cast(coachees as integer) as coachees,
    cast(avg_rating as double) as avg_rating,
    cast(avg_next_quarter_attainment_pct as double) as avg_next_quarter_attainment_pct,
    cast(coachees_with_next_quarter_attainment as integer) as coachees_with_next_quarter_attainment,
    cast(avg_next_quarter_turnover_rate as double) as avg_next_quarter_turnover_rate,
    cast(next_quarter_separations as integer) as next_quarter_separations
from grouped
