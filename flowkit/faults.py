"""Faults injected into a simulated call's AWS requests: a DynamoDB request of one function that
is throttled, fails with a 5xx, hangs until the client's read timeout, or is applied and its
answer lost (the caller sees a timeout, the table has the write). A ``Scenario`` lists them
(``dynamodb_faults``); the wiring gives each function its own client, so a fault names the
function whose request it hits, and the n-th such request."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from botocore.exceptions import ClientError, ReadTimeoutError

from connect_async.aws import DYNAMODB_READ_TIMEOUT_SECONDS
from flowkit.clock import VirtualClock
from flowkit.report import CallReport, Event

__all__ = ["DYNAMODB_FAULT_KINDS", "FAULTED_FUNCTIONS", "DynamoDBFault", "FaultInjector"]

DYNAMODB_FAULT_KINDS: Final = ("throttle", "5xx", "timeout", "lost_answer")
# Whose requests a fault can hit: the flow's functions, and the worker (or, with backend
# step_functions, the state machine's wrapper).
FAULTED_FUNCTIONS: Final = ("start", "check", "worker")
# The runtime's DynamoDB client gives up on a request after this long (connect_async.aws; the
# worker's is shorter with a short lease: connect_async.lease.read_timeout_seconds).
READ_TIMEOUT_MS: Final = int(DYNAMODB_READ_TIMEOUT_SECONDS * 1000)
_ENDPOINT: Final = "https://dynamodb.eu-west-2.amazonaws.com"


@dataclass(frozen=True)
class DynamoDBFault:
    """``function``'s ``nth`` request of ``operation`` ("*": any) and the ``times - 1`` after it
    fail as ``kind`` says."""

    function: str
    kind: str
    nth: int = 1
    times: int = 1
    operation: str = "*"

    def __post_init__(self) -> None:
        if self.function not in FAULTED_FUNCTIONS:
            raise ValueError(
                f"a fault's function is one of {', '.join(FAULTED_FUNCTIONS)}, not {self.function!r}"
            )
        if self.kind not in DYNAMODB_FAULT_KINDS:
            raise ValueError(f"a fault's kind is one of {', '.join(DYNAMODB_FAULT_KINDS)}, not {self.kind!r}")
        if self.nth < 1 or self.times < 1:
            raise ValueError("a fault's nth and times count from 1")

    def hits(self, function: str, operation: str, ordinal: int) -> bool:
        return (
            function == self.function
            and self.operation in ("*", operation)
            and self.nth <= ordinal < self.nth + self.times
        )


class FaultInjector:
    """Counts each function's requests and fails the ones a fault names: ``before`` (the request
    never lands) and ``after`` (it landed, the answer is lost)."""

    def __init__(
        self,
        faults: Sequence[DynamoDBFault],
        clock: VirtualClock,
        report: CallReport,
        timeouts_ms: Mapping[str, int] | None = None,
    ) -> None:
        self._faults = tuple(faults)
        self._clock = clock
        self._report = report
        # How long each function's client waits before it gives up on a request.
        self._timeouts_ms = dict(timeouts_ms or {})
        self._ordinals: dict[tuple[str, str], int] = {}

    def before(self, function: str, operation: str) -> None:
        fault = self._due(function, operation, count=True)
        if fault is None or fault.kind == "lost_answer":
            return
        self._note(function, operation, fault.kind)
        if fault.kind == "timeout":
            self._clock.sleep_ms(self._timeouts_ms.get(function, READ_TIMEOUT_MS))
            raise ReadTimeoutError(endpoint_url=_ENDPOINT)
        code, status = (
            ("ProvisionedThroughputExceededException", 400)
            if fault.kind == "throttle"
            else ("InternalServerError", 500)
        )
        error: Any = {
            "Error": {"Code": code, "Message": "injected"},
            "ResponseMetadata": {"HTTPStatusCode": status},
        }
        raise ClientError(error, operation)

    def after(self, function: str, operation: str) -> None:
        fault = self._due(function, operation, count=False)
        if fault is not None and fault.kind == "lost_answer":
            self._note(function, operation, fault.kind)
            self._clock.sleep_ms(self._timeouts_ms.get(function, READ_TIMEOUT_MS))
            raise ReadTimeoutError(endpoint_url=_ENDPOINT)

    def _due(self, function: str, operation: str, *, count: bool) -> DynamoDBFault | None:
        key = (function, operation)
        if count:
            self._ordinals[key] = self._ordinals.get(key, 0) + 1
        # A fault on any operation counts the function's requests of every operation together.
        any_ordinal = sum(n for (f, _), n in self._ordinals.items() if f == function)
        for fault in self._faults:
            ordinal = any_ordinal if fault.operation == "*" else self._ordinals.get(key, 0)
            if fault.hits(function, operation, ordinal):
                return fault
        return None

    def _note(self, function: str, operation: str, kind: str) -> None:
        self._report.faults[kind] = self._report.faults.get(kind, 0) + 1
        self._report.events.append(
            Event(self._clock.now_ms(), function, f"DynamoDB {operation}: injected {kind.replace('_', ' ')}")
        )
