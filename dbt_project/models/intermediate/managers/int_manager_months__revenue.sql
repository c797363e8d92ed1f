-- The rows and columns of mart_manager_revenue (metrics.md) for every month of the calendar, published or not:
-- mart_coaching_effectiveness sums a quarter's months from here, the months before the coverage start too.
-- Rows: people with at least one direct report on some day of the month. Bookings, deals, pipeline and
-- calls are credited to the owner's manager on the event's date (int_manager_months__revenue_events);
-- quota is that of the direct reports at month end (int_manager_months__rep_quota).

with spine as (

    select *
    from {{ ref('int_manager_months__spine') }}
    where has_direct_reports

),

events as (

    select * from {{ ref('int_manager_months__revenue_events') }}

),

-- A rep "reaches" their quota within a millionth of a USD: each deal's USD amount is rounded to 10 decimals
-- (macro to_usd), so two deals adding up to a quota in their currency (700 + 1000 CAD against 1,700 CAD) can sum
-- to 1e-10 USD below it. A real shortfall is at least one unit of a currency, far more than 1e-6 USD.
quota as (

    select
        manager_employee_id,
        month,
        sum(quota_usd) as quota_usd,
        count(distinct case when quota_usd > 0 then rep_employee_id end) as reps_with_quota,
        count(distinct case when quota_usd > 0 and own_bookings_usd >= quota_usd - 0.000001 then rep_employee_id end)
            as reps_at_or_above_quota
    from {{ ref('int_manager_months__rep_quota') }}
    group by manager_employee_id, month

),

joined as (

    select
        spine.manager_employee_id,
        spine.month,
        spine.second_line_manager_employee_id,
        spine.headcount_end as direct_reports_eom,
        spine.workdays,
        coalesce(events.bookings_usd, 0) as bookings_usd,
        coalesce(events.won_deals, 0) as won_deals,
        coalesce(events.lost_deals, 0) as lost_deals,
        coalesce(events.pipeline_created_usd, 0) as pipeline_created_usd,
        coalesce(quota.quota_usd, 0) as quota_usd,
        coalesce(quota.reps_with_quota, 0) as reps_with_quota,
        coalesce(quota.reps_at_or_above_quota, 0) as reps_at_or_above_quota,
        coalesce(events.submitted_calls, 0) as submitted_calls
    from spine
    left join events
        on spine.manager_employee_id = events.manager_employee_id and spine.month = events.month
    left join quota
        on spine.manager_employee_id = quota.manager_employee_id and spine.month = quota.month

)

select
    cast(manager_employee_id as string) as manager_employee_id,
    cast(month as date) as month,
    cast(second_line_manager_employee_id as string) as second_line_manager_employee_id,
    cast(bookings_usd as double) as bookings_usd,
    cast(won_deals as integer) as won_deals,
    cast(lost_deals as integer) as lost_deals,
    cast(case when won_deals + lost_deals > 0 then cast(won_deals as double) / (won_deals + lost_deals) end as double)
        as win_rate,
    cast(pipeline_created_usd as double) as pipeline_created_usd,
    cast(quota_usd as double) as quota_usd,
    cast(case when quota_usd <> 0 then cast(bookings_usd as double) / cast(quota_usd as double) end as double)
        as attainment_pct,
    cast(reps_with_quota as integer) as reps_with_quota,
    cast(reps_at_or_above_quota as integer) as reps_at_or_above_quota,
    cast(submitted_calls as integer) as submitted_calls,
    cast(direct_reports_eom as integer) as direct_reports_eom,
    cast(workdays as integer) as workdays,
    cast(case when direct_reports_eom > 0 and workdays > 0
              then cast(submitted_calls as double) / direct_reports_eom / workdays end as double)
        as calls_per_rep_per_workday
from joined
