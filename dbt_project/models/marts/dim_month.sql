-- dim_month: the published months (metrics.md "Coverage"): the calendar from the coverage start to the
-- as-of month. The whole calendar, earlier months included, is int_calendar__months.
select
    month,
    month_end,
    quarter,
    quarter_end,
    year,
    workdays,
    is_month_complete,
    is_quarter_complete,
    calendar_month_end,
    calendar_quarter_end
from {{ ref('int_calendar__months') }}
where is_published
