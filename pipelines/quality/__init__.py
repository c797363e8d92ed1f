"""The content contract of the source exports: Great Expectations suites, evaluated inside DuckDB.

`suites` reads expectations/<raw_table>.json (GX 1.x suite JSON, with `meta.rule` and `meta.severity`),
`translate` turns each expectation into DuckDB SQL with GX's semantics, `runner` validates one batch's
rows with it (the landing gate does so before committing a batch; `validate_batches` over loaded data),
`results` stores every result in `ops.validation_results`, and `report` phrases what failed for a data
engineer who has to fix the export:

    Call2_vod__c.csv rows 12, 17: Status_vod__c 'Done' not in {Planned_vod, Saved_vod, Submitted_vod}

i.e. the file as delivered, its 1-based data record numbers (`_row_number`), the column, the offending
values and the rule. `engine` is GX's own pandas path, kept as the reference the translator is tested
against (never used to validate production data).
"""

from pipelines.quality.report import Failure, ValidationReport
from pipelines.quality.runner import validate, validate_batches

__all__ = ["Failure", "ValidationReport", "validate", "validate_batches"]
