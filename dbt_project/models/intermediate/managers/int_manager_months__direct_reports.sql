-- One row per manager and month in which the manager had at least one direct report on some day of
-- the month: the row set of mart_manager_retention and mart_manager_revenue, with the head counts.
-- "Direct reports of M on day d" = reporting intervals of M that contain d (int_people__reporting_intervals).

with months as (

    select month, month_end
    from {{ ref('int_calendar__months') }}

),

reporting as (

    select employee_id, manager_employee_id, valid_from, valid_to
    from {{ ref('int_people__reporting_intervals') }}

),

manager_months as (

    select
        reporting.manager_employee_id,
        months.month,
        count(distinct case when {{ reporting_on_day('reporting', 'months.month') }}
                            then reporting.employee_id end) as headcount_start,
        count(distinct case when {{ reporting_on_day('reporting', 'months.month_end') }}
                            then reporting.employee_id end) as headcount_end,
        count(distinct reporting.employee_id) as direct_reports_during_month
    from reporting
    inner join months
        on reporting.valid_from <= months.month_end
       and reporting.valid_to >= months.month
    group by reporting.manager_employee_id, months.month

)

select * from manager_months
