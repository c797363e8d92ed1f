"""The content contract of the source exports: Great Expectations suites run over the raw tables.

`suites` reads expectations/<raw_table>.json, `snapshot` copies the batches to validate out of the
warehouse, `runner` feeds them to `engine` (GX 1.x, pandas path, imported lazily) chunk by chunk, and
`report` turns GX results into messages a data engineer can act on:

    Call2_vod__c.csv rows 12, 17: Status_vod__c 'Done' not in {Planned_vod, Saved_vod, Submitted_vod}

i.e. the file as delivered, its 1-based data record numbers (`_row_number`; the batch is named too when
several were validated), the column, the offending values and the rule. Fix the export (or the suite,
if the source system legitimately changed) and redeliver. `python -m pipelines.quality` runs the same
validation from a terminal; the Dagster checks are in `pipelines/defs/quality.py`.
"""

from pipelines.quality.report import Failure, ValidationReport
from pipelines.quality.runner import DEFAULT_CHUNK_ROWS, validate_batches, validate_rows

__all__ = ["DEFAULT_CHUNK_ROWS", "Failure", "ValidationReport", "validate_batches", "validate_rows"]
