"""start -> worker -> check against moto's DynamoDB and Lambda, with a controllable clock."""

from __future__ import annotations

import contextlib
from typing import Any

import pytest

from connect_async.contract import ErrorCode, ResponseStatus, TrackingIdSource
from connect_async.tasks import TaskContext, TaskFailed, TransientError
from connect_async.worker import LostRunError
from tests.conftest import TABLE, Stack, connect_event

pytestmark = pytest.mark.moto

CONTACT = "11111111-2222-3333-4444-555555555555"
TASK_ID = f"{CONTACT}#default"


def _status(item: dict[str, Any] | None) -> str:
    assert item is not None
    return str(item["status"]["S"])


def test_full_cycle_completes_and_check_returns_prefixed_result(stack: Stack) -> None:
    started = stack.start(connect_event(duration_seconds="3"))
    assert started == {
        "status": "in_progress",
        "task_id": TASK_ID,
        "attempt": "1",
        "new_run": "true",
        "error_code": "",
        "error_message": "",
    }
    assert len(stack.invoked) == 1
    assert stack.invoked[0]["parameters"] == {"duration_seconds": "3"}
    # The worker payload carries no personal data: no endpoint, no attributes.
    assert "+447700900123" not in str(stack.invoked[0])

    assert stack.check()["status"] == "in_progress"  # nothing has run yet: budget spent
    assert stack.run_worker() == "completed"
    checked = stack.check()
    assert checked["status"] == "completed"
    assert checked["result_message"] == "Your request is complete."
    assert checked["result_duration_seconds"] == "3.0"
    assert checked["progress_percent"] == "100"
    assert checked["error_code"] == ""
    assert all(isinstance(v, str) for v in checked.values())


def test_three_starts_for_one_contact_invoke_the_worker_once(stack: Stack) -> None:
    responses = [stack.start() for _ in range(3)]
    assert len(stack.invoked) == 1
    assert [r["new_run"] for r in responses] == ["true", "false", "false"]
    assert {r["status"] for r in responses} == {"in_progress"}
    assert {r["attempt"] for r in responses} == {"1"}


def test_transferred_contact_finds_the_same_run_by_initial_contact_id(stack: Stack) -> None:
    stack.start(connect_event(contact_id=CONTACT))
    again = stack.start(
        connect_event(contact_id="99999999-0000-0000-0000-000000000000", initial_contact_id=CONTACT)
    )
    assert again["new_run"] == "false"
    assert again["task_id"] == TASK_ID
    assert len(stack.invoked) == 1


def test_contact_id_source_gives_a_transferred_contact_its_own_run(stack: Stack) -> None:
    stack.tracking_id_source = TrackingIdSource.CONTACT_ID
    stack.start(connect_event(contact_id=CONTACT))
    other = stack.start(
        connect_event(contact_id="99999999-0000-0000-0000-000000000000", initial_contact_id=CONTACT)
    )
    assert other["new_run"] == "true"
    assert len(stack.invoked) == 2


def test_parameter_source_lets_a_caller_collect_a_result_from_another_contact(stack: Stack) -> None:
    stack.tracking_id_source = TrackingIdSource.PARAMETER
    stack.start(connect_event(contact_id=CONTACT, tracking_id="customer-42"))
    stack.run_worker()
    later = stack.check(
        connect_event(contact_id="99999999-0000-0000-0000-000000000000", tracking_id="customer-42")
    )
    assert later["status"] == "completed"
    assert later["task_id"] == "customer-42#default"


def test_tracking_id_parameter_is_ignored_unless_the_operator_chose_it(stack: Stack) -> None:
    stack.tracking_id_source = TrackingIdSource.PARAMETER
    stack.start(connect_event(contact_id=CONTACT, tracking_id="customer-42"))
    stack.run_worker()
    stack.tracking_id_source = TrackingIdSource.INITIAL_CONTACT_ID
    spoofed = stack.check(
        connect_event(contact_id="99999999-0000-0000-0000-000000000000", tracking_id="customer-42")
    )
    assert spoofed["status"] == "not_found"


def test_several_tasks_per_contact_are_separate_runs(stack: Stack) -> None:
    stack.start(connect_event(task_name="balance"))
    stack.start(connect_event(task_name="transfer"))
    assert [p["task_id"] for p in stack.invoked] == [f"{CONTACT}#balance", f"{CONTACT}#transfer"]


