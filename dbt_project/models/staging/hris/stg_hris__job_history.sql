-- Job history: the latest job_history snapshot, one row per (employee, effective date).
with source as (
    {{ latest_snapshot(source('raw', 'hris_job_history')) }}
),

renamed as (
    select
        -- ids
        {{ normalise_employee_id('"Employee ID"') }} as employee_id,
        {{ normalise_employee_id('"Manager Employee ID"') }} as manager_employee_id,
        -- dates
        {{ parse_us_date('"Effective Date"') }} as effective_date,
        -- attributes
        {{ clean_text('"Business Process"') }} as business_process,
        {{ clean_text('"Management Level"') }} as management_level,
        {{ clean_text('"Job Profile"') }} as job_profile,
        {{ clean_text('"Region"') }} as region,
        -- termination (filled on Termination rows only)
        {{ clean_text('"Primary Termination Reason"') }} as termination_reason,
        {{ clean_text('"Termination Category"') }} as termination_category,
        {{ parse_flag('"Regrettable Termination"') }} as is_regretted,
        -- lineage
        _batch_id,
        _extract_date,
        _row_number
    from source
)

{{ one_row_per_key('renamed', 'employee_id, effective_date', '_row_number desc') }}
