{#-
  Every row of a snapshot's newest delivery is a row of its staging model, or the test says which is not: a
  row whose key, as staging reads it, another row of the file also has. The gate refuses a key delivered twice
  as it was spelt, but two spellings of one key pass it (Employee ID `1006` and `001006`, a currency `EUR` and
  `eur`, an id padded with a space) and staging, which reads them as one, keeps one row of them
  (one_row_per_key). Put on a staging model of a snapshot (warn: the batch loaded, the marts are right for the
  row kept, and the data engineer learns of the other): `delivered` is its raw source, `key` the raw key
  columns to show. A failing row names the file, the row in it, and its key as delivered.

  Staging models carry `_batch_id` and `_row_number` (one file per snapshot type in a batch), so the rows are
  matched by their lineage: the test does not repeat how staging reads a key.
-#}
{% test snapshot_rows_kept(model, delivered, key) %}
with newest as (
    {{ latest_snapshot(delivered) }}
)

select
    newest._source_file as file_name,
    newest._row_number as row_number
    {%- for column in key %},
    newest.{{ adapter.quote(column) }}
    {%- endfor %}
from newest
where not exists (
    select 1
    from {{ model }} as staged
    where staged._batch_id = newest._batch_id and staged._row_number = newest._row_number
)
{% endtest %}
