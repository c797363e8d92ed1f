-- Every CRM user and LMS learner that matched no HRIS worker, with what was delivered and why it did not
-- match: the work list of a data engineer. Nothing is dropped silently: these records count nowhere else.
with users as (

    select * from {{ ref('int_identity__crm_users') }}

),

-- User ids that the CRM's records name (owner of a submitted visit, deal or quota, coach or coachee of a
-- counted session) but that the latest User snapshot does not hold: a user deleted in the CRM, or a User
-- export that left them out. Their records count nowhere either, so the id is listed with the objects
-- that name it. Visits are read from the owner days, which already group the millions of calls by owner.
named_users as (

    select distinct user_id, 'Call2_vod__c' as named_by
    from {{ ref('int_attribution__owner_days') }}
    where visits > 0 and employee_id is null
    union all
    select distinct owner_user_id as user_id, 'Opportunity' as named_by
    from {{ ref('stg_crm__opportunities') }}
    union all
    select distinct owner_user_id as user_id, 'ForecastingQuota' as named_by
    from {{ ref('stg_crm__forecasting_quotas') }}
    union all
    select distinct coach_user_id as user_id, 'Coaching_Report_vod__c' as named_by
    from {{ ref('int_coaching__counted_reports') }}
    union all
    select distinct coachee_user_id as user_id, 'Coaching_Report_vod__c' as named_by
    from {{ ref('int_coaching__counted_reports') }}

),

unknown_users as (

    select
        named.user_id,
        max(case when named.named_by = 'Call2_vod__c' then 1 else 0 end) as by_calls,
        max(case when named.named_by = 'Opportunity' then 1 else 0 end) as by_opportunities,
        max(case when named.named_by = 'ForecastingQuota' then 1 else 0 end) as by_quotas,
        max(case when named.named_by = 'Coaching_Report_vod__c' then 1 else 0 end) as by_coaching_reports
    from named_users as named
    left join users on users.user_id = named.user_id
    where named.user_id is not null and users.user_id is null
    group by named.user_id

)

select
    'crm' as system,
    'User' as source_object,
    user_id as source_id,
    nullif(trim(coalesce(first_name, '') || ' ' || coalesce(last_name, '')), '') as source_name,
    email as source_email,
    employee_number as source_employee_number,
    unmatched_reason as reason
from users
where employee_id is null

union all

select
    'crm' as system,
    'User' as source_object,
    user_id as source_id,
    cast(null as string) as source_name,
    cast(null as string) as source_email,
    cast(null as string) as source_employee_number,
    'not in the latest User snapshot, yet named by '
    -- each named object adds ', <object>'; substr drops the first separator
    || substr(
        case when by_calls = 1 then ', Call2_vod__c' else '' end
        || case when by_opportunities = 1 then ', Opportunity' else '' end
        || case when by_quotas = 1 then ', ForecastingQuota' else '' end
        || case when by_coaching_reports = 1 then ', Coaching_Report_vod__c' else '' end,
        3
    )
    || ' records, which count nowhere: check that the CRM''s User export holds every user, or leave them '
    || 'unmatched if the user was deleted' as reason
from unknown_users

union all

select
    'lms' as system,
    'Learner' as source_object,
    lms_user_id as source_id,
    cast(null as string) as source_name,
    user_email as source_email,
    lms_user_id as source_employee_number,
    unmatched_reason as reason
from {{ ref('int_identity__lms_learners') }}
where employee_id is null
