{#-
  The Parquet exchange between the DuckDB warehouse and Spark (pipelines/spark/exchange.py writes raw/ and
  reads marts/). var('spark_exchange') is the folder as Spark sees it: the pipeline passes it; by default
  $COACHWH_HOME/spark/exchange, for `dbt build --target spark` run by hand after `coachwh run --engine spark`.
-#}
{% macro spark_exchange() -%}
    {{ return(var('spark_exchange', env_var('COACHWH_HOME', '../data') ~ '/spark/exchange')) }}
{%- endmacro %}

{#- on-run-start: the raw source tables. Everywhere but Spark the ingestion writes them itself (nothing to do);
    on Spark each is an external Parquet table over exchange/raw/<table>, declared anew on every run so that
    it reads tonight's files. -#}
{% macro register_raw_sources() -%}
    {{ return(adapter.dispatch('register_raw_sources')()) }}
{%- endmacro %}

{% macro default__register_raw_sources() -%}
{%- endmacro %}

{% macro spark__register_raw_sources() -%}
    {%- if execute -%}
        {%- set sources = graph.sources.values() | selectattr('source_name', 'equalto', 'raw') | list -%}
        {%- for schema in sources | map(attribute='schema') | unique -%}
            {%- do run_query('create schema if not exists ' ~ schema) -%}
        {%- endfor -%}
        {%- for source in sources -%}
            {%- set relation = api.Relation.create(schema=source.schema, identifier=source.identifier) -%}
            {%- set location = spark_exchange() ~ '/raw/' ~ source.identifier -%}
            {%- do run_query('drop table if exists ' ~ relation) -%}
            {%- do run_query('create table ' ~ relation ~ " using parquet location '"
                             ~ dbt.escape_single_quotes(location) ~ "'") -%}
        {%- endfor -%}
    {%- endif -%}
{%- endmacro %}

{#- on-run-end: after a build or run on Spark in which nothing failed, export the marts (below). -#}
{% macro export_marts_after_build(results) -%}
    {{ return(adapter.dispatch('export_marts_after_build')(results)) }}
{%- endmacro %}

{% macro default__export_marts_after_build(results) -%}
{%- endmacro %}

{% macro spark__export_marts_after_build(results) -%}
    {%- if execute and flags.WHICH in ('build', 'run') -%}
        {%- set failed = results | selectattr('status', 'in', ['error', 'fail', 'skipped', 'runtime error']) | list -%}
        {%- if failed -%}
            {%- do log('marts not exported: ' ~ (failed | length) ~ ' node(s) failed or were skipped', info=True) -%}
        {%- else -%}
            {%- do export_marts() -%}
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}

{#- export_marts (also as `dbt run-operation export_marts --target spark`): every model of the schema marts, written as Parquet to exchange/marts/<name>
    (replaced), for the pipeline to load into the DuckDB file that BI reads. -#}
{% macro export_marts() -%}
    {%- set marts = graph.nodes.values() | selectattr('resource_type', 'equalto', 'model')
                    | selectattr('schema', 'equalto', 'marts') | list -%}
    {%- for node in marts -%}
        {%- set relation = api.Relation.create(schema=node.schema, identifier=node.alias) -%}
        {%- set location = spark_exchange() ~ '/marts/' ~ node.alias -%}
        {%- do run_query("insert overwrite directory '" ~ dbt.escape_single_quotes(location) ~ "' using parquet "
                         ~ 'select * from ' ~ relation) -%}
    {%- endfor -%}
    {%- do log('exported ' ~ (marts | length) ~ ' marts to ' ~ spark_exchange() ~ '/marts', info=True) -%}
{%- endmacro %}
