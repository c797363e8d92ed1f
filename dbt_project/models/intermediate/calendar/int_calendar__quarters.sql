-- The quarter calendar of the quarterly marts, one row per quarter of int_calendar__months: quarter end
-- capped at the as-of date, whether the quarter is published (from the one containing the coverage start),
-- and whether the FOLLOWING quarter is complete (as-of date >= its last calendar day), which gates every
-- next-quarter measure.
with months as (

    select * from {{ ref('int_calendar__months') }}

),

quarters as (

    select
        quarter,
        max(quarter_end) as quarter_end,
        max(calendar_quarter_end) as calendar_quarter_end,
        bool_or(is_quarter_published) as is_quarter_published
    from months
    group by quarter

)

select
    cast(quarter as date) as quarter,
    cast(quarter_end as date) as quarter_end,
    cast(calendar_quarter_end as date) as calendar_quarter_end,
    cast({{ dbt.dateadd('month', 3, 'quarter') }} as date) as next_quarter,
    cast(is_quarter_published as boolean) as is_quarter_published,
    cast(as_of_date >= calendar_quarter_end as boolean) as is_quarter_complete,
    cast(as_of_date >= {{ dbt.dateadd('day', -1, dbt.dateadd('month', 6, 'quarter')) }} as boolean)
        as is_next_quarter_complete
from quarters
cross join (select as_of_date from {{ ref('int_calendar__as_of') }}) as as_of
