{{ config(materialized='incremental', unique_key='call_id', incremental_strategy='delete+insert', on_schema_change='fail') }}
-- Calls: latest version per Id over every delta batch, tombstones included (see stg_crm__calls).
with source as (
    {{ raw_since_last_run(source('raw', 'crm_call')) }}
),

renamed as (
    select
        -- ids
        {{ sf_id_18('"Id"') }} as call_id,
        {{ sf_id_18('"OwnerId"') }} as owner_user_id,
        {{ clean_text('"Account_vod__c"') }} as account_id,
        {{ sf_id_18('"Parent_Call_vod__c"') }} as parent_call_id,
        -- dates
        {{ parse_iso_date('"Call_Date_vod__c"') }} as call_date,
        {{ parse_sf_datetime('"Call_Datetime_vod__c"') }} as call_datetime,
        -- attributes
        {{ clean_text('"Status_vod__c"') }} as status,
        {{ clean_text('"Call_Type_vod__c"') }} as call_type,
        {{ clean_text('"Call_Channel_vod__c"') }} as call_channel,
        {{ clean_text('"Detailed_Products_vod__c"') }} as detailed_products,
        {{ clean_text('"Territory_vod__c"') }} as territory,
        -- flags
        {{ clean_text('"Parent_Call_vod__c"') }} is null as is_visit,
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

{{ latest_version('renamed', 'call_id', 'system_modstamp') }}
