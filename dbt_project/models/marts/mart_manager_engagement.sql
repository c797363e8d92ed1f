-- mart_manager_engagement: one row per manager and survey wave (metrics.md).
-- Rows: every (normalised ManagerID, wave) with at least one finished response; responses without a
-- ManagerID belong to no manager and are left out (they still count towards the wave's close date).
-- Only finished responses (Finished = 1) count. wave_close_date is the latest EndDate (as a DATE) over
-- ALL the wave's finished responses, not just this manager's. A row with fewer finished responses than
-- var('anonymity_threshold') (default 5) is suppressed: every score is NULL. Averages and shares are over
-- answered (non-null) items and NULL when none was answered. No respondent id or single response leaves.

with finished as (

    select
        response_id,
        wave,
        ended_at,
        manager_employee_id,
        q_coach,
        q_feedback,
        q_growth,
        q_recognition,
        q_intent_stay,
        q_enps
    from {{ ref('stg_survey__responses') }}
    where is_finished

),

waves as (

    select wave, max(cast(ended_at as date)) as wave_close_date
    from finished
    group by wave

),

per_manager as (

    select
        manager_employee_id,
        wave,
        count(*) as responses,
        avg(q_coach) as q_coach_avg,
        avg(q_feedback) as q_feedback_avg,
        avg(q_growth) as q_growth_avg,
        avg(q_recognition) as q_recognition_avg,
        avg(q_intent_stay) as q_intent_stay_avg,
        count(q_coach) as q_coach_answered,
        count(case when q_coach >= 4 then 1 end) as q_coach_favorable,
        count(q_enps) as q_enps_answered,
        count(case when q_enps >= 9 then 1 end) as enps_promoters,
        count(case when q_enps <= 6 then 1 end) as enps_detractors
    from finished
    where manager_employee_id is not null
    group by manager_employee_id, wave

),

flagged as (

    select
        per_manager.*,
        waves.wave_close_date,
        per_manager.responses < {{ var('anonymity_threshold', 5) }} as is_suppressed
    from per_manager
    inner join waves
        on per_manager.wave = waves.wave

)

select
    cast(manager_employee_id as string) as manager_employee_id,
    cast(wave as string) as wave,
    cast(wave_close_date as date) as wave_close_date,
    cast(responses as integer) as responses,
    cast(is_suppressed as boolean) as is_suppressed,
    cast(case when not is_suppressed then q_coach_avg end as double) as q_coach_avg,
    cast(case when not is_suppressed then q_feedback_avg end as double) as q_feedback_avg,
    cast(case when not is_suppressed then q_growth_avg end as double) as q_growth_avg,
    cast(case when not is_suppressed then q_recognition_avg end as double) as q_recognition_avg,
    cast(case when not is_suppressed then q_intent_stay_avg end as double) as q_intent_stay_avg,
    cast(case when not is_suppressed and q_coach_answered > 0
              then cast(q_coach_favorable as double) / q_coach_answered end as double) as q_coach_favorable_pct,
    cast(case when not is_suppressed and q_enps_answered > 0
              then 100 * cast(enps_promoters - enps_detractors as double) / q_enps_answered end as double) as enps
from flagged
