{#-
  Fails (one row per offending value) when a non-empty raw text value does not parse as `kind`:
  sf_datetime, iso_date, us_date, us_timestamp, timestamp, flag, rating, double, integer, sf_id.
  Put on raw source columns, so that the failing test's name names the table and the column, and the
  rows it returns show the value, the batch and the file row: e.g.
  `source_castable_raw_hris_workers_Hire_Date__us_date` returning '31/02/2024' from hris/2026-11-26 row 812.
  The staging models use the same parser macros with try_ semantics and rely on this test to stop the build.

  Which rows: the generated _sources.yml (python -m pipelines.contract) gives every castable test the
  config `where: _loaded_at = (select max(_loaded_at) from raw.<table>)`, the newest load only. The landing
  gate has validated every batch against its GX suite before committing it; this test is the build's last
  guard on what staging parses, and a nightly build must not re-scan millions of history rows for it.
-#}
{% test castable(model, column_name, kind) %}
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
  and (
        ({{ parsed }}) is null
        {%- if kind == 'rating' %}
        or ({{ parse_rating(column_name) }}) not between 1 and 5
        {%- endif %}
  )
{% endtest %}
