-- Coaching reports as they stand: latest version per Id, tombstoned records removed.
select *
from {{ ref('stg_crm__coaching_reports_with_tombstones') }}
where not is_deleted
