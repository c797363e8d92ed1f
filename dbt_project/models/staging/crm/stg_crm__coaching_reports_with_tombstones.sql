{{ config(**latest_version_config('coaching_report_id')) }}
-- Coaching reports: latest version per Id over every delta batch, tombstones included.
{%- set rating_fields = [
    'Precall_Planning', 'Opening', 'Needs_Discovery', 'Messaging', 'Objection_Handling', 'Closing',
    'Postcall_Analysis', 'Observation', 'Feedback', 'Questioning', 'Goal_Setting', 'Accountability',
    'Motivation', 'Strategic_Thinking',
] %}
with source as {{ inline_cte() }} (
    {{ raw_since_last_run(source('raw', 'crm_coaching_report')) }}
),

renamed as {{ inline_cte() }} (
    select
        -- ids
        {{ sf_id_18(adapter.quote('Id')) }} as coaching_report_id,
        {{ clean_text(adapter.quote('Name')) }} as coaching_report_name,
        {{ sf_id_18(adapter.quote('OwnerId')) }} as owner_user_id,
        {{ sf_id_18(adapter.quote('Manager_vod__c')) }} as coach_user_id,
        {{ sf_id_18(adapter.quote('Employee_vod__c')) }} as coachee_user_id,
        -- dates
        {{ parse_iso_date(adapter.quote('Review_Date__c')) }} as review_date,
        -- attributes
        {{ clean_text(adapter.quote('Status__c')) }} as status,
        {{ clean_text(adapter.quote('Coaching_Type__c')) }} as coaching_type,
        {{ parse_double(adapter.quote('Duration_Minutes__c')) }} as duration_minutes,
        {{ clean_text(adapter.quote('Coaching_Level__c')) }} as coaching_level,
        -- ratings (1-5; NULL = not observed)
        {%- for f in rating_fields %}
        {{ parse_rating(adapter.quote(f ~ '_Rating__c')) }} as {{ f | lower }}_rating,
        {%- endfor %}
        {{ clean_text(adapter.quote('Comments__c')) }} as comments,
        -- flags
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

{{ latest_version('renamed', 'coaching_report_id', 'system_modstamp') }}
