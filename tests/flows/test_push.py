"""Push mode (wait_mode = "push"): the inbound flow's voice path waits on one asynchronous check
per round, the hold message playing on the Wait's Continue branch until the call returns. Played
through the module's rendered flows on the simulator, which plays the asynchronous call, the Wait
and LoadLambdaFunctionResult as flows/README.md describes (its assumptions listed there)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from flowkit import demo
from flowkit.clock import VirtualClock
from flowkit.deployment import Deployment
from flowkit.interpreter import FlowInterpreter, UnknownBlockError
from flowkit.lambda_queue import ThreadDispatcher
from flowkit.report import START_MS, CallReport
from flowkit.scenario import CATALOGUE, Demo
from flowkit.simulator import Scenario

pytestmark = pytest.mark.terraform  # the flows are rendered by modules/plan

ROOT = Path(__file__).resolve().parents[2]
PUSH = ROOT / "examples" / "push.tfvars"


def test_the_answer_is_heard_within_a_poll_interval_and_the_hold_never_stops() -> None:
    rendered, report = demo.play("typical", PUSH)
    assert report.ending == "disconnected" and report.final_status == "completed"
    assert "LoadPushCheck" in report.path and "HoldClip1" not in report.path
    interval = int(rendered["functions"]["check"]["environment"]["CHECK_POLL_INTERVAL_MS"])
    latency = report.answer_latency_ms
    assert latency is not None and latency <= interval + 100, report.timeline()
    assert report.longest_silence_seconds <= 0.3, report.timeline()
    # One asynchronous check per round (rounds end early when the progress message changes),
    # not one per sentence: the poll flow makes about 20 check calls for this call.
    assert report.invocations["check"] <= 10


def test_a_failure_and_a_dead_worker_take_the_fallback_as_in_poll_mode() -> None:
    for scenario in ("fail", "crash"):
        _, report = demo.play(scenario, PUSH)
        assert report.final_status == "failed", scenario
        assert "Fallback" in report.path and report.ending == "disconnected", scenario
        assert report.longest_silence_seconds <= 0.3, (scenario, report.timeline())


def test_a_task_that_never_answers_is_given_up_on_when_the_plan_says(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(CATALOGUE, "never-answers", Demo(Scenario(work_seconds=10_000, progress_messages=())))
    rendered, report = demo.play("never-answers", PUSH)
    assert "SaveWaitExceeded" in report.path
    heard = next(e.at_ms for e in report.events if "taking longer" in e.text)
    longest = float(rendered.timing["push_longest_wait_seconds"])
    assert longest >= 120
    # The rounds, plus the calls between them (tens of milliseconds each).
    assert abs((heard - START_MS) / 1000 - longest) <= 0.5 + 0.05 * report.invocations["check"]
    assert report.longest_silence_seconds <= 0.3


def test_chat_and_the_flow_module_keep_polling() -> None:
    rendered, report = demo.play("chat", PUSH)
    assert report.final_status == "completed"
    assert not any(step.startswith("Push") for step in report.path)
    module = json.loads(rendered.flows["wait_module"])
    assert not any(a["Identifier"].startswith("Push") for a in module["Actions"])
    assert rendered.timing["wait_mode"] == {
        "inbound_voice": "push",
        "inbound_chat": "poll",
        "wait_module": "poll",
    }


def test_a_caller_who_hangs_up_mid_round_leaves_when_they_hang_up() -> None:
    _, report = demo.play("hangup", PUSH)
    assert report.ending == "caller hung up"
    assert report.total_wait_seconds == 10
    assert report.longest_silence_seconds <= 0.5, report.timeline()


def _interpreter(actions: list[dict[str, Any]], report: CallReport) -> FlowInterpreter:
    class Echo:
        def handle(self, event: dict[str, Any], remaining_ms: int) -> dict[str, str]:
            clock.sleep_ms(3_000)  # the asynchronous call takes 3 s
            return {"status": "completed"}

    clock = VirtualClock(START_MS)
    flow = {"Version": "2019-10-30", "StartAction": actions[0]["Identifier"], "Actions": actions}
    deployment = Deployment(hold_message="Please hold.", hold_prompt_seconds=2)
    return FlowInterpreter(
        flow,
        clock,
        functions={"arn:check": "check"},
        modules={},
        deployment=deployment,
        report=report,
        scenario=Scenario(work_seconds=1),
        services={"check": Echo()},
        dispatcher=ThreadDispatcher(clock, timeout_ms=60_000, report=report, deliveries=1, invoke_ms=0),
    )


def _async_call(next_action: str) -> dict[str, Any]:
    return {
        "Identifier": "Call",
        "Type": "InvokeLambdaFunction",
        "Parameters": {
            "LambdaFunctionARN": "arn:check",
            "InvocationTimeLimitSeconds": "10",
            "InvocationType": "ASYNCHRONOUS",
        },
        "Transitions": {
            "NextAction": next_action,
            "Errors": [{"NextAction": "End", "ErrorType": "NoMatchingError"}],
        },
    }


END = {"Identifier": "End", "Type": "DisconnectParticipant", "Parameters": {}, "Transitions": {}}


def _wait(continue_to: str) -> dict[str, Any]:
    return {
        "Identifier": "Wait",
        "Type": "Wait",
        "Parameters": {
            "TimeLimitSeconds": "10",
            "ContinueExecution": "TRUE",
            "InterruptibleEvents": {
                "LambdaReturned": {
                    "AsyncLambdaCompletionEvent": {"Identifier": "$.LambdaInvocation.InvocationId"}
                }
            },
            "MinimumWaitTimeSeconds": "1",
        },
        "Transitions": {
            "NextAction": "End",
            "Conditions": [
                {"NextAction": continue_to, "Condition": {"Operator": "Equals", "Operands": ["Continue"]}},
                {"NextAction": "Load", "Condition": {"Operator": "Equals", "Operands": ["LambdaReturned"]}},
                {"NextAction": "End", "Condition": {"Operator": "Equals", "Operands": ["WaitCompleted"]}},
            ],
            "Errors": [{"NextAction": "End", "ErrorType": "NoMatchingError"}],
        },
    }


def _load(next_action: str = "End", in_progress: str = "End") -> dict[str, Any]:
    return {
        "Identifier": "Load",
        "Type": "LoadLambdaFunctionResult",
        "Parameters": {"LambdaInvocationId": "$.LambdaInvocation.InvocationId"},
        "Transitions": {
            "NextAction": next_action,
            "Errors": [
                {"NextAction": "End", "ErrorType": "NoMatchingError"},
                {"NextAction": in_progress, "ErrorType": "InProgress"},
            ],
        },
    }


def _hold(identifier: str, next_action: str) -> dict[str, Any]:
    return {
        "Identifier": identifier,
        "Type": "MessageParticipant",
        "Parameters": {"Text": "Please hold."},
        "Transitions": {"NextAction": next_action},
    }


def test_the_wait_cuts_the_continue_branch_off_when_the_call_returns() -> None:
    report = CallReport()
    flow = [_async_call("Wait"), _wait("Hold1"), _hold("Hold1", "Hold2"), _hold("Hold2", "End"), _load(), END]
    _interpreter(flow, report).play()
    assert report.path == ["Call", "Wait", "Hold1", "Hold2", "Load", "End"]
    # The Wait begins once the invoke has gone out; the 2 s hold plays, then the second is cut
    # off when the call returns, 3 s after it went out.
    went = Deployment().latency.invoke_overhead_ms
    assert [(b - START_MS, e - START_MS) for b, e in report.speech] == [
        (went, went + 2_000),
        (went + 2_000, went + 3_000),
    ]
    assert report.total_wait_seconds == (went + 3_000) / 1000


def test_a_continue_branch_that_runs_out_into_another_block_stops_the_simulation() -> None:
    # What Connect does there is not documented; the simulator refuses to guess.
    flow = [_async_call("Wait"), _wait("Hold1"), _hold("Hold1", "Call"), _load(), END]
    with pytest.raises(UnknownBlockError, match="Continue branch reaches Call"):
        _interpreter(flow, CallReport()).play()


def test_a_block_type_the_simulator_cannot_play_stops_the_simulation() -> None:
    # A new timed block (a customer-input prompt, say) followed blindly would take no time and
    # every silence measured after it would be wrong: the simulator names the file to teach.
    ask = {
        "Identifier": "Ask",
        "Type": "GetParticipantInput",
        "Parameters": {"Text": "Press 1.", "StoreInput": "False", "InputTimeLimitSeconds": "5"},
        "Transitions": {"NextAction": "End"},
    }
    with pytest.raises(UnknownBlockError, match="cannot play a GetParticipantInput block; teach"):
        _interpreter([ask, END], CallReport()).play()


def test_loading_a_running_call_takes_in_progress() -> None:
    report = CallReport()
    # The call runs 3 s; the flow loads it at once (no Wait): InProgress, as the export shows.
    mark = {
        "Identifier": "Mark",
        "Type": "UpdateContactAttributes",
        "Parameters": {"Attributes": {"loaded": "in progress"}},
        "Transitions": {"NextAction": "End"},
    }
    flow = [_async_call("Load"), _load(next_action="End", in_progress="Mark"), mark, END]
    _interpreter(flow, report).play()
    assert report.path == ["Call", "Load", "Mark", "End"]


def test_a_prompt_between_an_asynchronous_call_and_its_wait_stops_the_simulation() -> None:
    # The simulator plays the call at once; a prompt then would be timed after it, so it refuses.
    flow = [_async_call("Hold1"), _hold("Hold1", "Wait"), _wait("End"), _load(), END]
    with pytest.raises(UnknownBlockError, match="while an asynchronous Lambda call runs"):
        _interpreter(flow, CallReport()).play()
