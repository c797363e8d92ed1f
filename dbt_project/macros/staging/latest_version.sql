{#-
  Latest version per key, for delta exports (metrics.md "Latest version"): the row with the greatest
  modification stamp, whatever order the batches arrived in; on a tie the row from the later extract date,
  then the later row of the file. Tombstones are versions too: they are kept here (is_deleted) and removed
  by the thin view on top.

  Incremental (unique_key = key; config from latest_version_config: delete+insert on DuckDB, on Spark see
  spark__latest_version): raw is append-only, so a run only needs the raw rows loaded since the last run: `_loaded_at` > the newest `_loaded_at` already kept. Those rows compete with the
  versions already kept for the same keys, so a late, OLDER batch loses to what is there, exactly as in a
  full build. (If the newest load lost everywhere, the watermark stays lower and that load is read again
  next time: harmless, the result is idempotent.)
  Assumes what the ingestion guarantees: every batch gets its own load time, later loads later times
  (one clock, batches loaded one after another). After raw is rebuilt or rewritten, run --full-refresh.

  Usage, as the last statement of a model, after CTEs:   {{ latest_version('renamed', 'call_id', 'system_modstamp') }}
-#}
{% macro raw_since_last_run(source_relation) -%}
    select * from {{ source_relation }}
    {%- if is_incremental() %}
    where _loaded_at > (select coalesce(max(_loaded_at), cast('1900-01-01' as timestamp)) from {{ this }})
    {%- endif %}
{%- endmacro %}

{% macro latest_version(cte, key, stamp) -%}
    {{ return(adapter.dispatch('latest_version')(cte, key, stamp)) }}
{%- endmacro %}

{#- DuckDB: nearly every key has one version (15.01 M ids in 15.03 M call rows on the large profile), so only
    the rows of keys with several versions are ranked, and the superseded ones among them removed by an
    anti join; ranking every row would sort the whole history, all its columns, under the memory limit.
    The repeated keys are found by their 64-bit hash: grouping 15 M hashes costs two thirds of grouping the
    strings, and a collision only brings a key with one version into the ranking, where it ranks first and
    stays. A NULL key hashes like any other value, so NULL keys are ranked together as before.
    A row is named by (_batch_id, _loaded_at, _row_number): one file per delta export in a batch. The model's
    own CTEs are inlined ({{ inline_cte() }}), so each of the three readers scans only what it needs. -#}
{% macro duckdb__latest_version(cte, key, stamp) -%}
candidates as not materialized (
    select * from {{ cte }}
    {%- if is_incremental() %}
    union all
    select * from {{ this }}
    where {{ key }} in (select {{ key }} from {{ cte }})
    {%- endif %}
),

repeated_keys as (
    select hash({{ key }}) as key_hash from candidates group by 1 having count(*) > 1
),

superseded as (
    select _batch_id, _loaded_at, _row_number
    from (
        select
            candidates._batch_id,
            candidates._loaded_at,
            candidates._row_number,
            row_number() over (
                partition by candidates.{{ key }}
                order by candidates.{{ stamp }} desc nulls last, candidates._extract_date desc,
                    candidates._row_number desc
            ) as _version_rank
        from candidates
        semi join repeated_keys
            on hash(candidates.{{ key }}) = repeated_keys.key_hash
    ) as ranked
    where _version_rank > 1
)

select candidates.*
from candidates
anti join superseded using (_batch_id, _loaded_at, _row_number)
{%- endmacro %}

{#- Spark (Parquet tables, no Delta or Iceberg): no row-level delete, so the model is partitioned by a bucket
    of its key (_key_bucket) and an incremental run rewrites, with insert_overwrite in dynamic partition mode,
    exactly the buckets that hold a key of the new raw rows: every row already kept in those buckets competes
    again with the new versions, the other buckets stay as they are. A key never changes bucket and a bucket
    never empties, so the table equals a full build, as on DuckDB. (Spark may read the table it overwrites
    only in this mode.) On Spark the column also shows in the thin staging views on top; no mart selects it. -#}
{% macro spark__latest_version(cte, key, stamp) -%}
{%- set bucket = 'pmod(hash(' ~ key ~ '), ' ~ latest_version_buckets() ~ ')' -%}
candidates as (
    select *, {{ bucket }} as _key_bucket from {{ cte }}
    {%- if is_incremental() %}
    union all
    select * from {{ this }}
    where _key_bucket in (select {{ bucket }} from {{ cte }})
    {%- endif %}
),

ranked as (
    select
        candidates.*,
        row_number() over (
            partition by {{ key }}
            order by {{ stamp }} desc nulls last, _extract_date desc, _row_number desc
        ) as _version_rank
    from candidates
)

select {{ star_except(['_version_rank']) }}
from ranked
where _version_rank = 1
{%- endmacro %}

{% macro latest_version_buckets() -%}16{%- endmacro %}

{#- The config of a model that ends in latest_version: `{{ config(**latest_version_config('call_id')) }}`. -#}
{% macro latest_version_config(key) -%}
    {{ return(adapter.dispatch('latest_version_config')(key)) }}
{%- endmacro %}

{% macro duckdb__latest_version_config(key) -%}
    {{ return({'materialized': 'incremental', 'unique_key': key, 'incremental_strategy': 'delete+insert',
               'on_schema_change': 'fail'}) }}
{%- endmacro %}

{% macro spark__latest_version_config(key) -%}
    {{ return({'materialized': 'incremental', 'unique_key': key, 'incremental_strategy': 'insert_overwrite',
               'partition_by': ['_key_bucket'], 'file_format': 'parquet', 'on_schema_change': 'fail'}) }}
{%- endmacro %}

{#- Snapshot exports: the rows of the table's latest extract date are the truth. -#}
{% macro latest_snapshot(source_relation) -%}
    select * from {{ source_relation }}
    where _extract_date = (select max(_extract_date) from {{ source_relation }})
{%- endmacro %}

{#- One row per key within a relation (a snapshot holding the same key twice, a wave delivered twice): the
    first row by `order_by`, usually the later row of the file. The statement that ends a staging model. -#}
{% macro one_row_per_key(cte, partition_by, order_by) -%}
select {{ star_except(['_row_rank']) }}
from (
    select *, row_number() over (partition by {{ partition_by }} order by {{ order_by }}) as _row_rank
    from {{ cte }}
) as ranked
where _row_rank = 1
{%- endmacro %}

{#- The key of an LMS transcript row (a delta keyed by User ID, LO ID and Assigned Date), from raw columns.
    The User ID is normalised as for identity (sources.md: it is the HRIS Employee ID, `1081` = `001081`), so a
    version delivered with its leading zeros dropped still supersedes the one before it. -#}
{% macro transcript_key() -%}
    {{ normalise_employee_id(adapter.quote('User ID')) }} || '|' || {{ clean_text(adapter.quote('LO ID')) }} || '|'
        || cast({{ parse_us_date(adapter.quote('Assigned Date')) }} as string)
{%- endmacro %}
