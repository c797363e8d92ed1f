-- LMS course catalogue: the latest courses snapshot, one row per LO ID.
with source as (
    {{ latest_snapshot(source('raw', 'lms_courses')) }}
),

renamed as (
    select
        -- ids
        {{ clean_text('"LO ID"') }} as lo_id,
        -- descriptive
        {{ clean_text('"Training Title"') }} as training_title,
        {{ clean_text('"Training Type"') }} as training_type,
        {{ clean_text('"Competency"') }} as competency,
        {{ clean_text('"Audience"') }} as audience,
        -- amounts
        {{ parse_double('"Duration Hours"') }} as duration_hours,
        -- flags
        coalesce({{ parse_flag('"Coaching Curriculum"') }}, false) as is_coaching_curriculum,
        -- lineage
        _batch_id,
        _extract_date,
        _row_number
    from source
)

{{ one_row_per_key('renamed', 'lo_id', '_row_number desc') }}
