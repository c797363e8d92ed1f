-- CRM users: the latest User snapshot, one row per user id.
with source as (
    {{ latest_snapshot(source('raw', 'crm_user')) }}
),

renamed as (
    select
        -- ids
        {{ sf_id_18(adapter.quote('Id')) }} as user_id,
        {{ clean_text(adapter.quote('EmployeeNumber')) }} as employee_number,
        {{ normalise_employee_id(adapter.quote('EmployeeNumber')) }} as employee_number_normalised,
        {{ sf_id_18(adapter.quote('ManagerId')) }} as manager_user_id,
        -- descriptive
        {{ clean_text(adapter.quote('Username')) }} as username,
        {{ clean_text(adapter.quote('FirstName')) }} as first_name,
        {{ clean_text(adapter.quote('LastName')) }} as last_name,
        {{ clean_text(adapter.quote('Email')) }} as email,
        {{ email_key(adapter.quote('Email')) }} as email_lower,
        {{ clean_text(adapter.quote('Title')) }} as title,
        {{ clean_text(adapter.quote('TimeZoneSidKey')) }} as time_zone,
        -- flags
        {{ parse_flag(adapter.quote('IsActive')) }} as is_active,
        -- stamps
        {{ parse_sf_datetime(adapter.quote('CreatedDate')) }} as created_at,
        {{ parse_sf_datetime(adapter.quote('SystemModstamp')) }} as system_modstamp,
        -- lineage
        _batch_id,
        _extract_date,
        _row_number
    from source
)

{{ one_row_per_key('renamed', 'user_id', 'system_modstamp desc nulls last, _row_number desc') }}
