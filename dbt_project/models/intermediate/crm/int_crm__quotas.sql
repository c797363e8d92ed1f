-- Monthly quotas of the latest ForecastingQuota snapshot whose owner (15-character id converted to 18)
-- matches a person, in USD at the rate valid on StartDate (macro usd_rate_on).
with quotas as (
    select * from {{ ref('stg_crm__forecasting_quotas') }}
),

identities as (
    select user_id, employee_id from {{ ref('int_identity__crm_users') }}
    where employee_id is not null
),

owned as (
    select
        quotas.quota_id,
        identities.employee_id as owner_employee_id,
        cast({{ dbt.date_trunc('month', 'quotas.start_date') }} as date) as month,
        quotas.start_date,
        quotas.quota_amount,
        quotas.currency_code
    from quotas
    inner join identities on quotas.owner_user_id = identities.user_id
)

select
    owned.quota_id,
    owned.owner_employee_id,
    owned.month,
    owned.quota_amount,
    owned.currency_code,
    {{ to_usd('owned.quota_amount', 'at_start.conversion_rate') }} as quota_usd,
    owned.start_date
from owned
left join ({{ usd_rate_on('owned', 'currency_code', 'start_date') }}) as at_start
    on owned.currency_code = at_start.currency_code and owned.start_date = at_start.rate_day
