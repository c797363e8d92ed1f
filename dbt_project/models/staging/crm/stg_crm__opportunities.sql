-- Opportunities as they stand: latest version per Id, tombstoned records removed.
select *
from {{ ref('stg_crm__opportunities_with_tombstones') }}
where not is_deleted
