-- mart_manager_revenue: one row per manager and month (metrics.md), for the published months (dim_month).
-- Computed for every month in int_manager_months__revenue; months before the coverage start are not published.
select *
from {{ ref('int_manager_months__revenue') }}
where month in (select month from {{ ref('dim_month') }})
