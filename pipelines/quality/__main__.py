"""`python -m pipelines.quality [raw_table ...] [--batch crm/2026-11-26]`: run the source contracts again.

Validates loaded batches (default: the latest batch of each raw table) in $COACHWH_HOME/warehouse.duckdb
against the suites as they are now, e.g. after adding an expectation, and prints one line per failed
expectation; exits 1 when an error-level one failed (then `coachwh retract` the batch). Read-only: the
gate's own results are in `coachwh check`.
"""

from __future__ import annotations

import argparse
import sys

from pipelines.config import settings
from pipelines.quality.runner import validate_batches
from pipelines.sources import SOURCE_FILES


def main(argv: list[str] | None = None) -> int:
    tables = [f.raw_table for f in SOURCE_FILES]
    parser = argparse.ArgumentParser(
        prog="python -m pipelines.quality", description="Run the source contracts on loaded batches now."
    )
    parser.add_argument("raw_tables", nargs="*", metavar="raw_table", help="default: every raw table")
    parser.add_argument("--batch", action="append", dest="batches", help="batch id, repeatable")
    args = parser.parse_args(argv)
    unknown = sorted(set(args.raw_tables) - set(tables))
    if unknown:
        parser.error(f"no raw table {', '.join(unknown)}; expected some of {', '.join(tables)}")
    refused = False
    for report in validate_batches(settings().warehouse, args.raw_tables or tables, args.batches):
        print(report.summary() if report.passed else f"raw.{report.raw_table}: {len(report.failures)} violated")
        for f in report.failures:
            print(f"  [{f.severity}] {f.message()}")
        refused = refused or bool(report.errors)
    return 1 if refused else 0


if __name__ == "__main__":
    sys.exit(main())
