-- One row per person (HRIS Employee ID): every worker of the latest workers snapshot, plus anyone who
-- appears only in job_history (so that every id of the reporting lines has a row).
-- Level, region and job profile: the person's job_history row current on the as-of date, falling back to the
-- workers file. Current manager: "manager of a person on day d" (metrics.md, macro manager_on_day) on the
-- as-of date, from int_people__reporting_intervals only: NULL when the person is not active then (terminated,
-- between spans, not yet hired) or job_history names no manager; never the workers file's.
-- Dates: terminations come from job_history only (metrics.md; the workers file shows just the latest), so
-- hire, original hire and termination dates come from the employment spans known on the as-of date (begun by
-- then; an end after it not yet known): the latest span's start and end (NULL while it is open, so a rehired
-- person who is active shows none) and the first span's start; the workers file only for a person without
-- job_history.
with workers as (
    select * from {{ ref('stg_hris__workers') }}
),

as_of as (
    select as_of_date from {{ ref('int_calendar__as_of') }}
),

people as (
    select employee_id from workers
    union
    select employee_id from {{ ref('stg_hris__job_history') }}
),

current_job as (
    select intervals.*
    from {{ ref('int_people__job_intervals') }} as intervals
    cross join as_of
    where intervals.effective_date <= as_of.as_of_date
      and (intervals.valid_until is null or intervals.valid_until >= as_of.as_of_date)
),

-- The employment spans known on the as-of date (metrics.md: nothing after it is known): begun by then, and
-- an end dated after it (a termination already keyed in) not yet shown.
known_spans as (
    select
        all_spans.employee_id,
        all_spans.span_number,
        all_spans.span_start,
        case when all_spans.span_end <= as_of.as_of_date then all_spans.span_end end as span_end
    from {{ ref('int_people__employment_spans') }} as all_spans
    cross join as_of
    where all_spans.span_start <= as_of.as_of_date
),

-- The first and the latest known span of each person (span_number orders them in time).
spans as (
    select
        employee_id,
        min(span_start) as first_span_start,
        max(span_number) as last_span_number,
        count(*) as employment_spans
    from known_spans
    group by employee_id
),

last_span as (
    select known_spans.employee_id, known_spans.span_start, known_spans.span_end
    from known_spans
    inner join spans
        on known_spans.employee_id = spans.employee_id
       and known_spans.span_number = spans.last_span_number
),

-- People whose dates job_history gives: all who have a row there (their spans may all lie after the as-of date,
-- or none may open, in a history out of sources.md's order: then they have no dates, as they have no span).
with_job_history as (
    select distinct employee_id from {{ ref('int_people__job_intervals') }}
),

crm_users as (
    select
        employee_id,
        user_id,
        count(*) over (partition by employee_id) as crm_user_count,
        row_number() over (partition by employee_id order by is_active desc nulls last, user_id) as _rank
    from {{ ref('int_identity__crm_users') }}
    where employee_id is not null
),

lms_learners as (
    select
        employee_id,
        lms_user_id,
        count(*) over (partition by employee_id) as lms_user_count,
        row_number() over (partition by employee_id order by case when match_method = 'user_id' then 0 else 1 end, lms_user_id) as _rank
    from {{ ref('int_identity__lms_learners') }}
    where employee_id is not null
)

select
    people.employee_id,
    workers.legal_name as name,
    workers.work_email as email,
    coalesce(current_job.management_level, workers.management_level) as management_level,
    coalesce(current_job.region, workers.region) as region,
    coalesce(current_job.job_profile, workers.job_profile) as job_profile,
    reporting.manager_employee_id as current_manager_employee_id,
    case when with_job_history.employee_id is not null then last_span.span_start else workers.hire_date end
        as hire_date,
    case when with_job_history.employee_id is not null then spans.first_span_start else workers.original_hire_date end
        as original_hire_date,
    case when with_job_history.employee_id is not null then last_span.span_end else workers.termination_date end
        as termination_date,
    workers.worker_status,
    -- the latest known span is open on the as-of date (its known end, if any, is that day)
    last_span.employee_id is not null
        and (last_span.span_end is null or last_span.span_end >= as_of.as_of_date) as is_active,
    cast(coalesce(spans.employment_spans, 0) as integer) as employment_spans,
    crm_users.user_id as crm_user_id,
    cast(coalesce(crm_users.crm_user_count, 0) as integer) as crm_user_count,
    lms_learners.lms_user_id,
    cast(coalesce(lms_learners.lms_user_count, 0) as integer) as lms_user_count
from people
cross join as_of
left join workers on people.employee_id = workers.employee_id
left join current_job on people.employee_id = current_job.employee_id
left join with_job_history on people.employee_id = with_job_history.employee_id
left join spans on people.employee_id = spans.employee_id
left join last_span on people.employee_id = last_span.employee_id
-- the manager on the as-of date: only while the person is active (macro manager_on_day)
left join {{ ref('int_people__reporting_intervals') }} as reporting
    on {{ manager_on_day('reporting', 'people.employee_id', 'as_of.as_of_date') }}
left join crm_users on people.employee_id = crm_users.employee_id and crm_users._rank = 1
left join lms_learners on people.employee_id = lms_learners.employee_id and lms_learners._rank = 1
