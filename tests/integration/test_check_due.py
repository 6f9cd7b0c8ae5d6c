"""check polls only when the run's end is due (check_poll_when = due, the default).

A run's expected end comes from its last progress report: the time since it began, scaled by the
percent reported then. check reads once and answers unless that end is within its budget ahead
(or less than half a budget behind); then it polls, and a result that lands is answered within a
poll interval. A pace that turned out wrong costs at most one budget per report, never one per
call.
"""

from __future__ import annotations

import pytest

from connect_async.check import end_is_due
from connect_async.contract import CheckPollWhen, ResponseStatus, RunStatus
from connect_async.runs import Observation, TrackerRecord
from tests.conftest import Stack, connect_event

pytestmark = pytest.mark.moto

_BEGIN_MS = 1_000_000


def _record(**changes: object) -> TrackerRecord:
    fields: dict[str, object] = {
        "task_id": "c#default",
        "task_name": "default",
        "status": RunStatus.IN_PROGRESS,
        "attempt": 1,
        "created_at_ms": _BEGIN_MS,
        "updated_at_ms": _BEGIN_MS,
        "deadline_at_ms": _BEGIN_MS + 300_000,
        "expires_at": 10**10,
        "progress_percent": 50,
        "progress_at_ms": _BEGIN_MS + 10_000,
    }
    fields.update(changes)
    return TrackerRecord(**fields)  # type: ignore[arg-type]


def test_the_expected_end_scales_the_time_to_the_last_report_by_its_percent() -> None:
    assert _record().expected_end_ms() == _BEGIN_MS + 20_000
    assert _record(progress_percent=100).expected_end_ms() == _BEGIN_MS + 10_000
    assert _record(progress_percent=0).expected_end_ms() is None  # no report yet
    assert _record(progress_at_ms=0).expected_end_ms() is None  # written before reports were timed
    assert _record(status=RunStatus.COMPLETED).expected_end_ms() is None


@pytest.mark.parametrize(
    ("after_ms", "due"),
    [
        (18_000, False),  # the end is 2 s ahead: more than the 1 s budget
        (19_000, True),  # exactly one budget ahead
        (19_900, True),
        (20_400, True),  # a little behind the pace: still worth one budget
        (20_500, False),  # half a budget behind: the pace was wrong, stop polling on it
        (30_000, False),
    ],
)
def test_an_end_is_due_within_the_budget_ahead_or_half_a_budget_behind(after_ms: int, due: bool) -> None:
    seen = Observation(ResponseStatus.IN_PROGRESS, _record())
    assert end_is_due(seen, _BEGIN_MS + after_ms, 1_000) is due


@pytest.mark.parametrize(
    ("reported_after_ms", "percent", "due"),
    [
        (30, 5, False),  # "Looking that up": a report in the first milliseconds is no pace
        (30, 99, False),  # even one that says the end is near
        (999, 99, False),
        (1_000, 99, True),  # measured over one budget: trusted
    ],
)
def test_a_pace_measured_over_less_than_a_budget_is_not_trusted(
    reported_after_ms: int, percent: int, due: bool
) -> None:
    record = _record(progress_percent=percent, progress_at_ms=_BEGIN_MS + reported_after_ms)
    # Asked as soon as the report is in, when the pace it implies puts the end within the budget.
    now_ms = _BEGIN_MS + reported_after_ms + 5
    assert end_is_due(Observation(ResponseStatus.IN_PROGRESS, record), now_ms, 1_000) is due


def test_a_final_or_absent_run_is_never_due() -> None:
    assert not end_is_due(Observation(ResponseStatus.NOT_FOUND, None), _BEGIN_MS, 1_000)
    record = _record(status=RunStatus.COMPLETED)
    assert not end_is_due(Observation(ResponseStatus.COMPLETED, record), _BEGIN_MS + 19_500, 1_000)


def _running_with_progress(stack: Stack, percent: int, after_seconds: float) -> str:
    """A run that its worker claimed and reported ``percent`` on, ``after_seconds`` in."""
    task_id = stack.start(connect_event())["task_id"]
    tracker = stack.tracker()
    assert tracker.claim(task_id, 1, "worker-1", lease_ms=600_000, give_up_at_ms=10**13).claimed
    stack.clock.advance(after_seconds)
    assert tracker.report_progress(task_id, 1, "worker-1", percent=percent, message="", give_up_at_ms=10**13)
    return task_id


def _reads_of(stack: Stack, call: object) -> tuple[int, int]:
    """How many GetItem calls one check made, and how long it took on the fake clock."""
    reads: list[str] = []
    stack.dynamodb.meta.events.register("before-call.dynamodb.GetItem", lambda **_: reads.append("get"))
    began = stack.clock.now_ms()
    assert callable(call)
    call()
    return len(reads), stack.clock.now_ms() - began


def test_check_reads_once_when_the_end_is_not_due(stack: Stack) -> None:
    stack.check_budget_ms, stack.check_poll_when = 1_000, CheckPollWhen.DUE
    _running_with_progress(stack, 50, 10)  # due 20 s in
    stack.clock.advance(5)  # 15 s in: 5 s to go
    reads, took_ms = _reads_of(stack, lambda: stack.check(connect_event()))
    assert (reads, took_ms) == (1, 0)


def test_check_polls_for_its_budget_when_the_end_is_due(stack: Stack) -> None:
    stack.check_budget_ms, stack.check_poll_when = 1_000, CheckPollWhen.DUE
    _running_with_progress(stack, 50, 10)
    stack.clock.advance(9.5)  # 19.5 s in: the end is due within the budget
    reads, took_ms = _reads_of(stack, lambda: stack.check(connect_event()))
    assert reads > 1
    assert took_ms == 1_000 - 50  # the last read comes 50 ms before the budget ends


