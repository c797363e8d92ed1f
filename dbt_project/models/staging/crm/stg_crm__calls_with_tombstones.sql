{{ config(**latest_version_config('call_id')) }}
-- Calls: latest version per Id over every delta batch, tombstones included (see stg_crm__calls).
-- The largest table of the warehouse (15 M rows on the large profile), so it carries only the columns the
-- models read: writing the six others (account, parent id, call datetime, products, territory, created) cost
-- the first build about 10 s, and call type and channel another 1.2 s (no model reads them). raw.crm_call
-- keeps every delivered column, and the gate's contract (their vocabularies included) and the
-- raw_crm_call__usable test check them all; add a column here when a model needs it.
with source as {{ inline_cte() }} (
    {{ raw_since_last_run(source('raw', 'crm_call')) }}
),

renamed as {{ inline_cte() }} (
    select
        -- ids
        {{ sf_id_18(adapter.quote('Id')) }} as call_id,
        {{ sf_id_18(adapter.quote('OwnerId')) }} as owner_user_id,
        -- dates
        {{ parse_iso_date(adapter.quote('Call_Date_vod__c')) }} as call_date,
        -- attributes
        {{ clean_text(adapter.quote('Status_vod__c')) }} as status,
        -- flags
        {{ clean_text(adapter.quote('Parent_Call_vod__c')) }} is null as is_visit,
        coalesce({{ parse_flag(adapter.quote('IsDeleted')) }}, false) as is_deleted,
        -- stamps
        {{ parse_sf_datetime(adapter.quote('SystemModstamp')) }} as system_modstamp,
        -- lineage
        _batch_id,
        _extract_date,
        _row_number,
        _loaded_at
    from source
),

{{ latest_version('renamed', 'call_id', 'system_modstamp') }}
