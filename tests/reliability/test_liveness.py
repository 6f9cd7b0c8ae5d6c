"""Worker liveness and the contract's gaps: every failure reaches the flow as an answer, soon.

Liveness: a worker that dies after its claim (crash, out of memory, Lambda's hard timeout) stops
renewing its lease, so readers answer failed/worker_lost within WORKER_LEASE_MS, and Lambda's
retry of the event records it and fails, so the event reaches the dead-letter queue. Any other
failure after the claim ends the run at once with its own error code.

The contract cases are the classes an independent adversarial suite found (each with more than
the one example it reported): keys missing from error answers, a task module that fails while
importing, exceptions after the claim, a result written after the deadline, a tracking id the
settings say to ignore, a throttled read with no polling budget, Python's own connection errors,
a task that replaces the worker's alarm, phone numbers with other separators, text that is not
valid Unicode, bad shared settings, and a corrupt record.
"""

from __future__ import annotations

import contextlib
import signal
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError, ReadTimeoutError

from connect_async.check import CheckService, answer_keys
from connect_async.clock import SystemClock
from connect_async.config import CheckSettings, ConfigurationError, StartSettings, WorkerSettings
from connect_async.contract import START_RESPONSE_KEYS, Attr
from connect_async.events import parse_contact_event
from connect_async.handlers._boundary import answer_connect
from connect_async.lease import thread_keep_alive
from connect_async.settings import setting
from connect_async.start import StartService
from connect_async.tasks import TaskContext, TaskFailed, TransientError, load_task
from connect_async.tracker import TrackerTable
from connect_async.worker import LostRunError, WorkerService
from tests.conftest import FAST_RETRY, TABLE, WORKER_FUNCTION, FakeInvocation, Stack, connect_event
from tests.reliability.report import Recorder
from tests.reliability.runs import CONTACT, LAMBDA_FIRST_RETRY_SECONDS, TASK_ID, deliver, status_of

pytestmark = pytest.mark.moto

LEASE_SECONDS = int(setting("worker_lease_ms").default) / 1000
WRITES = ("UpdateItem", "PutItem", "DeleteItem")


def _row(recorder: Recorder, section: str, case: str, expected: str, observed: str) -> None:
    recorder.add(section, case=case, expected=expected, observed=observed)


def _event(**parameters: str) -> dict[str, Any]:
    return connect_event(contact_id=CONTACT, **parameters)


class _Died(BaseException):
    """The worker's process ends here (a crash, running out of memory, Lambda's hard timeout)."""


# -- liveness ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("case", "when"),
    [
        ("crashes right after its claim", "claim"),
        ("runs out of memory mid-task, after a progress report", "progress"),
        ("hits Lambda's hard timeout in blocking code", "blocking"),
    ],
)
def test_a_dead_worker_is_failed_worker_lost_within_one_lease(
    stack: Stack, recorder: Recorder, case: str, when: str
) -> None:
    ran: list[str] = []

    def task(context: TaskContext) -> None:
        ran.append(when)
        if when == "progress":
            context.report_progress(40, "Checking your details.")
        raise _Died

    stack.task = task
    stack.check_budget_ms = 0
    event = _event()
    stack.start(event)
    with contextlib.suppress(_Died):
        stack.run_worker(request_id="req-1")
    alive = status_of(stack.check(event))
    stack.clock.advance(LEASE_SECONDS)
    heard = status_of(stack.check(event))
    stack.clock.advance(LAMBDA_FIRST_RETRY_SECONDS)
    retries = [deliver(stack, f"req-retry-{i}") for i in (1, 2)]
    record = stack.item(TASK_ID)
    assert record is not None
    assert (alive, heard) == ("in_progress", "failed/worker_lost")
    assert retries == ["raised LostRunError"] * 2  # both retries fail: the event is dead-lettered
    assert (record["status"]["S"], record["error_code"]["S"]) == ("failed", "worker_lost")
    assert ran == [when]  # never run again
    _row(
        recorder,
        "liveness",
        f"the worker {case}",
        "failed/worker_lost within one lease; Lambda's retries record it, never run the task, "
        "and fail (dead-letter queue)",
        f"{alive} before, {heard} {LEASE_SECONDS:g} s later; "
        f"retries: {', '.join(retries)}; task ran {len(ran)}x",
    )


def test_a_live_worker_keeps_its_lease_through_a_long_task(stack: Stack, recorder: Recorder) -> None:
    stack.check_budget_ms = 0
    seen: list[str] = []

    def long_task(context: TaskContext) -> dict[str, str]:
        context.sleep(40)  # eight leases long: renewed in slices while it sleeps
        seen.append(status_of(stack.check(_event())))
        return {"answer": "42"}

    stack.task = long_task
    stack.start(_event())
    outcome = stack.run_worker()
    assert (outcome, seen) == ("completed", ["in_progress"])
    _row(
        recorder,
        "liveness",
        "a live worker runs 8 leases long",
        "in_progress throughout, then completed",
        f"{seen[0]}, then {outcome}",
    )


