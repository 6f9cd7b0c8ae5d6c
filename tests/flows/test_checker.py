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
from flowkit.module_flows import check_module_flows
from tests.support.flows import CHECK_ARN, MESSAGES, START_ARN, render_flows

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


def test_a_loop_of_lambda_calls_without_a_prompt_or_a_loop_block_has_no_bound() -> None:
    flow = valid_flow()
    # Check -> Branch -> (in_progress) Check: no prompt and no Loop block in the cycle.
    _action(flow, "Branch")["Transitions"]["Conditions"][0]["NextAction"] = "Check"
    chains = [v for v in check_flow(flow) if v.rule == "lambda-chain"]
    assert [(v.action, v.severity) for v in chains] == [("Check", ERROR)]


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


# -- each defect class, seeded into copies of the module's own rendered flows --------------------


@pytest.fixture(scope="module")
def rendered() -> dict[str, str | None]:
    """All three flows with every optional block on: both queues and a recorded hold prompt."""
    return render_flows(voice_hold_prompt_arn=PROMPT_ARN, **QUEUES)


def _module_check(name: str, flow: dict[str, Any]) -> list[Violation]:
    return check_module_flows(
        {name: json.dumps(flow)}, start_arn=START_ARN, check_arn=CHECK_ARN, result_keys=RESULT_KEYS
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
        "Parameters": {"TimeoutSeconds": "60", **parameters},
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
        "UpdateFlowAttributes routing an error",
        "inbound_flow",
        _with(
            "UpdateFlowAttributes",
            lambda a: a["Transitions"].update(
                Errors=[{"NextAction": "StartTask", "ErrorType": "NoMatchingError"}]
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
        _with("Wait", lambda a: a["Parameters"].update(TimeoutSeconds="604801")),
        "wait",
        ERROR,
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
    assert _module_check(name, flow) == [], "the unseeded flow must be clean"
    where = seed(flow)
    found = _found(_module_check(name, flow))
    assert (where, rule, severity) in found, (case, sorted(found))


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
