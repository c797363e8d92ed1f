-- unattributed_activity (metrics.md "Also published"): every latest-version, not-deleted closed
-- opportunity, submitted visit and counted-status coaching report that counts in no published manager
-- row, one row each, with the first reason that applies. Deals and visits take theirs from
-- int_attribution__owner_days, the same rows that credit the others, so the two cannot disagree.
-- Sessions count in their coach's row of mart_manager_coaching whenever coach and coachee are persons
-- and the date is published.
-- Choice where the spec is silent: a record without its date (CloseDate, Call_Date_vod__c,
-- Review_Date__c empty) can be placed in no month: reason `missing_date`, before every other.

with as_of as (

    select as_of_date from {{ ref('int_calendar__as_of') }}

),

coverage as (

    select min(coverage_start) as coverage_start from {{ ref('int_calendar__months') }}

),

-- Only the owner days that count in no manager's row: a record on any other day is attributed, so the
-- millions of visits probe a small table.
unattributed_owner_days as (

    select user_id, activity_date, reason
    from {{ ref('int_attribution__owner_days') }}
    where reason is not null

),

-- Deals and visits are placed alike: by their owner and day.
owned_records as (

    select 'deal' as activity, opportunity_id as record_id, close_date as activity_date, owner_user_id as user_id
    from {{ ref('stg_crm__opportunities') }}
    where is_closed
    union all
    select 'visit' as activity, call_id as record_id, call_date as activity_date, owner_user_id as user_id
    from {{ ref('int_crm__visits') }}

),

placed_records as (

    select
        records.*,
        case when records.activity_date is null then 'missing_date' else owner_days.reason end as reason
    from owned_records as records
    -- null-safe on the user: a record without an owner finds its owner day (reason user_unmatched) rather
    -- than none, which would leave its reason NULL and drop it from this table
    left join unattributed_owner_days as owner_days
        on owner_days.user_id is not distinct from records.user_id
       and owner_days.activity_date = records.activity_date

),

owned as (

    select
        records.activity,
        records.record_id,
        records.activity_date,
        records.user_id,
        identities.employee_id,
        records.reason
    from placed_records as records
    left join {{ ref('int_identity__crm_users') }} as identities
        on identities.user_id = records.user_id
    where records.reason is not null

),

sessions as (

    select
        'session' as activity,
        reports.coaching_report_id as record_id,
        reports.review_date as activity_date,
        reports.coach_user_id as user_id,
        coach.employee_id,
        case
            when reports.review_date is null then 'missing_date'
            when as_of.as_of_date is null or reports.review_date > as_of.as_of_date then 'after_as_of_date'
            when reports.review_date < coverage.coverage_start then 'before_coverage_start'
            when coach.employee_id is null then 'user_unmatched'
            when coachee.employee_id is null then 'coachee_unmatched'
        end as reason
    from {{ ref('int_coaching__counted_reports') }} as reports
    cross join as_of
    cross join coverage
    left join {{ ref('int_identity__crm_users') }} as coach
        on coach.user_id = reports.coach_user_id
    left join {{ ref('int_identity__crm_users') }} as coachee
        on coachee.user_id = reports.coachee_user_id

),

activity as (

    select * from owned
    union all
    select * from sessions

)

select
    cast(activity as string) as activity,
    cast(record_id as string) as record_id,
    cast(activity_date as date) as activity_date,
    cast(user_id as string) as user_id,
    cast(employee_id as string) as employee_id,
    cast(reason as string) as reason
from activity
where reason is not null
