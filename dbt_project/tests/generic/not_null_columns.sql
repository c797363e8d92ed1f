{#- None of `columns` holds a null: one scan of the model for all of them, failing with a row per column that
    does (the column's name and how many rows). One test per model rather than dbt's `not_null` per column:
    each dbt test carries about 50 ms of fixed work beyond its query, and the marts have a hundred and more
    never-null columns. A column whose null is only a warning, or only under a condition, keeps its own
    `not_null` test with that config. Each use is named `<model>__not_null` (the Dagster check's name); which
    columns failed: `dbt test --select <model>__not_null --store-failures`, then the table of that name in the
    `dbt_test__audit` schema. -#}
{% test not_null_columns(model, columns) %}
with null_counts as (
    select
    {%- for column in columns %}
        count(*) - count({{ column }}) as nulls_{{ loop.index }}{{ "," if not loop.last }}
    {%- endfor %}
    from {{ model }}
)
{%- for column in columns %}
select '{{ column }}' as column_name, nulls_{{ loop.index }} as null_rows from null_counts where nulls_{{ loop.index }} > 0
{%- if not loop.last %}
union all
{%- endif %}
{%- endfor %}
{% endtest %}
