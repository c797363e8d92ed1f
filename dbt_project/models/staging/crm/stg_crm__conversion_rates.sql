-- Dated conversion rates: the latest DatedConversionRate snapshot. conversion_rate = units of the
-- currency one USD buys, valid from start_date (inclusive) to next_start_date (exclusive; NULL = current).
with source as (
    {{ latest_snapshot(source('raw', 'crm_dated_conversion_rate')) }}
),

renamed as (
    select
        -- ids
        {{ clean_text(adapter.quote('Id')) }} as conversion_rate_id,
        upper({{ clean_text(adapter.quote('IsoCode')) }}) as currency_code,
        -- dates
        {{ parse_iso_date(adapter.quote('StartDate')) }} as start_date,
        {{ parse_iso_date(adapter.quote('NextStartDate')) }} as next_start_date,
        -- amounts
        {{ parse_double(adapter.quote('ConversionRate')) }} as conversion_rate,
        -- lineage
        _batch_id,
        _extract_date,
        _row_number
    from source
)

{{ one_row_per_key('renamed', 'currency_code, start_date', '_row_number desc') }}
