-- The as-of date: the latest extract date loaded, over every raw table of every system. Nothing after it
-- is known; month and quarter ends and open intervals are capped at it. One row (NULL before any load).
{%- set raw_tables = [
    'crm_user', 'crm_call', 'crm_coaching_report', 'crm_opportunity', 'crm_forecasting_quota',
    'crm_dated_conversion_rate', 'hris_workers', 'hris_job_history', 'survey_responses', 'lms_courses',
    'lms_transcripts',
] %}
with latest_per_table as (
    {%- for t in raw_tables %}
    select max(_extract_date) as latest_extract_date from {{ source('raw', t) }}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
)

select cast(max(latest_extract_date) as date) as as_of_date
from latest_per_table
