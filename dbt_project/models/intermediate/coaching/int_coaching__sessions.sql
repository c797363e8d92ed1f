-- Counted coaching sessions (metrics.md): reports with a counted status (int_coaching__counted_reports),
-- dated by Review_Date__c, whose coach (Manager_vod__c) AND coachee (Employee_vod__c) both match a person.
-- Reports without a Review_Date__c cannot be placed in a month and are left out (unattributed_activity
-- lists them, and the others that match no person).
with reports as (
    select * from {{ ref('int_coaching__counted_reports') }}
    where review_date is not null
),

identities as (
    select user_id, employee_id from {{ ref('int_identity__crm_users') }}
    where employee_id is not null
)

select
    reports.coaching_report_id,
    reports.review_date,
    cast({{ dbt.date_trunc('month', 'reports.review_date') }} as date) as month,
    cast({{ dbt.date_trunc('quarter', 'reports.review_date') }} as date) as quarter,
    coach.employee_id as coach_employee_id,
    coachee.employee_id as coachee_employee_id,
    reports.coaching_level,
    reports.coaching_type,
    reports.duration_minutes,
    reports.status
from reports
inner join identities as coach on reports.coach_user_id = coach.user_id
inner join identities as coachee on reports.coachee_user_id = coachee.user_id
