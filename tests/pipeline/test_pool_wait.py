"""A step waiting for another run's pool slot sleeps until its next claim check (pipelines/defs/pool_wait.py)."""

import inspect
import os
import signal
import threading
import time
from contextlib import contextmanager
from types import SimpleNamespace

import dagster as dg
from dagster._core.execution.plan.active import ActiveExecution
from dagster._core.execution.plan.instance_concurrency_context import InstanceConcurrencyContext

import pipelines.definitions  # noqa: F401  (applies the fix, as every process that runs steps does)
from pipelines.config import Settings
from pipelines.defs import pool_wait
from pipelines.defs.ingest import WAREHOUSE_POOL
from pipelines.defs.retries import INTERRUPTED
from pipelines.defs.run_report import read_run
from pipelines.instance import dagster_instance


def test_the_fix_is_in_place_and_dagster_still_needs_it():
    assert (
        InstanceConcurrencyContext.interval_to_next_pending_claim_check
        is pool_wait.interval_to_next_pending_claim_check
    )
    # Dagster's own method never returns more than 0 (its executor loop then never sleeps); when an upgrade fixes
    # that, this fails: remove pipelines/defs/pool_wait.py and this test
    assert "min([0, *" in inspect.getsource(pool_wait.UPSTREAM)
    waiting = SimpleNamespace(_pending_claims={"ingest_crm"}, _pending_timeouts={"ingest_crm": time.time() + 2.0})
    assert pool_wait.UPSTREAM(waiting) <= 0  # the spin
    assert ActiveExecution.sleep_til_ready is pool_wait.sleep_til_ready
    assert "interrupt" not in inspect.getsource(pool_wait.UPSTREAM_SLEEP)  # Dagster's loop still ignores a SIGTERM


def test_a_waiting_step_sleeps_until_its_next_claim_check():
    now = time.time()
    timeouts = {"ingest_crm": now + 2.0, "publish": now + 5.0}
    waiting = SimpleNamespace(_pending_claims={"ingest_crm", "publish"}, _pending_timeouts=timeouts)
    assert 1.5 < pool_wait.interval_to_next_pending_claim_check(waiting) <= 2.0  # the earliest due
    due = SimpleNamespace(_pending_claims={"ingest_crm"}, _pending_timeouts={"ingest_crm": now - 1.0})
    assert pool_wait.interval_to_next_pending_claim_check(due) == 0.0  # due already: check at once
    idle = SimpleNamespace(_pending_claims=set(), _pending_timeouts={})
    assert pool_wait.interval_to_next_pending_claim_check(idle) == 0.0


@dg.asset(pool=WAREHOUSE_POOL)
def needs_the_warehouse() -> int:
    return 1


@contextmanager
def slot_held_by_another_run(tmp_path, seconds: float):
    """An instance whose one warehouse slot another run holds for `seconds`."""
    with dagster_instance(Settings(home=tmp_path / "home", landing=tmp_path / "landing")) as instance:
        slots = instance.event_log_storage
        slots.initialize_concurrency_limit_to_default(WAREHOUSE_POOL)  # the shipped limit: 1
        slots.claim_concurrency_slot(WAREHOUSE_POOL, "the other run", "coachwh_dbt_models")
        freed = threading.Timer(seconds, slots.free_concurrency_slots_for_run, ["the other run"])
        freed.start()
        try:
            yield instance
        finally:
            freed.cancel()


def test_a_run_waiting_for_another_runs_slot_sleeps_and_then_runs(tmp_path):
    """A real in-process run whose only step needs the warehouse slot another run holds for 3 s: it runs once the
    slot is freed, and spends the wait asleep (Dagster's unpatched loop spent it all on the CPU)."""
    with slot_held_by_another_run(tmp_path, 3.0) as instance:
        started, cpu = time.monotonic(), time.process_time()
        result = dg.materialize([needs_the_warehouse], instance=instance)
        waited, busy = time.monotonic() - started, time.process_time() - cpu
    assert result.success and waited >= 2.9
    assert busy < waited - 2.0, f"the wait kept the CPU busy: {busy:.1f} s of CPU in {waited:.1f} s"


def test_a_run_waiting_for_another_runs_slot_stops_on_sigterm(tmp_path):
    """`kill` (or `systemctl stop`) of a run that waits behind a slot held for a long time stops it within a claim
    check, as interrupted, and withdraws its claim. Dagster's own loop noted the signal and went on waiting: the
    run below would then have run its step after the 30 s and succeeded."""
    with slot_held_by_another_run(tmp_path, 30.0) as instance:
        threading.Timer(2.0, os.kill, [os.getpid(), signal.SIGTERM]).start()
        started = time.monotonic()
        result = dg.materialize([needs_the_warehouse], instance=instance, raise_on_error=False)
        waited = time.monotonic() - started
        info = instance.event_log_storage.get_concurrency_info(WAREHOUSE_POOL)
        said = read_run(instance, result.run_id).reasons()  # what the alert and `coachwh run`'s summary say
    assert not result.success and waited < 15.0
    assert said == [INTERRUPTED]
    assert [pending.run_id for pending in info.pending_steps] == ["the other run"]  # our claim is gone
