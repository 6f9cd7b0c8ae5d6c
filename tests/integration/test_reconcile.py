"""The reconciler: a lost run's dead-lettered event, reconciled once, recorded beside the run's
final state (never instead of it); what it cannot reconcile is parked, never retried forever."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ReadTimeoutError

from connect_async.contract import MAX_RECONCILE_OUTCOME_CHARS, Attr, ReconcileStatus
from connect_async.reconcile import MessageOutcome, invocation_record
from connect_async.tasks import LostRun, Reconciled, RetryLater, TaskContext
from tests.conftest import CUSTOMER_PHONE, LOG_CAPTURE, FakeInvocation, Stack, connect_event
from tests.reliability.runs import CONTACT, LAMBDA_FIRST_RETRY_SECONDS, TASK_ID

pytestmark = pytest.mark.moto

STATUS_FIELDS = {Attr.STATUS.value, Attr.ERROR_CODE.value, Attr.ERROR_MESSAGE.value, Attr.RESULT.value}


class _Died(BaseException):
    """The worker's process ends here (out of memory, say): nothing more is written."""


class Calls:
    """A reconcile function that answers what it is told, and remembers each run it got."""

    def __init__(self, *answers: object) -> None:
        self.answers = list(answers) or [Reconciled("the bank has no such transfer; nothing to undo")]
        self.runs: list[LostRun] = []

    def __call__(self, run: LostRun) -> object:
        self.runs.append(run)
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if isinstance(answer, BaseException):
            raise answer
        return answer


def _lost_run(stack: Stack, **parameters: str) -> str:
    """A transfer whose worker dies after its progress report; Lambda's retries record the run
    worker_lost and fail. Returns the dead-letter message Lambda sends for it."""

    def transfer(context: TaskContext) -> dict[str, str]:
        context.report_progress(60, "Sent to the bank")
        raise _Died

    stack.task = transfer
    stack.start(connect_event(contact_id=CONTACT, **parameters))
    with pytest.raises(_Died):
        stack.run_worker(request_id="req-1")
    stack.clock.advance(LAMBDA_FIRST_RETRY_SECONDS)
    assert "LostRunError" in _deliver(stack, "req-1")
    return invocation_record(stack.invoked[-1], request_id="req-1")


def _deliver(stack: Stack, request_id: str) -> str:
    try:
        return stack.run_worker(request_id=request_id)
    except Exception as exc:
        return f"raised {type(exc).__name__}"


def _handle(
    stack: Stack, reconcile: Callable[..., object], body: str, request_id: str = "rec-1"
) -> MessageOutcome:
    return stack.reconcile_service(reconcile).handle(body, FakeInvocation(request_id, 60_000))


def _status_fields(stack: Stack) -> dict[str, Any]:
    item = stack.item(TASK_ID) or {}
    return {key: value for key, value in item.items() if key in STATUS_FIELDS}


def test_a_lost_run_is_reconciled_once_with_what_its_worker_saw(stack: Stack) -> None:
    body = _lost_run(stack, amount="120.00", to_account="GB33BUKB20201555555555")
    before = _status_fields(stack)
    calls = Calls()

    assert _handle(stack, calls, body) is MessageOutcome.RECONCILED

    (run,) = calls.runs
    assert (run.task_id, run.attempt, run.error_code) == (TASK_ID, 1, "worker_lost")
    assert dict(run.parameters) == {"amount": "120.00", "to_account": "GB33BUKB20201555555555"}
    assert (run.progress_percent, run.progress_message) == (60, "Sent to the bank")
    assert run.request_payload == stack.invoked[-1]
    assert run.condition == "RetriesExhausted" and run.invoke_count == 3
    assert isinstance(run.response_payload, dict) and run.response_payload["errorType"] == "LostRunError"
    assert run.previous_attempts == 0
    item = stack.item(TASK_ID) or {}
    assert item[Attr.RECONCILE_STATUS.value] == {"S": ReconcileStatus.RECONCILED.value}
    assert item[Attr.RECONCILE_OUTCOME.value] == {"S": "the bank has no such transfer; nothing to undo"}
    assert item[Attr.RECONCILE_ATTEMPTS.value] == {"N": "1"}
    # The run's own state is as the worker left it: the caller already heard the fallback.
    assert _status_fields(stack) == before and before[Attr.STATUS.value] == {"S": "failed"}


