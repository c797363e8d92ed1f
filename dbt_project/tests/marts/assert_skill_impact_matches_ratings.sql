-- mart_skill_impact counts exactly the mart_skill_ratings rows whose next quarter is complete, per quarter
-- and skill (every row lands in one band), and its band means are the ratings' own.
--
-- In Dagster a check of mart_skill_impact, the mart it audits against mart_skill_ratings.
{{ config(meta={'dagster': {'ref': {'name': 'mart_skill_impact'}}}) }}
with expected as (
    select quarter, skill, count(*) as coachees, sum(avg_rating) as sum_avg_rating
    from {{ ref('mart_skill_ratings') }}
    where is_next_quarter_complete
    group by 1, 2
),

actual as (
    select quarter, skill, sum(coachees) as coachees, sum(avg_rating * coachees) as sum_avg_rating
    from {{ ref('mart_skill_impact') }}
    group by 1, 2
)

select coalesce(e.quarter, a.quarter) as quarter, coalesce(e.skill, a.skill) as skill,
    e.coachees as expected, a.coachees as actual
from expected as e
full outer join actual as a
    on e.quarter = a.quarter and e.skill = a.skill
where e.coachees is distinct from a.coachees
   or abs(e.sum_avg_rating - a.sum_avg_rating) > 1e-9 * greatest(1, e.sum_avg_rating)
