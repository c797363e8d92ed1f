"""Child processes of the benchmark: `python -m pipelines.bench floor FILES_JSON DB` and
`python -m pipelines.bench contracts WAREHOUSE BATCHES_JSON`."""

import sys

from pipelines.bench import contracts, floor

if __name__ == "__main__":
    child = {"floor": floor.main, "contracts": contracts.main}.get(sys.argv[1] if len(sys.argv) == 4 else "")
    if child is None:
        sys.exit("usage: python -m pipelines.bench floor FILES_JSON DB | contracts WAREHOUSE BATCHES_JSON")
    child(sys.argv[2], sys.argv[3])
