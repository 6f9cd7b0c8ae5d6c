"""Handing a run to the worker: one asynchronous Lambda invocation."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Protocol

from connect_async.clock import Clock
from connect_async.events import WorkerJob
from connect_async.retry import RetryPolicy, call_with_retry

if TYPE_CHECKING:
    from mypy_boto3_lambda import LambdaClient

__all__ = ["DispatchError", "Dispatcher", "LambdaDispatcher"]


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
