"""The flow checker: each rule on a small exported-style flow, each defect class seeded into copies
of the module's own rendered flows, hostile input, and the command line."""

from __future__ import annotations

import contextlib
import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flowkit.checker import ERROR, WARNING, Violation, check_flow, errors, main
from flowkit.module_flows import FLOW_TYPES, check_module_flows
from tests.support.flows import CHECK_ARN, FLOW_MODULE_ID, MESSAGES, START_ARN, render_flows

pytestmark = pytest.mark.terraform

LAMBDA = "arn:aws:lambda:eu-west-2:123456789012:function:f"
PROMPT_ARN = (
    "arn:aws:connect:eu-west-2:123456789012:instance/0e7f4c2a-8d51-4b3e-9a60-3c1d2b4e5f60"
    "/prompt/1e7f4c2a-8d51-4b3e-9a60-3c1d2b4e5f60"
)
QUEUES = {
    "success_queue_id": "0e3b1d0a-1111-4222-8333-444455556666",
    "fallback_queue_id": "1e3b1d0a-1111-4222-8333-444455556666",
}
RESULT_KEYS = ["message"]


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


def _loop(identifier: str, count: str, again: str, done: str) -> dict[str, Any]:
    return {
        "Identifier": identifier,
        "Type": "Loop",
        "Parameters": {"LoopCount": count},
        "Transitions": {
            "NextAction": done,
            "Conditions": [
                {"NextAction": again, "Condition": {"Operator": "Equals", "Operands": ["ContinueLooping"]}},
                {"NextAction": done, "Condition": {"Operator": "Equals", "Operands": ["DoneLooping"]}},
            ],
        },
    }


