-- Employment spans: from a Hire/Rehire row's Effective Date to the next Termination row's Effective Date
-- (the last day worked, inclusive; NULL while open). A person is active on day d when d lies in a span.
-- Which rows a span holds is int_people__job_intervals' span_number: a Hire or Rehire opens a span unless one is
-- open (no second, overlapping span), the next Termination ends it, and a Termination with no span open ends
-- nothing. Rows outside any span (out of sources.md's order) make no one active.
with intervals as (
    select * from {{ ref('int_people__job_intervals') }}
    where span_number is not null
),

spans as (
    select
        employee_id,
        span_number,
        min(effective_date) as span_start,
        max(case when business_process = 'Termination' then effective_date end) as span_end
    from intervals
    group by employee_id, span_number
),

starts as (
    select employee_id, span_number, business_process as start_business_process
    from intervals
    where effective_date = (
        select min(i2.effective_date) from intervals as i2
        where i2.employee_id = intervals.employee_id and i2.span_number = intervals.span_number
    )
),

terminations as (
    select employee_id, span_number, termination_category, termination_reason, is_regretted, manager_employee_id
    from intervals
    where business_process = 'Termination'
)

select
    spans.employee_id,
    spans.span_number,
    spans.span_start,
    spans.span_end,
    terminations.termination_category,
    terminations.termination_reason,
    terminations.is_regretted,
    starts.start_business_process,
    terminations.manager_employee_id as last_day_manager_employee_id
from spans
inner join starts
    on spans.employee_id = starts.employee_id and spans.span_number = starts.span_number
left join terminations
    on spans.employee_id = terminations.employee_id and spans.span_number = terminations.span_number
