-- LMS course catalogue: the latest courses snapshot, one row per LO ID.
with source as (
    {{ latest_snapshot(source('raw', 'lms_courses')) }}
),

renamed as (
    select
        -- ids
        {{ clean_text(adapter.quote('LO ID')) }} as lo_id,
        -- descriptive
        {{ clean_text(adapter.quote('Training Title')) }} as training_title,
        {{ clean_text(adapter.quote('Training Type')) }} as training_type,
        {{ clean_text(adapter.quote('Competency')) }} as competency,
        {{ clean_text(adapter.quote('Audience')) }} as audience,
        -- amounts
        {{ parse_double(adapter.quote('Duration Hours')) }} as duration_hours,
        -- flags
        coalesce({{ parse_flag(adapter.quote('Coaching Curriculum')) }}, false) as is_coaching_curriculum,
        -- lineage
        _batch_id,
        _extract_date,
        _row_number
    from source
)

{{ one_row_per_key('renamed', 'lo_id', '_row_number desc') }}