def valid_flow() -> dict[str, Any]:
    """Start, then loop [hold -> check -> compare], in the shapes Connect exports (numbers as strings)."""
    return {
        "Version": "2019-10-30",
        "StartAction": "Start",
        "Metadata": {"entryPointPosition": {"x": 40, "y": 40}, "ActionMetadata": {}},
        "Actions": [
            _lambda("Start", "Wait"),
            _loop("Wait", "10", "Hold", "Bye"),
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


def _found(violations: list[Violation]) -> set[tuple[str, str, str]]:
    return {(v.action, v.rule, v.severity) for v in violations}


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
    (
        "lambda without error branch",
        _set("Check.Transitions", {"NextAction": "Branch"}),
        "Check",
        "error-type",
    ),
    ("loop count over 100", _set("Wait.Parameters.LoopCount", "101"), "Wait", "loop"),
    (
        "loop with one condition",
        lambda f: _action(f, "Wait")["Transitions"]["Conditions"].pop(),
        "Wait",
        "conditions",
    ),
    ("compare without jsonpath", _set("Branch.Parameters.ComparisonValue", "status"), "Branch", "compare"),
    ("compare without no-match branch", _set("Branch.Transitions.Errors", []), "Branch", "error-type"),
    (
        "message with text and ssml",
        _set("Hold.Parameters", {"Text": "a", "SSML": "<speak>a</speak>"}),
        "Hold",
        "parameters",
    ),
    ("message with nothing", _set("Hold.Parameters", {}), "Hold", "parameters"),
]


@pytest.mark.parametrize(("case", "mutate", "action", "rule"), MUTATIONS, ids=[m[0] for m in MUTATIONS])
def test_each_rule_reports_the_action(
    case: str, mutate: Callable[[dict[str, Any]], None], action: str, rule: str
) -> None:
    flow = copy.deepcopy(valid_flow())
    mutate(flow)
    found = {(v.action, v.rule) for v in errors(check_flow(flow))}
    assert (action, rule) in found, (case, found)


def test_an_orphan_block_is_a_warning_as_connect_keeps_it() -> None:
    flow = valid_flow()
    flow["Actions"].append(_message("Orphan", "End"))
    assert _found(check_flow(flow)) == {("Orphan", "unreachable", WARNING)}


def test_more_than_250_actions_is_reported() -> None:
    flow = valid_flow()
    chain = [_message(f"M{i}", f"M{i + 1}") for i in range(250)]
    chain[-1]["Transitions"] = {"NextAction": "End"}
    _action(flow, "Bye")["Transitions"] = {"NextAction": "M0"}
    flow["Actions"].extend(chain)
    assert ("", "actions", ERROR) in _found(check_flow(flow))


def test_lambda_chain_over_twenty_seconds_without_a_prompt_is_a_warning_with_its_seconds() -> None:
    flow = valid_flow()
    # Start (8 s) -> A (8 s) -> B (8 s) -> Wait: 24 s of Lambda calls with nothing played.
    _action(flow, "Start")["Transitions"]["NextAction"] = "A"
    flow["Actions"] += [_lambda("A", "B"), _lambda("B", "Wait")]
    chains = [v for v in check_flow(flow) if v.rule == "lambda-chain"]
    assert [(v.action, v.severity) for v in chains] == [("Start", WARNING)]
    assert "24 s" in chains[0].message


def test_a_prompt_between_lambda_calls_resets_the_chain() -> None:
    flow = valid_flow()
    _action(flow, "Start")["Transitions"]["NextAction"] = "A"
    flow["Actions"] += [_lambda("A", "Say"), _message("Say", "B"), _lambda("B", "Wait")]
    assert [v for v in check_flow(flow) if v.rule == "lambda-chain"] == []


def test_a_lambda_polling_loop_without_a_loop_block_is_a_warning_that_says_why() -> None:
    # Check -> Branch -> (in_progress) Check: no prompt and no Loop block in the cycle. Connect
    # accepts it (the Lambda may keep its own deadline), so it is a warning, not an error.
    flow = valid_flow()
    _action(flow, "Branch")["Transitions"]["Conditions"][0]["NextAction"] = "Check"
    chains = [v for v in check_flow(flow) if v.rule == "lambda-chain"]
    assert [(v.action, v.severity) for v in chains] == [("Check", WARNING)]
    assert "only what the Lambda answers ends it" in chains[0].message


def _flag(identifier: str, next_action: str, value: str) -> dict[str, Any]:
    return {
        "Identifier": identifier,
        "Type": "UpdateFlowAttributes",
        "Parameters": {"FlowAttributes": {"said": {"Value": value}}},
        "Transitions": {"NextAction": next_action},
    }


def _branch(identifier: str, on: str, cases: dict[str, str], otherwise: str) -> dict[str, Any]:
    return {
        "Identifier": identifier,
        "Type": "Compare",
        "Parameters": {"ComparisonValue": on},
        "Transitions": {
            "NextAction": otherwise,
            "Conditions": [
                {"NextAction": to, "Condition": {"Operator": "Equals", "Operands": [value]}}
                for value, to in cases.items()
            ],
            "Errors": [{"NextAction": otherwise, "ErrorType": "NoMatchingCondition"}],
        },
    }


def test_a_path_that_a_flag_rules_out_is_not_counted_in_a_chain() -> None:
    # Start (8 s) -> A (8 s) -> Said?: "false" (set before Start) goes to a prompt first; only
    # the "true" path, after the prompt, runs B (8 s). Without the flag: 24 s; with it: 16 s.
    flow = valid_flow()
    flow["StartAction"] = "Init"
    _action(flow, "Start")["Transitions"]["NextAction"] = "A"
    flow["Actions"] += [
        _flag("Init", "Start", "false"),
        _lambda("A", "Said"),
        _branch("Said", "$.FlowAttributes.said", {"true": "B"}, "Remember"),
        _flag("Remember", "Say", "true"),
        _message("Say", "A"),
        _lambda("B", "Wait"),
    ]
    assert [v for v in check_flow(flow) if v.rule == "lambda-chain"] == []
    # A flag set from a reference is not a flag: every path counts again.
    _action(flow, "Init")["Parameters"]["FlowAttributes"]["said"]["Value"] = "$.External.said"
    assert [v.action for v in check_flow(flow) if v.rule == "lambda-chain"] == ["Start"]


def test_a_branch_on_the_channel_follows_each_contact_on_its_own_channel() -> None:
    # Voice hears a prompt before B; chat runs B at once: 24 s on chat only.
    flow = valid_flow()
    _action(flow, "Start")["Transitions"]["NextAction"] = "A"
    flow["Actions"] += [
        _lambda("A", "Channel"),
        _branch("Channel", "$.Channel", {"VOICE": "Say"}, "B"),
        _message("Say", "B"),
        _lambda("B", "Wait"),
    ]
    assert [v for v in check_flow(flow, channels={"VOICE"}) if v.rule == "lambda-chain"] == []
    assert [v.action for v in check_flow(flow, channels={"CHAT"}) if v.rule == "lambda-chain"] == ["Start"]


def test_a_loop_bounded_retry_around_a_lambda_is_a_warning_stating_its_worst_silence() -> None:
    # The exported pattern: Lambda -> error -> Loop(2) -> Lambda, no prompt: 3 x 8 s worst case.
    flow = valid_flow()
    _action(flow, "Start")["Transitions"]["Errors"] = [
        {"NextAction": "Retry", "ErrorType": "NoMatchingError"}
    ]
    flow["Actions"].append(_loop("Retry", "2", "Start", "Bye"))
    chains = [v for v in check_flow(flow) if v.rule == "lambda-chain"]
    assert [(v.action, v.severity) for v in chains] == [("Start", WARNING)]
    assert "24 s" in chains[0].message and "retry loop" in chains[0].message


def test_cycles_with_a_lex_block_or_without_a_lambda_are_not_flagged() -> None:
    flow = valid_flow()
    lex = {
        "Identifier": "Ask",
        "Type": "ConnectParticipantWithLexBot",
        "Parameters": {"Text": "What can I do?", "LexV2Bot": {"AliasArn": "arn"}},
        "Transitions": {
            "NextAction": "Check",
            "Conditions": [
                {"NextAction": "Check", "Condition": {"Operator": "Equals", "Operands": ["Help"]}}
            ],
            "Errors": [{"NextAction": "Bye", "ErrorType": "NoMatchingError"}],
        },
    }
    _action(flow, "Branch")["Transitions"]["Conditions"][0]["NextAction"] = "Ask"  # Check -> Lex -> Check
    idle = {
        **_message("Idle2", "Idle"),
        "Type": "UpdateContactAttributes",
        "Parameters": {"Attributes": {"a": "1"}},
    }
    flow["Actions"] += [lex, _loop("Idle", "3", "Idle2", "End"), idle]  # a cycle with no Lambda
    _action(flow, "Bye")["Transitions"] = {"NextAction": "Idle"}
    assert [v for v in check_flow(flow) if v.rule == "lambda-chain"] == []


def test_not_a_flow_at_all() -> None:
    assert [v.rule for v in check_flow("{nope")] == ["json"]
    assert [v.rule for v in check_flow("[1, 2]")] == ["json"]


@pytest.mark.parametrize(
    ("document", "says"),
    [
        ({"modules": [{"id": "1", "type": "PlayPrompt"}], "version": "1"}, "legacy flow export format"),
        ({"ContactFlow": {"Content": "{}", "Name": "x"}}, "DescribeContactFlow"),
        ({"AWSTemplateFormatVersion": "2010-09-09", "Resources": {}}, "CloudFormation template"),
        ({"name": "my flow"}, "neither Version nor Actions"),
    ],
    ids=["legacy export", "describe response", "cloudformation", "anything else"],
)
def test_a_document_that_is_not_flow_language_is_named_in_one_error(
    document: dict[str, Any], says: str
) -> None:
    found = check_flow(document)
    assert [(v.rule, v.severity) for v in found] == [("document", ERROR)]
    assert says in found[0].message


def test_an_invented_block_type_is_an_error_that_names_connects_type() -> None:
    flow = valid_flow()
    _action(flow, "Hold")["Type"] = "SetVoice"
    _action(flow, "End")["Type"] = "Start"
    messages = {v.action: v.message for v in check_flow(flow) if v.rule == "type"}
    assert "Connect writes 'UpdateContactTextToSpeechVoice'" in messages["Hold"]
    assert "StartAction" in messages["End"]
    assert all(v.severity == ERROR for v in check_flow(flow) if v.rule == "type")


def _keep_running_wait(flow_type_conditions: list[str]) -> dict[str, Any]:
    return {
        "Identifier": "Wait",
        "Type": "Wait",
        "Parameters": {
            "TimeLimitSeconds": "60",
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
                {"NextAction": "End", "Condition": {"Operator": "Equals", "Operands": [operand]}}
                for operand in flow_type_conditions
            ],
            "Errors": [{"NextAction": "End", "ErrorType": "NoMatchingError"}],
        },
    }


