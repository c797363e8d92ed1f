-- Opportunities as they stand (latest version, not deleted) whose owner matches a person, with USD
-- amounts at the rate valid on the close date and on the (UTC) creation day. A missing rate gives a NULL
-- USD amount (dbt test warns). Overlapping rate periods would be a bad file: the latest StartDate wins.
with opportunities as (
    select * from {{ ref('stg_crm__opportunities') }}
),

identities as (
    select user_id, employee_id from {{ ref('int_identity__crm_users') }}
    where employee_id is not null
),

rates as (
    select * from {{ ref('int_crm__usd_rates') }}
),

owned as (
    select
        opportunities.opportunity_id,
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
),

at_close as (
    select
        owned.opportunity_id,
        rates.conversion_rate,
        row_number() over (partition by owned.opportunity_id order by rates.valid_from desc) as _rank
    from owned
    inner join rates
        on owned.currency_code = rates.currency_code
       and owned.close_date >= rates.valid_from
       and (rates.valid_to_exclusive is null or owned.close_date < rates.valid_to_exclusive)
),

at_created as (
    select
        owned.opportunity_id,
        rates.conversion_rate,
        row_number() over (partition by owned.opportunity_id order by rates.valid_from desc) as _rank
    from owned
    inner join rates
        on owned.currency_code = rates.currency_code
       and owned.created_date >= rates.valid_from
       and (rates.valid_to_exclusive is null or owned.created_date < rates.valid_to_exclusive)
)

select
    owned.*,
    {{ to_usd('owned.amount', 'at_close.conversion_rate') }} as amount_usd_at_close,
    {{ to_usd('owned.amount', 'at_created.conversion_rate') }} as amount_usd_at_created
from owned
left join at_close on owned.opportunity_id = at_close.opportunity_id and at_close._rank = 1
left join at_created on owned.opportunity_id = at_created.opportunity_id and at_created._rank = 1
