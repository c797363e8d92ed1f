-- LMS transcripts as they stand: latest version per (User ID, LO ID, Assigned Date).
select *
from {{ ref('stg_lms__transcripts_with_tombstones') }}
where not is_deleted