def test_throttled_renewals_do_not_lose_a_live_run_until_its_lease_lapses(
    stack: Stack, recorder: Recorder
) -> None:
    stack.check_budget_ms = 0

    def task(context: TaskContext) -> dict[str, str]:
        stack.injector.fail("UpdateItem", "ProvisionedThroughputExceededException", times=2)
        context.sleep(3)  # renewals in this stretch are throttled, then retried
        return {"answer": "42"}

    stack.task = task
    stack.start(_event())
    outcome = stack.run_worker()
    answer = status_of(stack.check(_event()))
    assert (outcome, answer) == ("completed", "completed")
    _row(
        recorder,
        "liveness",
        "lease renewals throttled twice",
        "renewal retried; completed",
        f"{outcome}; check: {answer}",
    )


def test_a_worker_that_lost_its_lease_cannot_complete_afterwards(stack: Stack, recorder: Recorder) -> None:
    stack.check_budget_ms = 0
    told: list[str] = []

    def task(context: TaskContext) -> dict[str, str]:
        stack.injector.fail("UpdateItem", "ProvisionedThroughputExceededException", times=1_000)
        stack.clock.advance(LEASE_SECONDS + 1)  # frozen past its lease, no renewal got through
        told.append(status_of(stack.check(_event())))
        stack.injector.clear()
        return {"answer": "42"}

    stack.task = task
    stack.start(_event())
    outcome = stack.run_worker()
    after = status_of(stack.check(_event()))
    assert told == ["failed/worker_lost"]
    assert outcome == "superseded" and after == "failed/worker_lost"  # told failed: stays failed
    _row(
        recorder,
        "liveness",
        "a worker stalls past its lease, then finishes",
        "the flow was told failed/worker_lost; the late result is refused",
        f"told {told[0]}; worker {outcome}; record {after}",
    )


START_BOUND_SECONDS = int(setting("worker_start_timeout_seconds").default)


@pytest.mark.parametrize(
    ("case", "delivered_after_s"),
    [
        ("is dropped (never delivered)", None),
        ("ages out in a throttled queue, then arrives", START_BOUND_SECONDS + 90),
        ("arrives just after the bound", START_BOUND_SECONDS + 1),
    ],
)
def test_a_worker_that_never_starts_is_failed_worker_not_started_at_the_bound(
    stack: Stack, recorder: Recorder, case: str, delivered_after_s: int | None
) -> None:
    stack.check_budget_ms = 0
    ran: list[bool] = []
    stack.task = lambda context: ran.append(True)
    stack.start(_event())
    stack.clock.advance(START_BOUND_SECONDS - 1)
    before = status_of(stack.check(_event()))
    stack.clock.advance(1)
    heard = status_of(stack.check(_event()))  # at the bound: the caller hears the fallback now
    assert (before, heard) == ("in_progress", "failed/worker_not_started")
    worker = "-"
    if delivered_after_s is not None:
        stack.clock.advance(delivered_after_s - START_BOUND_SECONDS)
        worker = deliver(stack, "req-late")
        assert worker == "raised LostRunError"  # refused, never run late: on to the dead-letter queue
    record = stack.item(TASK_ID)
    assert record is not None and "lease_owner" not in record
    final = status_of(stack.check(_event()))
    assert final == "failed/worker_not_started" and ran == []
    _row(
        recorder,
        "liveness",
        f"the worker's event {case}",
        f"failed/worker_not_started {START_BOUND_SECONDS} s after start; a late delivery refused, "
        "never run, dead-lettered",
        f"{before} at {START_BOUND_SECONDS - 1} s, {heard} at {START_BOUND_SECONDS} s; "
        f"late delivery: {worker}; task ran {len(ran)}x",
    )


def test_a_run_that_never_started_can_be_restarted_with_a_new_token(stack: Stack) -> None:
    stack.start(_event(restart_token="first"))
    stack.clock.advance(START_BOUND_SECONDS)
    assert status_of(stack.check(_event())) == "failed/worker_not_started"
    again = stack.start(_event(restart_token="second"))
    assert (again["new_run"], again["attempt"], again["status"]) == ("true", "2", "in_progress")
    assert stack.run_worker(request_id="req-2") == "completed"
    # The first attempt's late event is stale now: a new attempt owns the record.
    assert stack.run_worker(index=0, request_id="req-1-late") == "stale"


