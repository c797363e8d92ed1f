-- Every CRM user and LMS learner that matched no HRIS worker, with what was delivered and why it did not
-- match: the work list of a data engineer. Nothing is dropped silently: these records count nowhere else.
select
    'crm' as system,
    'User' as source_object,
    user_id as source_id,
    nullif(trim(coalesce(first_name, '') || ' ' || coalesce(last_name, '')), '') as source_name,
    email as source_email,
    employee_number as source_employee_number,
    unmatched_reason as reason
from {{ ref('int_identity__crm_users') }}
where employee_id is null

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