def test_the_asynchronous_lambda_wait_is_for_voice_in_inbound_flows_only() -> None:
    end = {"Identifier": "End", "Type": "DisconnectParticipant", "Parameters": {}, "Transitions": {}}
    flow = {
        "Version": "2019-10-30",
        "StartAction": "Wait",
        "Actions": [_keep_running_wait(["Continue", "LambdaReturned", "WaitCompleted"]), end],
    }
    assert check_flow(flow, flow_type="CONTACT_FLOW", channels={"VOICE"}) == []
    queue = check_flow(flow, flow_type="CUSTOMER_QUEUE", channels={"VOICE"})
    assert [(v.rule, v.severity) for v in queue] == [("channel", ERROR)]
    assert check_flow(flow, flow_type="CUSTOMER_QUEUE", channels={"CHAT"}) == []
    # Every event it waits for needs its condition; an unknown condition is an error.
    flow["Actions"][0] = _keep_running_wait(["LambdaReturned", "WaitCompleted", "Whenever"])
    found = {v.message for v in check_flow(flow, flow_type="CONTACT_FLOW") if v.severity == ERROR}
    assert any("'Continue' has none" in m for m in found)
    assert any("unknown Wait condition 'Whenever'" in m for m in found)


# -- each defect class, seeded into copies of the module's own rendered flows --------------------


