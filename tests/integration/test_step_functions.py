"""The Step Functions backend, executed for real by moto's state machine interpreter: the
wrapper modules/plan renders claims the run, reports progress and records the outcome with the
same conditional writes as the worker, so the flow, start and check cannot tell the backends apart."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import boto3
import moto
import pytest

from connect_async.check import CheckService
from connect_async.clock import SystemClock
from connect_async.config import CheckSettings, StartSettings
from connect_async.dispatch import StepFunctionsDispatcher, execution_name
from connect_async.events import parse_worker_event
from connect_async.retry import FLOW_CALL_RETRY
from connect_async.runs import TrackerRecord
from connect_async.start import StartService
from connect_async.tracker import TrackerTable
from flowkit.clock import VirtualClock
from flowkit.deployment import create_tracker_table
from flowkit.states import StateMachineRunner
from tests.support.flows import render_plan

pytestmark = pytest.mark.terraform

STEPS = Path(__file__).resolve().parent / "asl" / "steps.asl.json"
TABLE = "simulated-tracker"
PROGRESS = {
    "debited": {"percent": 40, "message": "Your account is debited."},
    "confirmed": {"percent": 90, "message": "The bank confirmed."},
}
# moto runs state machines only when asked to; it does not run Lambda code (no Docker).
EXECUTE = {"stepfunctions": {"execute_state_machine": True}, "lambda": {"use_docker": False}}
STEP_FUNCTIONS = {"definition_file": str(STEPS), "template_variables": {"reference": "TX000001"}}


@pytest.fixture(scope="module")
def definition() -> str:
    rendered = render_plan(
        backend="step_functions",
        step_functions=STEP_FUNCTIONS,
        progress_messages=PROGRESS,
        result_attribute_keys=["reference", "amount"],
    )
    return str(rendered["state_machine"]["definition"])


class Backend:
    """start and check as deployed with backend = step_functions, against moto's executor."""

    def __init__(self, definition: str) -> None:
        self.dynamodb = boto3.client("dynamodb", region_name="eu-west-2")
        create_tracker_table(TABLE, self.dynamodb)
        self.sfn = boto3.client("stepfunctions", region_name="eu-west-2")
        self.arn = self.sfn.create_state_machine(
            name="t-task", definition=definition, roleArn="arn:aws:iam::123456789012:role/t-task-role"
        )["stateMachineArn"]
        clock = SystemClock()
        self.tracker = TrackerTable(self.dynamodb, TABLE, clock=clock, retry_policy=FLOW_CALL_RETRY)
        self.start = StartService(
            StartSettings.from_env({"TRACKER_TABLE_NAME": TABLE, "STATE_MACHINE_ARN": self.arn}),
            self.tracker,
            StepFunctionsDispatcher(self.sfn, self.arn, clock=clock, retry_policy=FLOW_CALL_RETRY),
            clock,
        )
        check_env = {"TRACKER_TABLE_NAME": TABLE, "CHECK_BUDGET_MS": "0", "RESULT_KEYS": "reference,amount"}
        self.check = CheckService(CheckSettings.from_env(check_env), self.tracker, clock)
        self._contacts = iter(range(1, 1000))

    def event(self, amount: str) -> dict[str, Any]:
        contact = f"11111111-2222-4333-8444-{next(self._contacts):012d}"
        return {
            "Details": {
                "ContactData": {"ContactId": contact, "InitialContactId": contact, "Channel": "VOICE"},
                "Parameters": {"amount": amount},
            }
        }

    def executions(self) -> list[dict[str, Any]]:
        return list(self.sfn.list_executions(stateMachineArn=self.arn)["executions"])

    def settle(self) -> list[dict[str, Any]]:
        """Wait (bounded) until no execution runs; moto executes them in threads."""
        for _ in range(200):
            executions = self.executions()
            if executions and all(e["status"] != "RUNNING" for e in executions):
                return executions
            time.sleep(0.05)
        raise AssertionError(f"executions still running: {self.executions()}")

    def record(self, task_id: str) -> TrackerRecord:
        record = self.tracker.get(task_id, give_up_at_ms=0)
        assert record is not None
        return record


@pytest.fixture
def backend(definition: str) -> Iterator[Backend]:
    with moto.mock_aws(config=EXECUTE):  # type: ignore[arg-type]
        yield Backend(definition)


def _run(backend: Backend, amount: str) -> tuple[dict[str, Any], TrackerRecord, dict[str, str]]:
    event = backend.event(amount)
    started = backend.start.handle(event, 8_000)
    assert started["status"] == "in_progress" and started["new_run"] == "true", started
    backend.settle()
    return event, backend.record(started["task_id"]), backend.check.handle(event, 8_000)


