-- Every LMS learner seen in the transcripts (latest versions), resolved to an HRIS person (macro
-- match_to_worker): by User ID (normalised like EmployeeNumber, macro normalise_employee_id), else by a User
-- Email (trimmed, any case) that exactly one worker has. Unmatched learners are kept with the reason.
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

resolved as (
    {{ match_to_worker('learners', 'lms_user_id_normalised', 'user_email_lower', 'user_id') }}
)

select
    lms_user_id,
    user_email,
    employee_id,
    match_method,
    case
        when employee_id is null then
            'LMS User ID ''' || lms_user_id || ''' (normalised ''' || lms_user_id_normalised
            || ''') is no HRIS Employee ID'
            || case
                when user_email is null then ' and the learner has no User Email'
                when workers_with_email > 1 then ' and User Email ''' || user_email || ''' belongs to '
                    || cast(workers_with_email as string) || ' HRIS workers (ambiguous)'
                else ' and User Email ''' || user_email || ''' matches no HRIS Work Email'
            end
            || ': correct the learner''s User ID in the LMS to the HRIS Employee ID.'
    end as unmatched_reason
from resolved
