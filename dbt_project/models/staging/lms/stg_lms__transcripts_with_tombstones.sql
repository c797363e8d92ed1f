{{ config(**latest_version_config('transcript_key')) }}
-- LMS transcripts: latest version per (User ID, LO ID, Assigned Date) by Last Modified over every delta
-- batch. The LMS export has no deletion flag, so is_deleted is always false; the column keeps the shape
-- of the other delta models (a Cancelled assignment is a state, not a deletion).
with source as {{ inline_cte() }} (
    {{ raw_since_last_run(source('raw', 'lms_transcripts')) }}
),

renamed as {{ inline_cte() }} (
    select
        -- ids
        {{ transcript_key() }} as transcript_key,
        {{ clean_text(adapter.quote('User ID')) }} as lms_user_id,
        {{ normalise_employee_id(adapter.quote('User ID')) }} as lms_user_id_normalised,
        {{ clean_text(adapter.quote('User Email')) }} as user_email,
        {{ email_key(adapter.quote('User Email')) }} as user_email_lower,
        {{ clean_text(adapter.quote('LO ID')) }} as lo_id,
        -- dates
        {{ parse_us_date(adapter.quote('Assigned Date')) }} as assigned_date,
        {{ parse_us_date(adapter.quote('Due Date')) }} as due_date,
        {{ parse_us_date(adapter.quote('Completed Date')) }} as completed_date,
        -- attributes
        {{ clean_text(adapter.quote('Transcript Status')) }} as status,
        {{ parse_double(adapter.quote('Score')) }} as score,
        -- flags
        false as is_deleted,
        -- stamps
        {{ parse_us_timestamp(adapter.quote('Last Modified')) }} as last_modified_at,
        -- lineage
        _batch_id,
        _extract_date,
        _row_number,
        _loaded_at
    from source
),

{{ latest_version('renamed', 'transcript_key', 'last_modified_at') }}
