"""Faults at every AWS call site of every function, each with its expected outcome written down.

For every case the same invariants hold afterwards (``_settle``): start and check answered with
a string map (no exception reaches Connect); the run's record is final, or becomes final for
every reader at its deadline (a state the flow can leave); the task ran at most once; and
replaying every delivery and call afterwards changes nothing in a final record.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import boto3
import pytest
from botocore.exceptions import ConnectTimeoutError, ReadTimeoutError
from botocore.stub import Stubber

from connect_async.tasks.bedrock import BedrockSettings, answer_question
from tests.conftest import FAST_RETRY, ErrorInjector, Stack, connect_event
from tests.reliability.report import Recorder
from tests.reliability.runs import (
    CONTACT,
    LAMBDA_FIRST_RETRY_SECONDS,
    Observed,
    Runs,
    deliver,
    settle,
    start_flow,
    status_of,
)

pytestmark = pytest.mark.moto

PERSISTENT = 1_000  # "keeps failing": more than any retry policy attempts


Failure = Callable[[], tuple[str, int] | BaseException]  # an error (code, HTTP status) or an exception


@dataclass(frozen=True)
class Fault:
    """One kind of fault, as each service reports it."""

    name: str
    dynamodb: Failure
    lambda_: Failure
    bedrock: Failure


FAULTS = [
    Fault(
        "throttling",
        lambda: ("ThrottlingException", 400),
        lambda: ("TooManyRequestsException", 429),
        lambda: ("ThrottlingException", 429),
    ),
    Fault(
        "5xx",
        lambda: ("InternalServerError", 500),
        lambda: ("ServiceException", 500),
        lambda: ("InternalServerException", 500),
    ),
    Fault(
        "timeout",
        lambda: ReadTimeoutError(endpoint_url="https://dynamodb.eu-west-2.amazonaws.com"),
        lambda: ConnectTimeoutError(endpoint_url="https://lambda.eu-west-2.amazonaws.com"),
        lambda: ReadTimeoutError(endpoint_url="https://bedrock-runtime.eu-west-2.amazonaws.com"),
    ),
]


def _plan(injector: ErrorInjector, make: Failure, operation: str, times: int, after: int = 0) -> None:
    for _ in range(times):
        failure = make()
        if isinstance(failure, BaseException):
            injector.raise_(operation, failure, after=after)
        else:
            injector.fail(operation, failure[0], status=failure[1], after=after)
        after = 0


def _inject(stack: Stack, fault: Fault, operation: str, times: int, after: int = 0) -> None:
    _plan(stack.injector, fault.lambda_ if operation == "Invoke" else fault.dynamodb, operation, times, after)


CASES: list[tuple[str, str, str, int, str, str]] = [
    # (function, call site, operation, after N passing calls, fault lasts, expected outcome)
    ("start", "write the run", "UpdateItem", 0, "once", "retried: completed"),
    (
        "start",
        "write the run",
        "UpdateItem",
        0,
        "persistent",
        "start answers error/tracker_unavailable, nothing written; the flow's start retry then completes",
    ),
    ("start", "invoke the worker", "Invoke", 0, "once", "retried: completed"),
    (
        "start",
        "invoke the worker",
        "Invoke",
        0,
        "persistent",
        "start answers failed/dispatch_failed at once; the record is failed",
    ),
    ("check", "read the run", "GetItem", 0, "once", "retried within the budget: completed"),
    (
        "check",
        "read the run",
        "GetItem",
        0,
        "persistent",
        "check answers error/tracker_unavailable; the flow retries check, which then reads completed",
    ),
    ("worker", "claim the run", "UpdateItem", 0, "once", "retried: completed"),
    (
        "worker",
        "claim the run",
        "UpdateItem",
        0,
        "persistent",
        "the worker raises before running the task; Lambda's retry, a minute later, is past "
        "worker_start_timeout_seconds: refused, never run; failed/worker_not_started",
    ),
    ("worker", "report progress", "UpdateItem", 1, "once", "progress skipped: completed"),
    ("worker", "report progress", "UpdateItem", 1, "persistent", "progress skipped: completed"),
    ("worker", "write the result", "UpdateItem", 2, "once", "retried: completed"),
    (
        "worker",
        "write the result",
        "UpdateItem",
        2,
        "persistent",
        "the result cannot be written; the lease lapses, readers report failed/worker_lost; "
        "Lambda's retry records it and never runs the task again",
    ),
]


@pytest.mark.parametrize("fault", FAULTS, ids=lambda f: f.name)
@pytest.mark.parametrize(("function", "site", "operation", "after", "lasts", "expected"), CASES)
def test_fault_at_a_call_site(
    stack: Stack,
    recorder: Recorder,
    fault: Fault,
    function: str,
    site: str,
    operation: str,
    after: int,
    lasts: str,
    expected: str,
) -> None:
    runs = start_flow(stack)
    event = connect_event(contact_id=CONTACT)
    times = 1 if lasts == "once" else PERSISTENT
    if lasts == "persistent" and site == "report progress":
        times = FAST_RETRY.max_attempts  # every attempt of that call, and no more: the result write passes
    observed = Observed()
    if function == "start":
        _inject(stack, fault, operation, times, after)
        observed.flow_saw = status_of(stack.start(event))
        stack.injector.clear()
        if observed.flow_saw.startswith("error"):
            observed.flow_saw += "; retried: " + status_of(stack.start(event))
        if stack.invoked:
            observed.worker = deliver(stack, "req-1")
            if observed.flow_saw.startswith("failed"):
                # The failed Invoke may still have been delivered (a lost response): it finds the
                # run final and does nothing.
                observed.worker += " (a delivery that got through anyway)"
    elif function == "check":
        stack.start(event)
        observed.worker = deliver(stack, "req-1")
        stack.check_budget_ms = 1000  # the module's default: time to retry a read
        _inject(stack, fault, operation, times, after)
        observed.flow_saw = status_of(stack.check(event))
    else:
        stack.start(event)
        _inject(stack, fault, operation, times, after)
        observed.worker = deliver(stack, "req-1")
        stack.injector.clear()
        if observed.worker.startswith("raised"):
            stack.clock.advance(LAMBDA_FIRST_RETRY_SECONDS)  # Lambda retries a failed event after a minute
            observed.worker += "; Lambda's retry: " + deliver(stack, "req-2")
    settle(stack, runs, observed)

    _assert_expected(function, site, operation, expected, observed, runs)
    recorder.add(
        "faults",
        function=function,
        site=f"{site} ({operation})",
        fault=fault.name,
        lasts=lasts,
        expected=expected,
        flow=observed.flow_saw or "-",
        worker=observed.worker or "-",
        record=observed.record,
        task_runs=runs.count,
    )


def _assert_expected(
    function: str, site: str, operation: str, expected: str, observed: Observed, runs: Runs
) -> None:
    """The expected outcome of each case, as written in CASES."""
    simple = {
        "retried: completed": lambda: observed.record == "completed" and runs.count == 1,
        "retried within the budget: completed": lambda: observed.flow_saw == "completed",
        "progress skipped: completed": lambda: (
            observed.worker == "completed" and observed.record == "completed"
        ),
    }
    if expected in simple:
        assert simple[expected](), observed
    elif function == "start" and operation == "UpdateItem":
        assert observed.flow_saw.startswith("error/tracker_unavailable; retried: in_progress"), observed
        assert observed.record == "completed" and runs.count == 1
    elif function == "start":
        assert observed.flow_saw == "failed/dispatch_failed", observed
        assert observed.record == "failed/dispatch_failed" and runs.count == 0
    elif function == "check":
        assert observed.flow_saw == "error/tracker_unavailable", observed
        assert observed.record == "completed"
    elif site == "claim the run":
        # Readers answered failed/worker_not_started at the bound (30 s), before the retry came.
        assert observed.worker.startswith("raised TrackerUnavailableError"), observed
        assert observed.worker.endswith("Lambda's retry: raised LostRunError"), observed
        assert observed.record == "failed/worker_not_started" and runs.count == 0
    else:
        assert runs.count == 1, observed
        assert observed.worker.endswith("Lambda's retry: raised LostRunError"), observed
        assert observed.record == "failed/worker_lost", observed


BEDROCK_ANSWER = {
    "output": {"message": {"role": "assistant", "content": [{"text": "Your parcel arrives tomorrow."}]}},
    "stopReason": "end_turn",
    "usage": {"inputTokens": 12, "outputTokens": 6, "totalTokens": 18},
    "metrics": {"latencyMs": 300},
}


@pytest.mark.parametrize("fault", FAULTS, ids=lambda f: f.name)
@pytest.mark.parametrize(
    ("lasts", "expected"),
    [
        ("once", "the worker retries the task (TASK_RETRY_ATTEMPTS): completed"),
        ("persistent", "after its retries the run fails with task_error; never re-run"),
    ],
)
def test_fault_in_the_tasks_own_aws_call(
    stack: Stack, recorder: Recorder, fault: Fault, lasts: str, expected: str
) -> None:
    # The shipped Bedrock task's Converse call (the worker's third-party call site).
    client = boto3.client("bedrock-runtime", region_name="eu-west-2")
    injector = ErrorInjector()
    injector.attach(client)
    _plan(injector, fault.bedrock, "Converse", 1 if lasts == "once" else PERSISTENT)
    stubber = Stubber(client)
    stubber.add_response("converse", BEDROCK_ANSWER)
    settings = BedrockSettings.from_env(
        {"BEDROCK_MODEL_ID": "m", "BEDROCK_PROMPT_TEMPLATE": "Answer: $question"}
    )
    stack.task = lambda context: answer_question(client, settings, {"question": "where is my parcel?"})
    stack.check_budget_ms = 0
    event = connect_event(contact_id=CONTACT)
    stack.start(event)
    with stubber:
        worker = deliver(stack, "req-1")
    observed = Observed(worker=worker)
    runs = Runs()  # the claim-level run count is the worker's own (one delivery)
    settle(stack, runs, observed)
    if lasts == "once":
        assert worker == "completed" and observed.record == "completed", observed
    else:
        assert worker == "failed" and observed.record == "failed/task_error", observed
        assert injector.calls["Converse"] == stack.task_retry_attempts + 1
    recorder.add(
        "faults",
        function="worker (Bedrock task)",
        site="ask the model (Converse)",
        fault=fault.name,
        lasts=lasts,
        expected=expected,
        flow="-",
        worker=worker,
        record=observed.record,
        task_runs=f"1 run, {injector.calls['Converse']} Converse calls",
    )
