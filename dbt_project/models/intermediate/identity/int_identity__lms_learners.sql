-- Every LMS learner seen in the transcripts (latest versions), resolved to an HRIS person: User ID
-- (trimmed, left-padded to six digits) equals an Employee ID; otherwise the User Email equals exactly one
-- worker's Work Email, case-insensitively. Unmatched learners are kept with the reason.
-- A learner's e-mail is the one on its most recently modified transcript row.
with transcripts as (
    select * from {{ ref('stg_lms__transcripts') }}
),

learners as (
    select lms_user_id, lms_user_id_normalised, user_email, user_email_lower
    from (
        select
            *,
            row_number() over (
                partition by lms_user_id
                order by last_modified_at desc, _extract_date desc, _row_number desc
            ) as _rank
        from transcripts
    ) as ranked
    where _rank = 1
),

workers as (
    select employee_id, work_email_lower from {{ ref('stg_hris__workers') }}
),

workers_by_email as (
    select work_email_lower, min(employee_id) as employee_id, count(*) as workers_with_email
    from workers
    where work_email_lower is not null
    group by work_email_lower
),

resolved as (
    select
        learners.*,
        by_id.employee_id as employee_id_by_id,
        by_email.employee_id as employee_id_by_email,
        by_email.workers_with_email
    from learners
    left join workers as by_id
        on learners.lms_user_id_normalised = by_id.employee_id
    left join workers_by_email as by_email
        on learners.user_email_lower = by_email.work_email_lower
)

select
    lms_user_id,
    user_email,
    case
        when employee_id_by_id is not null then employee_id_by_id
        when workers_with_email = 1 then employee_id_by_email
    end as employee_id,
    case
        when employee_id_by_id is not null then 'user_id'
        when workers_with_email = 1 then 'email'
    end as match_method,
    case
        when employee_id_by_id is not null or workers_with_email = 1 then null
        else 'LMS User ID ''' || lms_user_id || ''' (normalised ''' || lms_user_id_normalised
            || ''') is no HRIS Employee ID'
            || case
                when user_email is null then ' and the learner has no User Email'
                when workers_with_email > 1 then ' and User Email ''' || user_email || ''' belongs to '
                    || cast(workers_with_email as varchar) || ' HRIS workers (ambiguous)'
                else ' and User Email ''' || user_email || ''' matches no HRIS Work Email'
            end
            || ': correct the learner''s User ID in the LMS to the HRIS Employee ID.'
    end as unmatched_reason
from resolved