def test_the_idempotency_key_is_the_one_the_task_gave_the_third_party(stack: Stack) -> None:
    keys: list[str] = []

    def transfer(context: TaskContext) -> dict[str, str]:
        keys.append(context.idempotency_key)
        raise _Died

    stack.task = transfer
    stack.start(connect_event(contact_id=CONTACT))
    with pytest.raises(_Died):
        stack.run_worker(request_id="req-1")
    stack.clock.advance(LAMBDA_FIRST_RETRY_SECONDS)
    _deliver(stack, "req-1")
    calls = Calls()
    _handle(stack, calls, invocation_record(stack.invoked[-1], request_id="req-1"))
    assert calls.runs[0].idempotency_key == keys[0] != ""


def test_duplicate_deliveries_reconcile_once(stack: Stack) -> None:
    body = _lost_run(stack)
    calls = Calls()
    outcomes = [_handle(stack, calls, body, request_id=f"rec-{n}") for n in range(4)]
    assert outcomes == [MessageOutcome.RECONCILED] + [MessageOutcome.ALREADY_RECONCILED] * 3
    assert len(calls.runs) == 1


def test_a_delivery_while_another_reconciles_waits_and_a_dead_reconciler_is_taken_over(stack: Stack) -> None:
    body = _lost_run(stack)
    job = stack.invoked[-1]
    tracker = stack.tracker()
    # Another delivery of the same message is reconciling now (it holds it for 30 s).
    assert tracker.begin_reconcile(
        TASK_ID, 1, job["run_created_at_ms"], "other/1", hold_ms=30_000, give_up_at_ms=stack.clock.now + 5000
    )
    calls = Calls()
    assert _handle(stack, calls, body) is MessageOutcome.RETRY
    assert calls.runs == []
    # That reconciler died (its Lambda timed out): once its hold ends, the next delivery takes over.
    stack.clock.advance(31)
    assert _handle(stack, calls, body) is MessageOutcome.RECONCILED
    assert len(calls.runs) == 1 and calls.runs[0].previous_attempts == 1


def test_retry_later_and_a_raise_are_retried_then_reconciled(stack: Stack) -> None:
    body = _lost_run(stack)
    calls = Calls(RetryLater("the bank's API is down"), ValueError("timeout"), Reconciled("refunded"))

    assert _handle(stack, calls, body) is MessageOutcome.RETRY
    item = stack.item(TASK_ID) or {}
    assert item[Attr.RECONCILE_STATUS.value] == {"S": "retry_later"}
    assert item[Attr.RECONCILE_OUTCOME.value] == {"S": "the bank's API is down"}

    assert _handle(stack, calls, body) is MessageOutcome.RETRY
    item = stack.item(TASK_ID) or {}
    assert item[Attr.RECONCILE_OUTCOME.value] == {"S": "the reconcile function raised ValueError"}

    assert _handle(stack, calls, body) is MessageOutcome.RECONCILED
    assert [run.previous_attempts for run in calls.runs] == [0, 1, 2]
    assert (stack.item(TASK_ID) or {})[Attr.RECONCILE_ATTEMPTS.value] == {"N": "3"}


def test_an_answer_that_is_neither_is_retried_and_named(stack: Stack) -> None:
    body = _lost_run(stack)
    assert _handle(stack, Calls({"status": "ok"}), body) is MessageOutcome.RETRY
    outcome = (stack.item(TASK_ID) or {})[Attr.RECONCILE_OUTCOME.value]["S"]
    assert "must return Reconciled(outcome) or RetryLater(reason), not dict" in outcome


def test_the_recorded_outcome_is_redacted_and_trimmed_and_no_log_carries_personal_data(stack: Stack) -> None:
    body = _lost_run(stack, phone=CUSTOMER_PHONE)
    seen = len(LOG_CAPTURE.lines)
    boom = RuntimeError(f"the bank refused the call from {CUSTOMER_PHONE}")
    assert _handle(stack, Calls(boom), body) is MessageOutcome.RETRY
    long = f"called {CUSTOMER_PHONE} back: " + "x" * 400
    assert _handle(stack, Calls(Reconciled(long)), body) is MessageOutcome.RECONCILED
    outcome = (stack.item(TASK_ID) or {})[Attr.RECONCILE_OUTCOME.value]["S"]
    assert CUSTOMER_PHONE not in outcome and "[redacted]" in outcome
    assert len(outcome) == MAX_RECONCILE_OUTCOME_CHARS
    lines = LOG_CAPTURE.lines[seen:]
    assert lines, "the reconciler logs what it does"
    assert not [line for line in lines if "7700" in line or "GB33" in line or "x" * 50 in line]


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ("not json", "the body is not JSON"),
        ("[1, 2]", "the body is not a JSON object"),
        (json.dumps({"Records": []}), "no requestPayload"),
        (json.dumps({"requestPayload": {"version": 1}}), "the requestPayload is not a worker event"),
    ],
)
def test_a_message_that_is_not_a_dead_lettered_worker_event_is_parked_with_its_reason(
    stack: Stack, body: str, reason: str
) -> None:
    parked: list[tuple[str, str]] = []
    calls = Calls()
    service = stack.reconcile_service(calls, parked)
    assert service.handle(body, FakeInvocation()) is MessageOutcome.PARKED
    assert parked == [(body, parked[0][1])] and parked[0][1].startswith(reason)
    assert calls.runs == []


