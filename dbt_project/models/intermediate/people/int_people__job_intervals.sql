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
        -- the person's latest Hire, Rehire or Termination before this row: the greatest 'YYYY-MM-DD' || process
        -- key is the latest of them (one row per person and day, by contract), its process from character 11
        substr(
            max(
                case
                    when business_process in ('Hire', 'Rehire', 'Termination')
                    then {{ dbt.concat(["cast(effective_date as " ~ dbt.type_string() ~ ")", "business_process"]) }}
                end
            ) over (
                partition by employee_id order by effective_date rows between unbounded preceding and 1 preceding
            ),
            11
        ) as previous_event
    from job_history
),

-- metrics.md: a span runs from a Hire or Rehire row to the next Termination row. After a Hire or Rehire the
-- person is employed, after a Termination not, whatever came before: so a row lies in a span when it is a Hire
-- or Rehire or when the person's latest such event before it is one, and a Hire or Rehire opens a span when
-- that event is a Termination or there is none. Rows out of sources.md's order (a first row that is no Hire,
-- a Change Manager after a Termination: the WARN test assert_job_history_in_sequence names them) thus lie in no
-- span, and a Hire or Rehire inside an open span opens no second, overlapping one.
with_span as (
    select
        *,
        business_process in ('Hire', 'Rehire') or previous_event in ('Hire', 'Rehire') as is_in_span,
        sum(
            case
                when business_process in ('Hire', 'Rehire')
                 and (previous_event is null or previous_event = 'Termination')
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
    case when is_in_span then span_counter end as span_number
from with_span
