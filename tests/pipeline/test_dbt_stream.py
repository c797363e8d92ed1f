"""A dbt build the step stops following is stopped too (pipelines/defs/dbt_stream.py).

The "dbt" here is a real child process that writes lines without end, far more than a pipe holds, as dbt
writes its events: once nobody reads them it blocks on the pipe, as dbt did while holding the warehouse's
lock (a night that hung for ten minutes per later step)."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest

from pipelines import warehouse_file
from pipelines.defs.dbt_stream import StaleManifest, events_while_dbt_runs

CHATTY = "import sys\nwhile True:\n    sys.stdout.write('{\"event\": 1}\\n' * 100)\n"
DEAF = "import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\n" + CHATTY  # ignores dbt's Ctrl-C
STARTED: list[subprocess.Popen] = []


@pytest.fixture(autouse=True)
def no_child_left():
    """A failing test must not leave its endless child running."""
    yield
    while STARTED:
        child = STARTED.pop()
        if child.poll() is None:
            child.kill()
            child.communicate()


class FakeInvocation:
    """What the step uses of dagster-dbt's DbtCliInvocation: the process, and a stream of its lines that
    breaks (as dagster-dbt's did on a node missing from its manifest) after `events` lines."""

    def __init__(self, program: str, events: int | None):
        self.process = subprocess.Popen([sys.executable, "-c", program], stdout=subprocess.PIPE)
        STARTED.append(self.process)
        self.events = events

    def stream(self):
        for n, line in enumerate(self.process.stdout):
            if self.events is not None and n == self.events:
                raise KeyError("test.coachwh.a_test_the_manifest_does_not_know")
            yield line


@pytest.mark.parametrize("program", [CHATTY, DEAF])
def test_a_stream_that_breaks_stops_dbt(program):
    invocation = FakeInvocation(program, events=3)
    time.sleep(0.5)  # the child fills the pipe and blocks on it
    seen = []
    with pytest.raises(StaleManifest, match="a_test_the_manifest_does_not_know.*coachwh prepare"):
        for event in events_while_dbt_runs(invocation, grace_seconds=1.0):
            seen.append(event)
    assert len(seen) == 3
    assert invocation.process.poll() is not None, "the dbt process still runs"


def test_a_step_that_stops_following_stops_dbt():
    invocation = FakeInvocation(CHATTY, events=None)
    events = events_while_dbt_runs(invocation, grace_seconds=1.0)
    next(events)
    events.close()  # what happens to the step's generator when the step is abandoned
    assert invocation.process.poll() is not None


def test_a_build_followed_to_its_end_is_left_alone():
    invocation = FakeInvocation("print('{\"event\": 1}')\nprint('{\"event\": 2}')", events=None)
    assert len(list(events_while_dbt_runs(invocation))) == 2
    assert invocation.process.wait(timeout=10) == 0


@pytest.mark.parametrize("error", [OSError("the event log is full"), KeyError("batch_id")])
def test_any_other_error_is_raised_as_it_is_and_stops_dbt_too(error):
    invocation = FakeInvocation(CHATTY, events=None)
    events = events_while_dbt_runs(invocation, grace_seconds=1.0)
    next(events)
    with pytest.raises(type(error)) as raised:
        events.throw(error)
    assert raised.value is error
    assert invocation.process.poll() is not None


def test_a_dbt_left_running_by_a_generator_never_closed_is_stopped_by_the_next_step_that_needs_the_warehouse(
    tmp_path,
):
    """A step that fails while handling one of dbt's events may leave its generator suspended, never closed (a
    traceback keeps it alive): dbt goes on holding the warehouse. The next step of this process that opens the
    file stops it at once, rather than wait ten minutes for it and fail on its lock."""
    warehouse = tmp_path / "warehouse.duckdb"
    hold = (
        "import sys, time, duckdb; c = duckdb.connect(sys.argv[1]); print('{\"event\": 1}', flush=True); time.sleep(60)"
    )
    invocation = FakeInvocation(hold.replace("sys.argv[1]", repr(str(warehouse))), events=None)
    events = events_while_dbt_runs(invocation, grace_seconds=1.0)
    next(events)  # dbt holds the warehouse now; the step fails here and never closes `events`
    lines = []
    started = time.monotonic()
    warehouse_file.connect_waiting(warehouse, wait_seconds=30, on_wait=lines.append).close()
    assert time.monotonic() - started < 10
    assert invocation.process.poll() is not None
    assert len(lines) == 1 and lines[0].endswith("left running by a step that failed; stopping it"), lines
    assert invocation.process.pid not in warehouse_file.HELD_BY_OWN_CHILD
    del events
