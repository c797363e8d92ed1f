-- Who is credited with the deals and visits a CRM user has on a day: one row per (owner user, day) that
-- holds a closed opportunity (by CloseDate) or a submitted visit (by Call_Date_vod__c), with the day's
-- number of submitted visits. The one place
-- that turns "owner u on day d" into a manager (macro manager_on_day) or into the reason it counts in no
-- manager's row (metrics.md, unattributed_activity), the first that applies of:
--   after_as_of_date, before_coverage_start, user_unmatched, not_employed_on_the_day, no_manager_on_the_day.
-- manager_employee_id is filled whenever the owner has a manager on the day, also before the coverage
-- start: unpublished months still feed quarter measures (int_calendar__months).
with as_of as (
    select as_of_date from {{ ref('int_calendar__as_of') }}
),

coverage as (
    select min(coverage_start) as coverage_start from {{ ref('int_calendar__months') }}
),

-- The visits are millions: they are counted per owner and day here, once, and
-- int_manager_months__revenue_events sums the counts rather than reading the visits again.
owner_days as (
    select user_id, activity_date, cast(sum(visits) as {{ dbt.type_bigint() }}) as visits
    from (
        select owner_user_id as user_id, close_date as activity_date, 0 as visits
        from {{ ref('stg_crm__opportunities') }}
        where is_closed and close_date is not null
        union all
        select owner_user_id as user_id, call_date as activity_date, 1 as visits
        from {{ ref('int_crm__visits') }}
        where call_date is not null
    ) as days
    group by user_id, activity_date
),

identified as (
    select owner_days.user_id, owner_days.activity_date, owner_days.visits, identities.employee_id
    from owner_days
    left join {{ ref('int_identity__crm_users') }} as identities
        on owner_days.user_id = identities.user_id
),

placed as (
    select
        identified.user_id,
        identified.activity_date,
        identified.visits,
        identified.employee_id,
        spans.employee_id is not null as is_employed,
        reporting.manager_employee_id
    from identified
    left join {{ ref('int_people__employment_spans') }} as spans
        on spans.employee_id = identified.employee_id
       and identified.activity_date >= spans.span_start
       and (spans.span_end is null or identified.activity_date <= spans.span_end)
    left join {{ ref('int_people__reporting_intervals') }} as reporting
        on {{ manager_on_day('reporting', 'identified.employee_id', 'identified.activity_date') }}
)

select
    placed.user_id,
    placed.activity_date,
    cast({{ dbt.date_trunc('month', 'placed.activity_date') }} as date) as month,
    placed.employee_id,
    placed.manager_employee_id,
    placed.visits,
    case
        when as_of.as_of_date is null or placed.activity_date > as_of.as_of_date then 'after_as_of_date'
        when placed.activity_date < coverage.coverage_start then 'before_coverage_start'
        when placed.employee_id is null then 'user_unmatched'
        when not placed.is_employed then 'not_employed_on_the_day'
        when placed.manager_employee_id is null then 'no_manager_on_the_day'
    end as reason
from placed
cross join as_of
cross join coverage
