"""The naive approach this module is measured against, built from its description.

The flow invokes the work function synchronously and leaves it to hit Connect's 8-second limit
while it keeps running, up to its own 30-second timeout, and writes its result to DynamoDB. On
the error branch the flow invokes a status function that reads the result, sleeping 1 s between
reads, until it sees it or reaches its own 8-second timeout; that status call is looped twice.
No prompt plays in between (the description has none): the caller hears silence throughout.

Both functions are plugged into the call simulator (``CallSimulator(custom_functions=...)``), so
they run on the same virtual clock, against the same emulated DynamoDB, with the same latency
model as the module.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Final

from flowkit.simulator import CONTACT_ID, Kit

__all__ = [
    "STATUS_ARN",
    "STATUS_LOOPS",
    "STATUS_TIMEOUT_MS",
    "WORK_ARN",
    "WORK_TIMEOUT_MS",
    "NaiveStatus",
    "NaiveWork",
    "naive_flow",
    "naive_functions",
]

WORK_ARN: Final = "arn:aws:lambda:eu-west-2:123456789012:function:naive-work"
STATUS_ARN: Final = "arn:aws:lambda:eu-west-2:123456789012:function:naive-status"
WORK_TIMEOUT_MS: Final = 30_000
STATUS_TIMEOUT_MS: Final = 8_000
STATUS_READ_INTERVAL_MS: Final = 1_000
STATUS_LOOPS: Final = 2


def naive_flow(success_text: str, fallback_text: str) -> dict[str, Any]:
    def invoke(identifier: str, arn: str, next_action: str, on_error: str) -> dict[str, Any]:
        return {
            "Identifier": identifier,
            "Type": "InvokeLambdaFunction",
            "Parameters": {
                "LambdaFunctionARN": arn,
                "InvocationTimeLimitSeconds": "8",
                "ResponseValidation": {"ResponseType": "STRING_MAP"},
            },
            "Transitions": {
                "NextAction": next_action,
                "Errors": [{"NextAction": on_error, "ErrorType": "NoMatchingError"}],
            },
        }

    def message(identifier: str, text: str) -> dict[str, Any]:
        return {
            "Identifier": identifier,
            "Type": "MessageParticipant",
            "Parameters": {"Text": text},
            "Transitions": {"NextAction": "Disconnect"},
        }

    return {
        "Version": "2019-10-30",
        "StartAction": "Work",
        "Actions": [
            invoke("Work", WORK_ARN, "Success", "StatusLoop"),
            {
                "Identifier": "StatusLoop",
                "Type": "Loop",
                "Parameters": {"LoopCount": str(STATUS_LOOPS)},
                "Transitions": {
                    "Conditions": [
                        {
                            "NextAction": "Status",
                            "Condition": {"Operator": "Equals", "Operands": ["ContinueLooping"]},
                        },
                        {
                            "NextAction": "Fallback",
                            "Condition": {"Operator": "Equals", "Operands": ["DoneLooping"]},
                        },
                    ]
                },
            },
            invoke("Status", STATUS_ARN, "Branch", "StatusLoop"),
            {
                "Identifier": "Branch",
                "Type": "Compare",
                "Parameters": {"ComparisonValue": "$.External.status"},
                "Transitions": {
                    "NextAction": "StatusLoop",
                    "Conditions": [
                        {
                            "NextAction": "Success",
                            "Condition": {"Operator": "Equals", "Operands": ["completed"]},
                        }
                    ],
                    "Errors": [{"NextAction": "StatusLoop", "ErrorType": "NoMatchingCondition"}],
                },
            },
            message("Success", success_text),
            message("Fallback", fallback_text),
            {
                "Identifier": "Disconnect",
                "Type": "DisconnectParticipant",
                "Parameters": {},
                "Transitions": {},
            },
        ],
    }


def _key() -> dict[str, Any]:
    return {"task_id": {"S": f"{CONTACT_ID}#naive"}}


class NaiveWork:
    """Runs the task in the invocation itself; Connect stops waiting at 8 s, the function does not."""

    self_billed = True  # it keeps running (and billing) after Connect has given up

    def __init__(self, kit: Kit, work_seconds: float) -> None:
        self.kit = kit
        self.work_ms = int(work_seconds * 1000)

    def handle(self, event: object, remaining_ms: int) -> Mapping[str, str]:
        kit, work_ms = self.kit, self.work_ms
        if work_ms <= remaining_ms:  # fast enough: the flow gets the answer directly
            kit.clock.sleep_ms(work_ms)
            kit.work_done()
            kit.bill("work", work_ms)
            return {"status": "completed", "result_message": "Your request is complete."}

        def keep_running() -> None:
            began = kit.clock.now_ms()
            kit.clock.sleep_ms(min(work_ms, WORK_TIMEOUT_MS))
            if work_ms <= WORK_TIMEOUT_MS:  # otherwise Lambda kills it at its timeout: no result
                kit.dynamodb.put_item(TableName=kit.table_name, Item={**_key(), "status": {"S": "completed"}})
                kit.work_done()
            kit.bill("work", kit.clock.now_ms() - began)

        kit.spawn("naive-work", keep_running)
        kit.clock.sleep_ms(remaining_ms + 1)  # Connect's limit passes: the flow takes the error branch
        return {}


class NaiveStatus:
    """Reads the result every second until it is there or the function's own 8 s run out."""

    def __init__(self, kit: Kit) -> None:
        self.kit = kit

    def handle(self, event: object, remaining_ms: int) -> Mapping[str, str]:
        kit = self.kit
        ends_at = kit.clock.now_ms() + STATUS_TIMEOUT_MS
        while True:
            item = kit.dynamodb.get_item(TableName=kit.table_name, Key=_key(), ConsistentRead=True).get(
                "Item"
            )
            if item:
                return {"status": item["status"]["S"], "result_message": "Your request is complete."}
            if kit.clock.now_ms() + STATUS_READ_INTERVAL_MS >= ends_at:
                kit.clock.sleep_ms(ends_at - kit.clock.now_ms() + 1)  # killed at its timeout
                return {}
            kit.clock.sleep_ms(STATUS_READ_INTERVAL_MS)


def naive_functions(work_seconds: float) -> dict[str, Callable[[Kit], Any]]:
    return {
        "work": lambda kit: NaiveWork(kit, work_seconds),
        "status": NaiveStatus,
    }
