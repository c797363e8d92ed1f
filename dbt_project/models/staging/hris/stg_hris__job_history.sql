-- Job history: the latest job_history snapshot, one row per (employee, effective date).
with source as (
    {{ latest_snapshot(source('raw', 'hris_job_history')) }}
),

renamed as (
    select
        -- ids
        {{ normalise_employee_id(adapter.quote('Employee ID')) }} as employee_id,
        {{ normalise_employee_id(adapter.quote('Manager Employee ID')) }} as manager_employee_id,
        -- dates
        {{ parse_us_date(adapter.quote('Effective Date')) }} as effective_date,
        -- attributes
        {{ clean_text(adapter.quote('Business Process')) }} as business_process,
        {{ clean_text(adapter.quote('Management Level')) }} as management_level,
        {{ clean_text(adapter.quote('Job Profile')) }} as job_profile,
        {{ clean_text(adapter.quote('Region')) }} as region,
        -- termination (filled on Termination rows only)
        {{ clean_text(adapter.quote('Primary Termination Reason')) }} as termination_reason,
        {{ clean_text(adapter.quote('Termination Category')) }} as termination_category,
        {{ parse_flag(adapter.quote('Regrettable Termination')) }} as is_regretted,
        -- lineage
        _batch_id,
        _extract_date,
        _row_number
    from source
)

{{ one_row_per_key('renamed', 'employee_id, effective_date', '_row_number desc') }}
