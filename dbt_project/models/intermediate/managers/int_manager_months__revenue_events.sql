-- Revenue events attributed to a manager and month (the numerators of mart_manager_revenue): closed
-- opportunities by close_date, pipeline by the UTC day of CreatedDate, visits by call date, each credited
-- to the owner's manager ON that date: the owner's job row with the greatest Effective Date <= the date
-- (int_people__job_intervals; the owner need not be active that day). Events whose owner has no job row
-- on that date, or whose row names no manager, count nowhere.
-- "In the month" = between month and month_end (month_end is capped at the as-of date).

with months as (

    select month, month_end
    from {{ ref('dim_month') }}

),

job as (

    select employee_id, effective_date, valid_until, manager_employee_id
    from {{ ref('int_people__job_intervals') }}
    where manager_employee_id is not null

),

opportunities as (

    select
        opportunity_id, owner_employee_id, is_closed, is_won, close_date, created_date,
        amount_usd_at_close, amount_usd_at_created
    from {{ ref('int_crm__opportunities') }}

),

closed as (

    select
        job.manager_employee_id,
        months.month,
        sum(case when opportunities.is_won then coalesce(opportunities.amount_usd_at_close, 0) else 0 end)
            as bookings_usd,
        count(case when opportunities.is_won then 1 end) as won_deals,
        count(case when not opportunities.is_won then 1 end) as lost_deals
    from opportunities
    inner join months
        on opportunities.close_date between months.month and months.month_end
    inner join job
        on job.employee_id = opportunities.owner_employee_id
       and opportunities.close_date >= job.effective_date
       and opportunities.close_date <= coalesce(job.valid_until, opportunities.close_date)
    where opportunities.is_closed
    group by job.manager_employee_id, months.month

),

created as (

    select
        job.manager_employee_id,
        months.month,
        sum(coalesce(opportunities.amount_usd_at_created, 0)) as pipeline_created_usd
    from opportunities
    inner join months
        on opportunities.created_date between months.month and months.month_end
    inner join job
        on job.employee_id = opportunities.owner_employee_id
       and opportunities.created_date >= job.effective_date
       and opportunities.created_date <= coalesce(job.valid_until, opportunities.created_date)
    group by job.manager_employee_id, months.month

),

-- Visits are many (millions): count them per owner and day first, then place the days.
visits_by_day as (

    select owner_employee_id, call_date, count(*) as visits
    from {{ ref('int_crm__visits') }}
    group by owner_employee_id, call_date

),

calls as (

    select
        job.manager_employee_id,
        months.month,
        sum(visits_by_day.visits) as submitted_calls
    from visits_by_day
    inner join months
        on months.month = {{ dbt.date_trunc('month', 'visits_by_day.call_date') }}
       and visits_by_day.call_date <= months.month_end
    inner join job
        on job.employee_id = visits_by_day.owner_employee_id
       and visits_by_day.call_date >= job.effective_date
       and visits_by_day.call_date <= coalesce(job.valid_until, visits_by_day.call_date)
    group by job.manager_employee_id, months.month

),

keys as (

    select manager_employee_id, month from closed
    union
    select manager_employee_id, month from created
    union
    select manager_employee_id, month from calls

)

select
    keys.manager_employee_id,
    keys.month,
    coalesce(closed.bookings_usd, 0) as bookings_usd,
    coalesce(closed.won_deals, 0) as won_deals,
    coalesce(closed.lost_deals, 0) as lost_deals,
    coalesce(created.pipeline_created_usd, 0) as pipeline_created_usd,
    coalesce(calls.submitted_calls, 0) as submitted_calls
from keys
left join closed
    on keys.manager_employee_id = closed.manager_employee_id and keys.month = closed.month
left join created
    on keys.manager_employee_id = created.manager_employee_id and keys.month = created.month
left join calls
    on keys.manager_employee_id = calls.manager_employee_id and keys.month = calls.month
