"""Following a dbt build's events, and never leaving its process behind when the step stops following.

dbt runs as a subprocess that writes its events into a pipe this process reads (dagster-dbt's stream). When
the step fails while dbt still runs (an event dagster-dbt cannot place, a failing write to the event log),
nobody reads the pipe any more: dbt blocks on a full pipe while it holds the warehouse's DuckDB file lock,
and every later step of the run that opens the warehouse waits for that lock until it gives up (ten
minutes each), failing with a lock message that hides the first error. So the step stops dbt first.
"""

from __future__ import annotations

import signal
import subprocess
from collections.abc import Iterator
from typing import Any, Protocol

from dbt.node_types import NodeType

from pipelines.warehouse_file import HELD_BY_OWN_CHILD

# How long dbt may take to cancel its queries and exit after SIGINT (its own Ctrl-C) before it is killed.
GRACE_SECONDS = 30.0


class _Invocation(Protocol):
    process: subprocess.Popen

    def stream(self) -> Iterator[Any]: ...


class StaleManifest(Exception):
    """dbt ran a node that the manifest Dagster loaded does not hold: the project changed since it was parsed."""


def events_while_dbt_runs(invocation: _Invocation, grace_seconds: float = GRACE_SECONDS) -> Iterator[Any]:
    """`invocation.stream()`; when it raises, or the step stops iterating, the dbt process is stopped too.

    dagster-dbt finds each event's node in the manifest the definitions were loaded with, and fails on one it
    does not know with a bare KeyError: that says here what happened and what to do."""
    process = invocation.process
    HELD_BY_OWN_CHILD[process.pid] = lambda: stop_dbt(process, grace_seconds)  # if this is never closed
    try:
        yield from invocation.stream()
    except BaseException as e:  # GeneratorExit included: the consumer gave up on the stream
        stop_dbt(process, grace_seconds)
        node = _unknown_node(e)
        if node is not None:
            raise StaleManifest(
                f"dbt ran {node}, which the dbt manifest this process loaded does not hold: the dbt project "
                "changed after the manifest was prepared (an upgrade without `make setup`?). Run `coachwh "
                "prepare`, restart the Dagster code location (the UI's Reload), then run again."
            ) from e
        raise
    finally:
        HELD_BY_OWN_CHILD.pop(process.pid, None)


def _unknown_node(error: BaseException) -> str | None:
    """The dbt node id (`test.coachwh.unique_dim_month_month`) of dagster-dbt's KeyError, or None."""
    node = error.args[0] if isinstance(error, KeyError) and error.args else None
    if isinstance(node, str) and node.split(".", 1)[0] in {kind.value for kind in NodeType}:
        return node
    return None


def stop_dbt(process: subprocess.Popen, grace_seconds: float = GRACE_SECONDS) -> None:
    """End a dbt process that is still running: SIGINT first (dbt cancels its queries and exits), reading
    and dropping its output meanwhile so that it is not stuck writing it; killed after `grace_seconds`."""
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGINT)
    try:
        process.communicate(timeout=grace_seconds)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
