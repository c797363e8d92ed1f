-- Every raw version of a delta record is accounted for in staging: each key delivered in raw is exactly
-- one row of its *_with_tombstones model (kept, or kept as a tombstone), and every other raw row of that
-- key is a superseded version. A row here names the table whose raw keys and staged records disagree, or
-- raw rows without a key (they could be placed nowhere).
{%- set deltas = [
    ('crm_call', sf_id_18(adapter.quote('Id')), 'stg_crm__calls_with_tombstones'),
    ('crm_coaching_report', sf_id_18(adapter.quote('Id')), 'stg_crm__coaching_reports_with_tombstones'),
    ('crm_opportunity', sf_id_18(adapter.quote('Id')), 'stg_crm__opportunities_with_tombstones'),
    ('lms_transcripts', transcript_key(), 'stg_lms__transcripts_with_tombstones'),
] %}
with accounts as (
    {%- for raw_table, key, model in deltas %}
    select
        '{{ raw_table }}' as raw_table,
        raw.raw_versions,
        raw.raw_keys,
        raw.rows_without_key,
        staged.records as staged_records,
        staged.tombstones as staged_tombstones,
        raw.raw_versions - raw.rows_without_key - staged.records as superseded_versions
    from (
        select
            count(*) as raw_versions,
            count(distinct {{ key }}) as raw_keys,
            count(*) - count({{ key }}) as rows_without_key
        from {{ source('raw', raw_table) }}
    ) as raw
    cross join (
        select count(*) as records, count(case when is_deleted then 1 end) as tombstones
        from {{ ref(model) }}
    ) as staged
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
)

select *
from accounts
where rows_without_key > 0
   or raw_keys <> staged_records
