{{ config(materialized='incremental', unique_key='opportunity_id', incremental_strategy='delete+insert', on_schema_change='fail') }}
-- Opportunities: latest version per Id over every delta batch, tombstones included. A deal edited or
-- reopened after it closed takes its latest SystemModstamp's state.
with source as (
    {{ raw_since_last_run(source('raw', 'crm_opportunity')) }}
),

renamed as (
    select
        -- ids
        {{ sf_id_18('"Id"') }} as opportunity_id,
        {{ sf_id_18('"OwnerId"') }} as owner_user_id,
        {{ clean_text('"AccountId"') }} as account_id,
        {{ clean_text('"Name"') }} as opportunity_name,
        -- attributes
        {{ clean_text('"StageName"') }} as stage_name,
        -- amounts
        {{ parse_double('"Amount"') }} as amount,
        upper({{ clean_text('"CurrencyIsoCode"') }}) as currency_code,
        -- dates
        {{ parse_iso_date('"CloseDate"') }} as close_date,
        -- flags
        {{ parse_flag('"IsClosed"') }} as is_closed,
        {{ parse_flag('"IsWon"') }} as is_won,
        coalesce({{ parse_flag('"IsDeleted"') }}, false) as is_deleted,
        -- stamps
        {{ parse_sf_datetime('"CreatedDate"') }} as created_at,
        {{ parse_sf_datetime('"SystemModstamp"') }} as system_modstamp,
        -- lineage
        _batch_id,
        _extract_date,
        _row_number,
        _loaded_at
    from source
),

{{ latest_version('renamed', 'opportunity_id', 'system_modstamp') }}
