-- A person's job history follows the order sources.md promises: the first row is a Hire, a Hire is only ever
-- the first row, the row after a Termination is a Rehire, and a Rehire comes only after a Termination.
-- Employment spans (int_people__job_intervals) read a history that breaks it by metrics.md's words: a span runs
-- from a Hire or Rehire to the next Termination, so a person whose first row is no Hire is not employed until
-- one, nor after a Termination until a Rehire, and a Hire or Rehire inside an open span starts none. A warning,
-- not a refusal: refusing would hold back the whole HR snapshot, every person's change with it. One row per row
-- out of sequence, naming the person, the date and the rule.
{{ config(severity='warn', meta={'dagster': {'ref': {'name': 'stg_hris__job_history'}}}) }}
with ordered as (
    select
        employee_id,
        effective_date,
        business_process,
        lag(business_process) over (partition by employee_id order by effective_date) as previous_business_process
    from {{ ref('stg_hris__job_history') }}
)

select
    employee_id,
    effective_date,
    business_process,
    previous_business_process,
    case
        when previous_business_process is null
            then 'the first row of a person is a Hire'
        when previous_business_process = 'Termination'
            then 'the row after a Termination is a Rehire'
        when business_process = 'Hire'
            then 'a Hire is the first row of a person'
        else 'a Rehire comes after a Termination'
    end as rule
from ordered
where case
    when previous_business_process is null then business_process <> 'Hire'
    when previous_business_process = 'Termination' then business_process <> 'Rehire'
    else business_process in ('Hire', 'Rehire')
end
