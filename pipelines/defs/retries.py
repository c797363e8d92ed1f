"""Which failures are worth a retry, and how.

A transient failure is one that the same step, started again a little later, would likely not meet: the
warehouse file held by another process for longer than we waited, a lock, a dropped connection. Those
are retried with exponential back-off (`NIGHTLY_RETRY_POLICY`, the retry policy of every step that opens the
warehouse, in whatever job it runs: the nightly one, or a selection in the UI). Anything else
(a batch refused at the gate, a failed check or dbt test, a contract broken, a bug) fails the same way
every time: it is raised as `dagster.Failure(allow_retries=False)`, which Dagster never retries.

Whole-run retries (dagster.yaml `run_retries`) are on only for a run worker that crashed or was killed
(`retry_on_asset_or_op_failure: false`): a step failure is left to this module.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import dagster as dg
from dagster._core.errors import DagsterExecutionInterruptedError

from pipelines.locks import LockTimeout
from pipelines.warehouse_file import WarehouseBusy, is_lock_error

# 30 s, then about 90 s, then about 210 s (exponential back-off, +/- 30 s of jitter).
NIGHTLY_RETRY_POLICY = dg.RetryPolicy(
    max_retries=3, delay=30, backoff=dg.Backoff.EXPONENTIAL, jitter=dg.Jitter.PLUS_MINUS
)

TRANSIENT_TYPES: tuple[type[BaseException], ...] = (WarehouseBusy, LockTimeout, TimeoutError, ConnectionError)
TRANSIENT_TEXT = ("database is locked",)  # SQLite's busy file (Dagster's own storage)
INTERRUPTED = "interrupted: the run was asked to stop (Terminate in the UI, or a signal to its process)"
TERMINATED = f"{INTERRUPTED}; not retried"


def is_transient(exc: BaseException) -> bool:
    if isinstance(exc, TRANSIENT_TYPES) or is_lock_error(exc):
        return True
    return any(t in str(exc).lower() for t in TRANSIENT_TEXT)


@contextmanager
def non_transient() -> Iterator[None]:
    """Let transient errors through (the retry policy retries them); turn every other error into a
    Failure that is not retried."""
    try:
        yield
    except (DagsterExecutionInterruptedError, KeyboardInterrupt) as e:
        # Terminate in the UI (or a signal to the run worker) interrupts the step. Dagster honours a step's retry
        # policy on an interrupt too, which would start the step again and carry the run on to publish as a
        # success: a run someone asked to stop must stop, so the interrupt fails the step for good.
        raise dg.Failure(description=TERMINATED, allow_retries=False) from e
    except Exception as e:
        if is_transient(e) or (isinstance(e, dg.Failure) and not e.allow_retries):
            raise
        # A Failure that allows retries is judged like any error: dagster-dbt raises its failed build as one
        # (DagsterDbtCliRuntimeError), and a model error or a failed test fails the same way every time.
        description = e.description if isinstance(e, dg.Failure) and e.description else f"{type(e).__name__}: {e}"
        metadata = e.metadata if isinstance(e, dg.Failure) else None
        raise dg.Failure(description=description, metadata=metadata, allow_retries=False) from e