def test_a_claim_in_time_is_unaffected_by_the_bound(stack: Stack) -> None:
    # A worker that claimed before the bound runs on past it: the bound is for starting, not running.
    stack.check_budget_ms = 0
    seen: list[str] = []

    def long_task(context: TaskContext) -> dict[str, str]:
        context.sleep(START_BOUND_SECONDS + 20)
        seen.append(status_of(stack.check(_event())))
        return {"answer": "42"}

    stack.task = long_task
    stack.start(_event())
    stack.clock.advance(START_BOUND_SECONDS - 2)  # delivered late, but in time
    assert stack.run_worker() == "completed"
    assert seen == ["in_progress"] and status_of(stack.check(_event())) == "completed"


# -- 1. every key in every answer ------------------------------------------------------------


@pytest.mark.parametrize(
    ("case", "call"),
    [
        ("start: invalid event", lambda s: s.start({"Details": {}})),
        ("check: invalid event", lambda s: s.check({"Details": {}})),
        (
            "start: tracker unavailable",
            lambda s: (s.injector.fail("UpdateItem", "InternalServerError", times=99, status=500), s.start())[
                1
            ],
        ),
        (
            "check: tracker unavailable",
            lambda s: (s.injector.fail("GetItem", "InternalServerError", times=99, status=500), s.check())[1],
        ),
    ],
)
def test_error_answers_hold_every_documented_key(
    stack: Stack, recorder: Recorder, case: str, call: Callable[[Stack], dict[str, str]]
) -> None:
    answer = call(stack)
    keys = START_RESPONSE_KEYS if case.startswith("start") else answer_keys()
    assert answer["status"] == "error"
    assert set(answer) >= {str(k) for k in keys}, sorted(answer)
    _row(
        recorder,
        "contract",
        f"1. {case}",
        "error, with every key the README lists",
        f"{status_of(answer)}, {len(answer)} keys",
    )


def test_a_misconfigured_function_still_answers_every_key(recorder: Recorder) -> None:
    def broken() -> dict[str, str]:
        raise ConfigurationError("TRACKER_TABLE_NAME is required but not set")

    answer = answer_connect(broken, lambda: START_RESPONSE_KEYS)
    assert status_of(answer) == "error/configuration_error"
    assert set(answer) >= {str(k) for k in START_RESPONSE_KEYS}
    _row(
        recorder,
        "contract",
        "1. start: configuration error",
        "error, every key",
        f"{status_of(answer)}, {len(answer)} keys",
    )


# -- 2. a task module that fails while importing ----------------------------------------------


@pytest.fixture
def broken_modules(tmp_path: Path) -> Iterator[str]:
    package = tmp_path / "broken_tasks"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "key_error.py").write_text(
        "SETTINGS = {}\nTOKEN = SETTINGS['token']\n\ndef run(context):\n    return None\n"
    )
    (package / "syntax_error.py").write_text("def run(context):\n    return {\n")
    (package / "runtime_error.py").write_text("raise RuntimeError('no config file at /etc/app.ini')\n")
    (package / "exits.py").write_text("import sys\nsys.exit(3)\n")
    sys.path.insert(0, str(tmp_path))
    try:
        yield "broken_tasks"
    finally:
        sys.path.remove(str(tmp_path))
        for name in [m for m in sys.modules if m.startswith("broken_tasks")]:
            del sys.modules[name]


@pytest.mark.parametrize("module", ["key_error", "syntax_error", "runtime_error", "exits"])
def test_a_task_module_that_fails_to_import_fails_the_run_at_once(
    stack: Stack, recorder: Recorder, broken_modules: str, module: str
) -> None:
    handler = f"{broken_modules}.{module}:run"
    worker = stack.worker_service()
    worker = WorkerService(
        WorkerSettings.from_env(
            {
                "TRACKER_TABLE_NAME": TABLE,
                "TASK_HANDLER": handler,
                "TASK_RETRY_ATTEMPTS": "0",
                "WORKER_SAFETY_MARGIN_MS": "2000",
            }
        ),
        worker.tracker,
        stack.clock,
        task_loader=load_task,
        keep_alive=worker.keep_alive,
    )
    stack.start(_event())
    outcome = worker.handle(stack.invoked[-1], FakeInvocation()).value
    answer = stack.check(_event())
    assert (outcome, status_of(answer)) == ("failed", "failed/configuration_error")
    assert module in answer["error_message"]
    _row(
        recorder,
        "contract",
        f"2. task module {module} at import",
        "failed/configuration_error at once",
        f"worker {outcome}; check {status_of(answer)}",
    )


# -- 3. exceptions after the claim ------------------------------------------------------------


