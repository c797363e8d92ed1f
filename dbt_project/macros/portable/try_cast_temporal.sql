{#- ISO text -> DATE / TIMESTAMP, NULL when it does not parse. Spark's cast alone is more lenient than
    DuckDB's: it reads '2026-11' as 2026-11-01 and '2026-11-26 junk' as a date. Its version therefore asks for
    a whole year-month-day first, and a date with a time of day must be a valid timestamp, so that a value the
    `castable` tests reject on DuckDB is rejected on Spark too. -#}
{% macro try_cast_date(text) -%}
    {{ return(adapter.dispatch('try_cast_date')(text)) }}
{%- endmacro %}

{% macro duckdb__try_cast_date(text) -%}
    try_cast({{ text }} as date)
{%- endmacro %}

{% macro spark__try_cast_date(text) -%}
    case when {{ text }} rlike '^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}$' then try_cast({{ text }} as date)
         when {{ text }} rlike '^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}[ T]' then cast(try_cast({{ text }} as timestamp) as date)
    end
{%- endmacro %}

{% macro try_cast_timestamp(text) -%}
    {{ return(adapter.dispatch('try_cast_timestamp')(text)) }}
{%- endmacro %}

{% macro duckdb__try_cast_timestamp(text) -%}
    try_cast({{ text }} as timestamp)
{%- endmacro %}

{% macro spark__try_cast_timestamp(text) -%}
    case when {{ text }} rlike '^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}([ T]|$)' then try_cast({{ text }} as timestamp) end
{%- endmacro %}
