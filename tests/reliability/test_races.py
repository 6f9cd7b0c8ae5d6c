"""Conditional-write races, a worker killed mid-task, and clock skew between the functions."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from connect_async.settings import setting
from connect_async.tasks import TaskContext
from tests.conftest import FakeClock, Stack, connect_event
from tests.reliability.report import Recorder
from tests.reliability.runs import (
    CONTACT,
    LAMBDA_FIRST_RETRY_SECONDS,
    TASK_ID,
    Observed,
    Runs,
    at_once,
    deliver,
    settle,
    start_flow,
    status_of,
)

pytestmark = pytest.mark.moto

# The worker's lease (WORKER_LEASE_MS, the default the test stack uses) in seconds.
LEASE_SECONDS = int(setting("worker_lease_ms").default) / 1000


class _Killed(BaseException):
    """The worker's process dies here: nothing after this line runs, nothing is written."""


class SkewedClock(FakeClock):
    """Another function's view of the same time, off by ``offset_ms``."""

    def __init__(self, base: FakeClock, offset_ms: int) -> None:
        super().__init__(base.now)
        self.base, self.offset_ms = base, offset_ms

    def now_ms(self) -> int:
        return self.base.now_ms() + self.offset_ms

    def sleep_ms(self, duration_ms: int) -> None:
        self.base.sleep_ms(duration_ms)

    def advance(self, seconds: float) -> None:
        self.base.advance(seconds)


@contextmanager
def _skewed(stack: Stack, offset_ms: int) -> Iterator[None]:
    base = stack.clock
    stack.clock = SkewedClock(base, offset_ms)
    try:
        yield
    finally:
        stack.clock = base


def _record(recorder: Recorder, case: str, expected: str, observed: Observed, runs: Runs) -> None:
    recorder.add(
        "races",
        case=case,
        expected=expected,
        flow=observed.flow_saw or "-",
        worker=observed.worker or "-",
        record=observed.record,
        task_runs=runs.count,
    )


def test_concurrent_starts_for_one_contact_make_one_run(stack: Stack, recorder: Recorder) -> None:
    runs = start_flow(stack)
    event = connect_event(contact_id=CONTACT)
    answers = at_once(4, lambda _: stack.start(event))
    assert [a["status"] for a in answers] == ["in_progress"] * 4
    assert sorted(a["new_run"] for a in answers) == ["false", "false", "false", "true"]
    assert len(stack.invoked) == 1  # the losers of the conditional write did not dispatch
    observed = Observed(flow_saw="4 x in_progress, 1 new run", worker=deliver(stack, "req-1"))
    settle(stack, runs, observed)
    assert observed.record == "completed" and runs.count == 1
    _record(
        recorder, "4 concurrent starts (Connect's retries)", "one run, one worker invocation", observed, runs
    )


def test_concurrent_duplicate_deliveries_run_the_task_once(stack: Stack, recorder: Recorder) -> None:
    runs = start_flow(stack)
    stack.start(connect_event(contact_id=CONTACT))
    outcomes = at_once(3, lambda index: deliver(stack, f"req-{index}"))
    assert sorted(outcomes) == ["completed", "duplicate", "duplicate"]
    observed = Observed(worker=", ".join(sorted(outcomes)))
    settle(stack, runs, observed)
    assert observed.record == "completed" and runs.count == 1
    _record(
        recorder,
        "3 concurrent deliveries of one event",
        "one claims and runs; two find the claim",
        observed,
        runs,
    )


