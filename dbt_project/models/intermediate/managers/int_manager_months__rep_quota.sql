-- Quota of each direct report at month end, per manager and month, with the rep's OWN won bookings in the
-- month (every won opportunity the rep owns that closed in the month, whoever the manager was on the close
-- date), both in USD (int_crm__owner_months). Feeds quota_usd, reps_with_quota and reps_at_or_above_quota
-- of mart_manager_revenue.

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

own_months as (

    select * from {{ ref('int_crm__owner_months') }}
    where has_quota

)

select
    reports.manager_employee_id,
    reports.month,
    reports.employee_id as rep_employee_id,
    own_months.quota_usd,
    own_months.own_bookings_usd
from reports_at_month_end as reports
inner join own_months
    on own_months.employee_id = reports.employee_id
   and own_months.month = reports.month
