{#- GENERATED from pipelines/sources.py by `python -m pipelines.contract`: do not edit, edit the declaration. -#}

{#- The Status__c values with which a coaching report counts as a session (COUNTED_STATUSES), as a SQL list:
    `where status in {{ counted_report_statuses() }}`. -#}
{% macro counted_report_statuses() -%}
('Submitted', 'Approved')
{%- endmacro %}
