"""The source contracts alone: every suite over the history batches of a finished run's raw tables.

These are the queries the gate ran inside its load transaction (`pipelines.quality.runner.validate`
on each batch), timed on their own so the benchmark can set them against the floor. It runs in a child
process (`python -m pipelines.bench contracts WAREHOUSE BATCHES_JSON`) so its memory is its own.
"""

from __future__ import annotations

import json
import time
from pathlib import Path


def validate_history(warehouse: Path, batch_ids: list[str]) -> dict:
    """Seconds and rows of validating `batch_ids` in every raw table that holds them."""
    from pipelines.quality.runner import validate_batches
    from pipelines.sources import SYSTEMS, files_of

    started = time.perf_counter()
    rows = 0
    for system in SYSTEMS:  # a system's tables in one connection, as the gate validates a batch
        wanted = [b for b in batch_ids if b.startswith(f"{system}/")]
        if wanted:
            tables = [f.raw_table for f in files_of(system)]
            rows += sum(report.rows for report in validate_batches(warehouse, tables, wanted))
    return {"seconds": time.perf_counter() - started, "rows": rows}


def main(warehouse: str, batches_json: str) -> None:
    print(json.dumps(validate_history(Path(warehouse), json.loads(batches_json))))
