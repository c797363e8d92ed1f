"""A CSV delivery whose records end some in LF and some in CRLF.

sources.md asks for RFC 4180 CSV and says nothing of line endings. A writer that puts the header down by hand
(`"\\n"`) and the rows through Python's csv module (`"\\r\\n"` by default) mixes the two, and DuckDB's strict reader,
which takes the line ending from the first line, refuses such a file. The gate then loads a copy whose every CRLF
is an LF: the same records, in the same order (a CRLF inside a quoted value becomes an LF too, the one change).

Only the start of the file is looked at, where such a writer mixes them (its header against its rows); a file
that mixes them further on is refused, with DuckDB's reason, as before. A file with one kind of ending never
gets here, whatever its quoted values hold.
"""

from __future__ import annotations

import re
from pathlib import Path

import duckdb

from pipelines.landing.loader import csv_scan
from pipelines.sources import SourceFile

PROBE_BYTES = 1 << 16
_BARE_LF = re.compile(rb"(?<!\r)\n")


def _reads_strictly(sample: bytes, f: SourceFile, skip: int, scratch: Path) -> bool:
    probe = scratch / "line-endings-probe.csv"
    probe.write_bytes(sample)
    try:
        with duckdb.connect() as con:
            con.execute(f"SELECT count(*) FROM {csv_scan(probe, f, skip)}").fetchone()
        return True
    except duckdb.Error:
        return False
    finally:
        probe.unlink(missing_ok=True)


def mixes_line_endings(path: Path, f: SourceFile, skip: int, scratch: Path) -> bool:
    """True when the file's first records end some in LF, some in CRLF, and DuckDB's strict reader reads them
    only once every CRLF is an LF."""
    with path.open("rb") as fh:
        head = fh.read(PROBE_BYTES)
    if b"\r\n" not in head or not _BARE_LF.search(head):
        return False
    whole_lines = head[: head.rfind(b"\n") + 1]
    return not _reads_strictly(whole_lines, f, skip, scratch) and _reads_strictly(
        whole_lines.replace(b"\r\n", b"\n"), f, skip, scratch
    )


def copy_with_lf(path: Path, out: Path, chunk: int = 1 << 24) -> None:
    """Copy `path` to `out` with every CRLF made an LF, a chunk at a time (a CR that ends a chunk waits for the
    next one)."""
    with path.open("rb") as src, out.open("wb") as dst:
        pending = b""
        while block := src.read(chunk):
            data = pending + block
            pending = b"\r" if data.endswith(b"\r") else b""
            dst.write((data[:-1] if pending else data).replace(b"\r\n", b"\n"))
        dst.write(pending)
