-- The month calendar every model computes on: from the first month of the quarter that holds the earliest
-- job_history Effective Date to the as-of month. It starts at that quarter's start, not the HR month, because
-- a quarter measure uses every month of its quarter (metrics.md "Coverage"): a session coached in July counts
-- in Q3's minutes even when the HR history starts in August. month_end / quarter_end are the calendar ends
-- capped at the as-of date; workdays count Monday-Friday from month to month_end. Completeness flags compare
-- the as-of date with the calendar ends.
-- Coverage (metrics.md): the marts publish months from the coverage start, the first month holding a CRM
-- activity (a counted coaching session, a submitted visit or an opportunity's UTC creation day, whoever
-- its user is), never before the first HR month. Earlier months are still here, unpublished
-- (is_published false), because trailing windows and quarter measures look back into them.
with hr_start as (
    select {{ dbt.date_trunc('month', 'min(effective_date)') }} as first_month
    from {{ ref('stg_hris__job_history') }}
),

crm_activity_days as (
    select min(review_date) as first_day from {{ ref('int_coaching__counted_reports') }}
    union all
    select min(call_date) as first_day from {{ ref('int_crm__visits') }}
    union all
    select min(cast(created_at as date)) as first_day
    from {{ ref('stg_crm__opportunities') }}
),

bounds as (
    select
        hr_start.first_month,
        greatest(
            hr_start.first_month,
            coalesce({{ dbt.date_trunc('month', '(select min(first_day) from crm_activity_days)') }}, hr_start.first_month)
        ) as coverage_start,
        (select as_of_date from {{ ref('int_calendar__as_of') }}) as as_of_date
    from hr_start
),

months as (
    select cast(gs.month as date) as month, bounds.as_of_date, cast(bounds.coverage_start as date) as coverage_start
    from bounds
        {{ lateral_series(
            'cast(' ~ dbt.date_trunc('quarter', 'bounds.first_month') ~ ' as timestamp)',
            'cast(' ~ dbt.date_trunc('month', 'bounds.as_of_date') ~ ' as timestamp)',
            'interval 1 month', 'gs', 'month'
        ) }}
    where bounds.first_month <= bounds.as_of_date
),

calendar as (
    select
        month,
        cast({{ dbt.dateadd('day', -1, dbt.dateadd('month', 1, 'month')) }} as date) as calendar_month_end,
        cast({{ dbt.date_trunc('quarter', 'month') }} as date) as quarter,
        as_of_date,
        coverage_start
    from months
),

with_ends as (
    select
        month,
        case when calendar_month_end > as_of_date then as_of_date else calendar_month_end end as month_end,
        quarter,
        cast({{ dbt.dateadd('day', -1, dbt.dateadd('month', 3, 'quarter')) }} as date) as calendar_quarter_end,
        calendar_month_end,
        as_of_date,
        coverage_start
    from calendar
),

days as (
    select with_ends.month, cast(d.day as date) as day
    from with_ends
        {{ lateral_series('cast(with_ends.month as timestamp)', 'cast(with_ends.month_end as timestamp)', 'interval 1 day', 'd', 'day') }}
),

workdays as (
    select month, count(*) as workdays
    from days
    where {{ iso_day_of_week('day') }} between 1 and 5
    group by month
)

select
    with_ends.month,
    with_ends.month_end,
    with_ends.quarter,
    case when with_ends.calendar_quarter_end > with_ends.as_of_date then with_ends.as_of_date
        else with_ends.calendar_quarter_end end as quarter_end,
    cast(extract(year from with_ends.month) as integer) as year,
    cast(coalesce(workdays.workdays, 0) as integer) as workdays,
    with_ends.as_of_date >= with_ends.calendar_month_end as is_month_complete,
    with_ends.as_of_date >= with_ends.calendar_quarter_end as is_quarter_complete,
    with_ends.calendar_month_end,
    with_ends.calendar_quarter_end,
    with_ends.coverage_start,
    with_ends.month >= with_ends.coverage_start as is_published,
    with_ends.quarter >= cast({{ dbt.date_trunc('quarter', 'with_ends.coverage_start') }} as date) as is_quarter_published
from with_ends
left join workdays on with_ends.month = workdays.month
