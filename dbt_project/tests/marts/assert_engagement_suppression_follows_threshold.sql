-- A manager-wave row is suppressed exactly when it has fewer finished responses than the anonymity
-- threshold (var anonymity_threshold, default 5), and a suppressed row shows no score at all.
select *
from {{ ref('mart_manager_engagement') }}
where is_suppressed <> (responses < {{ var('anonymity_threshold', 5) }})
   or (is_suppressed and coalesce(q_coach_avg, q_feedback_avg, q_growth_avg, q_recognition_avg,
                                  q_intent_stay_avg, q_coach_favorable_pct, enps) is not null)
