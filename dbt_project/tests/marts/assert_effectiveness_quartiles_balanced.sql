-- NTILE(4): within a quarter, quartile sizes differ by at most one, larger quartiles come first, and a
-- higher quartile never has less coaching than a lower one (hours as the mart orders them, macro
-- coaching_intensity_order: equal ratios a last bit apart may fall either side of a quartile boundary, by id).
with sizes as (
    select quarter, coaching_intensity_quartile, count(*) as n,
           min({{ coaching_intensity_order('coaching_hours_per_direct_report') }}) as min_hours,
           max({{ coaching_intensity_order('coaching_hours_per_direct_report') }}) as max_hours
    from {{ ref('mart_coaching_effectiveness') }}
    group by 1, 2
),
ordered as (
    select *,
           lag(n) over (partition by quarter order by coaching_intensity_quartile) as previous_n,
           lag(max_hours) over (partition by quarter order by coaching_intensity_quartile) as previous_max_hours
    from sizes
)
select *
from ordered
where previous_n is not null
  and (n > previous_n or previous_n - n > 1 or min_hours < previous_max_hours)
