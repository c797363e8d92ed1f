{#- Every row satisfies each SQL boolean of `expressions` (a row where one is false or null breaks it): the
    invariants of a model, in one scan, failing with a row per broken expression (its text and how many rows
    break it). One test per model rather than one per expression: each dbt test carries about 50 ms of fixed
    work beyond its query. Each use is named `<model>__invariants` (the Dagster check's name); which
    expressions broke: `dbt test --select <model>__invariants --store-failures`, then the table of that name
    in the `dbt_test__audit` schema. -#}
{% test expressions_are_true(model, expressions) %}
with checked as (
    select
    {%- for expression in expressions %}
        count(case when not coalesce(({{ expression }}), false) then 1 end) as broken_{{ loop.index }}{{ "," if not loop.last }}
    {%- endfor %}
    from {{ model }}
)
{%- for expression in expressions %}
select '{{ expression | replace("'", "''") }}' as expression, broken_{{ loop.index }} as broken_rows
from checked
where broken_{{ loop.index }} > 0
{%- if not loop.last %}
union all
{%- endif %}
{%- endfor %}
{% endtest %}
