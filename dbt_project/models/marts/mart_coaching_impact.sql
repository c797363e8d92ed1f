-- mart_coaching_impact: one row per quarter and coaching intensity quartile (metrics.md).
-- Built from the mart_coaching_effectiveness rows whose next quarter is complete (so quarters without
-- a complete next quarter have no rows). Means of next-quarter outcomes are over rows where the value
-- is not NULL (NULL when there is none); the coached-by-SLM split likewise. Means of doubles are order-free
-- (macro exact_avg): the same on every run and engine.

with effectiveness as (

    select *
    from {{ ref('mart_coaching_effectiveness') }}
    where is_next_quarter_complete

),

grouped as (

    select
        quarter,
        coaching_intensity_quartile,
        count(*) as managers,
        {{ exact_avg('coaching_hours_per_direct_report') }} as avg_coaching_hours_per_direct_report,
        {{ exact_avg('next_quarter_attainment_pct') }} as avg_next_quarter_attainment_pct,
        {{ exact_avg('next_quarter_turnover_rate') }} as avg_next_quarter_turnover_rate,
        count(case when coached_by_slm then 1 end) as managers_coached_by_slm,
        {{ exact_avg('case when coached_by_slm then next_quarter_attainment_pct end') }}
            as avg_next_quarter_attainment_pct_coached_by_slm,
        {{ exact_avg('case when not coached_by_slm then next_quarter_attainment_pct end') }}
            as avg_next_quarter_attainment_pct_not_coached_by_slm
    from effectiveness
    group by quarter, coaching_intensity_quartile

)

select
    cast(quarter as date) as quarter,
    cast(coaching_intensity_quartile as integer) as coaching_intensity_quartile,
    cast(managers as integer) as managers,
    cast(avg_coaching_hours_per_direct_report as double) as avg_coaching_hours_per_direct_report,
    cast(avg_next_quarter_attainment_pct as double) as avg_next_quarter_attainment_pct,
    cast(avg_next_quarter_turnover_rate as double) as avg_next_quarter_turnover_rate,
    cast(managers_coached_by_slm as integer) as managers_coached_by_slm,
    cast(avg_next_quarter_attainment_pct_coached_by_slm as double) as avg_next_quarter_attainment_pct_coached_by_slm,
    cast(avg_next_quarter_attainment_pct_not_coached_by_slm as double)
        as avg_next_quarter_attainment_pct_not_coached_by_slm
from grouped
