-- One row per person and month in which the person had a direct report on some day of the month OR
-- delivered a counted coaching session in the month (the row set of mart_manager_coaching), with the
-- manager's attributes as of month end:
--   manager_name from workers; management_level, region and second_line_manager_employee_id from the
--   person's job_history row with the greatest Effective Date <= month end (the job interval that
--   contains month end); NULL when the person has no such row.
-- "In the month" means review_date between month (first day) and month_end (capped at the as-of date).

with months as (

    select month, month_end, quarter, workdays
    from {{ ref('int_calendar__months') }}

),

direct_reports as (

    select * from {{ ref('int_manager_months__direct_reports') }}

),

coach_months as (

    select distinct
        sessions.coach_employee_id as manager_employee_id,
        months.month
    from {{ ref('int_coaching__sessions') }} as sessions
    inner join months
        on {{ in_period('sessions.review_date', 'months', 'month') }}

),

spine as (

    select manager_employee_id, month from direct_reports
    union
    select manager_employee_id, month from coach_months

),

job as (

    select employee_id, effective_date, valid_until, management_level, region, manager_employee_id
    from {{ ref('int_people__job_intervals') }}

),

workers as (

    select employee_id, legal_name
    from {{ ref('stg_hris__workers') }}

)

select
    spine.manager_employee_id,
    spine.month,
    months.month_end,
    months.quarter,
    months.workdays,
    workers.legal_name as manager_name,
    job.management_level,
    job.region,
    job.manager_employee_id as second_line_manager_employee_id,
    direct_reports.manager_employee_id is not null as has_direct_reports,
    coalesce(direct_reports.headcount_start, 0) as headcount_start,
    coalesce(direct_reports.headcount_end, 0) as headcount_end
from spine
inner join months
    on spine.month = months.month
left join direct_reports
    on spine.manager_employee_id = direct_reports.manager_employee_id
   and spine.month = direct_reports.month
left join job
    on {{ job_row_on_day('job', 'spine.manager_employee_id', 'months.month_end') }}
left join workers
    on spine.manager_employee_id = workers.employee_id
