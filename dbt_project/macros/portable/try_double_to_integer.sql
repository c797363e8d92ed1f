{#- DOUBLE -> INTEGER, NULL when out of range. DuckDB rounds half away from zero (30.5 -> 31); Spark's
    cast truncates (30.5 -> 30), so its version rounds first, the same way. -#}
{% macro try_double_to_integer(number) -%}
    {{ return(adapter.dispatch('try_double_to_integer')(number)) }}
{%- endmacro %}

{% macro duckdb__try_double_to_integer(number) -%}
    try_cast({{ number }} as integer)
{%- endmacro %}

{% macro spark__try_double_to_integer(number) -%}
    try_cast(round({{ number }}) as integer)
{%- endmacro %}
