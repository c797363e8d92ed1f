"""`coachwh check`: the latest validation of each suite on each batch, as a table a person can read.

Reads `ops.validation_results` (written by the gate for every batch it validated, loaded or refused),
newest first; below the table, every failed expectation in words, warnings included.
"""

from __future__ import annotations

from pathlib import Path

from pipelines.errors import CommandError
from pipelines.quality import results
from pipelines.warehouse_file import connect_waiting

HEADER = ("batch", "suite", "outcome", "validated at (UTC)", "expectations", "errors failed", "warnings failed")


def check_lines(
    warehouse: Path, batch_ids: list[str] | None = None, suite: str | None = None, limit: int = 50
) -> tuple[list[str], bool]:
    """(lines to print, whether any shown validation has a failed error-level expectation)."""
    if not warehouse.exists():
        return [f"no warehouse at {warehouse}: nothing validated yet"], False
    with connect_waiting(warehouse, read_only=True, wait_seconds=60) as con:
        runs = results.latest(con, batch_ids, suite)
    if not runs:
        asked = [f"batch {b}" for b in batch_ids or []] + ([f"suite {suite}"] if suite else [])
        if asked:  # a typo must not read as a clean bill
            raise CommandError(
                f"no validation results for {' and '.join(asked)} (see the batch ids and suites of `coachwh check`)"
            )
        return ["no validation results yet"], False
    shown = runs[:limit]
    rows = [
        (
            r.batch_id,
            r.suite,
            r.outcome,
            f"{r.validated_at:%Y-%m-%d %H:%M:%S}",
            str(r.expectations),
            str(r.errors_failed),
            str(r.warnings_failed),
        )
        for r in shown
    ]
    widths = [max(len(x) for x in column) for column in zip(HEADER, *rows, strict=True)]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip() for row in [HEADER, *rows]]
    lines.insert(1, "  ".join("-" * w for w in widths))
    if len(runs) > limit:
        lines.append(f"... and {len(runs) - limit} older (batch, suite) validations (--limit, --batch)")
    failed = [(r, f) for r in shown for f in r.failures]
    if failed:
        lines += ["", "Failed expectations:"]
        lines += [f"  [{f['severity']}] {r.batch_id} {r.suite}: {f['message']}" for r, f in failed]
    return lines, any(r.errors_failed for r in shown)
