-- The rows and columns of mart_manager_coaching (metrics.md) for every month of the calendar, published or not:
-- mart_coaching_effectiveness sums a quarter's months from here, the months before the coverage start too.
-- Rows: people with a direct report on some day of the month, or who delivered a counted session in it
-- (int_manager_months__spine).
-- Events are "in the month" when dated between month (first day) and month_end (capped at as-of date).
-- Sums and counts are 0 (never NULL) when nothing happened; ratios are NULL when their denominator is 0.
-- Minutes (Duration_Minutes__c, a DOUBLE that may hold a fraction) are summed exactly (macro exact_sum).

with spine as (

    select * from {{ ref('int_manager_months__spine') }}

),

sessions as (

    select
        sessions.coaching_report_id,
        sessions.coach_employee_id,
        sessions.coachee_employee_id,
        coalesce(sessions.duration_minutes, 0) as duration_minutes,
        months.month,
        months.month_end
    from {{ ref('int_coaching__sessions') }} as sessions
    inner join {{ ref('int_calendar__months') }} as months
        on {{ in_period('sessions.review_date', 'months', 'month') }}

),

ratings as (

    select
        ratings.coach_employee_id,
        ratings.coachee_employee_id,
        ratings.skill_group,
        ratings.rating,
        months.month
    from {{ ref('int_coaching__session_ratings') }} as ratings
    inner join {{ ref('int_calendar__months') }} as months
        on {{ in_period('ratings.review_date', 'months', 'month') }}

),

reporting as (

    select employee_id, manager_employee_id, valid_from, valid_to
    from {{ ref('int_people__reporting_intervals') }}

),

delivered as (

    select
        coach_employee_id as manager_employee_id,
        month,
        count(distinct coaching_report_id) as sessions_delivered,
        {{ exact_sum('duration_minutes') }} as coaching_minutes_delivered,
        count(distinct coachee_employee_id) as coachees_coached
    from sessions
    group by coach_employee_id, month

),

-- Direct reports at month end who were a coachee of one of the manager's sessions in the month.
reports_coached as (

    select
        sessions.coach_employee_id as manager_employee_id,
        sessions.month,
        count(distinct sessions.coachee_employee_id) as direct_reports_coached
    from sessions
    inner join reporting
        on reporting.manager_employee_id = sessions.coach_employee_id
       and reporting.employee_id = sessions.coachee_employee_id
       and {{ reporting_on_day('reporting', 'sessions.month_end') }}
    group by sessions.coach_employee_id, sessions.month

),

-- Every rating (rep and coaching skills) in the sessions the manager delivered.
ratings_given as (

    select
        coach_employee_id as manager_employee_id,
        month,
        sum(rating) as rating_sum_given,
        count(rating) as rating_count_given
    from ratings
    group by coach_employee_id, month

),

received as (

    select
        coachee_employee_id as manager_employee_id,
        month,
        count(distinct coaching_report_id) as sessions_received,
        {{ exact_sum('duration_minutes') }} as coaching_minutes_received
    from sessions
    group by coachee_employee_id, month

),

-- The seven coaching-skill ratings in the sessions the manager received.
ratings_received as (

    select
        coachee_employee_id as manager_employee_id,
        month,
        sum(rating) as coaching_skill_rating_sum_received,
        count(rating) as coaching_skill_rating_count_received
    from ratings
    where skill_group = 'coaching'
    group by coachee_employee_id, month

),

-- Coaching-curriculum assignments (rows of int_lms__assignments) of the manager: assigned on or before
-- month end and not Cancelled (latest state); completed = of those, completed_date on or before month end
-- (the date decides, whatever the status says).
courses as (

    select
        spine.manager_employee_id,
        spine.month,
        count(*) as coaching_courses_assigned,
        count(case when assignments.completed_date <= spine.month_end then 1 end) as coaching_courses_completed
    from spine
    inner join {{ ref('int_lms__assignments') }} as assignments
        on assignments.employee_id = spine.manager_employee_id
       and assignments.assigned_date <= spine.month_end
    where assignments.is_coaching_curriculum
      and coalesce(assignments.status, '') <> 'Cancelled'
    group by spine.manager_employee_id, spine.month

),

