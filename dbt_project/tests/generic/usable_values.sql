{#-
  The raw values staging relies on are there and parse: `not_null` lists columns that must be filled,
  `castable` maps a column to the kind staging parses it as (sf_datetime, iso_date, us_date,
  us_timestamp, timestamp, flag, rating, double, integer, sf_id; an empty field is no value). Put on a raw
  source table, named `raw_<table>__usable` (the Dagster check on the raw asset). One scan of the table for
  every column, failing with a row per broken rule: the column as delivered, the rule, how many rows break
  it, the first of them (its row in the delivered file) and the lowest offending value. One test per table
  rather than one per column and rule: each dbt test carries about 50 ms of fixed work beyond its query.

  Which rows: the generated _sources.yml (python -m pipelines.contract) configures
  `where: _loaded_at = (select max(_loaded_at) from raw.<table>)`, the newest load only. The landing gate
  has validated every batch against its GX suite before committing it (each of these rules has an
  error-level expectation there); this test is the build's last guard on what staging parses, and a
  nightly build must not re-scan millions of history rows for it.
-#}
{% test usable_values(model, not_null=[], castable={}) %}
{%- set rules = [] -%}
{%- for column in not_null -%}
    {%- do rules.append((column, 'not null', adapter.quote(column) ~ ' is null')) -%}
{%- endfor -%}
{%- for column, kind in castable.items() -%}
    {%- do rules.append((column, 'parses as ' ~ kind, unparsable(adapter.quote(column), kind))) -%}
{%- endfor %}
with flagged as (
    select
        _row_number
    {%- for column, rule, failing in rules %},
        {{ adapter.quote(column) }} as value_{{ loop.index }},
        {{ failing }} as broken_{{ loop.index }}
    {%- endfor %}
    from {{ model }}
),

broken as (
    select
    {%- for rule in rules %}
        count(case when broken_{{ loop.index }} then 1 end) as rows_{{ loop.index }},
        min(case when broken_{{ loop.index }} then _row_number end) as first_{{ loop.index }},
        min(case when broken_{{ loop.index }} then value_{{ loop.index }} end) as lowest_{{ loop.index }}{{ "," if not loop.last }}
    {%- endfor %}
    from flagged
)
{%- for column, rule, failing in rules %}
select
    '{{ column }}' as column_name,
    '{{ rule }}' as rule,
    rows_{{ loop.index }} as broken_rows,
    first_{{ loop.index }} as first_row_number,
    lowest_{{ loop.index }} as lowest_value
from broken
where rows_{{ loop.index }} > 0
{%- if not loop.last %}
union all
{%- endif %}
{%- endfor %}
{% endtest %}
