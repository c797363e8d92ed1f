-- Monthly quotas: the latest ForecastingQuota snapshot. QuotaOwnerId arrives as the 15-character user id
-- and is converted to the 18-character form so that it joins to stg_crm__users.
with source as (
    {{ latest_snapshot(source('raw', 'crm_forecasting_quota')) }}
),

renamed as (
    select
        -- ids
        {{ sf_id_18(adapter.quote('Id')) }} as quota_id,
        {{ clean_text(adapter.quote('QuotaOwnerId')) }} as quota_owner_id_as_delivered,
        {{ sf_id_18(adapter.quote('QuotaOwnerId')) }} as owner_user_id,
        -- dates
        {{ parse_iso_date(adapter.quote('StartDate')) }} as start_date,
        -- amounts
        {{ parse_double(adapter.quote('QuotaAmount')) }} as quota_amount,
        upper({{ clean_text(adapter.quote('CurrencyIsoCode')) }}) as currency_code,
        -- stamps
        {{ parse_sf_datetime(adapter.quote('SystemModstamp')) }} as system_modstamp,
        -- lineage
        _batch_id,
        _extract_date,
        _row_number
    from source
)

{{ one_row_per_key('renamed', 'quota_id', 'system_modstamp desc nulls last, _row_number desc') }}
