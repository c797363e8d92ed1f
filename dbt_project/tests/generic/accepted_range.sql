{#- Every non-null value of the column lies in [min_value, max_value] (either bound optional).
    Written here because the project cannot `dbt deps` dbt_utils. -#}
{% test accepted_range(model, column_name, min_value=none, max_value=none) %}
select {{ column_name }} as out_of_range_value
from {{ model }}
where {{ column_name }} is not null
  and (
    false
    {%- if min_value is not none %} or {{ column_name }} < {{ min_value }}{% endif %}
    {%- if max_value is not none %} or {{ column_name }} > {{ max_value }}{% endif %}
  )
{% endtest %}
