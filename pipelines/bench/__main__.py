"""Child processes of the benchmark: `python -m pipelines.bench floor FILES_JSON DB`."""

import sys

from pipelines.bench import floor

if __name__ == "__main__":
    if sys.argv[1:2] != ["floor"]:
        sys.exit("usage: python -m pipelines.bench floor FILES_JSON DB")
    floor.main(sys.argv[2], sys.argv[3])
