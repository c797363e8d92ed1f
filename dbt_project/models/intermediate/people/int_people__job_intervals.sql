-- One row per job_history row with the day it stops being the person's current row.
-- "Manager of X on day d" = manager_employee_id of the row with effective_date <= d <= coalesce(valid_until, d).
-- A Termination row stays current until the day before the rehire (the person is then not active:
-- use int_people__employment_spans / int_people__reporting_intervals for activity).
with job_history as (
    select * from {{ ref('stg_hris__job_history') }}
),

with_next as (
    select
        *,
        lead(effective_date) over (partition by employee_id order by effective_date) as next_effective_date,
        lag(business_process) over (partition by employee_id order by effective_date) as previous_business_process
    from job_history
),

with_span as (
    select
        *,
        -- a span starts on the person's first row and on the row after a Termination (a Rehire by contract)
        sum(
            case
                when business_process <> 'Termination'
                 and (previous_business_process is null or previous_business_process = 'Termination')
                then 1 else 0
            end
        ) over (partition by employee_id order by effective_date rows between unbounded preceding and current row)
            as span_counter
    from with_next
)

select
    employee_id,
    effective_date,
    cast({{ dbt.dateadd('day', -1, 'next_effective_date') }} as date) as valid_until,
    business_process,
    management_level,
    job_profile,
    region,
    manager_employee_id,
    termination_reason,
    termination_category,
    is_regretted,
    nullif(span_counter, 0) as span_number
from with_span