class _UnprintableError(Exception):
    def __str__(self) -> str:
        raise RuntimeError("even the message is broken")


def _task_raising(error: BaseException) -> Callable[[TaskContext], None]:
    def task(context: TaskContext) -> None:
        raise error

    return task


AFTER_CLAIM: list[tuple[str, Callable[[TaskContext], object], str]] = [
    ("result with an integer too large to print", lambda c: {"n": 10**5000}, "failed/invalid_result"),
    ("task exception whose __str__ raises", _task_raising(_UnprintableError()), "failed/task_error"),
    ("lone surrogate in a result value", lambda c: {"answer": "caf\ud800"}, "failed/invalid_result"),
    (
        "lone surrogate in TaskFailed's message",
        _task_raising(TaskFailed("no \ud800 funds", "insufficient_funds")),
        "failed/insufficient_funds",
    ),
    (
        "lone surrogate in a progress message",
        lambda c: (c.report_progress(50, "half \udfff way"), {"a": "1"})[1],
        "completed",
    ),
    ("SystemExit from the task", _task_raising(SystemExit(2)), "failed/task_error"),
]


@pytest.mark.parametrize(("case", "task", "expected"), AFTER_CLAIM, ids=[c[0] for c in AFTER_CLAIM])
def test_every_exception_after_the_claim_ends_the_run_at_once(
    stack: Stack, recorder: Recorder, case: str, task: Callable[[TaskContext], object], expected: str
) -> None:
    stack.task = task
    stack.task_retry_attempts = 0
    stack.start(_event())
    outcome = stack.run_worker()
    answer = stack.check(_event())
    assert status_of(answer) == expected
    answer["error_message"].encode("utf-8")  # always sendable
    _row(recorder, "contract", f"3. {case}", expected, f"worker {outcome}; check {status_of(answer)}")


def test_a_failure_in_the_workers_own_code_after_the_claim_ends_the_run(
    stack: Stack, recorder: Recorder, monkeypatch: pytest.MonkeyPatch
) -> None:
    import connect_async.worker as worker_module

    def broken(raw: object, max_bytes: int) -> dict[str, str]:
        raise LookupError("an unexpected bug")

    monkeypatch.setattr(worker_module, "normalize_result", broken)
    stack.start(_event())
    outcome = stack.run_worker()
    answer = stack.check(_event())
    assert (outcome, status_of(answer)) == ("failed", "failed/internal_error")
    _row(
        recorder,
        "contract",
        "3. the worker's own code raises after the claim",
        "failed/internal_error at once",
        f"worker {outcome}; check {status_of(answer)}",
    )


# -- 4. nothing flips a run the flow was told had failed ---------------------------------------


def test_a_result_after_the_deadline_never_flips_a_failed_run(stack: Stack, recorder: Recorder) -> None:
    stack.run_deadline_seconds = 30
    stack.worker_start_timeout_seconds = 10  # below the deadline, as the plan requires
    stack.check_budget_ms = 0
    stack.task = lambda context: context.sleep(3600)
    stack.start(_event())
    # The event waited in Lambda's queue: the worker has far more time than the run has left.
    outcome = stack.run_worker(remaining_ms=900_000)
    budget_end = stack.clock.now_ms()
    record = stack.item(TASK_ID)
    assert record is not None and budget_end < int(record[Attr.DEADLINE_AT_MS]["N"])  # stopped before it
    told = status_of(stack.check(_event()))
    # Past the deadline, a late completion by the same owner is refused; a new start is not attempt 2.
    stack.clock.advance(31)
    late = stack.tracker().complete(
        TASK_ID, 1, "req-1", result={"answer": "late"}, give_up_at_ms=stack.clock.now_ms() + 1000
    )
    again = stack.start(_event())
    after = status_of(stack.check(_event()))
    assert (outcome, told, late, after) == ("failed", "failed/worker_timeout", False, "failed/worker_timeout")
    assert again["attempt"] == "1" and again["new_run"] == "false"
    _row(
        recorder,
        "contract",
        "4. the task's budget meets the run's deadline",
        "budget ends before the deadline; a late result is refused; no second attempt",
        f"told {told}; late write applied: {late}; start: attempt {again['attempt']}; record {after}",
    )


def _slow_first_write(stack: Stack, took_ms: int) -> list[int]:
    """The next UpdateItem takes ``took_ms`` to come back throttled; returns when each was sent."""
    sent: list[int] = []

    def slow(model: Any, **kwargs: Any) -> None:
        if model.name != "UpdateItem":
            return
        sent.append(stack.clock.now_ms())
        if len(sent) == 1:
            stack.clock.sleep_ms(took_ms)
            error = {"Error": {"Code": "ProvisionedThroughputExceededException", "Message": "throttled"}}
            raise ClientError(error, "UpdateItem")  # type: ignore[arg-type]

    stack.dynamodb.meta.events.register("before-call.dynamodb.UpdateItem", slow)
    return sent


