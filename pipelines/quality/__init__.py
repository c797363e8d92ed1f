"""The content contract of the source exports: Great Expectations suites run over the raw tables.

`suites` reads expectations/<raw_table>.json, `snapshot` copies the batch to validate out of the
warehouse, `engine` runs GX 1.x (pandas path, imported lazily) chunk by chunk, `report` turns GX results
into messages a data engineer can act on.
"""

from pipelines.quality.report import Failure, ValidationReport
from pipelines.quality.runner import DEFAULT_CHUNK_ROWS, validate_batches, validate_rows

__all__ = ["DEFAULT_CHUNK_ROWS", "Failure", "ValidationReport", "validate_batches", "validate_rows"]
