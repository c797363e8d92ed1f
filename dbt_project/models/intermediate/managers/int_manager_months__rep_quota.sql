-- Quota of each direct report at month end, per manager and month, with the rep's OWN won bookings in the
-- month (every won opportunity the rep owns that closed in the month, whoever the manager was on the close
-- date), both in USD. Feeds quota_usd, reps_with_quota and reps_at_or_above_quota of mart_manager_revenue.

with months as (

    select month, month_end
    from {{ ref('int_calendar__months') }}

),

reports_at_month_end as (

    select
        reporting.manager_employee_id,
        reporting.employee_id,
        months.month
    from {{ ref('int_people__reporting_intervals') }} as reporting
    inner join months
        on {{ reporting_on_day('reporting', 'months.month_end') }}

),

quotas as (

    select owner_employee_id, month, sum(coalesce(quota_usd, 0)) as quota_usd
    from {{ ref('int_crm__quotas') }}
    group by owner_employee_id, month

),

own_bookings as (

    select
        opportunities.owner_employee_id,
        months.month,
        sum(coalesce(opportunities.amount_usd_at_close, 0)) as bookings_usd
    from {{ ref('int_crm__opportunities') }} as opportunities
    inner join months
        on opportunities.close_date between months.month and months.month_end
    where opportunities.is_closed and opportunities.is_won
    group by opportunities.owner_employee_id, months.month

)

select
    reports.manager_employee_id,
    reports.month,
    reports.employee_id as rep_employee_id,
    quotas.quota_usd,
    coalesce(own_bookings.bookings_usd, 0) as own_bookings_usd
from reports_at_month_end as reports
inner join quotas
    on quotas.owner_employee_id = reports.employee_id
   and quotas.month = reports.month
left join own_bookings
    on own_bookings.owner_employee_id = reports.employee_id
   and own_bookings.month = reports.month