@pytest.mark.parametrize(
    ("write", "limit"),
    [
        ("complete", "deadline"),
        ("complete", "lease"),
        ("fail", "deadline"),
        ("report_progress", "deadline"),
        ("renew_lease", "lease"),
        ("claim", "claim bound"),
    ],
)
def test_a_retried_write_is_judged_by_the_time_it_is_sent(
    stack: Stack, recorder: Recorder, write: str, limit: str
) -> None:
    # Built 5 ms before the deadline (or the lease's end), throttled after 20 ms, retried after it.
    stack.check_budget_ms = 0
    stack.start(_event())
    tracker = stack.tracker()
    lease_ms = 600_000 if limit == "deadline" else 1_000  # the other limit far away
    if write != "claim":
        claimed = tracker.claim(
            TASK_ID, 1, "req-1", lease_ms=lease_ms, give_up_at_ms=stack.clock.now_ms() + 1000
        )
        assert claimed.claimed
    record = stack.item(TASK_ID)
    assert record is not None
    field = {
        "deadline": Attr.DEADLINE_AT_MS,
        "lease": Attr.LEASE_EXPIRES_AT_MS,
        "claim bound": Attr.CLAIM_BY_MS,
    }[limit]
    stack.clock.now = int(record[field.value]["N"]) - 5
    before = stack.item(TASK_ID)
    sent = _slow_first_write(stack, took_ms=20)
    give_up_at_ms = stack.clock.now_ms() + 1000
    writes: dict[str, Callable[[], object]] = {
        "complete": lambda: tracker.complete(
            TASK_ID, 1, "req-1", result={"answer": "42"}, give_up_at_ms=give_up_at_ms
        ),
        "fail": lambda: tracker.fail(
            TASK_ID,
            1,
            owner="req-1",
            error_code="task_failed",
            error_message="no",
            give_up_at_ms=give_up_at_ms,
        ),
        "report_progress": lambda: tracker.report_progress(
            TASK_ID, 1, "req-1", percent=50, message="Halfway.", give_up_at_ms=give_up_at_ms
        ),
        "renew_lease": lambda: tracker.renew_lease(
            TASK_ID, 1, "req-1", lease_ms=lease_ms, give_up_at_ms=give_up_at_ms
        ),
        "claim": lambda: tracker.claim(TASK_ID, 1, "req-1", lease_ms=lease_ms, give_up_at_ms=give_up_at_ms),
    }
    outcome = writes[write]()
    applied = outcome.claimed if write == "claim" else outcome  # type: ignore[attr-defined]
    told = status_of(stack.check(_event()))
    limit_ms = int(before[field.value]["N"])  # type: ignore[index]
    assert len(sent) == 2 and sent[0] < limit_ms < sent[1]  # sent before the limit, retried after it
    assert (applied, stack.item(TASK_ID)) == (False, before)
    told_then = {"deadline": "worker_timeout", "lease": "worker_lost", "claim bound": "worker_not_started"}
    assert told == f"failed/{told_then[limit]}"
    _row(
        recorder,
        "contract",
        f"4. {write} built 5 ms before the {limit}, throttled, retried after it",
        "refused (each attempt is judged by the time it is sent)",
        f"applied: {applied}; record unchanged; check: {told}",
    )


def _lose_answer(stack: Stack, operation: str, nth: int, hang_ms: int = 2_000) -> list[int]:
    """The nth ``operation`` request lands, then its answer is lost: the client times out after
    ``hang_ms`` (the runtime's read timeout). Returns the request count so far, as a list."""
    seen: list[int] = []

    def after(**_: Any) -> None:
        seen.append(1)
        if len(seen) == nth:
            stack.clock.advance(hang_ms / 1000)
            raise ReadTimeoutError(endpoint_url="https://dynamodb.eu-west-2.amazonaws.com")

    stack.dynamodb.meta.events.register(f"after-call.dynamodb.{operation}", after)
    return seen


