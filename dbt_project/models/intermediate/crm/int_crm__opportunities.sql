-- Opportunities as they stand (latest version, not deleted) whose owner matches a person, with USD
-- amounts at the rate valid on the close date and on the (UTC) creation day (macro usd_rate_on). A
-- missing rate gives a NULL USD amount (dbt test warns).
with opportunities as (
    select * from {{ ref('stg_crm__opportunities') }}
),

identities as (
    select user_id, employee_id from {{ ref('int_identity__crm_users') }}
    where employee_id is not null
),

owned as (
    select
        opportunities.opportunity_id,
        opportunities.owner_user_id,
        identities.employee_id as owner_employee_id,
        opportunities.stage_name,
        opportunities.is_closed,
        opportunities.is_won,
        opportunities.close_date,
        cast(opportunities.created_at as date) as created_date,
        opportunities.amount,
        opportunities.currency_code
    from opportunities
    inner join identities on opportunities.owner_user_id = identities.user_id
)

select
    owned.*,
    {{ to_usd('owned.amount', 'at_close.conversion_rate') }} as amount_usd_at_close,
    {{ to_usd('owned.amount', 'at_created.conversion_rate') }} as amount_usd_at_created
from owned
left join ({{ usd_rate_on('owned', 'currency_code', 'close_date') }}) as at_close
    on owned.currency_code = at_close.currency_code and owned.close_date = at_close.rate_day
left join ({{ usd_rate_on('owned', 'currency_code', 'created_date') }}) as at_created
    on owned.currency_code = at_created.currency_code and owned.created_date = at_created.rate_day
