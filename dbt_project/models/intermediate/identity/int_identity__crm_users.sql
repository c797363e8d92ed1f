-- Every CRM user of the latest User snapshot, resolved to an HRIS person (sources.md "Identity"):
-- 1. EmployeeNumber, trimmed and left-padded with zeros to six digits, equals an Employee ID;
-- 2. otherwise the e-mail equals exactly one worker's Work Email, case-insensitively.
-- A user that matches nobody is kept, with the reason in words a data engineer can act on.
with users as (
    select * from {{ ref('stg_crm__users') }}
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
        users.user_id,
        users.employee_number,
        users.employee_number_normalised,
        users.email,
        users.first_name,
        users.last_name,
        users.is_active,
        by_number.employee_id as employee_id_by_number,
        by_email.employee_id as employee_id_by_email,
        by_email.workers_with_email
    from users
    left join workers as by_number
        on users.employee_number_normalised = by_number.employee_id
    left join workers_by_email as by_email
        on users.email_lower = by_email.work_email_lower
)

select
    user_id,
    case
        when employee_id_by_number is not null then employee_id_by_number
        when workers_with_email = 1 then employee_id_by_email
    end as employee_id,
    case
        when employee_id_by_number is not null then 'employee_number'
        when workers_with_email = 1 then 'email'
    end as match_method,
    case
        when employee_id_by_number is not null or workers_with_email = 1 then null
        else
            case
                when employee_number is null then 'User.EmployeeNumber is empty'
                else 'User.EmployeeNumber ''' || employee_number || ''' (normalised ''' || employee_number_normalised
                    || ''') is no HRIS Employee ID'
            end
            || case
                when email is null then ' and the user has no Email'
                when workers_with_email > 1 then ' and Email ''' || email || ''' belongs to '
                    || cast(workers_with_email as varchar) || ' HRIS workers (ambiguous)'
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
