{#-
  Fails (one row per offending value) when a non-empty raw text value does not parse as `kind`:
  sf_datetime, iso_date, us_date, us_timestamp, timestamp, flag, rating, double, integer, sf_id.
  Put on raw source columns, so that the failing test's name names the table and the column, and the
  rows it returns show the value, the batch and the file row: e.g.
  `source_castable_raw_hris_workers_Hire_Date__us_date` returning '31/02/2024' from hris/2026-11-26 row 812.
  The staging models use the same parser macros with try_ semantics and rely on this test to stop the build.

  `since_watermark_of` (optional, 'schema.table' of an incremental model reading this source): check only
  the raw rows that model has not folded in yet (_loaded_at > its newest _loaded_at), i.e. exactly what
  its next incremental run reads, so a nightly run does not re-scan the history of the big delta tables.
  Older rows were checked on the night they arrived. The relation is looked up, not ref'd: the test must
  run BEFORE the model (as a source test), and it checks every row while the model does not exist yet.
-#}
{% test castable(model, column_name, kind, since_watermark_of=none) %}
{%- set kinds = ['sf_datetime', 'iso_date', 'us_date', 'us_timestamp', 'timestamp', 'flag', 'rating',
                 'double', 'integer', 'sf_id'] -%}
{%- if kind not in kinds -%}
    {{ exceptions.raise_compiler_error("castable: unknown kind '" ~ kind ~ "' for column " ~ column_name) }}
{%- endif %}
{%- set c = column_name -%}
{%- set parsed -%}
    {%- if kind == 'sf_datetime' -%}{{ parse_sf_datetime(c) }}
    {%- elif kind == 'iso_date' -%}{{ parse_iso_date(c) }}
    {%- elif kind == 'us_date' -%}{{ parse_us_date(c) }}
    {%- elif kind == 'us_timestamp' -%}{{ parse_us_timestamp(c) }}
    {%- elif kind == 'timestamp' -%}{{ parse_timestamp(c) }}
    {%- elif kind == 'flag' -%}{{ parse_flag(c) }}
    {%- elif kind == 'rating' -%}{{ parse_rating(c) }}
    {%- elif kind == 'double' -%}{{ parse_double(c) }}
    {%- elif kind == 'integer' -%}{{ parse_integer(c) }}
    {%- elif kind == 'sf_id' -%}{{ sf_id_18(c) }}
    {%- endif -%}
{%- endset %}
select
    {{ column_name }} as bad_value,
    _batch_id,
    _source_file,
    _row_number
from {{ model }}
where nullif(trim({{ column_name }}), '') is not null
{%- if since_watermark_of is not none and execute %}
    {%- set parts = since_watermark_of.split('.') %}
    {%- set watermark = adapter.get_relation(database=target.database, schema=parts[0], identifier=parts[1]) %}
    {%- if watermark is not none %}
  and _loaded_at > (select coalesce(max(_loaded_at), cast('1900-01-01' as timestamp)) from {{ watermark }})
    {%- endif %}
{%- endif %}
  and (
        ({{ parsed }}) is null
        {%- if kind == 'rating' %}
        or ({{ parse_rating(column_name) }}) not between 1 and 5
        {%- endif %}
  )
{% endtest %}
