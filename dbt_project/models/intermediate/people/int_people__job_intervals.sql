-- One row per job_history row with the day it stops being the person's current row.
-- The row of X current on day d: effective_date <= d <= coalesce(valid_until, d) (macro job_row_on_day). Its
-- manager_employee_id is X's manager on d only while X is active on d (metrics.md "manager of a person on day
-- d"): a Termination row stays current until the day before the rehire, days on which X is not active and has
-- no manager. Attribution to managers uses int_people__reporting_intervals (macro manager_on_day), which
-- applies that condition; int_people__employment_spans says when X is active.
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
    -- a Termination right after a Termination ends nothing: the span ended on the first ("to the next Termination")
    case
        when business_process = 'Termination' and previous_business_process = 'Termination' then null
        else nullif(span_counter, 0)
    end as span_number
from with_span
