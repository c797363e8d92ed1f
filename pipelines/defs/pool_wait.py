"""Two fixes to Dagster's wait for a pool slot: sleep until the next claim check, and stop when asked to.

While a step waits for the `duckdb_warehouse` slot that another run holds (a `coachwh run` behind a daemon's night,
a repair job behind a run), Dagster 1.13's in-process executor loops over "no step ready: sleep until one may be".
- It asks `InstanceConcurrencyContext.interval_to_next_pending_claim_check()` how long to sleep, which returns
  `min([0, *intervals])`, never more than 0, so the loop never sleeps: one core at 100 % for as long as the other run
  holds the slot (on a 2-core machine, half of what that run could use). Patched to the time until the earliest
  pending claim is due, which is what its caller expects.
- A SIGTERM or Ctrl-C is only noted while no step runs (Dagster captures interrupts around the whole run and raises
  them when the next step starts), and that loop never looks at the note: a run waiting behind a run that holds the
  slot for hours (or never lets go) ignores `kill`, `systemctl stop` and Terminate until then. After each sleep the
  patched loop raises the noted interrupt, as a step would, so the run stops as interrupted and frees its claims.
  (The same sleep waits out a step's retry back-off, up to minutes: an interrupt then stops the run too.)
`tests/pipeline/test_pool_wait.py` fails once Dagster's own code no longer needs these (or they no longer apply).
"""

from __future__ import annotations

import time

from dagster._core.errors import DagsterExecutionInterruptedError
from dagster._core.execution.plan.active import ActiveExecution
from dagster._core.execution.plan.instance_concurrency_context import InstanceConcurrencyContext
from dagster._utils.interrupts import pop_captured_interrupt

UPSTREAM = InstanceConcurrencyContext.interval_to_next_pending_claim_check
UPSTREAM_SLEEP = ActiveExecution.sleep_til_ready


def interval_to_next_pending_claim_check(self: InstanceConcurrencyContext) -> float:
    if not self._pending_claims:
        return 0.0
    now = time.time()
    return max(0.0, min((ready_at - now for ready_at in self._pending_timeouts.values()), default=0.0))


def sleep_til_ready(self: ActiveExecution) -> None:
    UPSTREAM_SLEEP(self)
    if pop_captured_interrupt():
        raise DagsterExecutionInterruptedError("interrupted while waiting for a pool slot another run holds")


def apply() -> None:
    InstanceConcurrencyContext.interval_to_next_pending_claim_check = interval_to_next_pending_claim_check
    ActiveExecution.sleep_til_ready = sleep_til_ready