def test_an_unknown_run_is_parked_and_a_park_that_fails_is_retried(stack: Stack) -> None:
    body = _lost_run(stack)
    payload = {**stack.invoked[-1], "attempt": 7}
    parked: list[tuple[str, str]] = []
    other = invocation_record(payload, request_id="req-9")
    assert stack.reconcile_service(Calls(), parked).handle(other, FakeInvocation()) is MessageOutcome.PARKED
    assert parked[0][1].startswith("unknown run")

    def cannot_park(body: str, reason: str) -> None:
        raise ConnectionError("SQS unreachable")

    service = stack.reconcile_service(Calls())
    service.park = cannot_park
    assert service.handle(other, FakeInvocation()) is MessageOutcome.RETRY
    # The real run's message is unaffected.
    assert _handle(stack, Calls(), body) is MessageOutcome.RECONCILED


def test_a_run_that_completed_or_still_runs_is_not_reconciled(stack: Stack) -> None:
    stack.task = lambda context: {"answer": "42"}
    stack.start(connect_event(contact_id=CONTACT))
    calls = Calls()
    body = invocation_record(stack.invoked[-1], request_id="req-1")
    # Still unclaimed, within its claim bound: in progress, so later.
    assert _handle(stack, calls, body) is MessageOutcome.RETRY
    assert stack.run_worker(request_id="req-1") == "completed"
    assert _handle(stack, calls, body) is MessageOutcome.NOTHING_TO_RECONCILE
    assert calls.runs == []
    assert Attr.RECONCILE_STATUS.value not in (stack.item(TASK_ID) or {})


def test_a_run_restarted_while_it_was_reconciled_keeps_the_new_runs_record(stack: Stack) -> None:
    body = _lost_run(stack)

    def restart_meanwhile(run: LostRun) -> Reconciled:
        # The caller rings again with a restart token: a new attempt replaces the record.
        stack.start(connect_event(contact_id=CONTACT, restart_token="again"))
        return Reconciled("nothing sent")

    assert _handle(stack, restart_meanwhile, body) is MessageOutcome.RECONCILED
    item = stack.item(TASK_ID) or {}
    assert item[Attr.ATTEMPT.value] == {"N": "2"} and item[Attr.STATUS.value] == {"S": "in_progress"}
    assert Attr.RECONCILE_STATUS.value not in item


def test_the_worker_not_started_run_is_reconciled_too(stack: Stack) -> None:
    stack.task = lambda context: {"answer": "42"}
    stack.start(connect_event(contact_id=CONTACT))
    # The event waited in Lambda's queue past the claim bound: the late delivery is refused.
    stack.clock.advance(stack.worker_start_timeout_seconds + 1)
    assert "LostRunError" in _deliver(stack, "req-1")
    calls = Calls()
    assert (
        _handle(stack, calls, invocation_record(stack.invoked[-1], request_id="req-1"))
        is MessageOutcome.RECONCILED
    )
    assert calls.runs[0].error_code == "worker_not_started"


def test_a_write_that_landed_with_its_answer_lost_is_known_for_its_own(stack: Stack) -> None:
    # Each of the reconciler's two writes lands, then its answer is lost (a read timeout): the
    # retried write is refused, and the reconciler must know the landed one for its own, not
    # take it for another reconciler's (which would retry, and reconcile twice).
    body = _lost_run(stack)
    lost: list[str] = []

    def lose_the_answer(model: Any, **_: Any) -> None:
        if model.name == "UpdateItem" and len(lost) < 2:
            lost.append(model.name)
            raise ReadTimeoutError(endpoint_url="https://dynamodb.eu-west-2.amazonaws.com")

    stack.dynamodb.meta.events.register("after-call.dynamodb.UpdateItem", lose_the_answer)
    calls = Calls()
    assert _handle(stack, calls, body) is MessageOutcome.RECONCILED
    assert len(lost) == 2 and len(calls.runs) == 1
    item = stack.item(TASK_ID) or {}
    assert item[Attr.RECONCILE_STATUS.value] == {"S": "reconciled"}
    assert item[Attr.RECONCILE_ATTEMPTS.value] == {"N": "1"}
