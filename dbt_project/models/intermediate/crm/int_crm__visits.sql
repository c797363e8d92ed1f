-- Submitted visits: calls with an empty Parent_Call_vod__c (group-call attendee rows are not visits),
-- latest version, not deleted, Status Submitted_vod, whose owner matches a person. Calls without a
-- Call_Date_vod__c cannot be placed in a month and are left out.
with calls as (
    select * from {{ ref('stg_crm__calls') }}
    where is_visit
      and status = 'Submitted_vod'
      and call_date is not null
),

identities as (
    select user_id, employee_id from {{ ref('int_identity__crm_users') }}
    where employee_id is not null
)

select
    calls.call_id,
    calls.owner_user_id,
    identities.employee_id as owner_employee_id,
    calls.call_date,
    cast({{ dbt.date_trunc('month', 'calls.call_date') }} as date) as month,
    calls.call_type,
    calls.call_channel
from calls
inner join identities on calls.owner_user_id = identities.user_id
