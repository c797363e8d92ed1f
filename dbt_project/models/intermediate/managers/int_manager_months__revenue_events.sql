-- Revenue events attributed to a manager and month (the numerators of mart_manager_revenue): closed
-- opportunities by CloseDate and visits by Call_Date_vod__c, credited as int_attribution__owner_days
-- says (the owner's manager on that day, only while the owner is active), and pipeline by the UTC day of
-- CreatedDate, credited to the owner's manager on that day (macro manager_on_day). Every month of the
-- calendar, published or not: quarter measures read the months before the coverage start too.

with owner_days as (

    select user_id, activity_date, month, manager_employee_id, visits
    from {{ ref('int_attribution__owner_days') }}
    where manager_employee_id is not null

),

opportunities as (

    select
        opportunity_id, owner_user_id, owner_employee_id, is_closed, is_won, close_date, created_date,
        amount_usd_at_close, amount_usd_at_created
    from {{ ref('int_crm__opportunities') }}

),

closed as (

    select
        owner_days.manager_employee_id,
        owner_days.month,
        sum(case when opportunities.is_won then coalesce(opportunities.amount_usd_at_close, 0) else 0 end)
            as bookings_usd,
        count(case when opportunities.is_won then 1 end) as won_deals,
        count(case when not opportunities.is_won then 1 end) as lost_deals
    from opportunities
    inner join owner_days
        on owner_days.user_id = opportunities.owner_user_id
       and owner_days.activity_date = opportunities.close_date
    where opportunities.is_closed
    group by owner_days.manager_employee_id, owner_days.month

),

created as (

    select
        reporting.manager_employee_id,
        cast({{ dbt.date_trunc('month', 'opportunities.created_date') }} as date) as month,
        sum(coalesce(opportunities.amount_usd_at_created, 0)) as pipeline_created_usd
    from opportunities
    inner join {{ ref('int_people__reporting_intervals') }} as reporting
        on {{ manager_on_day('reporting', 'opportunities.owner_employee_id', 'opportunities.created_date') }}
    group by 1, 2

),

-- Visits are many (millions): int_attribution__owner_days has counted them per owner and day.
calls as (

    select
        manager_employee_id,
        month,
        sum(visits) as submitted_calls
    from owner_days
    group by manager_employee_id, month
    having sum(visits) > 0

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
