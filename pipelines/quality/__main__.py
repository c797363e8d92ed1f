"""`python -m pipelines.quality [raw_table ...] [--batch crm/2026-11-26]`: run the source contracts now.

Validates the latest batch (or the named batches) of each raw table in $COACHWH_HOME/warehouse.duckdb and
prints one line per violated expectation; exits 1 when any contract is violated. The same code as the
Dagster `source_contract` checks, for a data engineer at a terminal.
"""

from __future__ import annotations

import argparse
import sys

from pipelines.config import settings
from pipelines.quality.runner import DEFAULT_CHUNK_ROWS, validate_batches
from pipelines.sources import SOURCE_FILES


def main(argv: list[str] | None = None) -> int:
    tables = [f.raw_table for f in SOURCE_FILES]
    parser = argparse.ArgumentParser(
        prog="python -m pipelines.quality", description="Run the GX source contracts on the raw tables now."
    )
    parser.add_argument("raw_tables", nargs="*", metavar="raw_table", help="default: every raw table")
    parser.add_argument("--batch", action="append", dest="batches", help="batch id, repeatable")
    parser.add_argument("--chunk-rows", type=int, default=DEFAULT_CHUNK_ROWS)
    args = parser.parse_args(argv)
    unknown = sorted(set(args.raw_tables) - set(tables))
    if unknown:
        parser.error(f"no raw table {', '.join(unknown)}; expected some of {', '.join(tables)}")
    violated = False
    for table in args.raw_tables or tables:
        report = validate_batches(settings().warehouse, table, args.batches, chunk_rows=args.chunk_rows)
        print(report.summary() if report.passed else f"raw.{table}: {len(report.failures)} violated")
        for f in report.failures:
            print(f"  {f.message()}")
        violated = violated or not report.passed
    return 1 if violated else 0


if __name__ == "__main__":
    sys.exit(main())
