-- mart_coaching_impact counts exactly the effectiveness rows whose next quarter is complete.
--
-- In Dagster a check of mart_coaching_impact, the mart it audits against mart_coaching_effectiveness.
{{ config(meta={'dagster': {'ref': {'name': 'mart_coaching_impact'}}}) }}
with expected as (
    select quarter, coaching_intensity_quartile, count(*) as managers
    from {{ ref('mart_coaching_effectiveness') }}
    where is_next_quarter_complete
    group by 1, 2
)
select coalesce(e.quarter, i.quarter) as quarter, e.managers as expected, i.managers as actual
from expected as e
full outer join {{ ref('mart_coaching_impact') }} as i
    on e.quarter = i.quarter and e.coaching_intensity_quartile = i.coaching_intensity_quartile
where e.managers is distinct from i.managers
