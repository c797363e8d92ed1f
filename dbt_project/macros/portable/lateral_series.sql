{#- One row per value from `start` to `stop` (both included) by `step` (an interval), joined to each row of
    the relation before it, as `alias.column`:
        from bounds {{ lateral_series('bounds.first_day', 'bounds.last_day', 'interval 1 day', 'd', 'day') }}
    No row when start > stop or either is NULL (Spark's sequence would fail on the first). -#}
{% macro lateral_series(start, stop, step, alias, column) -%}
    {{ return(adapter.dispatch('lateral_series')(start, stop, step, alias, column)) }}
{%- endmacro %}

{% macro duckdb__lateral_series(start, stop, step, alias, column) -%}
    ,
        generate_series({{ start }}, {{ stop }}, {{ step }}) as {{ alias }}({{ column }})
{%- endmacro %}

{% macro spark__lateral_series(start, stop, step, alias, column) -%}
    lateral view explode(
        case when {{ start }} <= {{ stop }} then sequence({{ start }}, {{ stop }}, {{ step }}) end
    ) {{ alias }} as {{ column }}
{%- endmacro %}