def test_duplicate_worker_delivery_after_completion_changes_nothing(stack: Stack) -> None:
    stack.start()
    assert stack.run_worker(request_id="req-1") == "completed"
    before = stack.item(TASK_ID)
    stack.clock.advance(5)
    assert stack.run_worker(request_id="req-2") == "duplicate"
    assert stack.item(TASK_ID) == before


def test_concurrent_duplicate_delivery_does_not_run_the_task_twice(stack: Stack) -> None:
    runs: list[str] = []

    def task(context: TaskContext) -> dict[str, str]:
        runs.append(context.task_id)
        # While this run is working, Lambda delivers the same event again.
        assert stack.run_worker(request_id="req-duplicate") == "duplicate"
        return {"ok": "yes"}

    stack.task = task
    stack.start()
    assert stack.run_worker(request_id="req-1") == "completed"
    assert runs == [TASK_ID]
    item = stack.item(TASK_ID)
    assert item is not None
    assert item["worker_runs"]["N"] == "1"


def test_a_run_no_worker_claims_is_reported_failed_at_the_claim_bound(stack: Stack) -> None:
    stack.run_deadline_seconds = 60
    stack.start()
    # The worker's event never arrives (throttled past its retries, dropped, aged out).
    stack.clock.advance(20)
    assert stack.check()["status"] == "in_progress"  # polls for 4 s, up to 24 s
    stack.clock.advance(7)
    late = stack.check()
    assert (late["status"], late["error_code"]) == ("failed", "worker_not_started")
    # Its elapsed time stops at the bound: the run ended there, for every reader.
    assert late["elapsed_seconds"] == "30"
    # check only reads: the record itself is untouched.
    assert _status(stack.item(TASK_ID)) == "in_progress"


def test_a_claimed_run_is_never_executed_twice_even_after_a_crash(stack: Stack) -> None:
    ran: list[bool] = []
    stack.task = lambda context: ran.append(True)
    stack.check_budget_ms = 0  # one read per check: the clock moves only here
    stack.start()
    # The first invocation claims the run and dies (no final write, no renewal): a claim only.
    stack.tracker().claim(
        TASK_ID, 1, "req-crashed", lease_ms=5_000, give_up_at_ms=stack.clock.now_ms() + 1000
    )
    stack.clock.advance(4)
    assert stack.check()["status"] == "in_progress"  # the lease still holds
    stack.clock.advance(2)
    lost = stack.check()
    assert (lost["status"], lost["error_code"]) == ("failed", "worker_lost")  # read as failed at once
    stack.clock.advance(60)  # Lambda's asynchronous retry arrives a minute later
    with pytest.raises(LostRunError):  # the event goes on to the dead-letter queue
        stack.run_worker(request_id="req-retry")
    assert ran == []  # never run again
    item = stack.item(TASK_ID)
    assert (_status(item), item["error_code"]["S"]) == ("failed", "worker_lost")
    with pytest.raises(LostRunError):  # and so does every later delivery of that event
        stack.run_worker(request_id="req-retry-2")


def test_start_after_a_crashed_run_passes_its_deadline_begins_attempt_two(stack: Stack) -> None:
    stack.run_deadline_seconds = 60
    stack.start()
    stack.clock.advance(61)
    again = stack.start()
    assert again["new_run"] == "true"
    assert again["attempt"] == "2"
    assert len(stack.invoked) == 2
    # The first attempt's late delivery is stale: it cannot touch attempt two.
    assert stack.run_worker(index=0, request_id="req-old") == "stale"
    assert stack.run_worker(index=1, request_id="req-new") == "completed"


def test_worker_delivered_after_the_claim_bound_refuses_the_run(stack: Stack) -> None:
    ran: list[bool] = []
    stack.task = lambda context: ran.append(True)
    stack.start()
    stack.clock.advance(31)  # the event sat in Lambda's queue past worker_start_timeout_seconds
    with pytest.raises(LostRunError, match="started too late"):
        stack.run_worker()  # on to the dead-letter queue, not run late
    assert ran == []
    item = stack.item(TASK_ID)
    assert item is not None
    assert (item["status"]["S"], item["error_code"]["S"]) == ("failed", "worker_not_started")
    assert "lease_owner" not in item  # nothing claimed it
    # Lambda's retries of that event meet the final record: refused again, nothing changes.
    stack.clock.advance(60)
    with pytest.raises(LostRunError):
        stack.run_worker(request_id="req-retry")
    assert stack.item(TASK_ID) == item and ran == []


