from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from pipelines.config import Settings


class Gate:
    """A landing zone + warehouse under tmp_path, and ways to look inside."""

    def __init__(self, home: Path):
        self.cfg = Settings(home=home, landing=home / "landing")
        self.cfg.landing.mkdir(parents=True)
        self.lines: list[str] = []

    @property
    def landing(self) -> Path:
        return self.cfg.landing

    def ingest(self, **kwargs):
        from pipelines.landing.ingest import ingest_pending

        return ingest_pending(self.cfg, progress=self.lines.append, **kwargs)

    def query(self, sql: str, params: list | None = None) -> list[tuple]:
        with duckdb.connect(str(self.cfg.warehouse), read_only=True) as con:
            return con.execute(sql, params or []).fetchall()

    def count(self, table: str) -> int:
        return self.query(f"SELECT count(*) FROM raw.{table}")[0][0]

    def total_raw_rows(self) -> int:
        tables = [r[0] for r in self.query("SELECT table_name FROM duckdb_tables() WHERE schema_name = 'raw'")]
        return sum(self.count(t) for t in tables)

    def status(self) -> str:
        """What `coachwh status` prints for this home."""
        from pipelines.status import status_lines

        return "\n".join(status_lines(self.cfg))

    def registry(self) -> list[dict]:
        with duckdb.connect(str(self.cfg.warehouse), read_only=True) as con:
            cur = con.execute("SELECT * FROM ops.batch_registry ORDER BY batch_id, delivery")
            names = [d[0] for d in cur.description]
            return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


@pytest.fixture
def gate(tmp_path: Path) -> Gate:
    return Gate(tmp_path / "home")
