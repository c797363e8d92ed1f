{#- Every non-null value of each column lies within its bounds: `ranges` maps a column to {min_value,
    max_value} (either optional, both inclusive). One scan of the model for all its columns, failing with a
    row per column that has values outside (how many, the lowest and the highest of them). One test per model
    rather than one per column: each dbt test carries about 50 ms of fixed work beyond its query. Each use is
    named `<model>__in_range` (the Dagster check's name); which columns failed: `dbt test --select
    <model>__in_range --store-failures`, then the table of that name in the `dbt_test__audit` schema. -#}
{% test accepted_ranges(model, ranges) %}
{%- set outside, accepted = {}, {} -%}
{%- for column, bounds in ranges.items() -%}
    {%- set low, high = bounds.get('min_value'), bounds.get('max_value') -%}
    {%- if low is none and high is none -%}
        {{ exceptions.raise_compiler_error("accepted_ranges: no min_value or max_value for column " ~ column) }}
    {%- elif high is none -%}
        {%- do outside.update({column: column ~ ' < ' ~ low}) -%}
        {%- do accepted.update({column: 'at least ' ~ low}) -%}
    {%- elif low is none -%}
        {%- do outside.update({column: column ~ ' > ' ~ high}) -%}
        {%- do accepted.update({column: 'at most ' ~ high}) -%}
    {%- else -%}
        {%- do outside.update({column: '(' ~ column ~ ' < ' ~ low ~ ' or ' ~ column ~ ' > ' ~ high ~ ')'}) -%}
        {%- do accepted.update({column: 'from ' ~ low ~ ' to ' ~ high}) -%}
    {%- endif -%}
{%- endfor %}
with checked as (
    select
    {%- for column, condition in outside.items() %}
        count(case when {{ condition }} then 1 end) as outside_{{ loop.index }},
        min(case when {{ condition }} then {{ column }} end) as lowest_{{ loop.index }},
        max(case when {{ condition }} then {{ column }} end) as highest_{{ loop.index }}{{ "," if not loop.last }}
    {%- endfor %}
    from {{ model }}
)
{%- for column, bounds in ranges.items() %}
select
    '{{ column }}' as column_name,
    '{{ accepted[column] }}' as accepted,
    outside_{{ loop.index }} as rows_outside,
    cast(lowest_{{ loop.index }} as double) as lowest_outside,
    cast(highest_{{ loop.index }} as double) as highest_outside
from checked
where outside_{{ loop.index }} > 0
{%- if not loop.last %}
union all
{%- endif %}
{%- endfor %}
{% endtest %}