def test_a_record_without_a_claim_bound_is_refused_after_its_deadline(stack: Stack) -> None:
    # A record an earlier version wrote (no claim_by_ms): the deadline is its only bound.
    ran: list[bool] = []
    stack.task = lambda context: ran.append(True)
    stack.run_deadline_seconds = 60
    stack.start()
    stack.dynamodb.update_item(
        TableName=TABLE, Key={"task_id": {"S": TASK_ID}}, UpdateExpression="REMOVE claim_by_ms"
    )
    stack.clock.advance(45)
    assert stack.check()["status"] == "in_progress"
    stack.clock.advance(16)
    assert stack.run_worker() == "failed"
    assert ran == []
    item = stack.item(TASK_ID)
    assert item is not None
    assert (item["status"]["S"], item["error_code"]["S"]) == ("failed", "worker_timeout")


def test_ttl_expired_record_still_present_reads_as_not_found_and_can_restart(stack: Stack) -> None:
    stack.record_ttl_seconds = 600
    stack.start()
    stack.run_worker()
    stack.clock.advance(601)
    assert stack.item(TASK_ID) is not None  # moto, like DynamoDB, has not deleted it
    assert stack.check()["status"] == "not_found"
    restarted = stack.start()
    assert restarted["new_run"] == "true"
    assert restarted["attempt"] == "2"


def test_check_for_a_run_that_never_started_is_not_found(stack: Stack) -> None:
    response = stack.check()
    assert response["status"] == "not_found"
    assert response["task_id"] == TASK_ID


def test_completed_run_is_not_restarted_without_a_new_restart_token(stack: Stack) -> None:
    stack.start()
    stack.run_worker()
    again = stack.start()
    assert (again["status"], again["new_run"]) == ("completed", "false")
    fresh = stack.start(connect_event(restart_token="retry-1"))
    assert (fresh["status"], fresh["new_run"], fresh["attempt"]) == ("in_progress", "true", "2")
    # Connect retrying that same block sends the same token: no third run.
    repeat = stack.start(connect_event(restart_token="retry-1"))
    assert repeat["new_run"] == "false"
    assert len(stack.invoked) == 2


def test_restart_token_does_not_interrupt_a_run_in_progress(stack: Stack) -> None:
    stack.start()
    response = stack.start(connect_event(restart_token="retry-1"))
    assert (response["status"], response["new_run"]) == ("in_progress", "false")


def test_oversized_result_fails_with_result_too_large(stack: Stack) -> None:
    stack.max_result_bytes = 1024
    stack.task = lambda context: {"answer": "x" * 2000}
    stack.start()
    assert stack.run_worker() == "failed"
    response = stack.check()
    assert (response["status"], response["error_code"]) == ("failed", "result_too_large")
    assert "limit is 1024" in response["error_message"]
    assert not any(k.startswith("result_") for k in response)


def test_result_with_unsupported_type_fails_with_invalid_result(stack: Stack) -> None:
    stack.task = lambda context: {"items": ["a", "b"]}
    stack.start()
    stack.run_worker()
    response = stack.check()
    assert (response["status"], response["error_code"]) == ("failed", "invalid_result")
    assert "list" in response["error_message"]


def test_numbers_and_booleans_in_a_result_are_converted_explicitly(stack: Stack) -> None:
    stack.task = lambda context: {"amount": 12.5, "count": 3, "approved": True, "none_left": False}
    stack.start()
    stack.run_worker()
    response = stack.check()
    assert (response["result_amount"], response["result_count"]) == ("12.5", "3")
    assert (response["result_approved"], response["result_none_left"]) == ("true", "false")


def test_task_exception_is_recorded_trimmed_and_redacted_not_raised(stack: Stack) -> None:
    def task(context: TaskContext) -> None:
        raise ValueError("customer +44 7700 900123 said: " + "y" * 1000)

    stack.task = task
    stack.start()
    assert stack.run_worker() == "failed"
    response = stack.check()
    assert (response["status"], response["error_code"]) == ("failed", "task_error")
    assert response["error_message"].startswith("ValueError: customer [redacted] said")
    assert len(response["error_message"]) <= 256
    assert "7700" not in response["error_message"]