def test_a_task_stuck_at_its_pace_costs_one_read_per_call_once_overdue(stack: Stack) -> None:
    stack.check_budget_ms, stack.check_poll_when = 1_000, CheckPollWhen.DUE
    _running_with_progress(stack, 90, 9)  # due 10 s in; it never ends
    stack.clock.advance(2)  # 11 s in: a second behind its pace
    for _ in range(5):
        reads, took_ms = _reads_of(stack, lambda: stack.check(connect_event()))
        assert (reads, took_ms) == (1, 0)
        stack.clock.advance(1.5)


def test_a_task_that_reports_nothing_is_read_once_per_call(stack: Stack) -> None:
    stack.check_budget_ms, stack.check_poll_when = 1_000, CheckPollWhen.DUE
    stack.start(connect_event())
    reads, took_ms = _reads_of(stack, lambda: stack.check(connect_event()))
    assert (reads, took_ms) == (1, 0)


def test_always_polls_for_the_budget_on_every_call(stack: Stack) -> None:
    stack.check_budget_ms, stack.check_poll_when = 1_000, CheckPollWhen.ALWAYS
    stack.start(connect_event())
    reads, took_ms = _reads_of(stack, lambda: stack.check(connect_event()))
    assert reads > 1
    assert took_ms == 950


def test_a_fresh_run_under_the_same_key_forgets_the_old_runs_pace(stack: Stack) -> None:
    task_id = _running_with_progress(stack, 50, 10)
    record = stack.tracker().get(task_id, give_up_at_ms=10**13)
    assert record is not None and record.progress_at_ms > 0
    stack.clock.advance(400)  # past the run's deadline: start begins a fresh run
    stack.start(connect_event())
    fresh = stack.tracker().get(task_id, give_up_at_ms=10**13)
    assert fresh is not None and fresh.attempt == 2
    assert (fresh.progress_percent, fresh.progress_at_ms, fresh.expected_end_ms()) == (0, 0, None)


# -- a hold the flow asks for (hold_ms): the flow module's chat pause, as a module has no Wait --


def _after_reads(stack: Stack, count: int, then: object) -> None:
    """Run ``then`` once the check has made ``count`` tracker reads (something lands mid-hold)."""
    reads: list[str] = []

    def on_read(**_: object) -> None:
        reads.append("get")
        if len(reads) == count:
            assert callable(then)
            then()

    stack.dynamodb.meta.events.register("before-call.dynamodb.GetItem", on_read)


def test_a_hold_lasts_its_length_whatever_the_budget_and_the_poll_setting(stack: Stack) -> None:
    stack.check_budget_ms, stack.check_poll_when = 0, CheckPollWhen.DUE
    stack.start(connect_event())  # a run that reports nothing: without a hold, one read and an answer
    reads, took_ms = _reads_of(stack, lambda: stack.check(connect_event(hold_ms="4000", spoken_progress="")))
    assert reads > 1
    assert took_ms == 4_000 - 50
    assert stack.check(connect_event(hold_ms="4000"))["status"] == ResponseStatus.IN_PROGRESS


def test_a_hold_never_outlives_the_lambda(stack: Stack) -> None:
    stack.start(connect_event())
    _, took_ms = _reads_of(stack, lambda: stack.check(connect_event(hold_ms="60000"), remaining_ms=5_000))
    assert took_ms < 5_000 - 250  # the Lambda's remaining time less the answer's margin


def test_a_hold_ends_as_soon_as_the_run_completes(stack: Stack) -> None:
    task_id = stack.start(connect_event())["task_id"]
    tracker = stack.tracker()
    assert tracker.claim(task_id, 1, "worker-1", lease_ms=600_000, give_up_at_ms=10**13).claimed
    _after_reads(
        stack,
        3,
        lambda: tracker.complete(task_id, 1, "worker-1", result={"message": "done"}, give_up_at_ms=10**13),
    )
    began = stack.clock.now_ms()
    answer = stack.check(connect_event(hold_ms="4000"))
    assert answer["status"] == ResponseStatus.COMPLETED
    assert stack.clock.now_ms() - began < 1_000  # three reads, one poll interval apart, not the hold


def test_a_hold_ends_as_soon_as_a_new_progress_message_can_be_spoken(stack: Stack) -> None:
    task_id = stack.start(connect_event())["task_id"]
    tracker = stack.tracker()
    assert tracker.claim(task_id, 1, "worker-1", lease_ms=600_000, give_up_at_ms=10**13).claimed
    _after_reads(
        stack,
        2,
        lambda: tracker.report_progress(
            task_id, 1, "worker-1", percent=40, message="Checking your details.", give_up_at_ms=10**13
        ),
    )
    began = stack.clock.now_ms()
    answer = stack.check(connect_event(hold_ms="4000", spoken_progress="(none)"))
    assert (answer["status"], answer["progress_changed"]) == (ResponseStatus.IN_PROGRESS, "true")
    assert answer["progress_message"] == "Checking your details."
    assert stack.clock.now_ms() - began < 1_000


@pytest.mark.parametrize("hold", ["soon", "-1", "1.5", "60001", ""])
def test_a_hold_that_is_not_a_whole_number_of_milliseconds_is_refused_by_name(
    stack: Stack, hold: str
) -> None:
    stack.start(connect_event())
    answer = stack.check(connect_event(hold_ms=hold))
    assert answer["status"] == ResponseStatus.ERROR
    assert answer["error_code"] == "invalid_event"
    assert "hold_ms must be a whole number of milliseconds from 0 to 60000" in answer["error_message"]
