{{ config(**latest_version_config('call_id')) }}
-- Calls: latest version per Id over every delta batch, tombstones included (see stg_crm__calls).
with source as {{ inline_cte() }} (
    {{ raw_since_last_run(source('raw', 'crm_call')) }}
),

renamed as {{ inline_cte() }} (
    select
        -- ids
        {{ sf_id_18(adapter.quote('Id')) }} as call_id,
        {{ sf_id_18(adapter.quote('OwnerId')) }} as owner_user_id,
        {{ clean_text(adapter.quote('Account_vod__c')) }} as account_id,
        {{ sf_id_18(adapter.quote('Parent_Call_vod__c')) }} as parent_call_id,
        -- dates
        {{ parse_iso_date(adapter.quote('Call_Date_vod__c')) }} as call_date,
        {{ parse_sf_datetime(adapter.quote('Call_Datetime_vod__c')) }} as call_datetime,
        -- attributes
        {{ clean_text(adapter.quote('Status_vod__c')) }} as status,
        {{ clean_text(adapter.quote('Call_Type_vod__c')) }} as call_type,
        {{ clean_text(adapter.quote('Call_Channel_vod__c')) }} as call_channel,
        {{ clean_text(adapter.quote('Detailed_Products_vod__c')) }} as detailed_products,
        {{ clean_text(adapter.quote('Territory_vod__c')) }} as territory,
        -- flags
        {{ clean_text(adapter.quote('Parent_Call_vod__c')) }} is null as is_visit,
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

{{ latest_version('renamed', 'call_id', 'system_modstamp') }}
