-- A person's OWN results per calendar month (int_calendar__months, month end capped at the as-of date):
-- won bookings of the opportunities they own that closed in the month (USD at CloseDate, whoever their
-- manager was), and their ForecastingQuota for the month (USD at StartDate). A missing USD rate counts 0.
-- One row per person and month with a quota row or a won deal (has_quota: a quota row exists).

with months as (

    select month, month_end
    from {{ ref('int_calendar__months') }}

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
        on {{ in_period('opportunities.close_date', 'months', 'month') }}
    where opportunities.is_closed and opportunities.is_won
    group by opportunities.owner_employee_id, months.month

)

select
    coalesce(quotas.owner_employee_id, own_bookings.owner_employee_id) as employee_id,
    coalesce(quotas.month, own_bookings.month) as month,
    quotas.owner_employee_id is not null as has_quota,
    coalesce(quotas.quota_usd, 0) as quota_usd,
    coalesce(own_bookings.bookings_usd, 0) as own_bookings_usd
from quotas
full outer join own_bookings
    on quotas.owner_employee_id = own_bookings.owner_employee_id
   and quotas.month = own_bookings.month
