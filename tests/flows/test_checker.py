"""The flow checker: every rule, real exported flows, and the module's own rendered flow."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from flowkit.checker import check_flow
from tests.support.flows import render_flows
from tests.support.terraform_runner import Terraform

LAMBDA = "arn:aws:lambda:eu-west-2:123456789012:function:f"


def _lambda(identifier: str, next_action: str, limit: str = "8") -> dict[str, Any]:
    return {
        "Identifier": identifier,
        "Type": "InvokeLambdaFunction",
        "Parameters": {"LambdaFunctionARN": LAMBDA, "InvocationTimeLimitSeconds": limit},
        "Transitions": {
            "NextAction": next_action,
            "Errors": [{"NextAction": "Bye", "ErrorType": "NoMatchingError"}],
        },
    }


def _message(identifier: str, next_action: str, text: str = "Please hold") -> dict[str, Any]:
    return {
        "Identifier": identifier,
        "Type": "MessageParticipant",
        "Parameters": {"Text": text},
        "Transitions": {"NextAction": next_action},
    }


def valid_flow() -> dict[str, Any]:
    """Start, then loop [hold -> check -> compare], as exported from Connect (numbers as strings)."""
    return {
        "Version": "2019-10-30",
        "StartAction": "Start",
        "Metadata": {"entryPointPosition": {"x": 40, "y": 40}, "ActionMetadata": {}},
        "Actions": [
            _lambda("Start", "Wait"),
            {
                "Identifier": "Wait",
                "Type": "Loop",
                "Parameters": {"LoopCount": "10"},
                "Transitions": {
                    "Conditions": [
                        {
                            "NextAction": "Hold",
                            "Condition": {"Operator": "Equals", "Operands": ["ContinueLooping"]},
                        },
                        {
                            "NextAction": "Bye",
                            "Condition": {"Operator": "Equals", "Operands": ["DoneLooping"]},
                        },
                    ]
                },
            },
            _message("Hold", "Check"),
            _lambda("Check", "Branch", "6"),
            {
                "Identifier": "Branch",
                "Type": "Compare",
                "Parameters": {"ComparisonValue": "$.External.status"},
                "Transitions": {
                    "NextAction": "Bye",
                    "Conditions": [
                        {
                            "NextAction": "Wait",
                            "Condition": {"Operator": "Equals", "Operands": ["in_progress"]},
                        }
                    ],
                    "Errors": [{"NextAction": "Bye", "ErrorType": "NoMatchingCondition"}],
                },
            },
            # An action type the checker has no rule for: accepted, transitions still checked.
            {
                "Identifier": "Bye",
                "Type": "UpdateContactRecordingBehavior",
                "Parameters": {},
                "Transitions": {"NextAction": "End"},
            },
            {"Identifier": "End", "Type": "DisconnectParticipant", "Parameters": {}, "Transitions": {}},
        ],
    }


def _action(flow: dict[str, Any], identifier: str) -> dict[str, Any]:
    return next(a for a in flow["Actions"] if a["Identifier"] == identifier)


def test_a_valid_exported_flow_passes() -> None:
    assert check_flow(valid_flow()) == []
    assert check_flow(json.dumps(valid_flow())) == []


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    identifier, *keys = path.split(".")

    def mutate(flow: dict[str, Any]) -> None:
        target = _action(flow, identifier)
        for key in keys[:-1]:
            target = target[key]
        target[keys[-1]] = value

    return mutate


MUTATIONS: list[tuple[str, Callable[[dict[str, Any]], None], str, str]] = [
    ("wrong version", lambda f: f.update(Version="2020-01-01"), "", "version"),
    ("missing start", lambda f: f.pop("StartAction"), "", "start-action"),
    ("start names nothing", lambda f: f.update(StartAction="Nope"), "", "start-action"),
    ("identifier with a colon", _set("Hold.Identifier", "Hold:1"), "Hold:1", "identifier"),
    ("identifier too long", _set("Hold.Identifier", "H" * 51), "H" * 51, "identifier"),
    ("dangling transition", _set("Hold.Transitions", {"NextAction": "Gone"}), "Hold", "transition"),
    ("missing transition", _set("Bye.Transitions", {}), "Bye", "transition"),
    ("time limit over 8", _set("Check.Parameters.InvocationTimeLimitSeconds", "9"), "Check", "lambda"),
    (
        "time limit not a number",
        _set("Check.Parameters.InvocationTimeLimitSeconds", "soon"),
        "Check",
        "lambda",
    ),
    ("lambda without error branch", _set("Check.Transitions", {"NextAction": "Branch"}), "Check", "lambda"),
    ("loop count over 100", _set("Wait.Parameters.LoopCount", "101"), "Wait", "loop"),
    (
        "loop with one condition",
        lambda f: _action(f, "Wait")["Transitions"]["Conditions"].pop(),
        "Wait",
        "loop",
    ),
    ("compare without jsonpath", _set("Branch.Parameters.ComparisonValue", "status"), "Branch", "compare"),
    ("compare without no-match branch", _set("Branch.Transitions.Errors", []), "Branch", "compare"),
    (
        "message with text and ssml",
        _set("Hold.Parameters", {"Text": "a", "SSML": "<speak>a</speak>"}),
        "Hold",
        "message",
    ),
    ("message with nothing", _set("Hold.Parameters", {}), "Hold", "message"),
]


@pytest.mark.parametrize(("case", "mutate", "action", "rule"), MUTATIONS, ids=[m[0] for m in MUTATIONS])
def test_each_rule_reports_the_action(
    case: str, mutate: Callable[[dict[str, Any]], None], action: str, rule: str
) -> None:
    flow = copy.deepcopy(valid_flow())
    mutate(flow)
    found = {(v.action, v.rule) for v in check_flow(flow)}
    assert (action, rule) in found, (case, found)


def test_unreachable_action_is_reported() -> None:
    flow = valid_flow()
    flow["Actions"].append(_message("Orphan", "End"))
    assert [(v.action, v.rule) for v in check_flow(flow)] == [("Orphan", "unreachable")]


def test_more_than_250_actions_is_reported() -> None:
    flow = valid_flow()
    flow["Actions"][-1]["Transitions"] = {}
    chain = [_message(f"M{i}", f"M{i + 1}") for i in range(250)]
    chain[-1]["Transitions"] = {"NextAction": "End"}
    _action(flow, "Bye")["Transitions"] = {"NextAction": "M0"}
    flow["Actions"].extend(chain)
    assert ("", "actions") in {(v.action, v.rule) for v in check_flow(flow)}


def test_lambda_chain_over_twenty_seconds_without_a_prompt() -> None:
    flow = valid_flow()
    # Start (8 s) -> A (8 s) -> B (8 s) -> Wait: 24 s of Lambda calls with nothing played.
    _action(flow, "Start")["Transitions"]["NextAction"] = "A"
    flow["Actions"] += [_lambda("A", "B"), _lambda("B", "Wait")]
    violations = [v for v in check_flow(flow) if v.rule == "lambda-chain"]
    assert [v.action for v in violations] == ["Start"]
    assert "24 s" in violations[0].message


def test_a_prompt_between_lambda_calls_resets_the_chain() -> None:
    flow = valid_flow()
    _action(flow, "Start")["Transitions"]["NextAction"] = "A"
    flow["Actions"] += [_lambda("A", "Say"), _message("Say", "B"), _lambda("B", "Wait")]
    assert [v for v in check_flow(flow) if v.rule == "lambda-chain"] == []


def test_a_loop_of_lambda_calls_without_a_prompt_has_no_bound() -> None:
    flow = valid_flow()
    _action(flow, "Hold")["Type"] = "UpdateContactAttributes"  # the loop no longer plays anything
    _action(flow, "Hold")["Parameters"] = {"Attributes": {"x": "1"}}
    assert "lambda-chain" in {v.rule for v in check_flow(flow)}


def test_not_a_flow_at_all() -> None:
    assert [v.rule for v in check_flow("{nope")] == ["json"]
    assert [v.rule for v in check_flow("[1, 2]")] == ["json"]


@pytest.mark.parametrize(
    "queues",
    [
        {},
        {
            "success_queue_id": "0e3b1d0a-1111-4222-8333-444455556666",
            "fallback_queue_id": "1e3b1d0a-1111-4222-8333-444455556666",
        },
    ],
)
def test_the_modules_rendered_flows_pass(
    terraform: Terraform, tmp_path: Path, queues: dict[str, str]
) -> None:
    rendered = render_flows(terraform, tmp_path, **queues)
    for name, content in rendered.items():
        assert content is not None
        assert check_flow(content) == [], name
    inbound = json.loads(str(rendered["inbound_flow"]))
    assert inbound["StartAction"] == "SetVoice"
    types = {a["Type"] for a in inbound["Actions"]}
    assert ("TransferContactToQueue" in types) == bool(queues)
    module = json.loads(str(rendered["wait_module"]))
    assert [t["ReferenceName"] for t in module["Settings"]["Transitions"]] == ["Success", "Error"]
    requeue = json.loads(str(rendered["requeue_disconnect_flow"]))
    assert {a["Type"] for a in requeue["Actions"]} >= {"Wait", "InvokeFlowModule", "TransferContactToQueue"}


def test_the_inbound_flow_and_the_module_share_the_wait_actions(terraform: Terraform, tmp_path: Path) -> None:
    rendered = render_flows(terraform, tmp_path)
    inbound = {a["Identifier"]: a for a in json.loads(str(rendered["inbound_flow"]))["Actions"]}
    module = {a["Identifier"]: a for a in json.loads(str(rendered["wait_module"]))["Actions"]}
    shared = set(inbound) & set(module)
    assert {"StartTask", "WaitLoop", "HoldMessage", "CheckTask", "BranchOnStatus", "SaveResult"} <= shared
    # Same logic; only the module reads its task from contact attributes.
    assert inbound["WaitLoop"] == module["WaitLoop"]
    assert module["StartTask"]["Parameters"]["LambdaInvocationAttributes"] == {
        "task_name": "$.Attributes.task_name",
        "task_input": "$.Attributes.task_input",
    }
    assert "LambdaInvocationAttributes" not in inbound["StartTask"]["Parameters"]


def test_no_requeue_flow_without_a_module(terraform: Terraform, tmp_path: Path) -> None:
    assert render_flows(terraform, tmp_path, flow_module_id=None)["requeue_disconnect_flow"] is None
