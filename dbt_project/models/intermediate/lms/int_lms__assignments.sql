-- LMS assignments: latest version per (User ID, LO ID, Assigned Date) whose learner matches a person,
-- flagged when the course belongs to the coaching curriculum (a course missing from the catalogue is not).
with transcripts as (
    select * from {{ ref('stg_lms__transcripts') }}
),

learners as (
    select lms_user_id, employee_id from {{ ref('int_identity__lms_learners') }}
    where employee_id is not null
),

courses as (
    select lo_id, is_coaching_curriculum from {{ ref('stg_lms__courses') }}
)

select
    learners.employee_id,
    transcripts.lo_id,
    transcripts.assigned_date,
    transcripts.due_date,
    transcripts.completed_date,
    transcripts.status,
    coalesce(courses.is_coaching_curriculum, false) as is_coaching_curriculum,
    transcripts.lms_user_id,
    transcripts.transcript_key
from transcripts
inner join learners on transcripts.lms_user_id = learners.lms_user_id
left join courses on transcripts.lo_id = courses.lo_id
