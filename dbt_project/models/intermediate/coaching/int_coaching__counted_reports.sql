{{ config(materialized='view') }}
-- Coaching reports with a counted status (metrics.md "Counted coaching session"): latest version, not
-- deleted, Status Submitted or Approved, whoever their coach and coachee are. The one definition of the
-- status rule: the coverage start, int_coaching__sessions (which also needs both persons and a date) and
-- unattributed_activity read it.
select *
from {{ ref('stg_crm__coaching_reports') }}
where status in {{ counted_report_statuses() }}  -- pipelines/sources.py COUNTED_STATUSES, also the gate's
