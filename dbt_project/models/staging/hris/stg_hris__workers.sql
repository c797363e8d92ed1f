-- Workers: the latest workers snapshot, one row per (normalised) Employee ID.
with source as (
    {{ latest_snapshot(source('raw', 'hris_workers')) }}
),

renamed as (
    select
        -- ids
        {{ normalise_employee_id('"Employee ID"') }} as employee_id,
        {{ normalise_employee_id('"Manager Employee ID"') }} as manager_employee_id,
        -- descriptive
        {{ clean_text('"Legal Name"') }} as legal_name,
        {{ clean_text('"Work Email"') }} as work_email,
        lower({{ clean_text('"Work Email"') }}) as work_email_lower,
        {{ clean_text('"Management Level"') }} as management_level,
        {{ clean_text('"Job Profile"') }} as job_profile,
        {{ clean_text('"Region"') }} as region,
        {{ clean_text('"Worker Status"') }} as worker_status,
        -- dates
        {{ parse_us_date('"Hire Date"') }} as hire_date,
        {{ parse_us_date('"Original Hire Date"') }} as original_hire_date,
        {{ parse_us_date('"Termination Date"') }} as termination_date,
        -- latest termination
        {{ clean_text('"Primary Termination Reason"') }} as termination_reason,
        {{ clean_text('"Termination Category"') }} as termination_category,
        {{ parse_flag('"Regrettable Termination"') }} as is_regretted,
        -- lineage
        _batch_id,
        _extract_date,
        _row_number
    from source
)

{{ one_row_per_key('renamed', 'employee_id', '_row_number desc') }}
