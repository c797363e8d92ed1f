{#-
  The two "as of a day" rules of metrics.md, each written once. Both are join conditions, so a model
  keeps its own grain (a deal, a visit day, a month end) and asks for the day it needs.

  manager_on_day: "Manager of a person on day d" exists only while the person is active on d: the
  person's interval in int_people__reporting_intervals that contains d (those intervals cover exactly the
  active days on which job_history names a manager). No interval = no manager: the activity counts in no
  manager's row (see int_attribution__owner_days for the reason).

      left join {{ ref('int_people__reporting_intervals') }} as reporting
          on {{ manager_on_day('reporting', 'deals.owner_employee_id', 'deals.close_date') }}

  job_row_on_day: the person's job_history row with the greatest Effective Date <= d, active or not (a
  manager's level, region and own manager at a month end): the row of int_people__job_intervals that
  contains d.
-#}
{% macro manager_on_day(intervals, person, day) -%}
    {{ intervals }}.employee_id = {{ person }}
    and {{ reporting_on_day(intervals, day) }}
{%- endmacro %}

{#- The other direction, "direct reports of M on day d": the reporting intervals that contain d (join on
    manager_employee_id = M beside it). -#}
{% macro reporting_on_day(intervals, day) -%}
    {{ day }} between {{ intervals }}.valid_from and {{ intervals }}.valid_to
{%- endmacro %}

{% macro job_row_on_day(rows, person, day) -%}
    {{ rows }}.employee_id = {{ person }}
    and {{ day }} >= {{ rows }}.effective_date
    and ({{ rows }}.valid_until is null or {{ day }} <= {{ rows }}.valid_until)
{%- endmacro %}
