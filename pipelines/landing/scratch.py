"""The gate's scratch folders: where a workbook becomes a CSV before DuckDB bulk-loads it.

One folder per batch, `$COACHWH_HOME/coachwh-ingest-<pid>-<random>`, removed when the batch is done. A process
killed outright (kill -9, a lost machine) cannot remove its own, so each gate first removes those whose process
is gone. The pid in the name is what makes that safe: the four system steps of a run may gate in parallel
processes, each with its scratch folder in the same home, and a live process's folder is never touched. (A pid
reused since by another process keeps its dead folder one night longer: harmless.)
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

PREFIX = "coachwh-ingest-"
REMOVED = "removed the scratch folder"  # how the line that says so begins (shown by `coachwh run`'s progress)


def scratch_folder(home: Path) -> tempfile.TemporaryDirectory:
    """A new scratch folder under `home`, named after this process; a context manager that removes it."""
    home.mkdir(parents=True, exist_ok=True)
    return tempfile.TemporaryDirectory(prefix=f"{PREFIX}{os.getpid()}-", dir=home)


def sweep_abandoned(home: Path) -> list[Path]:
    """Remove the scratch folders of processes that no longer run; returns what was removed."""
    removed = []
    for folder in home.glob(f"{PREFIX}*"):
        pid = folder.name[len(PREFIX) :].partition("-")[0]
        if folder.is_dir() and pid.isdigit() and not _running(int(pid)):
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)  # signal 0: asks whether the process exists, sends nothing
    except ProcessLookupError:
        return False
    except PermissionError:  # it exists, under another user
        return True
    return True
