-- Long format: one row per counted session (int_coaching__sessions) and observed skill rating.
-- skill = the rating field's name in snake case without "_rating" (e.g. 'feedback', 'precall_planning');
-- skill_group 'rep' for the seven rep skills, 'coaching' for the seven coaching skills.
{%- set skills = [
    ('precall_planning', 'rep'), ('opening', 'rep'), ('needs_discovery', 'rep'), ('messaging', 'rep'),
    ('objection_handling', 'rep'), ('closing', 'rep'), ('postcall_analysis', 'rep'),
    ('observation', 'coaching'), ('feedback', 'coaching'), ('questioning', 'coaching'),
    ('goal_setting', 'coaching'), ('accountability', 'coaching'), ('motivation', 'coaching'),
    ('strategic_thinking', 'coaching'),
] %}
with sessions as (
    select
        sessions.*,
        {%- for skill, _ in skills %}
        reports.{{ skill }}_rating{{ ',' if not loop.last }}
        {%- endfor %}
    from {{ ref('int_coaching__sessions') }} as sessions
    inner join {{ ref('stg_crm__coaching_reports') }} as reports
        on sessions.coaching_report_id = reports.coaching_report_id
),

ratings as (
    {%- for skill, group in skills %}
    select
        coaching_report_id, review_date, month, quarter, coach_employee_id, coachee_employee_id,
        '{{ skill }}' as skill,
        '{{ group }}' as skill_group,
        {{ skill }}_rating as rating
    from sessions
    where {{ skill }}_rating is not null
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
)

select * from ratings