def test_task_failed_with_its_own_error_code_reaches_the_flow(stack: Stack) -> None:
    def task(context: TaskContext) -> None:
        raise TaskFailed("not enough funds for this transfer", "insufficient_funds")

    stack.task = task
    stack.start()
    stack.run_worker()
    response = stack.check()
    assert (response["error_code"], response["error_message"]) == (
        "insufficient_funds",
        "not enough funds for this transfer",
    )


def test_transient_task_errors_are_retried_with_backoff_then_succeed(stack: Stack) -> None:
    calls: list[int] = []

    def task(context: TaskContext) -> dict[str, str]:
        calls.append(1)
        if len(calls) < 3:
            raise TransientError("the bank said try again")
        return {"done": "yes"}

    stack.task = task
    stack.start()
    assert stack.run_worker() == "completed"
    assert len(calls) == 3
    assert len(stack.clock.slept) == 2  # two backoffs, on the worker's clock


def test_transient_task_errors_stop_after_the_configured_attempts(stack: Stack) -> None:
    calls: list[int] = []

    def task(context: TaskContext) -> None:
        calls.append(1)
        raise TransientError("still busy")

    stack.task_retry_attempts = 1
    stack.task = task
    stack.start()
    assert stack.run_worker() == "failed"
    assert len(calls) == 2
    assert stack.check()["error_code"] == "task_error"


def test_task_running_out_of_budget_records_worker_timeout(stack: Stack) -> None:
    stack.task = lambda context: context.sleep(3600)
    stack.start()
    # 60 s of Lambda time, minus the 2 s safety margin: the task is stopped at 58 s.
    assert stack.run_worker(remaining_ms=60_000) == "failed"
    response = stack.check()
    assert (response["status"], response["error_code"]) == ("failed", "worker_timeout")
    assert stack.clock.now_ms() - 1_767_225_600_000 == 58_000


def test_task_swallowing_exceptions_still_cannot_outrun_its_budget(stack: Stack) -> None:
    def stubborn(context: TaskContext) -> None:
        # A task's broad except must not catch the timeout and keep running.
        with contextlib.suppress(Exception):
            context.sleep(3600)

    stack.task = stubborn
    stack.start()
    assert stack.run_worker() == "failed"
    assert stack.check()["error_code"] == "worker_timeout"


def test_progress_is_visible_to_check_while_the_task_runs(stack: Stack) -> None:
    seen: list[dict[str, str]] = []

    def task(context: TaskContext) -> dict[str, str]:
        context.report_progress(40, "Contacting your bank")
        seen.append(stack.check())
        return {"ok": "1"}

    stack.check_budget_ms = 0  # answer at once: the worker is running in this same thread
    stack.task = task
    stack.start()
    stack.run_worker()
    assert seen[0]["status"] == "in_progress"
    assert (seen[0]["progress_percent"], seen[0]["progress_message"]) == ("40", "Contacting your bank")


def test_progress_changed_says_whether_the_caller_has_heard_this_message(stack: Stack) -> None:
    seen: dict[str, dict[str, str]] = {}

    def task(context: TaskContext) -> dict[str, str]:
        context.report_progress(40, "Contacting your bank")
        seen["unspoken"] = stack.check(connect_event(spoken_progress=""))
        seen["spoken"] = stack.check(connect_event(spoken_progress="Contacting your bank"))
        seen["flow does not say"] = stack.check()
        return {"ok": "1"}

    stack.check_budget_ms = 0
    stack.task = task
    stack.start()
    stack.run_worker()
    assert {name: r["progress_changed"] for name, r in seen.items()} == {
        "unspoken": "true",
        "spoken": "false",
        "flow does not say": "false",
    }
    # Finished runs never ask the flow to speak progress; the flag is always present.
    assert stack.check(connect_event(spoken_progress=""))["progress_changed"] == "false"


def test_invalid_progress_is_a_task_error(stack: Stack) -> None:
    stack.task = lambda context: context.report_progress(150, "too much")
    stack.start()
    stack.run_worker()
    assert stack.check()["error_code"] == "task_error"


