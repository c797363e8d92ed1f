-- Hires and separations per manager and month (the numerators of mart_manager_retention).
--   hire: an employment span that starts in the month, attributed to the person's manager on the start day;
--   separation: a span that ends in the month, attributed to the person's manager on the last day (the
--   manager the Termination row carries).
-- "Manager on a day" is macro manager_on_day. "In the month" = between month and month_end. Spans whose
-- person has no manager on that day count nowhere.

with months as (

    select month, month_end
    from {{ ref('int_calendar__months') }}

),

spans as (

    select employee_id, span_number, span_start, span_end, termination_category, is_regretted
    from {{ ref('int_people__employment_spans') }}

),

reporting as (

    select employee_id, manager_employee_id, valid_from, valid_to
    from {{ ref('int_people__reporting_intervals') }}

),

hires as (

    select
        reporting.manager_employee_id,
        months.month,
        count(*) as hires
    from spans
    inner join months
        on {{ in_period('spans.span_start', 'months', 'month') }}
    inner join reporting
        on {{ manager_on_day('reporting', 'spans.employee_id', 'spans.span_start') }}
    group by reporting.manager_employee_id, months.month

),

separations as (

    select
        reporting.manager_employee_id,
        months.month,
        count(*) as separations,
        count(case when spans.termination_category = 'Voluntary' then 1 end) as voluntary_separations,
        count(case when spans.termination_category = 'Involuntary' then 1 end) as involuntary_separations,
        count(case when spans.is_regretted then 1 end) as regretted_separations,
        -- last day less than 365 days after the span's first day
        count(case when spans.span_end < {{ dbt.dateadd('day', 365, 'spans.span_start') }} then 1 end)
            as first_year_separations
    from spans
    inner join months
        on {{ in_period('spans.span_end', 'months', 'month') }}
    inner join reporting
        on {{ manager_on_day('reporting', 'spans.employee_id', 'spans.span_end') }}
    group by reporting.manager_employee_id, months.month

)

select
    coalesce(hires.manager_employee_id, separations.manager_employee_id) as manager_employee_id,
    coalesce(hires.month, separations.month) as month,
    coalesce(hires.hires, 0) as hires,
    coalesce(separations.separations, 0) as separations,
    coalesce(separations.voluntary_separations, 0) as voluntary_separations,
    coalesce(separations.involuntary_separations, 0) as involuntary_separations,
    coalesce(separations.regretted_separations, 0) as regretted_separations,
    coalesce(separations.first_year_separations, 0) as first_year_separations
from hires
full outer join separations
    on hires.manager_employee_id = separations.manager_employee_id
   and hires.month = separations.month