@pytest.fixture(scope="module")
def rendered() -> dict[str, str | None]:
    """All three flows with every optional block on: both queues and a recorded hold prompt."""
    return render_flows(voice_hold_prompt_arn=PROMPT_ARN, **QUEUES)


def _module_check(name: str, flow: dict[str, Any], rendered: dict[str, str | None]) -> list[Violation]:
    flows = {**rendered, name: json.dumps(flow)}
    return check_module_flows(
        flows,
        start_arn=START_ARN,
        check_arn=CHECK_ARN,
        result_keys=RESULT_KEYS,
        flow_module_id=FLOW_MODULE_ID,
    )[name]


def _first(flow: dict[str, Any], kind: str) -> dict[str, Any]:
    return next(a for a in flow["Actions"] if a["Type"] == kind)


def _drop_next_action(kind: str) -> Callable[[dict[str, Any]], str]:
    def seed(flow: dict[str, Any]) -> str:
        action = _first(flow, kind)
        action["Transitions"].pop("NextAction")
        return str(action["Identifier"])

    return seed


def _with(kind: str, change: Callable[[dict[str, Any]], None]) -> Callable[[dict[str, Any]], str]:
    def seed(flow: dict[str, Any]) -> str:
        action = _first(flow, kind)
        change(action)
        return str(action["Identifier"])

    return seed


def _identified(identifier: str, change: Callable[[dict[str, Any]], None]) -> Callable[[dict[str, Any]], str]:
    def seed(flow: dict[str, Any]) -> str:
        change(_action(flow, identifier))
        return identifier

    return seed


def _append(action: dict[str, Any], *, lead_from: str) -> Callable[[dict[str, Any]], str]:
    """Add ``action`` and route ``lead_from``'s NextAction to it (its own NextAction goes on)."""

    def seed(flow: dict[str, Any]) -> str:
        source = _action(flow, lead_from)
        added = copy.deepcopy(action)
        added.setdefault("Transitions", {})
        if "NextAction" in added["Transitions"] or added["Type"] not in (
            "DisconnectParticipant",
            "EndFlowModuleExecution",
        ):
            added["Transitions"]["NextAction"] = source["Transitions"]["NextAction"]
        source["Transitions"]["NextAction"] = added["Identifier"]
        flow["Actions"].append(added)
        return str(added["Identifier"])

    return seed


def _wait(**parameters: Any) -> dict[str, Any]:
    return {
        "Identifier": "WaitSeeded",
        "Type": "Wait",
        "Parameters": {"TimeLimitSeconds": "60", **parameters},
        "Transitions": {
            "Conditions": [
                {
                    "NextAction": "Disconnect",
                    "Condition": {"Operator": "Equals", "Operands": ["WaitCompleted"]},
                }
            ],
            "Errors": [{"NextAction": "Disconnect", "ErrorType": "NoMatchingError"}],
        },
    }


