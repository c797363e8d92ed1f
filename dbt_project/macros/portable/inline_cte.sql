{#- The hint that keeps a CTE inlined: `with source as {{ inline_cte() }} (...)`.
    DuckDB buffers a CTE that the plan reads more than once ("materialized"), all its columns, before the
    first reader starts; the staging models of the delta exports read their source twice or more
    (latest_version ranks only the keys with several versions), and buffering a raw history of 15 M rows
    spills gigabytes under the memory limit. Inlined, each reader scans raw for the columns it needs.
    Spark has no such hint (and plans CTEs its own way): nothing. -#}
{% macro inline_cte() -%}
    {{ return(adapter.dispatch('inline_cte')()) }}
{%- endmacro %}

{% macro duckdb__inline_cte() -%}not materialized{%- endmacro %}

{% macro default__inline_cte() -%}{%- endmacro %}
