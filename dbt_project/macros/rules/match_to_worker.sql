{#-
  Identity (sources.md): a CRM user or LMS learner is the HRIS person whose Employee ID equals its
  normalised id (macro normalise_employee_id); otherwise the person whose Work Email equals its e-mail (case-insensitive, trimmed) when
  exactly one worker has that e-mail. A shared e-mail matches nobody (ambiguous).

  Returns every row of `relation` with: employee_id (NULL when unmatched), match_method (`id_method` or
  'email'), and workers_with_email (how many workers have the row's e-mail: 0, 1 or more), for the reason
  a model gives an unmatched row in its own words.
-#}
{% macro match_to_worker(relation, normalised_id, email_lower, id_method) -%}
    with workers as (
        select employee_id, work_email_lower from {{ ref('stg_hris__workers') }}
    ),

    workers_by_email as (
        select work_email_lower, min(employee_id) as employee_id, count(*) as workers_with_email
        from workers
        where work_email_lower is not null
        group by work_email_lower
    )

    select
        candidates.*,
        case
            when by_id.employee_id is not null then by_id.employee_id
            when by_email.workers_with_email = 1 then by_email.employee_id
        end as employee_id,
        case
            when by_id.employee_id is not null then '{{ id_method }}'
            when by_email.workers_with_email = 1 then 'email'
        end as match_method,
        coalesce(by_email.workers_with_email, 0) as workers_with_email
    from {{ relation }} as candidates
    left join workers as by_id
        on candidates.{{ normalised_id }} = by_id.employee_id
    left join workers_by_email as by_email
        on candidates.{{ email_lower }} = by_email.work_email_lower
{%- endmacro %}