# (defect class, flow to seed it in, how, rule expected, severity expected)
SEEDED: list[tuple[str, str, Callable[[dict[str, Any]], str], str, str]] = [
    ("Loop without NextAction", "inbound_flow", _drop_next_action("Loop"), "transition", ERROR),
    (
        "TransferContactToQueue without NextAction",
        "inbound_flow",
        _drop_next_action("TransferContactToQueue"),
        "transition",
        ERROR,
    ),
    (
        "InvokeFlowModule routing NoMatchingCondition",
        "requeue_disconnect_flow",
        _with(
            "InvokeFlowModule",
            lambda a: a["Transitions"]["Errors"].append(
                {"NextAction": "Disconnect", "ErrorType": "NoMatchingCondition"}
            ),
        ),
        "error-type",
        ERROR,
    ),
    (
        "UpdateFlowAttributes routing an error type it does not have",
        "inbound_flow",
        _with(
            "UpdateFlowAttributes",
            lambda a: a["Transitions"].update(
                Errors=[{"NextAction": "StartTask", "ErrorType": "NoMatchingCondition"}]
            ),
        ),
        "error-type",
        ERROR,
    ),
    (
        "lower-case TTS engine",
        "inbound_flow",
        _with(
            "UpdateContactTextToSpeechVoice", lambda a: a["Parameters"].update(TextToSpeechEngine="neural")
        ),
        "voice",
        ERROR,
    ),
    (
        "flow attribute read before it is set",
        "inbound_flow",
        lambda f: (f.update(StartAction="StartTask"), "CheckTask")[1],
        "data-flow",
        ERROR,
    ),
    (
        "$.External read where no Lambda answered",
        "inbound_flow",
        _identified("SetVoice", lambda a: a["Parameters"].update(TextToSpeechVoice="$.External.voice")),
        "data-flow",
        ERROR,
    ),
    (
        "$.External key the Lambda never returns",
        "inbound_flow",
        _identified(
            "SaveResult",
            lambda a: a["Parameters"]["Attributes"].update(result_balance="$.External.result_balance"),
        ),
        "data-flow",
        ERROR,
    ),
    (
        "contact attribute nothing sets (must come from upstream)",
        "inbound_flow",
        _identified("Success", lambda a: a["Parameters"].update(Text="$.Attributes.customer_name")),
        "data-flow",
        WARNING,
    ),
    (
        "voice-only prompt reachable on chat",
        "inbound_flow",
        _identified("HoldText", lambda a: a.update(Parameters={"PromptId": PROMPT_ARN})),
        "channel",
        ERROR,
    ),
    (
        "SSML on chat in the module",
        "wait_module",
        _identified("SpeakProgress", lambda a: a.update(Parameters={"SSML": "<speak>hi</speak>"})),
        "channel",
        ERROR,
    ),
    (
        "Wait without WaitCompleted",
        "requeue_disconnect_flow",
        _with("Wait", lambda a: a["Transitions"]["Conditions"].pop()),
        "conditions",
        ERROR,
    ),
    (
        "Wait over seven days",
        "requeue_disconnect_flow",
        _with("Wait", lambda a: a["Parameters"].update(TimeLimitSeconds="604801")),
        "wait",
        ERROR,
    ),
    (
        "Wait with TimeoutSeconds, the stale reference page's name",
        "requeue_disconnect_flow",
        _with(
            "Wait", lambda a: a["Parameters"].update(TimeoutSeconds=a["Parameters"].pop("TimeLimitSeconds"))
        ),
        "parameters",
        ERROR,
    ),
    (
        "Wait in a flow module",
        "wait_module",
        _append(_wait(), lead_from="RememberChatHold"),
        "flow-type",
        ERROR,
    ),
    (
        "a voice contact reaching a plain Wait",
        "inbound_flow",
        lambda f: (
            _action(f, "HoldMessage")["Transitions"]["Conditions"][0].update(NextAction="ChatPause"),
            "ChatPause",
        )[1],
        "channel",
        ERROR,
    ),
    (
        "a keep-running Wait without its Continue condition",
        "inbound_flow",
        _identified("ChatPause", lambda a: a["Parameters"].update(ContinueExecution="TRUE")),
        "wait",
        ERROR,
    ),
    (
        "a Lambda wait without the invocation to wait for",
        "inbound_flow",
        _identified(
            "ChatPause",
            lambda a: a["Parameters"].update(InterruptibleEvents={"LambdaReturned": {}}),
        ),
        "wait",
        ERROR,
    ),
    (
        "MinimumWaitTimeSeconds longer than the Wait",
        "inbound_flow",
        _identified("ChatPause", lambda a: a["Parameters"].update(MinimumWaitTimeSeconds="999")),
        "wait",
        ERROR,
    ),
    (
        "a Wait condition for an event it does not wait for",
        "inbound_flow",
        _identified(
            "ChatPause",
            lambda a: a["Transitions"]["Conditions"].append(
                {
                    "NextAction": "CheckTask",
                    "Condition": {"Operator": "Equals", "Operands": ["LambdaReturned"]},
                }
            ),
        ),
        "wait",
        WARNING,
    ),
    (
        "LoadLambdaFunctionResult without its InProgress branch",
        "inbound_flow",
        _append(
            {
                "Identifier": "LoadSeeded",
                "Type": "LoadLambdaFunctionResult",
                "Parameters": {"LambdaInvocationId": "$.LambdaInvocation.InvocationId"},
                "Transitions": {"Errors": [{"NextAction": "Disconnect", "ErrorType": "NoMatchingError"}]},
            },
            lead_from="AfterSuccess",
        ),
        "error-type",
        ERROR,
    ),
    (
        "a synchronous time limit over 8 s",
        "inbound_flow",
        _identified("StartTask", lambda a: a["Parameters"].update(InvocationTimeLimitSeconds="9")),
        "lambda",
        ERROR,
    ),
    (
        "InvokeFlowModule of a module this configuration does not create",
        "requeue_disconnect_flow",
        _with(
            "InvokeFlowModule",
            lambda a: a["Parameters"].update(FlowModuleId="9e7f4c2a-8d51-4b3e-9a60-3c1d2b4e5f60"),
        ),
        "module",
        ERROR,
    ),
    (
        "InvokeFlowModule inside a flow module",
        "wait_module",
        _append(
            {
                "Identifier": "ModuleSeeded",
                "Type": "InvokeFlowModule",
                "Parameters": {"FlowModuleId": FLOW_MODULE_ID},
                "Transitions": {"Errors": [{"NextAction": "ReturnError", "ErrorType": "NoMatchingError"}]},
            },
            lead_from="RememberChatHold",
        ),
        "flow-type",
        ERROR,
    ),
    (
        "a Compare on a contact attribute nothing sets, after a flow module",
        "requeue_disconnect_flow",
        _with("Compare", lambda a: a["Parameters"].update(ComparisonValue="$.Attributes.never_set")),
        "data-flow",
        WARNING,
    ),
    (
        "a console block's name as an action type",
        "inbound_flow",
        _identified("SetVoice", lambda a: a.update(Type="SetVoice")),
        "type",
        ERROR,
    ),
    (
        "an action type Connect's flow language does not have",
        "inbound_flow",
        _identified("Success", lambda a: a.update(Type="PlayAnnouncementTwice")),
        "type",
        ERROR,
    ),
    (
        "a parameter name the action type does not have",
        "inbound_flow",
        _identified("Success", lambda a: a["Parameters"].update(Txt="Hello")),
        "parameters",
        ERROR,
    ),
    (
        "a number where Connect writes a string",
        "inbound_flow",
        _with("Loop", lambda a: a["Parameters"].update(LoopCount=3)),
        "value-format",
        WARNING,
    ),
    (
        "a Lambda ARN left empty for after import",
        "inbound_flow",
        _identified("StartTask", lambda a: a["Parameters"].update(LambdaFunctionARN="")),
        "parameters",
        WARNING,
    ),
    (
        "a Lambda polling loop with no prompt and no Loop block",
        "inbound_flow",
        lambda f: (
            _action(f, "BranchOnStatus")["Transitions"]["Conditions"][1].update(NextAction="CheckTask"),
            "CheckTask",
        )[1],
        "lambda-chain",
        WARNING,
    ),
    (
        "Wait on an unknown event",
        "requeue_disconnect_flow",
        _with("Wait", lambda a: a["Parameters"].update(Events=["CustomerReturned", "AgentWaved"])),
        "wait",
        ERROR,
    ),
    (
        "Wait event without its condition",
        "inbound_flow",
        _append(_wait(Events=["CustomerReturned"]), lead_from="AfterSuccess"),
        "wait",
        ERROR,
    ),
    (
        "InvocationType that does not exist",
        "inbound_flow",
        _identified("StartTask", lambda a: a["Parameters"].update(InvocationType="FIRE_AND_FORGET")),
        "lambda",
        ERROR,
    ),
    (
        "asynchronous time limit over 60 s",
        "inbound_flow",
        _identified(
            "StartTask",
            lambda a: a["Parameters"].update(InvocationType="ASYNCHRONOUS", InvocationTimeLimitSeconds="61"),
        ),
        "lambda",
        ERROR,
    ),
    (
        "a typo in an action type",
        "inbound_flow",
        _identified("Success", lambda a: a.update(Type="MessageParticipent")),
        "type",
        ERROR,
    ),
    (
        "EndFlowModuleExecution outside a module",
        "inbound_flow",
        _identified("Disconnect", lambda a: a.update(Type="EndFlowModuleExecution")),
        "flow-type",
        ERROR,
    ),
    (
        "MessageParticipantIteratively in an inbound flow",
        "inbound_flow",
        _identified(
            "Success",
            lambda a: a.update(
                Type="MessageParticipantIteratively", Parameters={"Messages": [{"Text": "hi"}]}
            ),
        ),
        "flow-type",
        ERROR,
    ),
    (
        "UpdateContactTargetQueue without a queue",
        "inbound_flow",
        _with("UpdateContactTargetQueue", lambda a: a.update(Parameters={})),
        "parameters",
        ERROR,
    ),
    (
        "a reserved identifier",
        "inbound_flow",
        lambda f: (
            _action(f, "Disconnect").update(Identifier="constructor"),
            [
                a["Transitions"].update(
                    {k: "constructor" for k, v in a["Transitions"].items() if v == "Disconnect"}
                )
                for a in f["Actions"]
            ],
            "constructor",
        )[2],
        "identifier",
        ERROR,
    ),
    (
        "Parameters as a list",
        "inbound_flow",
        _identified("Success", lambda a: a.update(Parameters=["Text", "hello"])),
        "parameters",
        ERROR,
    ),
    (
        "Transitions as a list",
        "inbound_flow",
        _identified("Success", lambda a: a.update(Transitions=["AfterSuccess"])),
        "transition",
        ERROR,
    ),
]