def test_steps_that_succeed_complete_the_run_with_its_result_and_progress(backend: Backend) -> None:
    _, record, answer = _run(backend, "120.00")
    assert (answer["status"], answer["result_reference"], answer["result_amount"]) == (
        "completed",
        "TX000001",
        "120.00",
    )
    # The last progress report (two steps report it), and exactly one claim by this execution.
    assert (answer["progress_percent"], answer["progress_message"]) == ("90", "The bank confirmed.")
    (execution,) = backend.executions()
    assert record.lease_owner == execution["executionArn"] and record.worker_runs == 1
    assert execution["status"] == "SUCCEEDED"


@pytest.mark.parametrize(
    ("amount", "code", "message"),
    [
        ("fail", "insufficient_funds", "The account cannot cover it."),  # your Fail state's own code
        ("crash", "task_error", "a step of the workflow failed"),  # an AWS error in a step
        ("bad-result", "invalid_result", "the steps' result lacks a result key as a string"),
    ],
)
def test_a_failing_step_fails_the_run_with_a_useful_code(
    backend: Backend, amount: str, code: str, message: str
) -> None:
    _, record, answer = _run(backend, amount)
    assert (answer["status"], answer["error_code"], answer["error_message"]) == ("failed", code, message)
    assert record.status.value == "failed"
    # The wrapper caught it: the execution itself ends cleanly, the run is recorded at once.
    assert [e["status"] for e in backend.executions()] == ["SUCCEEDED"]


def test_a_long_cause_reaches_the_flow_trimmed_as_the_workers_own_messages_are(backend: Backend) -> None:
    _, record, answer = _run(backend, "long-cause")
    assert len(record.error_message) > 3000  # as the state machine wrote it
    assert answer["error_code"] == "bank_refused"
    assert len(answer["error_message"]) == 256 and answer["error_message"].endswith("…")


def test_connect_retrying_start_never_starts_a_second_execution(backend: Backend) -> None:
    event = backend.event("120.00")
    answers = [backend.start.handle(event, 8_000) for _ in range(3)]
    assert [a["new_run"] for a in answers] == ["true", "false", "false"]
    backend.settle()
    assert len(backend.executions()) == 1


def test_a_second_execution_of_the_same_run_changes_nothing(backend: Backend) -> None:
    # As an Express workflow's at-least-once start, or a retried StartExecution, could make one.
    _, before, _ = _run(backend, "120.00")
    job = parse_worker_event(
        json.loads(
            backend.sfn.describe_execution(executionArn=backend.executions()[0]["executionArn"])["input"]
        )
    )
    duplicate = {**job.to_payload(), "attempt_number": str(job.attempt)}
    backend.sfn.start_execution(stateMachineArn=backend.arn, name="duplicate", input=json.dumps(duplicate))
    executions = backend.settle()
    assert {e["status"] for e in executions} == {"SUCCEEDED"} and len(executions) == 2
    after = backend.record(before.task_id)
    assert (after.status, after.result, after.lease_owner, after.worker_runs) == (
        before.status,
        before.result,
        before.lease_owner,
        1,
    )


def test_the_execution_name_is_the_runs_and_its_attempts(backend: Backend) -> None:
    event = backend.event("120.00")
    started = backend.start.handle(event, 8_000)
    backend.settle()
    (execution,) = backend.executions()
    job = parse_worker_event(
        json.loads(backend.sfn.describe_execution(executionArn=execution["executionArn"])["input"])
    )
    assert execution["name"] == execution_name(job) and job.task_id == started["task_id"]
    assert job.run_created_at_ms == backend.record(job.task_id).created_at_ms
    assert len(execution["name"]) <= 80
    # The longest name: attempt 9999, a creation time in the year 10000.
    longest = execution_name(replace(job, attempt=9999, run_created_at_ms=253_402_300_800_000))
    assert len(longest) <= 80 and re.fullmatch(r"[A-Za-z0-9_-]+", longest)


def test_a_new_run_after_the_record_expired_executes(backend: Backend) -> None:
    # A caller who calls back after the TTL with the same tracking id: DynamoDB has deleted the
    # expired record, so the new run is attempt 1 again and needs an execution name of its own.
    event, first, _ = _run(backend, "120.00")
    backend.dynamodb.delete_item(TableName=TABLE, Key={"task_id": {"S": first.task_id}})
    again = backend.start.handle(event, 8_000)
    assert (again["new_run"], again["attempt"]) == ("true", "1")
    executions = backend.settle()
    assert len(executions) == 2 and len({e["name"] for e in executions}) == 2
    assert {e["status"] for e in executions} == {"SUCCEEDED"}
    second = backend.record(first.task_id)
    assert (second.status.value, second.worker_runs, second.created_at_ms > 0) == ("completed", 1, True)
    assert backend.check.handle(event, 8_000)["status"] == "completed"


class _Jobs:
    def __init__(self) -> None:
        self.jobs: list[Any] = []

    def dispatch(self, job: Any, *, give_up_at_ms: int) -> None:
        self.jobs.append(job)


