-- The rows and columns of mart_manager_retention (metrics.md) for every month of the calendar, published or not:
-- mart_coaching_effectiveness sums a quarter's months from here, the months before the coverage start too.
-- Rows: people with at least one direct report on some day of the month.
-- trailing_12m_*: the 12 calendar months ending with this month (this month and the 11 before it) for the
-- same manager; months without a row (no reports, or before the history starts) count 0, so the mean of
-- avg_headcount is always sum / 12.

with spine as (

    select *
    from {{ ref('int_manager_months__spine') }}
    where has_direct_reports

),

events as (

    select * from {{ ref('int_manager_months__hires_separations') }}

),

monthly as (

    select
        spine.manager_employee_id,
        spine.month,
        spine.second_line_manager_employee_id,
        spine.headcount_start,
        spine.headcount_end,
        cast(spine.headcount_start + spine.headcount_end as double) / 2 as avg_headcount,
        coalesce(events.hires, 0) as hires,
        coalesce(events.separations, 0) as separations,
        coalesce(events.voluntary_separations, 0) as voluntary_separations,
        coalesce(events.involuntary_separations, 0) as involuntary_separations,
        coalesce(events.regretted_separations, 0) as regretted_separations,
        coalesce(events.first_year_separations, 0) as first_year_separations
    from spine
    left join events
        on spine.manager_employee_id = events.manager_employee_id
       and spine.month = events.month

),

trailing_12m as (

    select
        monthly.manager_employee_id,
        monthly.month,
        sum(window_rows.separations) as trailing_12m_separations,
        {{ exact_sum('window_rows.avg_headcount') }} / 12 as trailing_12m_avg_headcount
    from monthly
    inner join monthly as window_rows
        on window_rows.manager_employee_id = monthly.manager_employee_id
       and window_rows.month <= monthly.month
       and window_rows.month > {{ dbt.dateadd('month', -12, 'monthly.month') }}
    group by monthly.manager_employee_id, monthly.month

)

select
    cast(monthly.manager_employee_id as string) as manager_employee_id,
    cast(monthly.month as date) as month,
    cast(monthly.second_line_manager_employee_id as string) as second_line_manager_employee_id,
    cast(monthly.headcount_start as integer) as headcount_start,
    cast(monthly.headcount_end as integer) as headcount_end,
    cast(monthly.avg_headcount as double) as avg_headcount,
    cast(monthly.hires as integer) as hires,
    cast(monthly.separations as integer) as separations,
    cast(monthly.voluntary_separations as integer) as voluntary_separations,
    cast(monthly.involuntary_separations as integer) as involuntary_separations,
    cast(monthly.regretted_separations as integer) as regretted_separations,
    cast(monthly.first_year_separations as integer) as first_year_separations,
    cast(case when monthly.avg_headcount > 0 then monthly.separations / monthly.avg_headcount end as double)
        as turnover_rate,
    cast(trailing_12m.trailing_12m_separations as integer) as trailing_12m_separations,
    cast(trailing_12m.trailing_12m_avg_headcount as double) as trailing_12m_avg_headcount,
    cast(case when trailing_12m.trailing_12m_avg_headcount > 0
              then trailing_12m.trailing_12m_separations / trailing_12m.trailing_12m_avg_headcount end as double)
        as trailing_12m_turnover_rate
from monthly
inner join trailing_12m
    on monthly.manager_employee_id = trailing_12m.manager_employee_id
   and monthly.month = trailing_12m.month