@pytest.mark.parametrize(("case", "name", "seed", "rule", "severity"), SEEDED, ids=[s[0] for s in SEEDED])
def test_each_defect_class_is_caught_in_a_rendered_flow(
    rendered: dict[str, str | None],
    case: str,
    name: str,
    seed: Callable[[dict[str, Any]], str],
    rule: str,
    severity: str,
) -> None:
    flow = json.loads(str(rendered[name]))
    assert _module_check(name, flow, rendered) == [], "the unseeded flow must be clean"
    where = seed(flow)
    found = _found(_module_check(name, flow, rendered))
    assert (where, rule, severity) in found, (case, sorted(found))


# What Connect accepts, seeded into the renders: the checker, as Connect sees a flow (no option
# that makes it stricter), reports no error. (flow to seed it in, how)
ACCEPTED: list[tuple[str, str, Callable[[dict[str, Any]], str]]] = [
    (
        "UpdateFlowAttributes routing NoMatchingError, as console exports do",
        "inbound_flow",
        _identified(
            "RememberChatHold",
            lambda a: a["Transitions"].update(
                Errors=[{"NextAction": "HoldText", "ErrorType": "NoMatchingError"}]
            ),
        ),
    ),
    (
        "$.External read before this flow's own Lambdas (set before a TransferToFlow into it)",
        "inbound_flow",
        _identified("SetVoice", lambda a: a["Parameters"].update(TextToSpeechVoice="$.External.voice")),
    ),
    (
        "a Lambda ARN left empty for the user to pick after import",
        "inbound_flow",
        _identified("CheckTask", lambda a: a["Parameters"].update(LambdaFunctionARN="")),
    ),
    (
        "a Lambda polling loop bounded by a deadline the Lambda keeps",
        "inbound_flow",
        _identified(
            "BranchOnStatus", lambda a: a["Transitions"]["Conditions"][1].update(NextAction="CheckTask")
        ),
    ),
    (
        "an orphan block",
        "requeue_disconnect_flow",
        _append(
            {"Identifier": "Orphan", "Type": "DisconnectParticipant", "Parameters": {}, "Transitions": {}},
            lead_from="SetTask",
        ),
    ),
]