def _simulated(
    definition: str, amount: str, checks_after_seconds: tuple[int, ...] = ()
) -> tuple[TrackerRecord, list[dict[str, str]]]:
    """The same run through the call simulator's interpreter (flowkit.states), on a virtual clock;
    check's answers that many seconds after the execution ended."""
    with moto.mock_aws():
        client = boto3.client("dynamodb", region_name="eu-west-2")
        create_tracker_table(TABLE, client)
        clock = VirtualClock(1_767_225_600_000)
        tracker = TrackerTable(client, TABLE, clock=clock, retry_policy=FLOW_CALL_RETRY)
        jobs = _Jobs()
        start_env = {
            "TRACKER_TABLE_NAME": TABLE,
            "STATE_MACHINE_ARN": "arn:aws:states:eu-west-2:123456789012:stateMachine:t",
        }
        start = StartService(StartSettings.from_env(start_env), tracker, jobs, clock)
        contact = "11111111-2222-4333-8444-000000000001"
        event = {
            "Details": {
                "ContactData": {"ContactId": contact, "InitialContactId": contact, "Channel": "VOICE"},
                "Parameters": {"amount": amount},
            }
        }
        with clock.participant():
            start.handle(event, 8_000)
            (job,) = jobs.jobs
            runner = StateMachineRunner(json.loads(definition), clock=clock, dynamodb=client)
            runner.run(
                {**job.to_payload(), "attempt_number": str(job.attempt)}, "arn:aws:states:::execution:t:x"
            )
            check_env = {
                "TRACKER_TABLE_NAME": TABLE,
                "CHECK_BUDGET_MS": "0",
                "RESULT_KEYS": "reference,amount",
            }
            check = CheckService(CheckSettings.from_env(check_env), tracker, clock)
            answers = []
            ended_ms = clock.now_ms()
            for seconds in checks_after_seconds:
                clock.sleep_ms(ended_ms + seconds * 1000 - clock.now_ms())
                answers.append(check.handle(event, 8_000))
        record = tracker.get(job.task_id, give_up_at_ms=0)
        assert record is not None
        return record, answers


def test_an_execution_stopped_by_its_timeout_reads_worker_timeout_and_its_time_stops(definition: str) -> None:
    # The steps outlast the execution's TimeoutSeconds: Step Functions ends it without a Catch,
    # so nothing records the end; readers judge it by the deadline its claim set as the lease.
    record, answers = _simulated(definition, "stall", checks_after_seconds=(60, 3600))
    assert record.status.value == "in_progress" and record.lease_expires_at_ms == record.deadline_at_ms
    # StartExecution is synchronous (a failure is dispatch_failed at once): no claim bound, so
    # a run is never read worker_not_started on this backend.
    assert record.claim_by_ms == 0
    assert [(a["status"], a["error_code"]) for a in answers] == [("failed", "worker_timeout")] * 2
    deadline_s = str((record.deadline_at_ms - record.created_at_ms) // 1000)
    assert [a["elapsed_seconds"] for a in answers] == [deadline_s, deadline_s]  # stopped at the deadline


def test_a_finished_runs_elapsed_time_stops_when_it_finished(definition: str) -> None:
    record, answers = _simulated(definition, "120.00", checks_after_seconds=(0, 600))
    assert [a["status"] for a in answers] == ["completed", "completed"]
    assert answers[0]["elapsed_seconds"] == answers[1]["elapsed_seconds"] == "1"  # the steps' 1 s Wait
    assert record.finished_at_ms > record.created_at_ms


def test_a_steps_result_over_the_limit_reads_result_too_large_as_the_workers_would(backend: Backend) -> None:
    event, record, answer = _run(backend, "big-result")
    assert record.status.value == "completed"  # written by the state machine, unmeasured
    assert (answer["status"], answer["error_code"]) == ("failed", "result_too_large")
    assert answer["result_reference"] == "" and "limit is 16384" in answer["error_message"]
    again = backend.start.handle(event, 8_000)  # start reads the run the same way
    assert (again["status"], again["error_code"]) == ("failed", "result_too_large")


def _outcome(record: TrackerRecord) -> tuple[object, ...]:
    return (
        record.status,
        record.error_code,
        record.error_message,
        dict(record.result),
        record.progress_percent,
        record.progress_message,
        record.worker_runs,
        record.finished_at_ms >= record.created_at_ms,  # written: elapsed_seconds stops when the run ends
    )


@pytest.mark.parametrize("amount", ["120.00", "fail", "crash", "bad-result"])
def test_the_simulator_plays_the_state_machine_as_step_functions_does(definition: str, amount: str) -> None:
    # moto's interpreter is not ours: the simulator's must leave the same record.
    simulated = _outcome(_simulated(definition, amount)[0])
    with moto.mock_aws(config=EXECUTE):  # type: ignore[arg-type]
        _, executed, _ = _run(Backend(definition), amount)
    assert simulated == _outcome(executed)
