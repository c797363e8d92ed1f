-- Conversion rates to USD by currency and validity period: USD amount = amount / conversion_rate for a
-- date d with valid_from <= d < valid_to_exclusive (valid_to_exclusive NULL = current rate).
-- USD is always 1, whether or not the file has USD rows (USD rows of the file are ignored).
select
    currency_code,
    start_date as valid_from,
    next_start_date as valid_to_exclusive,
    conversion_rate
from {{ ref('stg_crm__conversion_rates') }}
where currency_code <> 'USD'

union all

select
    'USD' as currency_code,
    cast('1900-01-01' as date) as valid_from,
    cast(null as date) as valid_to_exclusive,
    1.0 as conversion_rate