@pytest.mark.parametrize(("case", "name", "seed"), ACCEPTED, ids=[a[0] for a in ACCEPTED])
def test_what_connect_accepts_is_no_error_in_a_rendered_flow(
    rendered: dict[str, str | None], case: str, name: str, seed: Callable[[dict[str, Any]], str]
) -> None:
    flow = json.loads(str(rendered[name]))
    seed(flow)
    assert [str(v) for v in errors(check_flow(flow, flow_type=FLOW_TYPES[name]))] == [], case


def test_a_module_without_settings_is_an_error(rendered: dict[str, str | None]) -> None:
    module = json.loads(str(rendered["wait_module"]))
    module.pop("Settings")
    assert ("", "module", ERROR) in _found(check_flow(module, flow_type="FLOW_MODULE"))


def test_the_module_reads_its_inputs_from_upstream(rendered: dict[str, str | None]) -> None:
    # Checked on its own, the module's inputs are warnings: a caller must set them first.
    warnings = check_flow(str(rendered["wait_module"]))
    assert {v.message.split()[0] for v in warnings} == {"$.Attributes.task_name", "$.Attributes.task_input"}
    assert all(v.severity == WARNING for v in warnings)


ASKING = {
    "task_parameters": {
        "question": "$.Attributes.question",
        "account": "$.Lex.Slots.account",
        "brand": "acme",
    },
    "result_attribute_keys": ["answer"],
    "messages": {**MESSAGES, "success": "Here is what I found. {result.answer}"},
}


