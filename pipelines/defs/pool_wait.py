"""A fix to Dagster's wait for a pool slot: sleep until the next claim check instead of spinning a core.

While a step waits for the `duckdb_warehouse` slot that another run holds (a `coachwh run` behind a daemon's night,
a repair job behind a run), Dagster 1.13's executor loop asks `InstanceConcurrencyContext`
`.interval_to_next_pending_claim_check()` how long to sleep. It returns `min([0, *intervals])`, never more than 0, so
the loop never sleeps: one core at 100 % for as long as the other run holds the slot (on a 2-core machine, half of
what that run could use). Patched to the time until the earliest pending claim is due, which is what its caller
expects; `tests/pipeline/test_pool_wait.py` fails once Dagster's own code no longer needs it (or the patch no longer
applies).
"""

from __future__ import annotations

import time

from dagster._core.execution.plan.instance_concurrency_context import InstanceConcurrencyContext

UPSTREAM = InstanceConcurrencyContext.interval_to_next_pending_claim_check


def interval_to_next_pending_claim_check(self: InstanceConcurrencyContext) -> float:
    if not self._pending_claims:
        return 0.0
    now = time.time()
    return max(0.0, min((ready_at - now for ready_at in self._pending_timeouts.values()), default=0.0))


def apply() -> None:
    InstanceConcurrencyContext.interval_to_next_pending_claim_check = interval_to_next_pending_claim_check
