"""Hostile events and parameters: a clear answer, nothing written that should not be, bounded work.

Each case goes through start (and check where it matters) and asserts: a string-map answer with
the expected status and error code; no DynamoDB write for a rejected event; at most a handful of
AWS calls; and peak memory within a small multiple of the event's own size.
"""

from __future__ import annotations

import copy
import json
import tracemalloc
from collections.abc import Callable
from typing import Any

import pytest

from connect_async.contract import TrackingIdSource
from tests.conftest import Stack, connect_event
from tests.reliability.report import Recorder
from tests.reliability.runs import status_of

pytestmark = pytest.mark.moto

CONTACT = "1a2b3c4d-1111-4222-8333-444455556666"
WRITES = ("UpdateItem", "PutItem", "DeleteItem")


def _event(**parameters: str) -> dict[str, Any]:
    return connect_event(contact_id=CONTACT, **parameters)


def _with(mutate: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    event = _event()
    mutate(event)
    return event


def _set_params(params: dict[str, Any]) -> Callable[[dict[str, Any]], None]:
    def mutate(event: dict[str, Any]) -> None:
        event["Details"]["Parameters"] = params

    return mutate


# (case, event, tracking id source, expected "status/error_code" or "status")
START_CASES: list[tuple[str, dict[str, Any] | Any, TrackingIdSource, str]] = [
    (
        "parameters over 32 KB",
        _event(question="x" * 40_000),
        TrackingIdSource.INITIAL_CONTACT_ID,
        "error/invalid_event",
    ),
    (
        "10,000 small parameters",
        _with(_set_params({f"p{i}": "v" * 8 for i in range(10_000)})),
        TrackingIdSource.INITIAL_CONTACT_ID,
        "error/invalid_event",
    ),
    (
        "a 5 MB contact attribute (not read)",
        _with(lambda e: e["Details"]["ContactData"]["Attributes"].update(big="y" * 5_000_000)),
        TrackingIdSource.INITIAL_CONTACT_ID,
        "in_progress",
    ),
    (
        "a parameter value that is a number",
        _with(_set_params({"amount": 12})),
        TrackingIdSource.INITIAL_CONTACT_ID,
        "error/invalid_event",
    ),
    (
        "a parameter value that is an object",
        _with(_set_params({"nested": {"a": "b"}})),
        TrackingIdSource.INITIAL_CONTACT_ID,
        "error/invalid_event",
    ),
    (
        "a parameter name of 10,000 characters",
        _with(_set_params({"k" * 10_000: "v"})),
        TrackingIdSource.INITIAL_CONTACT_ID,
        "error/invalid_event",
    ),
    (
        "parameters named like response keys (status, result_answer, error_code)",
        _event(status="completed", result_answer="forged", error_code="none"),
        TrackingIdSource.INITIAL_CONTACT_ID,
        "in_progress",
    ),
    (
        "task name with a path",
        _event(task_name="../../etc/passwd"),
        TrackingIdSource.INITIAL_CONTACT_ID,
        "error/invalid_event",
    ),
    (
        "task name with the task id separator",
        _event(task_name="a#b"),
        TrackingIdSource.INITIAL_CONTACT_ID,
        "error/invalid_event",
    ),
    (
        "task name with SQL",
        _event(task_name="x' OR '1'='1"),
        TrackingIdSource.INITIAL_CONTACT_ID,
        "error/invalid_event",
    ),
    (
        "task name of 65 characters",
        _event(task_name="t" * 65),
        TrackingIdSource.INITIAL_CONTACT_ID,
        "error/invalid_event",
    ),
    (
        "task name in another script (ḿ)",
        _event(task_name="ḿ"),
        TrackingIdSource.INITIAL_CONTACT_ID,
        "error/invalid_event",
    ),
    (
        "tracking id with the separator",
        _event(tracking_id="abc#default"),
        TrackingIdSource.PARAMETER,
        "error/invalid_event",
    ),
    (
        "tracking id with SQL",
        _event(tracking_id="' OR 1=1 --"),
        TrackingIdSource.PARAMETER,
        "error/invalid_event",
    ),
    (
        "tracking id with a right-to-left override",
        _event(tracking_id="abc\u202edef"),
        TrackingIdSource.PARAMETER,
        "error/invalid_event",
    ),
    (
        "tracking id of 129 characters",
        _event(tracking_id="t" * 129),
        TrackingIdSource.PARAMETER,
        "error/invalid_event",
    ),
    (
        "restart token with spaces",
        _event(restart_token="a b"),
        TrackingIdSource.INITIAL_CONTACT_ID,
        "error/invalid_event",
    ),
    (
        "emoji, NUL and right-to-left text in values",
        _event(note="\U0001f600\x00\u202eabc"),
        TrackingIdSource.INITIAL_CONTACT_ID,
        "in_progress",
    ),
    (
        "a lone surrogate in a value",
        _event(note="abc\ud800"),
        TrackingIdSource.INITIAL_CONTACT_ID,
        "error/invalid_event",
    ),
    (
        "contact id that is not a UUID",
        _with(lambda e: e["Details"]["ContactData"].update(ContactId="../x")),
        TrackingIdSource.INITIAL_CONTACT_ID,
        "error/invalid_event",
    ),
    (
        "no Details at all",
        {"Name": "ContactFlowEvent"},
        TrackingIdSource.INITIAL_CONTACT_ID,
        "error/invalid_event",
    ),
    ("not an object", ["ContactFlowEvent"], TrackingIdSource.INITIAL_CONTACT_ID, "error/invalid_event"),
    (
        "deeply nested parameters",
        _with(_set_params({"deep": json.loads("[" * 200 + "]" * 200)})),
        TrackingIdSource.INITIAL_CONTACT_ID,
        "error/invalid_event",
    ),
]


def _event_size(event: object) -> int:
    try:
        return len(json.dumps(event, ensure_ascii=False).encode("utf-8", "surrogatepass"))
    except (TypeError, ValueError):
        return 0


@pytest.mark.parametrize(
    ("case", "event", "source", "expected"), START_CASES, ids=[c[0] for c in START_CASES]
)
def test_hostile_start_events(
    stack: Stack, recorder: Recorder, case: str, event: Any, source: TrackingIdSource, expected: str
) -> None:
    stack.tracking_id_source = source
    before = dict(stack.injector.calls)
    tracemalloc.start()
    try:
        answer = status_of(stack.start(copy.deepcopy(event)))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    calls = {op: n - before.get(op, 0) for op, n in stack.injector.calls.items() if n - before.get(op, 0)}
    writes = sum(calls.get(op, 0) for op in WRITES)
    assert answer == expected, case
    if expected.startswith("error"):
        assert writes == 0 and not stack.invoked, f"{case}: a rejected event wrote or dispatched"
        assert len(answer) < 300
    else:
        assert writes == 1 and len(stack.invoked) == 1
        # The forged keys never reach the flow: they are the task's parameters, not the response's.
        response_keys = set(stack.start(copy.deepcopy(event)))
        assert "result_answer" not in response_keys
    assert sum(calls.values()) <= 3, calls
    budget = 3 * _event_size(event) + 4_000_000
    assert peak <= budget, f"{case}: peak {peak} bytes"
    recorder.add(
        "abuse",
        input=case,
        expected=expected,
        answer=answer,
        aws_calls=sum(calls.values()),
        writes=writes,
        memory="within 3 x the event + 4 MB",
    )


TASK_CASES = [
    ("duration_seconds=-5", {"duration_seconds": "-5"}),
    ("duration_seconds=1e308", {"duration_seconds": "1e308"}),
    ("duration_seconds=NaN", {"duration_seconds": "NaN"}),
    ("duration_seconds=inf", {"duration_seconds": "inf"}),
    ("steps=1000000000", {"steps": "1000000000"}),
    ("steps=abc", {"steps": "abc"}),
    ("outcome=__import__('os')", {"outcome": "__import__('os')"}),
]


@pytest.mark.parametrize(("case", "parameters"), TASK_CASES, ids=[c[0] for c in TASK_CASES])
def test_hostile_tuning_values_the_flow_passes_to_the_task(
    stack: Stack, recorder: Recorder, case: str, parameters: dict[str, str]
) -> None:
    # The demo task's tuning values come from the flow block's parameters.
    stack.check_budget_ms = 0
    event = _event(**parameters)
    stack.start(event)
    slept_before = sum(stack.clock.slept)
    outcome = stack.run_worker()
    answer = status_of(stack.check(event))
    assert (outcome, answer) == ("failed", "failed/invalid_parameter"), case
    assert sum(stack.clock.slept) - slept_before == 0, "the task waited before rejecting its input"
    recorder.add(
        "abuse",
        input=f"task parameter {case}",
        expected="failed/invalid_parameter",
        answer=answer,
        aws_calls="-",
        writes="the failed result only",
        memory="-",
    )


def test_a_huge_spoken_progress_value_is_answered_in_bounded_size(stack: Stack, recorder: Recorder) -> None:
    event = _event(spoken_progress="z" * 30_000)
    stack.check_budget_ms = 0
    stack.start(event)
    answer = stack.check(event)
    assert answer["progress_changed"] == "false"
    assert len(json.dumps(answer)) < 2_000  # the parameter is compared, never echoed
    recorder.add(
        "abuse",
        input="spoken_progress of 30,000 characters",
        expected="answered, nothing echoed",
        answer=status_of(answer),
        aws_calls=1,
        writes=0,
        memory="-",
    )
