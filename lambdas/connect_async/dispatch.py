"""Handing a run to what runs the task: one asynchronous invocation of the worker function, or
one execution of the state machine (backend "step_functions")."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Final, Protocol

from botocore.exceptions import ClientError

from connect_async.clock import Clock
from connect_async.events import WorkerJob
from connect_async.retry import RetryPolicy, call_with_retry

if TYPE_CHECKING:
    from mypy_boto3_lambda import LambdaClient
    from mypy_boto3_stepfunctions import SFNClient

__all__ = [
    "EXECUTION_ATTEMPT_FIELD",
    "DispatchError",
    "Dispatcher",
    "LambdaDispatcher",
    "StepFunctionsDispatcher",
    "execution_name",
]

# The run's attempt as a string in the execution's input: the state machine's DynamoDB
# conditions compare it as a number ({"N.$": ...} takes a string) without an intrinsic function.
EXECUTION_ATTEMPT_FIELD: Final = "attempt_number"


class DispatchError(Exception):
    """The worker could not be invoked; the message is safe to show the flow."""


class Dispatcher(Protocol):
    def dispatch(self, job: WorkerJob, *, give_up_at_ms: int) -> None: ...


class LambdaDispatcher:
    """Invokes the worker with InvocationType=Event (Lambda queues it and answers 202)."""

    def __init__(
        self, client: LambdaClient, function_name: str, *, clock: Clock, retry_policy: RetryPolicy
    ) -> None:
        self._client = client
        self._function = function_name
        self._clock = clock
        self._policy = retry_policy

    def dispatch(self, job: WorkerJob, *, give_up_at_ms: int) -> None:
        payload = json.dumps(job.to_payload(), ensure_ascii=False).encode("utf-8")

        def invoke() -> int:
            response = self._client.invoke(
                FunctionName=self._function, InvocationType="Event", Payload=payload
            )
            return response["StatusCode"]

        try:
            status = call_with_retry(
                invoke, policy=self._policy, clock=self._clock, give_up_at_ms=give_up_at_ms
            )
        except Exception as exc:
            code = getattr(exc, "response", {}).get("Error", {}).get("Code", type(exc).__name__)
            raise DispatchError(f"the worker could not be invoked ({code})") from exc
        if status != 202:
            raise DispatchError(f"the worker invocation was not queued (status {status})")


def execution_name(job: WorkerJob) -> str:
    """The run's execution name, its ``run_name``: the same for every start of this run attempt,
    so a retried StartExecution never starts a second one (Standard workflows refuse a second
    execution of a name for 90 days), and a new run gets a new one (a name of an earlier run
    would be answered ExecutionAlreadyExists, and the new run would never execute)."""
    return job.run_name


class StepFunctionsDispatcher:
    """Starts the run's state machine execution (backend "step_functions") with the same payload
    the worker function would get, plus the attempt as a string for the DynamoDB integration."""

    def __init__(
        self, client: SFNClient, state_machine_arn: str, *, clock: Clock, retry_policy: RetryPolicy
    ) -> None:
        self._client = client
        self._state_machine = state_machine_arn
        self._clock = clock
        self._policy = retry_policy

    def dispatch(self, job: WorkerJob, *, give_up_at_ms: int) -> None:
        document = {**job.to_payload(), EXECUTION_ATTEMPT_FIELD: str(job.attempt)}
        payload = json.dumps(document, ensure_ascii=False)
        name = execution_name(job)

        def start() -> None:
            try:
                self._client.start_execution(stateMachineArn=self._state_machine, name=name, input=payload)
            except ClientError as exc:
                # A retry whose first call did start the execution: that one runs the task.
                if exc.response.get("Error", {}).get("Code") != "ExecutionAlreadyExists":
                    raise

        try:
            call_with_retry(start, policy=self._policy, clock=self._clock, give_up_at_ms=give_up_at_ms)
        except Exception as exc:
            code = getattr(exc, "response", {}).get("Error", {}).get("Code", type(exc).__name__)
            raise DispatchError(f"the state machine could not be started ({code})") from exc
