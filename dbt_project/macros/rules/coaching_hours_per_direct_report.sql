{#-
  coaching_hours_per_direct_report (metrics.md: minutes / 60 / direct reports), the month's in
  mart_manager_coaching and the quarter's in mart_coaching_effectiveness. One correctly rounded division,
  minutes / (60 * reports): as minutes / 60 / reports, 70 minutes over 7 reports and 10 over 1 came out a last
  bit apart, and the intensity quartiles' id tie-break was skipped. The caller guards reports = 0.
-#}
{% macro coaching_hours_per_direct_report(minutes, reports) -%}
    cast({{ minutes }} as double) / cast(60 * {{ reports }} as double)
{%- endmacro %}
