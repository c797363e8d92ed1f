{#-
  Sums and means of DOUBLE columns that do not depend on the order the engine happens to add the rows in
  (parallel scans, an incremental vs a full build, DuckDB vs Spark): each value is rounded once to a
  DECIMAL(38, 18), whose sum is exact, and the sum comes back as a DOUBLE, so that what is divided later is
  a double on both engines (Spark would divide two decimals at a reduced scale). The mean is that sum over
  the count of non-null values (NULL when none), like avg. Use them where a mart aggregates doubles.
-#}
{% macro exact_sum(expr) -%}
    cast(sum(cast({{ expr }} as decimal(38, 18))) as double)
{%- endmacro %}

{% macro exact_avg(expr) -%}
    {{ exact_sum(expr) }} / nullif(count({{ expr }}), 0)
{%- endmacro %}