@pytest.mark.parametrize(
    ("write", "nth"),
    [("start's write of the run", 1), ("the worker's claim", 1), ("the worker's result", 2)],
)
def test_a_write_whose_answer_was_lost_is_known_for_its_own_on_retry(
    stack: Stack, recorder: Recorder, write: str, nth: int
) -> None:
    # The write lands, its answer is lost, the retry is refused by its own condition (the run is
    # no longer as the write expected): the writer must see that it was its own write.
    ran: list[bool] = []

    def task(context: TaskContext) -> dict[str, str]:
        ran.append(True)
        return {"answer": "42"}

    stack.task = task
    if write == "start's write of the run":
        _lose_answer(stack, "UpdateItem", nth)
        started = stack.start(_event())
        assert (started["status"], started["new_run"]) == ("in_progress", "true")
        assert len(stack.invoked) == 1  # handed to the worker (it was not, before: no run ever)
        stack.dynamodb.meta.events.unregister("after-call.dynamodb.UpdateItem")
        worker = stack.run_worker()
    else:
        stack.start(_event())
        _lose_answer(stack, "UpdateItem", nth)
        worker = stack.run_worker()
    answer = status_of(stack.check(_event()))
    assert (worker, answer, len(ran)) == ("completed", "completed", 1)
    _row(
        recorder,
        "contract",
        f"9. {write} lands, its answer is lost, the retry is refused",
        "known for its own: the run goes on, the task runs once",
        f"worker {worker}; check {answer}; task ran {len(ran)}x",
    )


def test_a_run_whose_start_died_before_its_invoke_is_handed_over_by_connects_retry(
    stack: Stack, recorder: Recorder
) -> None:
    # The first start wrote the run and died (a crash, or Lambda's own timeout) before invoking
    # the worker; Connect's retry of the block, seconds later, finds it live and unclaimed.
    request = parse_contact_event(_event(), stack.tracking_id_source)
    now = stack.clock.now_ms()
    stack.tracker().begin_run(
        request, deadline_at_ms=now + 120_000, expires_at=now // 1000 + 3600, give_up_at_ms=now + 1000,
        claim_by_ms=now + 30_000,
    )  # fmt: skip
    stack.clock.advance(8)  # the block's time limit, then the hold message and the retry
    again = stack.start(_event())
    assert (again["status"], again["new_run"], len(stack.invoked)) == ("in_progress", "false", 1)
    worker = stack.run_worker()
    answer = status_of(stack.check(_event()))
    assert (worker, answer) == ("completed", "completed")
    _row(
        recorder,
        "contract",
        "9. start writes the run and dies before its invoke; Connect retries 8 s later",
        "the retry hands the unclaimed run over: it runs once",
        f"retry: {again['status']}, invoked {len(stack.invoked)}x; worker {worker}; check {answer}",
    )


def test_a_renewal_that_times_out_is_tried_again_while_the_lease_holds(
    stack: Stack, recorder: Recorder
) -> None:
    # One renewal hangs until the client's read timeout (2 s of a 5 s lease): its retry would
    # end past the lease, so the renewal's own retries stop; the lease is tried again at once.
    stack.check_budget_ms = 0
    hung: list[int] = []

    def hang_once(**_: Any) -> None:
        if not hung:
            hung.append(stack.clock.now_ms())
            stack.clock.advance(2)
            raise ReadTimeoutError(endpoint_url="https://dynamodb.eu-west-2.amazonaws.com")

    def task(context: TaskContext) -> dict[str, str]:
        # After the claim: the first request is the first renewal, a third of a lease later.
        stack.dynamodb.meta.events.register("before-call.dynamodb.UpdateItem", hang_once)
        context.sleep(12)  # renewed in slices while it sleeps
        stack.dynamodb.meta.events.unregister("before-call.dynamodb.UpdateItem", hang_once)
        return {"answer": "42"}

    stack.task = task
    stack.start(_event())
    outcome = stack.run_worker()
    answer = status_of(stack.check(_event()))
    assert hung and (outcome, answer) == ("completed", "completed")
    _row(
        recorder,
        "contract",
        "9. a lease renewal hangs 2 s (a read timeout) in a 5 s lease",
        "tried again at once, while the lease holds: the run goes on",
        f"worker {outcome}; check {answer}",
    )


def test_a_new_run_after_the_record_expired_has_a_key_of_its_own(stack: Stack, recorder: Recorder) -> None:
    keys: list[str] = []

    def task(context: TaskContext) -> dict[str, str]:
        keys.append(context.idempotency_key)
        if len(keys) == 1:
            raise TransientError("the bank answered 503")  # retried: the same run, the same key
        return {"answer": "42"}

    stack.task = task
    stack.start(_event())
    assert stack.run_worker() == "completed"
    stack.clock.advance(stack.record_ttl_seconds + 1)
    stack.dynamodb.delete_item(TableName=TABLE, Key={Attr.TASK_ID.value: {"S": TASK_ID}})  # TTL deletion
    again = stack.start(_event())
    assert (again["new_run"], again["attempt"]) == ("true", "1")  # attempt 1 again
    assert stack.run_worker() == "completed"
    assert len(keys) == 3 and keys[0] == keys[1] != keys[2] and all(keys)
    _row(
        recorder,
        "contract",
        "4. a new run of the task id after its record expired and was deleted (attempt 1 again)",
        "a new idempotency key (and Step Functions execution name); a retry keeps its run's",
        f"retry: {'same' if keys[0] == keys[1] else 'new'} key; new run: "
        f"{'new' if keys[2] != keys[0] else 'same'} key",
    )


