-- mart_skill_ratings: one row per coachee, quarter and skill (metrics.md).
-- Rows: every (coachee, quarter, skill) with at least one rating of the skill in the counted sessions the
-- person received in the quarter (int_coaching__session_ratings; "in the quarter" = review date from the
-- quarter's first day to its end capped at the as-of date: a session after the as-of date counts nowhere).
-- management_level: the coachee's job_history row with the greatest Effective Date <= quarter end (active
-- or not); manager_employee_id: the coachee's manager on quarter end (macro manager_on_day: NULL when the
-- coachee is not active then, or job_history names no manager).
-- previous_quarter_avg_rating: avg_rating of the same coachee and skill in the previous quarter, which is
-- computed even when that quarter is not published (before the coverage start, even before the HR history);
-- NULL when no rating then.
-- Published quarters only (from the one that contains the coverage start).

with quarters as (

    select * from {{ ref('int_calendar__quarters') }}

),

-- every quarter with ratings, also one before the calendar's first quarter (the HR history's), which only a
-- previous_quarter_avg_rating reads: a rating needs no reporting line
ratings as (

    select
        ratings.coachee_employee_id,
        ratings.quarter,
        ratings.skill,
        ratings.skill_group as skill_kind,
        sum(ratings.rating) as rating_sum,
        count(ratings.rating) as rating_count
    from {{ ref('int_coaching__session_ratings') }} as ratings
    where ratings.review_date <= (select as_of_date from {{ ref('int_calendar__as_of') }})
    group by ratings.coachee_employee_id, ratings.quarter, ratings.skill, ratings.skill_group

),

with_previous as (

    select
        this_q.*,
        cast(this_q.rating_sum as double) / this_q.rating_count as avg_rating,
        cast(previous_q.rating_sum as double) / previous_q.rating_count as previous_quarter_avg_rating
    from ratings as this_q
    left join ratings as previous_q
        on previous_q.coachee_employee_id = this_q.coachee_employee_id
       and previous_q.skill = this_q.skill
       and previous_q.quarter = {{ dbt.dateadd('month', -3, 'this_q.quarter') }}

),

job as (

    select employee_id, effective_date, valid_until, management_level
    from {{ ref('int_people__job_intervals') }}

),

reporting as (

    select employee_id, manager_employee_id, valid_from, valid_to
    from {{ ref('int_people__reporting_intervals') }}

)

select
    cast(with_previous.coachee_employee_id as string) as coachee_employee_id,
    cast(with_previous.quarter as date) as quarter,
    cast(with_previous.skill as string) as skill,
    cast(with_previous.skill_kind as string) as skill_kind,
    cast(job.management_level as string) as management_level,
    cast(reporting.manager_employee_id as string) as manager_employee_id,
    cast(with_previous.rating_sum as integer) as rating_sum,
    cast(with_previous.rating_count as integer) as rating_count,
    cast(with_previous.avg_rating as double) as avg_rating,
    cast(with_previous.previous_quarter_avg_rating as double) as previous_quarter_avg_rating,
    cast(quarters.quarter_end as date) as quarter_end,
    cast(quarters.is_next_quarter_complete as boolean) as is_next_quarter_complete
from with_previous
inner join quarters
    on with_previous.quarter = quarters.quarter
left join job
    on {{ job_row_on_day('job', 'with_previous.coachee_employee_id', 'quarters.quarter_end') }}
left join reporting
    on {{ manager_on_day('reporting', 'with_previous.coachee_employee_id', 'quarters.quarter_end') }}
where quarters.is_quarter_published
