-- CRM users: the latest User snapshot, one row per user id.
with source as (
    {{ latest_snapshot(source('raw', 'crm_user')) }}
),

renamed as (
    select
        -- ids
        {{ sf_id_18('"Id"') }} as user_id,
        {{ clean_text('"EmployeeNumber"') }} as employee_number,
        {{ normalise_employee_id('"EmployeeNumber"') }} as employee_number_normalised,
        {{ sf_id_18('"ManagerId"') }} as manager_user_id,
        -- descriptive
        {{ clean_text('"Username"') }} as username,
        {{ clean_text('"FirstName"') }} as first_name,
        {{ clean_text('"LastName"') }} as last_name,
        {{ clean_text('"Email"') }} as email,
        lower({{ clean_text('"Email"') }}) as email_lower,
        {{ clean_text('"Title"') }} as title,
        {{ clean_text('"TimeZoneSidKey"') }} as time_zone,
        -- flags
        {{ parse_flag('"IsActive"') }} as is_active,
        -- stamps
        {{ parse_sf_datetime('"CreatedDate"') }} as created_at,
        {{ parse_sf_datetime('"SystemModstamp"') }} as system_modstamp,
        -- lineage
        _batch_id,
        _extract_date,
        _row_number
    from source
)

{{ one_row_per_key('renamed', 'user_id', 'system_modstamp desc nulls last, _row_number desc') }}
