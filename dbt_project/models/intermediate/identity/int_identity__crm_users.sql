-- Every CRM user of the latest User snapshot, resolved to an HRIS person (macro match_to_worker): by
-- EmployeeNumber (whitespace trimmed at both ends, left-padded with zeros to six digits when then all digits
-- and shorter than six: macro normalise_employee_id), else by an e-mail (trimmed, any case) that exactly one
-- worker has. A user that matches nobody is kept, with the reason in words a data engineer
-- can act on.
with users as (
    select * from {{ ref('stg_crm__users') }}
),

resolved as (
    {{ match_to_worker('users', 'employee_number_normalised', 'email_lower', 'employee_number') }}
)

select
    user_id,
    employee_id,
    match_method,
    case
        when employee_id is null then
            case
                when employee_number is null then 'User.EmployeeNumber is empty'
                else 'User.EmployeeNumber ''' || employee_number || ''' (normalised ''' || employee_number_normalised
                    || ''') is no HRIS Employee ID'
            end
            || case
                when email is null then ' and the user has no Email'
                when workers_with_email > 1 then ' and Email ''' || email || ''' belongs to '
                    || cast(workers_with_email as string) || ' HRIS workers (ambiguous)'
                else ' and Email ''' || email || ''' matches no HRIS Work Email'
            end
            || ': set User.EmployeeNumber to the person''s HRIS Employee ID, or leave it unmatched if the user is not an employee (admin, integration, contractor).'
    end as unmatched_reason,
    employee_number,
    email,
    first_name,
    last_name,
    is_active
from resolved
