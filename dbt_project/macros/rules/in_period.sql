{#-
  "An event counts in the month when its date lies from month start to month end" (metrics.md, Month and
  Quarter; the end is capped at the as-of date, so an event after it lies in no period): the join condition
  that places a dated event in its row of int_calendar__months (grain 'month', columns month and month_end)
  or of int_calendar__quarters, or a relation built on them (grain 'quarter': quarter and quarter_end).

      inner join {{ ref('int_calendar__months') }} as months
          on {{ in_period('sessions.review_date', 'months', 'month') }}

  Written as an equality on the period's first day plus the cap rather than as a BETWEEN, so that the join
  goes by hash instead of comparing every event with every period (mart_skill_ratings on the large profile:
  0.45 -> 0.33 s on one thread).
-#}
{% macro in_period(day, periods, grain) -%}
    cast({{ dbt.date_trunc(grain, day) }} as date) = {{ periods }}.{{ grain }}
    and {{ day }} <= {{ periods }}.{{ grain }}_end
{%- endmacro %}