# -- 5. a tracking id the settings say to ignore ----------------------------------------------


@pytest.mark.parametrize("value", [",", "customer 42", "a#b", "x" * 300])
def test_a_tracking_id_parameter_is_ignored_with_the_default_source(
    stack: Stack, recorder: Recorder, value: str
) -> None:
    answer = stack.start(_event(tracking_id=value))
    assert (answer["status"], answer["task_id"]) == ("in_progress", TASK_ID)
    assert "tracking_id" not in stack.invoked[-1]["parameters"]
    _row(
        recorder,
        "contract",
        f"5. tracking_id={value[:20]!r} with initial_contact_id",
        "ignored: in_progress on the contact's own run",
        status_of(answer),
    )


# -- 6. a throttled read with no polling budget -------------------------------------------------


def test_a_throttled_read_is_retried_even_with_check_budget_0(stack: Stack, recorder: Recorder) -> None:
    stack.check_budget_ms = 0
    stack.start(_event())
    stack.injector.fail("GetItem", "ProvisionedThroughputExceededException", times=1)
    answer = stack.check(_event())
    assert status_of(answer) == "in_progress"
    _row(
        recorder,
        "contract",
        "6. one throttled read, CHECK_BUDGET_MS=0",
        "retried: in_progress",
        status_of(answer),
    )


# -- 7. Python's own connection errors ----------------------------------------------------------


@pytest.mark.parametrize(
    "error", [ConnectionResetError, ConnectionRefusedError, ConnectionAbortedError, TimeoutError]
)
def test_pythons_connection_errors_from_a_task_are_retried(
    stack: Stack, recorder: Recorder, error: type[Exception]
) -> None:
    calls: list[int] = []

    def flaky(context: TaskContext) -> dict[str, str]:
        calls.append(1)
        if len(calls) == 1:
            raise error("peer went away")
        return {"answer": "42"}

    stack.task = flaky
    stack.start(_event())
    outcome = stack.run_worker()
    assert (outcome, len(calls)) == ("completed", 2)
    _row(
        recorder,
        "contract",
        f"7. the task raises {error.__name__} once",
        "retried: completed",
        f"{outcome} after {len(calls)} calls",
    )


# -- 8. a task that replaces the worker's alarm -------------------------------------------------


def test_a_task_that_cancels_the_workers_alarm_still_ends_at_its_budget(
    stack: Stack, recorder: Recorder
) -> None:
    # Real time here: the watchdog is a thread. Budget: 2.5 s of Lambda time - 0.5 s margin = 2 s.
    clock = SystemClock()
    tracker = TrackerTable(stack.dynamodb, TABLE, clock=clock, retry_policy=FAST_RETRY)
    start = StartService(
        StartSettings.from_env(
            {
                "TRACKER_TABLE_NAME": TABLE,
                "WORKER_FUNCTION_NAME": WORKER_FUNCTION,
                "RUN_DEADLINE_SECONDS": "60",
                "RECORD_TTL_SECONDS": "3600",
            }
        ),
        tracker,
        stack.start_service().dispatcher,
        clock,
    )
    start.handle(_event(), 8000)

    def stubborn(context: TaskContext) -> dict[str, str]:
        signal.setitimer(signal.ITIMER_REAL, 0)  # the task's own timeout handling cancels ours
        signal.signal(signal.SIGALRM, signal.SIG_IGN)
        time.sleep(6)  # blocking work, well past its budget (3 s of slack for a busy machine)
        return {"answer": "too late"}

    worker = WorkerService(
        WorkerSettings.from_env(
            {
                "TRACKER_TABLE_NAME": TABLE,
                "TASK_HANDLER": "x:y",
                "TASK_RETRY_ATTEMPTS": "0",
                "WORKER_SAFETY_MARGIN_MS": "500",
                "WORKER_LEASE_MS": "1500",
            }
        ),
        tracker,
        clock,
        task_loader=lambda _: stubborn,
        keep_alive=thread_keep_alive,
    )
    outcome = worker.handle(stack.invoked[-1], FakeInvocation("req-1", remaining_ms=2_500)).value
    check = CheckService(
        CheckSettings.from_env({"TRACKER_TABLE_NAME": TABLE, "CHECK_BUDGET_MS": "0"}),
        tracker,
        clock,
    )
    answer = status_of(check.handle(_event(), 8000))
    assert (outcome, answer) == ("failed", "failed/worker_timeout")
    _row(
        recorder,
        "contract",
        "8. the task cancels the worker's SIGALRM and blocks",
        "the watchdog records worker_timeout; the late result is refused",
        f"worker {outcome}; check {answer}",
    )


