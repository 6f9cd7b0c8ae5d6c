"""Connect's own asynchronous Lambda, alone: the other baseline this module is measured against.

Since July 2025 a flow can invoke a function asynchronously (for at most 60 s) and wait on it
with a ``Wait`` whose ``Continue`` branch plays hold audio and is interrupted the moment the
function returns. Alone, the work runs inside that one invocation: the answer comes as soon as the
work is done, but a task longer than 60 s is cut off (its result is lost), there is no tracker
(nothing outlives the contact, nothing retries the work, a dropped call loses the answer) and the
caller hears the fallback. The flow here uses the shapes the module's push flow uses (the ones a
real console export writes).

The work function is plugged into the call simulator (``CallSimulator(custom_functions=...)``),
on the same virtual clock and latency model as the module.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Final

from flowkit.simulator import Kit

__all__ = ["ASYNC_LIMIT_SECONDS", "WORK_ARN", "AloneWork", "alone_flow", "alone_functions"]

WORK_ARN: Final = "arn:aws:lambda:eu-west-2:123456789012:function:alone-work"
ASYNC_LIMIT_SECONDS: Final = 60  # Connect's most for an asynchronous invocation
_HOLD_PLAYS: Final = 16  # the Continue branch outlasts the Wait (16 x 4 s > 60 s)


def alone_flow(success_text: str, fallback_text: str, hold_text: str) -> dict[str, Any]:
    def message(identifier: str, text: str, next_action: str) -> dict[str, Any]:
        return {
            "Identifier": identifier,
            "Type": "MessageParticipant",
            "Parameters": {"Text": text},
            "Transitions": {
                "NextAction": next_action,
                "Errors": [{"NextAction": next_action, "ErrorType": "NoMatchingError"}],
            },
        }

    def on(outcome: str, next_action: str) -> dict[str, Any]:
        return {"NextAction": next_action, "Condition": {"Operator": "Equals", "Operands": [outcome]}}

    holds = [
        message(f"Hold{n}", hold_text, f"Hold{n + 1}" if n < _HOLD_PLAYS else "Fallback")
        for n in range(1, _HOLD_PLAYS + 1)
    ]
    return {
        "Version": "2019-10-30",
        "StartAction": "Work",
        "Actions": [
            {
                "Identifier": "Work",
                "Type": "InvokeLambdaFunction",
                "Parameters": {
                    "LambdaFunctionARN": WORK_ARN,
                    "InvocationTimeLimitSeconds": str(ASYNC_LIMIT_SECONDS),
                    "InvocationType": "ASYNCHRONOUS",
                    "ResponseValidation": {"ResponseType": "STRING_MAP"},
                },
                "Transitions": {
                    "NextAction": "WaitForWork",
                    "Errors": [{"NextAction": "Fallback", "ErrorType": "NoMatchingError"}],
                },
            },
            {
                "Identifier": "WaitForWork",
                "Type": "Wait",
                "Parameters": {
                    "ContinueExecution": "TRUE",
                    "InterruptibleEvents": {
                        "LambdaReturned": {
                            "AsyncLambdaCompletionEvent": {"Identifier": "$.LambdaInvocation.InvocationId"}
                        }
                    },
                    "MinimumWaitTimeSeconds": "1",
                    "TimeLimitSeconds": str(ASYNC_LIMIT_SECONDS),
                },
                "Transitions": {
                    "NextAction": "Fallback",
                    "Conditions": [
                        on("Continue", "Hold1"),
                        on("LambdaReturned", "LoadWork"),
                        on("WaitCompleted", "Fallback"),
                    ],
                    "Errors": [{"NextAction": "Fallback", "ErrorType": "NoMatchingError"}],
                },
            },
            {
                "Identifier": "LoadWork",
                "Type": "LoadLambdaFunctionResult",
                "Parameters": {"LambdaInvocationId": "$.LambdaInvocation.InvocationId"},
                "Transitions": {
                    "NextAction": "Branch",
                    "Errors": [
                        {"NextAction": "Fallback", "ErrorType": "NoMatchingError"},
                        {"NextAction": "Fallback", "ErrorType": "InProgress"},
                    ],
                },
            },
            {
                "Identifier": "Branch",
                "Type": "Compare",
                "Parameters": {"ComparisonValue": "$.External.status"},
                "Transitions": {
                    "NextAction": "Fallback",
                    "Conditions": [on("completed", "Success")],
                    "Errors": [{"NextAction": "Fallback", "ErrorType": "NoMatchingCondition"}],
                },
            },
            *holds,
            message("Success", success_text, "Disconnect"),
            message("Fallback", fallback_text, "Disconnect"),
            {
                "Identifier": "Disconnect",
                "Type": "DisconnectParticipant",
                "Parameters": {},
                "Transitions": {},
            },
        ],
    }


class AloneWork:
    """Runs the task inside the asynchronous invocation; cut off at Connect's 60 s (and at its own
    timeout, the same), with nothing recorded anywhere."""

    def __init__(self, kit: Kit, work_seconds: float) -> None:
        self.kit = kit
        self.work_ms = int(work_seconds * 1000)

    def handle(self, event: object, remaining_ms: int) -> Mapping[str, str]:
        if self.work_ms > remaining_ms:
            self.kit.clock.sleep_ms(remaining_ms + 1)  # killed at the limit: the result is lost
            return {}
        self.kit.clock.sleep_ms(self.work_ms)
        self.kit.work_done()
        return {"status": "completed", "result_message": "Your request is complete."}


def alone_functions(work_seconds: float) -> dict[str, Callable[[Kit], Any]]:
    return {"work": lambda kit: AloneWork(kit, work_seconds)}
