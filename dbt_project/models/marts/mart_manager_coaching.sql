-- mart_manager_coaching: one row per manager and month (metrics.md), for the published months (dim_month).
-- Computed for every month in int_manager_months__coaching; months before the coverage start are not published.
select *
from {{ ref('int_manager_months__coaching') }}
where month in (select month from {{ ref('dim_month') }})
