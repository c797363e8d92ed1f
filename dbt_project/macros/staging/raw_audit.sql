{#-
  The load time up to which the raw versions of the delta tables have been audited: the newest raw row of
  the last dbt build in which tests/staging/assert_raw_versions_accounted_for passed, recorded by the
  pipeline after that build (pipelines/raw_audit.py, table ops.raw_version_audits), as a SQL timestamp
  literal; none when every raw row is to be audited: a full refresh (after a retraction, for one), nothing
  recorded yet, or an engine whose build the pipeline does not record (Spark).
-#}
{% macro raw_audited_through() -%}
    {{ return(adapter.dispatch('raw_audited_through')()) }}
{%- endmacro %}

{% macro default__raw_audited_through() -%}
    {{ return(none) }}
{%- endmacro %}

{% macro duckdb__raw_audited_through() -%}
    {%- if not execute or flags.FULL_REFRESH -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set found = run_query(
        "select count(*) from duckdb_tables() where schema_name = 'ops' and table_name = 'raw_version_audits'"
    ).columns[0].values()[0] -%}
    {%- if found == 0 -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set through = run_query(
        "select cast(max(audited_through) as varchar) from ops.raw_version_audits"
    ).columns[0].values()[0] -%}
    {{ return(none if through is none else "cast('" ~ through ~ "' as timestamp)") }}
{%- endmacro %}