@pytest.mark.parametrize(
    "variant",
    [
        {},
        QUEUES,
        {"voice_hold_prompt_arn": PROMPT_ARN, **QUEUES},
        {"result_attribute_keys": []},
        {"start_retry_attempts": 0, "check_retry_attempts": 0},
        ASKING,
        {"tracking_id_reference": "$.Attributes.customer_reference", **ASKING},
    ],
    ids=[
        "defaults",
        "queues",
        "queues and recorded hold prompt",
        "no result keys",
        "no retries",
        "task parameters and a spoken result",
        "tracking by a customer reference",
    ],
)
def test_the_modules_rendered_flows_are_clean(
    variant: dict[str, Any],
) -> None:
    flows = render_flows(**variant)
    checked = check_module_flows(
        flows,
        start_arn=START_ARN,
        check_arn=CHECK_ARN,
        result_keys=variant.get("result_attribute_keys", RESULT_KEYS),
        task_parameters=variant.get("task_parameters"),
        tracking_id_reference=variant.get("tracking_id_reference"),
    )
    assert checked == {"inbound_flow": [], "wait_module": [], "requeue_disconnect_flow": []}
    inbound = json.loads(str(flows["inbound_flow"]))
    types = {a["Type"] for a in inbound["Actions"]}
    assert ("TransferContactToQueue" in types) == ("success_queue_id" in variant)


def test_the_inbound_flow_and_the_module_share_the_wait_actions(rendered: dict[str, str | None]) -> None:
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
    assert [
        t["ReferenceName"] for t in json.loads(str(rendered["wait_module"]))["Settings"]["Transitions"]
    ] == ["Success", "Error"]


def test_no_requeue_flow_without_a_module() -> None:
    assert render_flows(flow_module_id=None)["requeue_disconnect_flow"] is None


# -- hostile input: never a crash, always a named violation -----------------------------------

_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=12), inner, max_size=3),
    max_leaves=8,
)


@settings(max_examples=300, deadline=None)
@given(
    path=st.lists(
        st.sampled_from(
            [
                "Actions",
                0,
                1,
                2,
                3,
                "Parameters",
                "Transitions",
                "Errors",
                "Conditions",
                "NextAction",
                "Type",
                "Identifier",
                "LoopCount",
                "Operands",
            ]
        ),
        min_size=1,
        max_size=5,
    ),
    value=_JSON,
)
def test_any_value_anywhere_never_crashes_the_checker(path: list[Any], value: Any) -> None:
    flow: Any = valid_flow()
    target = flow
    for key in path[:-1]:
        try:
            target = target[key]
        except (KeyError, IndexError, TypeError):
            break
    with contextlib.suppress(KeyError, IndexError, TypeError):
        target[path[-1]] = value
    found = check_flow(flow)
    assert all(isinstance(v, Violation) and v.severity in (ERROR, WARNING) for v in found)
    check_flow(json.dumps(flow, allow_nan=True))


@pytest.mark.parametrize(
    "text", ["", "null", "[]", '{"Actions": {}}', '{"Actions": [1, "x", null]}', "[" * 5000 + "]" * 5000]
)
def test_malformed_documents_are_violations(text: str) -> None:
    assert check_flow(text) != []


# -- the command line ----------------------------------------------------------------------------


def test_command_line_exit_codes_and_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good, warned, bad = tmp_path / "good.json", tmp_path / "warned.json", tmp_path / "bad.json"
    good.write_text(json.dumps(valid_flow()))
    orphan = valid_flow()
    orphan["Actions"].append(_message("Orphan", "End"))
    warned.write_text(json.dumps(orphan))
    broken = valid_flow()
    _action(broken, "Wait")["Transitions"].pop("NextAction")
    bad.write_text(json.dumps(broken))

    assert main([str(good)]) == 0
    assert main([str(warned)]) == 0
    assert main(["--strict", str(warned)]) == 1
    assert main([str(bad)]) == 1
    assert main([str(tmp_path / "missing.json")]) == 2
    assert main(["--flow-type", "NOT_A_TYPE", str(good)]) == 2
    capsys.readouterr()
    assert main(["--json", str(good), str(bad)]) == 1
    document = json.loads(capsys.readouterr().out)
    assert [(r["file"], r["errors"], r["warnings"]) for r in document] == [
        (str(good), 0, 0),
        (str(bad), 1, 0),
    ]
    assert document[1]["violations"][0]["rule"] == "transition"
    assert document[1]["violations"][0]["severity"] == ERROR
