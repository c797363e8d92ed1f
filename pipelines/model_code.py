"""Was the warehouse's incremental data made by today's code? If not, the next build rebuilds it from raw.

An incremental model keeps what earlier builds wrote and adds only the rows loaded since. After an upgrade
that changes its SQL or a macro it uses (a column more or fewer, another parse rule), the kept rows were made
by the old code, and `select * from {{ this }}` may no longer even fit the new columns: the night would fail,
or worse, mix two definitions. So after a successful dbt build the fingerprint of that code (the SQL of
every incremental model and of every macro of the project, as dbt's manifest holds them) is recorded in
`ops.incremental_code`, per engine (DuckDB's incremental tables are in the warehouse, Spark's in its own), and
a build whose fingerprint differs from the last one recorded for its engine runs as a full refresh. Every
macro counts, whether or not an incremental model uses it: a change to one costs a full build (about a
minute on the large profile) and never a wrong night. A warehouse with no record (a first build,
or one made before this check) is rebuilt too; on a first build that is what dbt does anyway.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path

from pipelines.landing.registry import OPS_SCHEMA
from pipelines.warehouse_file import column_exists, connect_waiting, table_exists

TABLE = f"{OPS_SCHEMA}.incremental_code"
DDL = f"""CREATE TABLE IF NOT EXISTS {TABLE} (
    fingerprint  VARCHAR NOT NULL,    -- sha256 of the incremental models' and the macros' SQL
    built_at     TIMESTAMP NOT NULL   -- the end of the build that used it (UTC)
)"""
# added later: the engine that built (each keeps incremental tables of its own); earlier records are DuckDB's
ENGINE_DDL = f"ALTER TABLE {TABLE} ADD COLUMN IF NOT EXISTS engine VARCHAR DEFAULT 'duckdb'"


def code_fingerprint(manifest_path: Path) -> str:
    """sha256 over the SQL of the project's incremental models and of all its macros, in a stable order."""
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    project = manifest["metadata"]["project_name"]
    parts = sorted(
        (unique_id, node["raw_code"])
        for unique_id, node in manifest["nodes"].items()
        if node.get("package_name") == project and node.get("config", {}).get("materialized") == "incremental"
    )
    parts += sorted(
        (unique_id, macro["macro_sql"])
        for unique_id, macro in manifest["macros"].items()
        if macro.get("package_name") == project
    )
    digest = hashlib.sha256()
    for unique_id, code in parts:
        digest.update(f"{unique_id}\0{code}\0".encode())
    return digest.hexdigest()


def built_fingerprints(warehouse: Path) -> dict[str, str]:
    """The fingerprint recorded after the last successful build on each engine that has one ({} when none has:
    a first build)."""
    if not warehouse.exists():
        return {}
    with connect_waiting(warehouse, read_only=True) as con:
        if not table_exists(con, OPS_SCHEMA, "incremental_code"):
            return {}
        # records from before the column are DuckDB's
        engine = "engine" if column_exists(con, OPS_SCHEMA, "incremental_code", "engine") else "'duckdb'"
        rows = con.execute(
            f"SELECT {engine} AS built_on, fingerprint FROM {TABLE} "
            "QUALIFY row_number() OVER (PARTITION BY built_on ORDER BY built_at DESC, rowid DESC) = 1"
        ).fetchall()
        return dict(rows)


def record_fingerprint(warehouse: Path, fingerprint: str, engine: str = "duckdb") -> None:
    """After a successful build on `engine`: its incremental data was made by the code of `fingerprint`."""
    with connect_waiting(warehouse) as con:
        con.execute(f"CREATE SCHEMA IF NOT EXISTS {OPS_SCHEMA}")
        con.execute(DDL)
        con.execute(ENGINE_DDL)
        con.execute(
            f"INSERT INTO {TABLE} (fingerprint, built_at, engine) VALUES (?, ?, ?)",
            [fingerprint, datetime.now(UTC).replace(tzinfo=None), engine],
        )
