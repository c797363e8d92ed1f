"""`coachwh docs`: the dbt docs site (models, columns, tests, lineage) for the current warehouse.

`dbt docs generate` reads the warehouse's catalog, so it runs under the run lock (it waits for a running
night instead of meeting it on DuckDB's file lock); `dbt docs serve` then only serves files.
"""

from __future__ import annotations

import os
import signal
import subprocess

from pipelines.config import DBT_PROJECT_DIR, Settings, dbt_executable
from pipelines.errors import CommandError
from pipelines.locks import file_lock
from pipelines.warehouse_file import connect_waiting

WAIT_SECONDS = 600.0


def dbt_command(*args: str) -> list[str]:
    return [
        str(dbt_executable()),
        *args,
        "--project-dir",
        str(DBT_PROJECT_DIR),
        "--profiles-dir",
        str(DBT_PROJECT_DIR),
    ]


def build_and_serve(cfg: Settings, port: int = 8080, serve: bool = True) -> int:
    if not cfg.warehouse.exists():
        raise CommandError(f"no warehouse at {cfg.warehouse} yet: run `coachwh run` (or `make demo`) first")
    env = {**os.environ, "COACHWH_HOME": str(cfg.home)}
    with file_lock(cfg.run_lock, "coachwh docs", on_wait=lambda who: print(f"waiting for {who} to finish…")):
        # dbt opens the warehouse for writing: a process that holds it (an analyst's connection, a run of the
        # daemon, which takes no run lock) would fail dbt with a traceback of 200 lines. Wait for it, saying who it
        # is, as a run's steps do; WarehouseBusy (one line, exit 2) after the wait.
        connect_waiting(cfg.warehouse, wait_seconds=WAIT_SECONDS, on_wait=print).close()
        returncode = _generate(env)
    if returncode:
        return returncode
    site = DBT_PROJECT_DIR / "target" / "index.html"
    print(f"dbt docs built: {site}")
    if not serve:
        return 0
    print(f"serving on http://127.0.0.1:{port} (Ctrl-C to stop)", flush=True)
    # this process becomes the server (exec, not a child): a SIGTERM from a service manager or `kill` stops the
    # server itself, where it used to stop only this parent and leave a child serving the port
    os.chdir(DBT_PROJECT_DIR)
    command = dbt_command("docs", "serve", "--port", str(port), "--host", "127.0.0.1", "--no-browser")
    # An ignored SIGTERM survives exec: a parent that ignored it (Dagster maps SIGTERM to SIGINT's handler after an
    # in-process run, and a shell's background job ignores SIGINT) would leave the server deaf to `kill`.
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    os.execve(command[0], command, env)


def _generate(env: dict[str, str]) -> int:
    """`dbt docs generate`, stopped with this process: a SIGTERM (`kill`, a service manager) is passed on to it,
    where it used to end this process alone and leave dbt writing with the run lock already given back."""
    generate = subprocess.Popen(dbt_command("docs", "generate", "--quiet"), cwd=DBT_PROJECT_DIR, env=env)
    previous = signal.signal(signal.SIGTERM, lambda *_: generate.terminate())
    try:
        return generate.wait()
    finally:
        signal.signal(signal.SIGTERM, previous)