joined as (

    select
        spine.manager_employee_id,
        spine.month,
        spine.manager_name,
        spine.management_level,
        spine.region,
        spine.second_line_manager_employee_id,
        spine.headcount_end as direct_reports_eom,
        coalesce(delivered.sessions_delivered, 0) as sessions_delivered,
        coalesce(delivered.coaching_minutes_delivered, 0) as coaching_minutes_delivered,
        coalesce(delivered.coachees_coached, 0) as coachees_coached,
        coalesce(reports_coached.direct_reports_coached, 0) as direct_reports_coached,
        coalesce(ratings_given.rating_sum_given, 0) as rating_sum_given,
        coalesce(ratings_given.rating_count_given, 0) as rating_count_given,
        coalesce(received.sessions_received, 0) as sessions_received,
        coalesce(received.coaching_minutes_received, 0) as coaching_minutes_received,
        coalesce(ratings_received.coaching_skill_rating_sum_received, 0) as coaching_skill_rating_sum_received,
        coalesce(ratings_received.coaching_skill_rating_count_received, 0) as coaching_skill_rating_count_received,
        coalesce(courses.coaching_courses_assigned, 0) as coaching_courses_assigned,
        coalesce(courses.coaching_courses_completed, 0) as coaching_courses_completed
    from spine
    left join delivered
        on spine.manager_employee_id = delivered.manager_employee_id and spine.month = delivered.month
    left join reports_coached
        on spine.manager_employee_id = reports_coached.manager_employee_id and spine.month = reports_coached.month
    left join ratings_given
        on spine.manager_employee_id = ratings_given.manager_employee_id and spine.month = ratings_given.month
    left join received
        on spine.manager_employee_id = received.manager_employee_id and spine.month = received.month
    left join ratings_received
        on spine.manager_employee_id = ratings_received.manager_employee_id and spine.month = ratings_received.month
    left join courses
        on spine.manager_employee_id = courses.manager_employee_id and spine.month = courses.month

)

select
    cast(manager_employee_id as string) as manager_employee_id,
    cast(month as date) as month,
    cast(manager_name as string) as manager_name,
    cast(management_level as string) as management_level,
    cast(region as string) as region,
    cast(second_line_manager_employee_id as string) as second_line_manager_employee_id,
    cast(direct_reports_eom as integer) as direct_reports_eom,
    cast(sessions_delivered as integer) as sessions_delivered,
    cast(coaching_minutes_delivered as double) as coaching_minutes_delivered,
    cast(coachees_coached as integer) as coachees_coached,
    cast(direct_reports_coached as integer) as direct_reports_coached,
    cast(case when direct_reports_eom > 0 then cast(direct_reports_coached as double) / direct_reports_eom end as double)
        as coverage_pct,
    cast(case when direct_reports_eom > 0
              then {{ coaching_hours_per_direct_report('coaching_minutes_delivered', 'direct_reports_eom') }} end
         as double) as coaching_hours_per_direct_report,
    cast(rating_sum_given as integer) as rating_sum_given,
    cast(rating_count_given as integer) as rating_count_given,
    cast(case when rating_count_given > 0 then cast(rating_sum_given as double) / rating_count_given end as double)
        as avg_rating_given,
    cast(sessions_received as integer) as sessions_received,
    cast(coaching_minutes_received as double) as coaching_minutes_received,
    cast(coaching_skill_rating_sum_received as integer) as coaching_skill_rating_sum_received,
    cast(coaching_skill_rating_count_received as integer) as coaching_skill_rating_count_received,
    cast(case when coaching_skill_rating_count_received > 0
              then cast(coaching_skill_rating_sum_received as double) / coaching_skill_rating_count_received end as double)
        as avg_coaching_skill_rating_received,
    cast(coaching_courses_assigned as integer) as coaching_courses_assigned,
    cast(coaching_courses_completed as integer) as coaching_courses_completed
from joined
