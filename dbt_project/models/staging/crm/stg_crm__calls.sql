-- Calls as they stand: latest version per Id, tombstoned records removed.
select *
from {{ ref('stg_crm__calls_with_tombstones') }}
where not is_deleted
