"""Hand-made raw tables and dbt runs for warehouse tests.

A test writes a few raw rows exactly as the exports deliver them (text, source column names), runs
dbt against that warehouse, and reads the marts back. Lineage columns are filled in for it.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path

import duckdb

from pipelines.config import DBT_PROJECT_DIR
from pipelines.sources import LINEAGE_COLUMNS, create_raw_tables, quote, source_file


class RawWarehouse:
    """A DuckDB warehouse file with the raw schema, filled row by row by a test."""

    def __init__(self, home: Path):
        self.home = home
        self.home.mkdir(parents=True, exist_ok=True)
        self.path = home / "warehouse.duckdb"
        with duckdb.connect(str(self.path)) as con:
            create_raw_tables(con)

    def add(self, raw_table: str, rows: list[dict], extract_date: str | date, row_offset: int = 0) -> None:
        """Append rows to raw.<raw_table> as one batch of `extract_date`. Missing columns are empty."""
        f = source_file(raw_table)
        unknown = {k for r in rows for k in r} - set(f.columns)
        if unknown:
            raise KeyError(f"{raw_table} has no columns {sorted(unknown)}")
        extract = date.fromisoformat(str(extract_date))
        cols = [*f.columns, *(n for n, _ in LINEAGE_COLUMNS)]
        values = [
            [
                *(None if r.get(c) in (None, "") else str(r[c]) for c in f.columns),
                f"{f.system}/{extract.isoformat()}",
                f.system,
                extract,
                f"{f.name}.csv",
                row_offset + i + 1,
                datetime(2000, 1, 1),
            ]
            for i, r in enumerate(rows)
        ]
        if not values:
            return
        placeholders = ", ".join("?" for _ in cols)
        with duckdb.connect(str(self.path)) as con:
            con.executemany(
                f"INSERT INTO raw.{raw_table} ({', '.join(quote(c) for c in cols)}) VALUES ({placeholders})",
                values,
            )

    def query(self, sql: str, params: list | None = None) -> list[tuple]:
        with duckdb.connect(str(self.path)) as con:
            return con.execute(sql, params or []).fetchall()

    def dicts(self, sql: str, params: list | None = None) -> list[dict]:
        with duckdb.connect(str(self.path)) as con:
            cur = con.execute(sql, params or [])
            names = [d[0] for d in cur.description]
            return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


People = dict[str, tuple[str, str, str]]  # a hand-made organisation: {Employee ID: (name, level, manager)}


def job_row(people: People, employee: str, day: str, process: str, **columns: str) -> dict:
    """A job_history row of `employee` on `day` (MM/DD/YYYY), in the level and under the manager `people` gives."""
    _, level, manager = people[employee]
    return {"Employee ID": employee, "Effective Date": day, "Business Process": process, "Management Level": level,
            "Region": "East", "Manager Employee ID": manager, **columns}  # fmt: skip


def add_org(
    w: RawWarehouse,
    people: People,
    users: dict[str, str],
    extract: str,
    hired: str,
    later_rows: Sequence[dict] = (),
    hires: Sequence[str] | None = None,
) -> None:
    """The HR files and the CRM users of a hand-made organisation, `users` = {Employee ID: CRM User id}: everyone
    (or the people of `hires`) hired on `hired` (then `later_rows` of job history), active in the workers file,
    e-mail <id>@acme.test, each user numbered with their person's id."""
    hire_rows = [job_row(people, e, hired, "Hire") for e in (people if hires is None else hires)]
    w.add("hris_job_history", [*hire_rows, *later_rows], extract)
    w.add(
        "hris_workers",
        [{"Employee ID": e, "Legal Name": name, "Work Email": f"{e}@acme.test", "Management Level": level,
          "Worker Status": "Active"} for e, (name, level, _) in people.items()],
        extract,
    )  # fmt: skip
    w.add("crm_user", [{"Id": users[e], "EmployeeNumber": e, "IsActive": "true"} for e in people], extract)


@contextmanager
def _env(**values: str):
    old = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def _close_dbt_duckdb() -> None:
    """dbt-duckdb keeps its DuckDB open in-process after a run, with the profile's options (memory_limit,
    temp_directory); a test reading the file back with other options would be refused ("a different
    configuration than existing connections"). Close it, as the adapter itself does before reopening."""
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager

    with DuckDBConnectionManager._LOCK:
        if DuckDBConnectionManager._ENV is not None:
            DuckDBConnectionManager._ENV.close()
            DuckDBConnectionManager._ENV = None


def run_dbt(home: Path, *args: str, vars: dict | None = None):
    """Run dbt in-process against `home`/warehouse.duckdb; raise with dbt's own message on failure. Returns dbt's
    result (its `.result.results` hold each node's status and failure count)."""
    import json

    from dbt.cli.main import dbtRunner

    cli = [
        *args,
        "--project-dir",
        str(DBT_PROJECT_DIR),
        "--profiles-dir",
        str(DBT_PROJECT_DIR),
        "--target-path",
        str(home / "dbt_target"),
        "--log-path",
        str(home / "dbt_logs"),
    ]
    if vars:
        cli += ["--vars", json.dumps(vars)]
    with _env(COACHWH_HOME=str(home)):
        try:
            result = dbtRunner().invoke(cli)
        finally:
            _close_dbt_duckdb()
    if not result.success:
        failures = []
        if result.result is not None and hasattr(result.result, "results"):
            failures = [
                f"{r.node.unique_id}: {r.status}: {r.message}"
                for r in result.result.results
                if str(r.status) not in ("success", "pass", "skipped")
            ]
        raise AssertionError(f"dbt {' '.join(args)} failed:\n" + "\n".join(failures or [str(result.exception)]))
    return result


def node_results(result) -> dict:
    """run_dbt's result per node name (a model's, a test's): `.status`, `.failures`, `.node.compiled_code`."""
    return {r.node.name: r for r in result.result.results}
