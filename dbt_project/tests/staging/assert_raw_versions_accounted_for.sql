-- Every raw version of a delta record is accounted for in staging: each key delivered in raw is exactly
-- one row of its *_with_tombstones model (kept, or kept as a tombstone), and every other raw row of that
-- key is a superseded version. This also proves each model's key unique. A row here names the table and
-- what disagrees: raw rows without a key (they could be placed nowhere), or keys and staged records.
--
-- Which rows (raw_audited_through(), macros/staging/raw_audit.sql): a full build audits the whole raw
-- history. A nightly build audits the keys of the raw rows loaded since the last build in which this test
-- passed: an incremental run rewrites only the staged rows of those keys, so every other key is as that
-- build audited it, and a night does not count the distinct keys of millions of history rows again.
--
-- In Dagster a check of stg_crm__calls_with_tombstones, the largest of the four models it audits (a check
-- attaches to one asset).
{{ config(meta={'dagster': {'ref': {'name': 'stg_crm__calls_with_tombstones'}}}) }}
{%- set deltas = [
    ('crm_call', sf_id_18(adapter.quote('Id')), 'stg_crm__calls_with_tombstones', 'call_id'),
    ('crm_coaching_report', sf_id_18(adapter.quote('Id')), 'stg_crm__coaching_reports_with_tombstones',
     'coaching_report_id'),
    ('crm_opportunity', sf_id_18(adapter.quote('Id')), 'stg_crm__opportunities_with_tombstones', 'opportunity_id'),
    ('lms_transcripts', transcript_key(), 'stg_lms__transcripts_with_tombstones', 'transcript_key'),
] %}
{%- set since = raw_audited_through() %}
with accounts as (
    {%- for raw_table, key, model, model_key in deltas %}
    {%- if since is none %}
    select
        '{{ raw_table }}' as raw_table,
        cast(null as string) as record_key,
        raw.raw_versions,
        raw.raw_keys,
        raw.rows_without_key,
        staged.records as staged_records,
        staged.keys as staged_keys
    from (
        select
            count(*) as raw_versions,
            count(distinct {{ key }}) as raw_keys,
            count(*) - count({{ key }}) as rows_without_key
        from {{ source('raw', raw_table) }}
    ) as raw
    cross join (
        select count(*) as records, count(distinct {{ model_key }}) as keys
        from {{ ref(model) }}
    ) as staged
    where raw.rows_without_key > 0
       or raw.raw_keys <> staged.records
       or staged.keys <> staged.records
    {%- else %}
    select
        '{{ raw_table }}' as raw_table,
        night.record_key,
        night.raw_versions,
        cast(null as bigint) as raw_keys,
        case when night.record_key is null then night.raw_versions else 0 end as rows_without_key,
        count(staged.{{ model_key }}) as staged_records,
        cast(null as bigint) as staged_keys
    from (
        select {{ key }} as record_key, count(*) as raw_versions
        from {{ source('raw', raw_table) }}
        where _loaded_at > {{ since }}
        group by 1
    ) as night
    left join {{ ref(model) }} as staged
        on staged.{{ model_key }} = night.record_key
    group by night.record_key, night.raw_versions
    having night.record_key is null
        or count(staged.{{ model_key }}) <> 1
    {%- endif %}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
)

select * from accounts
