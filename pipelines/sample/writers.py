"""Writing batches: CSV (DuckDB COPY for bulk, Python csv for small tables), xlsx, Qualtrics CSV, manifest.

Every batch folder gets its data files first and manifest.json last; a manifest lists each file's
record count (header rows excluded) and SHA-256. Output is byte-for-byte deterministic: rows are written
in an explicit order, xlsx archives get fixed timestamps.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import zipfile
from datetime import date, datetime
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

BOM = "\ufeff"
FIXED_ZIP_TIME = (2026, 1, 1, 0, 0, 0)


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 22), b""):
            h.update(chunk)
    return h.hexdigest()


class Batch:
    """One batch folder `<out>/<system>/<YYYY-MM-DD>/`; close() after the data files writes the manifest."""

    def __init__(self, out: Path, system: str, extract_date: date):
        self.system, self.extract_date = system, extract_date
        self.dir = Path(out) / system / extract_date.isoformat()
        self.dir.mkdir(parents=True, exist_ok=True)
        self.files: dict[str, int] = {}

    def path(self, name: str) -> Path:
        return self.dir / name

    def added(self, name: str, rows: int) -> None:
        self.files[name] = int(rows)

    def copy_query(self, con, name: str, sql: str) -> int:
        """Write a DuckDB query (which must ORDER BY) as CSV with a header row; returns the record count."""
        target = str(self.path(name)).replace("'", "''")
        rows = con.execute(f"COPY ({sql}) TO '{target}' (FORMAT csv, HEADER, DELIMITER ',')").fetchone()[0]
        self.added(name, rows)
        return rows

    def write_csv(self, name: str, header_rows: list[list[str]], rows: list[list], bom: bool = False) -> int:
        with open(self.path(name), "w", encoding="utf-8", newline="") as f:
            if bom:
                f.write(BOM)
            w = csv.writer(f, lineterminator="\n")
            w.writerows(header_rows)
            w.writerows(["" if v is None else v for v in row] for row in rows)
        self.added(name, len(rows))
        return len(rows)

    def write_xlsx(self, name: str, columns: list[str], rows: list[list]) -> int:
        """First sheet, header row then data; date values become real Excel date cells, text stays text."""
        wb = Workbook(write_only=True)
        ws = wb.create_sheet("Sheet1")
        ws.append(columns)
        for row in rows:
            cells = []
            for v in row:
                if isinstance(v, date):
                    c = WriteOnlyCell(ws, value=datetime(v.year, v.month, v.day))
                    c.number_format = "mm/dd/yyyy"
                    cells.append(c)
                else:
                    cells.append(v)
            ws.append(cells)
        buf = io.BytesIO()
        wb.properties.creator = "Workday"
        wb.properties.created = wb.properties.modified = datetime(2026, 1, 1)
        wb.save(buf)
        _write_deterministic_zip(buf.getvalue(), self.path(name))
        self.added(name, len(rows))
        return len(rows)

    def close(self) -> dict:
        manifest = {
            "system": self.system,
            "extract_date": self.extract_date.isoformat(),
            "files": {n: {"rows": r, "sha256": sha256(self.path(n))} for n, r in self.files.items()},
        }
        tmp = self.path("manifest.json.part")
        tmp.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
        tmp.replace(self.path("manifest.json"))
        return manifest


_W3CDTF = re.compile(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)")


def _write_deterministic_zip(data: bytes, path: Path) -> None:
    """Re-pack an xlsx with fixed member timestamps and document dates, so equal content gives equal bytes."""
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                body = _W3CDTF.sub(rb"\g<1>2026-01-01T00:00:00Z\g<2>", body)
            zi = zipfile.ZipInfo(info.filename, date_time=FIXED_ZIP_TIME)
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o600 << 16
            dst.writestr(zi, body)
