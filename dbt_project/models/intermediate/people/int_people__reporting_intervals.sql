-- Periods in which a person is active AND reports to a manager, from effective-dated job history.
-- "Direct reports of M on day d" = rows with manager_employee_id = M and valid_from <= d <= valid_to.
-- Each job_history row inside a span gives one interval: from its effective date to the day before the
-- next row; a Termination row gives its last day worked (the manager it carries). Ends are capped at the
-- as-of date (nothing after it is known), rows starting after it are dropped, rows without a manager too.
-- Consecutive rows with the same manager are not merged: one person never has overlapping rows.
with intervals as (
    select * from {{ ref('int_people__job_intervals') }}
    where span_number is not null
      and manager_employee_id is not null
),

as_of as (
    select as_of_date from {{ ref('int_calendar__as_of') }}
),

bounded as (
    select
        intervals.employee_id,
        intervals.manager_employee_id,
        intervals.effective_date as valid_from,
        case
            when intervals.business_process = 'Termination' then intervals.effective_date
            when intervals.valid_until is null or intervals.valid_until > as_of.as_of_date then as_of.as_of_date
            else intervals.valid_until
        end as valid_to,
        intervals.span_number,
        intervals.business_process
    from intervals
    cross join as_of
)

select
    employee_id,
    manager_employee_id,
    valid_from,
    case when valid_to > (select as_of_date from as_of) then (select as_of_date from as_of) else valid_to end as valid_to,
    span_number,
    business_process
from bounded
where valid_from <= valid_to
  and valid_from <= (select as_of_date from as_of)
