{#-
  The value mart_coaching_effectiveness ranks coaching intensity by (metrics.md: NTILE(4) over the quarter's
  rows ordered by coaching_hours_per_direct_report, ties broken by manager_employee_id): the hours rounded to
  10 decimals, so that mathematically equal ratios are equal and meet the id tie-break. Fractional minutes can
  leave two equal ratios a last bit apart (4.9 min over 7 reports against 0.7 over 1), while distinct ratios of
  realistic minutes and report counts differ by far more than 1e-10. The report's table of FLMs (Python, on the
  published file) orders by the same rounding.
-#}
{% macro coaching_intensity_order(hours) -%}
    round({{ hours }}, 10)
{%- endmacro %}