def test_an_old_workers_result_loses_to_the_restarted_run(stack: Stack, recorder: Recorder) -> None:
    runs = Runs()
    event = connect_event(contact_id=CONTACT)
    stack.check_budget_ms = 0
    late: dict[str, str] = {}

    def slow(context: TaskContext) -> dict[str, str]:
        runs(context)
        if context.attempt == 1:
            # While attempt 1 works, its deadline passes and the caller's flow starts attempt 2,
            # which runs to completion first.
            stack.clock.advance(stack.run_deadline_seconds + 1)
            late["restart"] = status_of(stack.start(event))
            late["attempt 2"] = stack.run_worker(request_id="req-2")
        return {"answer": f"from attempt {context.attempt}"}

    stack.task = slow
    stack.start(event)
    first = stack.run_worker(request_id="req-1")
    assert first == "superseded"  # its conditional final write found attempt 2's record
    assert stack.item(TASK_ID)["result"]["M"]["answer"]["S"] == "from attempt 2"  # type: ignore[index]
    observed = Observed(
        flow_saw=late["restart"], worker=f"attempt 1: {first}; attempt 2: {late['attempt 2']}"
    )
    settle(stack, runs, observed, max_runs=2)
    assert observed.record == "completed"
    assert runs.count == 2  # once per attempt; the record holds attempt 2's result
    _record(
        recorder,
        "final write of attempt 1 races attempt 2 (restarted after the deadline)",
        "attempt 1's result is discarded (superseded); attempt 2's stands",
        observed,
        runs,
    )


def test_a_worker_killed_mid_task_is_never_run_twice_and_the_flow_can_leave(
    stack: Stack, recorder: Recorder
) -> None:
    runs = Runs()
    stack.check_budget_ms = 0

    def dies(context: TaskContext) -> None:
        runs(context)
        raise _Killed

    stack.task = dies
    event = connect_event(contact_id=CONTACT)
    stack.start(event)
    with contextlib.suppress(_Killed):
        stack.run_worker(request_id="req-1")
    stack.task = runs
    assert status_of(stack.check(event)) == "in_progress"  # within its lease the run is live
    stack.clock.advance(LEASE_SECONDS)
    assert status_of(stack.check(event)) == "failed/worker_lost"  # a lease later, every reader knows
    stack.clock.advance(LAMBDA_FIRST_RETRY_SECONDS)
    retry = deliver(stack, "req-2")  # Lambda retries the failed event a minute later
    assert retry == "raised LostRunError"  # recorded, not run; the event goes to the dead-letter queue
    observed = Observed(
        flow_saw="failed/worker_lost a lease after the kill", worker=f"killed; Lambda's retry: {retry}"
    )
    settle(stack, runs, observed)
    assert observed.record == "failed/worker_lost" and runs.count == 1
    _record(
        recorder,
        "worker killed mid-task (after its claim)",
        "not run again; failed/worker_lost for every reader once its lease lapses; event dead-lettered",
        observed,
        runs,
    )


# (whose clock is off, by how much, what every reader then answers, what the worker did)
CLOCK_CASES = [
    ("worker", 20_000, "completed", "completed"),
    ("worker", -30_000, "completed", "completed"),
    # Past the claim bound (worker_start_timeout_seconds, 30 s) by its own clock: the worker
    # refuses the run, never runs it late, and sends the event to the dead-letter queue.
    ("worker", 40_000, "failed/worker_not_started", "raised LostRunError"),
    ("worker", 200_000, "failed/worker_not_started", "raised LostRunError"),
    ("check", -60_000, "completed", "completed"),
    ("start", 45_000, "completed", "completed"),
]


def test_clock_skew_between_functions(stack: Stack, recorder: Recorder) -> None:
    for index, (function, offset_ms, expected, expected_worker) in enumerate(CLOCK_CASES):
        runs = start_flow(stack)
        event = connect_event(contact_id=f"0f5f6f7f-1111-4222-8333-{index:012d}")  # a contact per case
        stack.invoked.clear()
        with _skewed(stack, offset_ms if function == "start" else 0):
            stack.start(event)
        with _skewed(stack, offset_ms if function == "worker" else 0):
            worker = deliver(stack, f"req-{function}-{offset_ms}")
        with _skewed(stack, offset_ms if function == "check" else 0):
            seen = status_of(stack.check(event))
        if seen == "in_progress":
            stack.clock.advance(stack.run_deadline_seconds + 1)
            seen = status_of(stack.check(event))
        assert seen == expected, (function, offset_ms, worker)
        assert worker == expected_worker, (function, offset_ms, worker)  # the worker's own verdict
        assert runs.count == (1 if expected == "completed" else 0)
        _record(
            recorder,
            f"{function}'s clock {offset_ms / 1000:+g} s off",
            expected,
            Observed(worker=worker, record=seen),
            runs,
        )