# -- 9. phone numbers in any notation ----------------------------------------------------------


@pytest.mark.parametrize(
    "number",
    [
        "+44 - 7700 - 900456",
        "+44/7700/900456",
        "+44 7700\u2013900456",
        "(0)7700.900.456",
        "+44\u20117700\u2011900456",
    ],
)
def test_phone_numbers_with_any_separator_are_masked(stack: Stack, recorder: Recorder, number: str) -> None:
    stack.task = _task_raising(RuntimeError(f"call the customer on {number}"))
    stack.task_retry_attempts = 0
    stack.start(_event())
    stack.run_worker()
    answer = stack.check(_event())
    assert "900456" not in answer["error_message"] and "[redacted]" in answer["error_message"]
    _row(
        recorder,
        "contract",
        f"9. {number!r} in a task's error",
        "masked in error_message and logs",
        answer["error_message"],
    )


# -- 10. text that is not valid Unicode in ContactData -------------------------------------------


@pytest.mark.parametrize("field", ["LanguageCode", "Channel", "InitiationMethod", "InstanceARN"])
def test_lone_surrogates_in_contact_data_are_rejected_before_any_write(
    stack: Stack, recorder: Recorder, field: str
) -> None:
    event = _event()
    event["Details"]["ContactData"][field] = "en-\ud800"
    before = sum(stack.injector.calls.get(op, 0) for op in WRITES)
    answer = stack.start(event)
    writes = sum(stack.injector.calls.get(op, 0) for op in WRITES) - before
    assert (status_of(answer), writes) == ("error/invalid_event", 0)
    _row(
        recorder,
        "contract",
        f"10. a lone surrogate in ContactData.{field}",
        "error/invalid_event, no write",
        f"{status_of(answer)}, {writes} writes",
    )


# -- 11. bad shared settings --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "value"), [("POWERTOOLS_LOG_LEVEL", "LOUD"), ("TRACING_ENABLED", "perhaps")]
)
def test_bad_shared_settings_are_configuration_errors(recorder: Recorder, name: str, value: str) -> None:
    env = {
        "TRACKER_TABLE_NAME": TABLE,
        "WORKER_FUNCTION_NAME": "w",
        "TASK_HANDLER": "a.b:c",
        name: value,
    }
    problems = []
    for settings in (StartSettings, CheckSettings, WorkerSettings):
        with pytest.raises(ConfigurationError, match=name):
            settings.from_env(env)
        problems.append(settings.__name__)
    answer = answer_connect(lambda: StartSettings.from_env(env) and {}, lambda: START_RESPONSE_KEYS)
    assert status_of(answer) == "error/configuration_error" and name in answer["error_message"]
    _row(
        recorder,
        "contract",
        f"11. {name}={value}",
        "configuration_error naming the variable",
        f"{status_of(answer)}: {answer['error_message']}",
    )


# -- 12. a corrupt record ------------------------------------------------------------------------


def test_a_corrupt_record_is_the_same_answer_from_start_and_check(stack: Stack, recorder: Recorder) -> None:
    stack.dynamodb.put_item(
        TableName=TABLE,
        Item={"task_id": {"S": TASK_ID}, "status": {"S": "sleeping"}, "attempt": {"S": "one"}},
    )
    started = answer_connect(lambda: stack.start(_event()), lambda: START_RESPONSE_KEYS)
    checked = answer_connect(lambda: stack.check(_event()), answer_keys)
    assert status_of(started) == status_of(checked) == "error/corrupt_record"
    assert "DynamoDB" not in checked["error_message"]
    _row(
        recorder,
        "contract",
        "12. a record with an unknown status",
        "error/corrupt_record from start and check",
        f"start {status_of(started)}; check {status_of(checked)}",
    )


def test_the_lost_run_exception_is_raised_only_for_lost_runs(stack: Stack) -> None:
    # A duplicate of a run a live worker holds is a quiet no-op, not a dead-letter.
    stack.start(_event())
    stack.tracker().claim(TASK_ID, 1, "req-live", lease_ms=5_000, give_up_at_ms=stack.clock.now_ms() + 1000)
    assert stack.run_worker(request_id="req-dup") == "duplicate"
    stack.clock.advance(6)
    with pytest.raises(LostRunError):
        stack.run_worker(request_id="req-late")