def test_restarted_run_stops_the_old_worker_at_its_next_progress_report(stack: Stack) -> None:
    def task(context: TaskContext) -> dict[str, str]:
        stack.clock.advance(200)  # past the deadline: a new start takes over the key
        assert stack.start()["attempt"] == "2"
        context.report_progress(50, "still going")
        return {"never": "recorded"}

    stack.run_deadline_seconds = 60
    stack.task = task
    stack.start()
    assert stack.run_worker(index=0) == "superseded"
    item = stack.item(TASK_ID)
    assert item is not None
    assert (item["status"]["S"], item["attempt"]["N"]) == ("in_progress", "2")
    assert "result" not in item


def test_check_polls_until_final_within_its_budget(stack: Stack) -> None:
    stack.start()
    response = stack.check(remaining_ms=8000)
    assert response["status"] == "in_progress"
    # 4000 ms budget, 250 ms interval: it never sleeps past the budget.
    assert sum(stack.clock.slept) <= 4000
    assert len(stack.clock.slept) == 16


def test_check_budget_is_capped_by_the_lambdas_remaining_time(stack: Stack) -> None:
    stack.start()
    stack.check(remaining_ms=1300)
    assert sum(stack.clock.slept) <= 1000


def test_failed_asynchronous_invoke_marks_the_run_failed_at_once(stack: Stack) -> None:
    stack.injector.fail("Invoke", "ResourceNotFoundException", times=1, status=404)
    response = stack.start()
    assert (response["status"], response["error_code"]) == ("failed", "dispatch_failed")
    assert "ResourceNotFoundException" in response["error_message"]
    item = stack.item(TASK_ID)
    assert item is not None
    assert (item["status"]["S"], item["error_code"]["S"]) == ("failed", "dispatch_failed")
    # Connect's retry of the same block gets the same answer and does not invoke again.
    retry = stack.start()
    assert (retry["status"], retry["new_run"]) == ("failed", "false")


def test_throttled_invoke_is_retried(stack: Stack) -> None:
    stack.injector.fail("Invoke", "TooManyRequestsException", times=2, status=429)
    assert stack.start()["status"] == "in_progress"
    assert stack.injector.calls["Invoke"] == 3


@pytest.mark.parametrize(
    ("operation", "call"),
    [
        ("UpdateItem", "start"),
        ("GetItem", "check"),
        ("UpdateItem", "worker"),
    ],
)
def test_dynamodb_throttling_is_retried_at_each_call_site(stack: Stack, operation: str, call: str) -> None:
    if call != "start":
        stack.start()
    stack.injector.fail(operation, "ProvisionedThroughputExceededException", times=2)
    if call == "start":
        assert stack.start()["status"] == "in_progress"
    elif call == "check":
        assert stack.check()["status"] == "in_progress"
    else:
        assert stack.run_worker() == "completed"
    assert stack.injector.calls[operation] >= 3


@pytest.mark.parametrize("call", ["start", "check"])
def test_persistent_dynamodb_throttling_gives_a_clear_error_code(stack: Stack, call: str) -> None:
    stack.injector.fail("UpdateItem" if call == "start" else "GetItem", "ThrottlingException", times=50)
    response = stack.start() if call == "start" else stack.check()
    assert response["status"] == "error"
    assert response["error_code"] == "tracker_unavailable"
    assert "ThrottlingException" in response["error_message"]
    assert response["task_id"] == TASK_ID


def test_dynamodb_5xx_on_the_workers_final_write_is_retried(stack: Stack) -> None:
    stack.start()
    # Claim succeeds; the completing write meets two 500s, then goes through.
    original = stack.injector.plans
    stack.task = lambda context: original.setdefault("UpdateItem", []).extend(
        [(500, "InternalServerError")] * 2
    )
    assert stack.run_worker() == "completed"
    assert _status(stack.item(TASK_ID)) == "completed"


def test_worker_raises_when_dynamodb_stays_down_before_the_claim(stack: Stack) -> None:
    from connect_async.tracker import TrackerUnavailableError

    stack.start()
    stack.injector.fail("UpdateItem", "ServiceUnavailable", times=100, status=503)
    with pytest.raises(TrackerUnavailableError):
        stack.run_worker(remaining_ms=3000)  # raised: Lambda retries, then the dead-letter queue
    assert _status(stack.item(TASK_ID)) == "in_progress"


