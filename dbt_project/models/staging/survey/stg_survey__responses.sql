-- Survey responses. Each wave's file is its own snapshot: the rows of the latest extract date that
-- delivered the wave are the truth for that wave. The respondent's EmployeeID is personal data and is
-- deliberately never selected: it must not leave raw.
with source as (
    select {{ star_except([adapter.quote('EmployeeID')]) }}
    from {{ source('raw', 'survey_responses') }}
),

latest_delivery_of_wave as (
    select
        *,
        max(_extract_date) over (partition by trim({{ adapter.quote('Wave') }})) as _wave_extract_date
    from source
),

renamed as (
    select
        -- ids
        {{ clean_text(adapter.quote('ResponseId')) }} as response_id,
        {{ clean_text(adapter.quote('Wave')) }} as wave,
        {{ normalise_employee_id(adapter.quote('ManagerID')) }} as manager_employee_id,
        -- stamps (UTC)
        {{ parse_timestamp(adapter.quote('StartDate')) }} as started_at,
        {{ parse_timestamp(adapter.quote('EndDate')) }} as ended_at,
        -- flags
        {{ parse_flag(adapter.quote('Finished')) }} as is_finished,
        -- answers (Likert 1-5, eNPS 0-10; NULL = skipped)
        {{ parse_integer(adapter.quote('Q_COACH')) }} as q_coach,
        {{ parse_integer(adapter.quote('Q_FEEDBACK')) }} as q_feedback,
        {{ parse_integer(adapter.quote('Q_GROWTH')) }} as q_growth,
        {{ parse_integer(adapter.quote('Q_RECOGNITION')) }} as q_recognition,
        {{ parse_integer(adapter.quote('Q_INTENT_STAY')) }} as q_intent_stay,
        {{ parse_integer(adapter.quote('Q_ENPS')) }} as q_enps,
        -- lineage
        _batch_id,
        _extract_date,
        _row_number
    from latest_delivery_of_wave
    where _extract_date = _wave_extract_date
)

{{ one_row_per_key('renamed', 'response_id', '_extract_date desc, _row_number desc') }}
