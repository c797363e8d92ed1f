{#- Fails unless the model has exactly one row (a small stand-in for dbt_utils, which we cannot install). -#}
{% test exactly_one_row(model) %}
select count(*) as row_count from {{ model }} having count(*) <> 1
{% endtest %}