def test_malformed_worker_payload_that_names_a_run_fails_it(stack: Stack) -> None:
    stack.start()
    payload = dict(stack.invoked[0])
    payload["parameters"] = {"amount": 5}
    stack.invoked.append(payload)
    assert stack.run_worker() == "invalid"
    response = stack.check()
    assert (response["status"], response["error_code"]) == ("failed", "invalid_event")


def test_chat_contact_runs_the_same_way(stack: Stack) -> None:
    stack.start(connect_event(channel="CHAT"))
    stack.run_worker()
    item = stack.item(TASK_ID)
    assert item is not None
    assert item["channel"]["S"] == "CHAT"
    assert stack.check(connect_event(channel="CHAT"))["status"] == ResponseStatus.COMPLETED


def test_tracker_record_holds_no_personal_data(stack: Stack) -> None:
    stack.start(connect_event(account_number="12345678", duration_seconds="1"))
    stack.run_worker()
    item = stack.item(TASK_ID)
    text = str(item)
    for secret in ("+447700900123", "+442079460000", "12345678", "account_number"):
        assert secret not in text
    assert set(item) <= {
        "lease_expires_at_ms",
        "task_id", "task_name", "status", "attempt", "created_at_ms", "updated_at_ms", "finished_at_ms",
        "deadline_at_ms", "expires_at", "progress_percent", "progress_message", "progress_at_ms", "result",
        "error_code", "error_message", "channel", "contact_id", "initial_contact_id", "restart_token",
        "lease_owner", "worker_runs", "claim_by_ms", "begun_by",
    }  # fmt: skip


def test_start_with_too_little_time_for_a_request_answers_at_once(stack: Stack) -> None:
    # A retry late in the block: a request that hung to its client's timeout would outlive the
    # Lambda, so start makes none and says the tracker was out of reach (the flow retries).
    response = stack.start(remaining_ms=2_000)
    assert (response["status"], response["error_code"]) == ("error", ErrorCode.TRACKER_UNAVAILABLE)
    assert stack.dynamodb.scan(TableName=TABLE)["Count"] == 0 and stack.invoked == []


def test_invalid_event_never_writes_a_record(stack: Stack) -> None:
    response = stack.start({"Details": {"ContactData": {"ContactId": ""}}})
    assert (response["status"], response["error_code"]) == ("error", ErrorCode.INVALID_EVENT)
    assert stack.dynamodb.scan(TableName="connect-async-tracker")["Count"] == 0
    assert stack.invoked == []


def test_throttled_progress_writes_are_skipped_and_the_run_still_completes(stack: Stack) -> None:
    def task(context: TaskContext) -> dict[str, str]:
        stack.injector.fail("UpdateItem", "ThrottlingException", times=50)
        context.report_progress(50, "halfway")  # best effort: retried, then skipped
        stack.injector.plans["UpdateItem"].clear()
        return {"ok": "yes"}

    stack.task = task
    stack.start()
    assert stack.run_worker() == "completed"
    assert stack.check()["progress_message"] == ""


def test_dispatch_failure_with_the_tracker_down_still_tells_the_flow_at_once(stack: Stack) -> None:
    stack.run_deadline_seconds = 60
    stack.injector.fail("Invoke", "ServiceException", times=10, status=500)
    # The first UpdateItem (begin_run) passes; the dispatch_failed write then meets throttling.
    original_begin = stack.tracker

    def tracker_then_throttle() -> Any:
        tracker = original_begin()
        begin = tracker.begin_run

        def begin_then_throttle(*args: Any, **kwargs: Any) -> Any:
            outcome = begin(*args, **kwargs)
            stack.injector.fail("UpdateItem", "ThrottlingException", times=50)
            return outcome

        tracker.begin_run = begin_then_throttle  # type: ignore[method-assign]
        return tracker

    stack.tracker = tracker_then_throttle  # type: ignore[method-assign]
    response = stack.start()
    assert (response["status"], response["error_code"]) == ("failed", "dispatch_failed")
    # The record could not be updated: it stays in progress, unclaimed, and reads as failed once
    # no worker claimed it in time (worker_start_timeout_seconds).
    stack.injector.plans.clear()
    stack.clock.advance(31)
    assert stack.check()["error_code"] == "worker_not_started"
