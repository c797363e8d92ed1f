-- Workers: the latest workers snapshot, one row per (normalised) Employee ID.
with source as (
    {{ latest_snapshot(source('raw', 'hris_workers')) }}
),

renamed as (
    select
        -- ids
        {{ normalise_employee_id(adapter.quote('Employee ID')) }} as employee_id,
        {{ normalise_employee_id(adapter.quote('Manager Employee ID')) }} as manager_employee_id,
        -- descriptive
        {{ clean_text(adapter.quote('Legal Name')) }} as legal_name,
        {{ clean_text(adapter.quote('Work Email')) }} as work_email,
        {{ email_key(adapter.quote('Work Email')) }} as work_email_lower,
        {{ clean_text(adapter.quote('Management Level')) }} as management_level,
        {{ clean_text(adapter.quote('Job Profile')) }} as job_profile,
        {{ clean_text(adapter.quote('Region')) }} as region,
        {{ clean_text(adapter.quote('Worker Status')) }} as worker_status,
        -- dates
        {{ parse_us_date(adapter.quote('Hire Date')) }} as hire_date,
        {{ parse_us_date(adapter.quote('Original Hire Date')) }} as original_hire_date,
        {{ parse_us_date(adapter.quote('Termination Date')) }} as termination_date,
        -- latest termination
        {{ clean_text(adapter.quote('Primary Termination Reason')) }} as termination_reason,
        {{ clean_text(adapter.quote('Termination Category')) }} as termination_category,
        {{ parse_flag(adapter.quote('Regrettable Termination')) }} as is_regretted,
        -- lineage
        _batch_id,
        _extract_date,
        _row_number
    from source
)

{{ one_row_per_key('renamed', 'employee_id', '_row_number desc') }}
