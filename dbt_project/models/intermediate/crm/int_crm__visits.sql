{{ config(materialized='view') }}
-- Submitted visits (metrics.md): calls with an empty Parent_Call_vod__c (a group call's attendee rows are
-- not visits), latest version, not deleted, Status Submitted_vod, whoever their owner is. The one
-- definition of a visit: the coverage start, the attribution of visits, mart_manager_revenue's calls and
-- unattributed_activity all read it. A view: it is millions of rows, read a few columns at a time.
select
    call_id,
    owner_user_id,
    call_date
from {{ ref('stg_crm__calls') }}
where is_visit
  and status = 'Submitted_vod'
