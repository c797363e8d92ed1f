{#-
  Sums and means of DOUBLE columns that do not depend on the order DuckDB happens to add the rows in
  (parallel scans, an incremental vs a full build): each value is rounded once to a DECIMAL, whose sum is
  exact, and the mean is that exact sum over the count. Use them where a mart aggregates doubles.
-#}
{% macro exact_avg(expr) -%}
    avg(cast({{ expr }} as decimal(38, 18)))
{%- endmacro %}

{% macro exact_sum(expr) -%}
    sum(cast({{ expr }} as decimal(38, 10)))
{%- endmacro %}
