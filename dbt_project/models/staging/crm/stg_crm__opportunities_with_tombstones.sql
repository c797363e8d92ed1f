{{ config(**latest_version_config('opportunity_id')) }}
-- Opportunities: latest version per Id over every delta batch, tombstones included. A deal edited or
-- reopened after it closed takes its latest SystemModstamp's state.
with source as {{ inline_cte() }} (
    {{ raw_since_last_run(source('raw', 'crm_opportunity')) }}
),

renamed as {{ inline_cte() }} (
    select
        -- ids
        {{ sf_id_18(adapter.quote('Id')) }} as opportunity_id,
        {{ sf_id_18(adapter.quote('OwnerId')) }} as owner_user_id,
        {{ clean_text(adapter.quote('AccountId')) }} as account_id,
        {{ clean_text(adapter.quote('Name')) }} as opportunity_name,
        -- attributes
        {{ clean_text(adapter.quote('StageName')) }} as stage_name,
        -- amounts
        {{ parse_double(adapter.quote('Amount')) }} as amount,
        upper({{ clean_text(adapter.quote('CurrencyIsoCode')) }}) as currency_code,
        -- dates
        {{ parse_iso_date(adapter.quote('CloseDate')) }} as close_date,
        -- flags
        {{ parse_flag(adapter.quote('IsClosed')) }} as is_closed,
        {{ parse_flag(adapter.quote('IsWon')) }} as is_won,
        coalesce({{ parse_flag(adapter.quote('IsDeleted')) }}, false) as is_deleted,
        -- stamps
        {{ parse_sf_datetime(adapter.quote('CreatedDate')) }} as created_at,
        {{ parse_sf_datetime(adapter.quote('SystemModstamp')) }} as system_modstamp,
        -- lineage
        _batch_id,
        _extract_date,
        _row_number,
        _loaded_at
    from source
),

{{ latest_version('renamed', 'opportunity_id', 'system_modstamp') }}
