"""Check Amazon Connect flow-language JSON the way Connect validates it, plus the rules callers feel.

Two severities:

- **error**: Connect would reject the flow at CreateContactFlow / CreateContactFlowModule, or a
  caller is certainly hurt (a reference nothing sets, a voice-only prompt on chat, a loop of
  Lambda calls with no prompt and no bound).
- **warning**: Connect accepts it but it is risky: an orphan block, a retry loop whose worst-case
  silence passes Connect's 20 s Lambda-chain limit (stated in seconds), a contact attribute that
  must come from upstream.

The per-action rules are data (``connect_rules.json``, beside this file), each with its source: the
console-exported reference corpus (``tests/corpus/connect_flows``) or the flow-language reference.
Whatever the input, the checker never raises: malformed parts are violations that name the place.

    python -m flowkit.checker [--json] [--strict] [--flow-type T] [--channels VOICE,CHAT] FLOW.json...

Exit codes: 0 no errors (warnings allowed), 1 errors (or warnings with ``--strict``), 2 a file
could not be read or the arguments are wrong.
"""

from __future__ import annotations

import argparse
import difflib
import json
import math
import sys
from collections.abc import Callable, Iterator, Mapping, Set
from dataclasses import asdict, dataclass
from functools import cache
from pathlib import Path
from typing import Any, Final

from flowkit.analysis import ALL_CHANNELS, channel_reach, lambda_chains, unset_reads, voice_only_on_chat
from flowkit.graph import FlowGraph, as_list, as_mapping, as_number, condition_operands, module_key, scalars

__all__ = [
    "CHAIN_LIMIT_SECONDS",
    "ERROR",
    "WARNING",
    "Violation",
    "check_flow",
    "errors",
    "event_based_wait",
    "main",
    "module_key",
    "not_flow_language",
    "rules",
]

ERROR: Final = "error"
WARNING: Final = "warning"
_RULES_FILE: Final = Path(__file__).with_name("connect_rules.json")


@cache
def rules() -> Mapping[str, Any]:
    """The rule table (connect_rules.json)."""
    loaded: Mapping[str, Any] = json.loads(_RULES_FILE.read_text())
    return loaded


CHAIN_LIMIT_SECONDS: Final[int] = rules()["flow"]["lambda_chain_limit_seconds"]


@dataclass(frozen=True, order=True)
class Violation:
    action: str  # the action's Identifier, "#<index>" when it has none, or "" for the whole flow
    rule: str
    message: str
    severity: str = ERROR

    def __str__(self) -> str:
        return f"{self.action or '(flow)'}: {self.severity} [{self.rule}] {self.message}"


def errors(violations: list[Violation]) -> list[Violation]:
    return [v for v in violations if v.severity == ERROR]


@dataclass(frozen=True)
class _Options:
    flow_type: str | None
    channels: frozenset[str] | None
    responses: Mapping[str, Set[str]]
    upstream_attributes: frozenset[str]
    self_contained: bool
    flow_modules: Mapping[str, frozenset[str]] | None


_Check = Callable[[FlowGraph, _Options], Iterator[Violation]]


def _action_rules() -> Mapping[str, Mapping[str, Any]]:
    actions: Mapping[str, Mapping[str, Any]] = rules()["actions"]
    return actions


def _limits() -> Mapping[str, Any]:
    limits: Mapping[str, Any] = rules()["limits"]
    return limits


# -- the flow as a whole ---------------------------------------------------------------------


def not_flow_language(document: Mapping[str, Any]) -> str | None:
    """What a JSON object is when it is not a flow-language document (None when it may be one).

    Connect's CreateContactFlow takes only the flow language; the usual mistakes are another
    document that holds a flow, or a flow in the legacy export format."""
    if "Version" in document or "Actions" in document:
        return None
    if isinstance(document.get("modules"), list):
        return (
            "this is the legacy flow export format (a 'modules' list, from the console before the flow "
            "language), not flow language: Connect's CreateContactFlow takes only Version "
            f"{rules()['flow']['version']!r} documents with Actions; import it into the flow designer "
            "and export it again"
        )
    flow = as_mapping(document.get("ContactFlow")) or as_mapping(document.get("ContactFlowModule"))
    if "Content" in flow:
        return (
            "this is a DescribeContactFlow (or DescribeContactFlowModule) response, not a flow: the flow "
            "is the JSON string in its Content field"
        )
    if "Resources" in document or "AWSTemplateFormatVersion" in document:
        return (
            "this is a CloudFormation template, not a flow: the flow is the Content property of its "
            "AWS::Connect::ContactFlow (or ContactFlowModule) resource"
        )
    return "this is not a flow-language document: it has neither Version nor Actions"


def _check_document(graph: FlowGraph, options: _Options) -> Iterator[Violation]:
    flow = rules()["flow"]
    if graph.document.get("Version") != flow["version"]:
        yield Violation("", "version", f"Version must be {flow['version']!r}")
    if not isinstance(graph.document.get("Actions"), list):
        yield Violation("", "actions", "Actions must be a list of actions")
    elif not graph.actions:
        yield Violation("", "actions", "the flow has no actions")
    if len(graph.actions) > flow["max_actions"]:
        yield Violation(
            "", "actions", f"{len(graph.actions)} actions; Connect allows at most {flow['max_actions']}"
        )
    if not graph.start:
        yield Violation("", "start-action", "StartAction is missing")
    elif graph.start not in graph.by_id:
        yield Violation("", "start-action", f"StartAction {graph.start!r} is not an action of the flow")
    is_module = options.flow_type == "FLOW_MODULE"
    settings = graph.document.get("Settings")
    if is_module and not isinstance(settings, Mapping):
        yield Violation(
            "", "module", "a flow module needs Settings (InputParameters, OutputParameters, Transitions)"
        )
    if is_module and isinstance(settings, Mapping):
        missing = [
            k
            for k in ("InputParameters", "OutputParameters", "Transitions")
            if not isinstance(settings.get(k), list)
        ]
        if missing:
            yield Violation("", "module", f"Settings needs the lists {', '.join(missing)}")


def _check_identifiers(graph: FlowGraph, options: _Options) -> Iterator[Violation]:
    flow = rules()["flow"]
    forbidden = set(flow["forbidden_identifier_chars"])
    reserved = set(flow["reserved_identifiers"])
    seen: set[str] = set()
    raw = as_list(graph.document.get("Actions"))
    for index, action in enumerate(raw):
        if not isinstance(action, Mapping):
            yield Violation(f"#{index}", "action", "an action must be a JSON object")
            continue
        identifier = action.get("Identifier")
        if not isinstance(identifier, str) or not identifier:
            yield Violation(f"#{index}", "identifier", "the action has no Identifier")
            continue
        if identifier in seen:
            yield Violation(identifier, "identifier", "Identifier is used by more than one action")
        seen.add(identifier)
        if len(identifier) > flow["max_identifier_chars"]:
            yield Violation(
                identifier,
                "identifier",
                f"Identifier is longer than {flow['max_identifier_chars']} characters",
            )
        bad = sorted(forbidden.intersection(identifier))
        if bad:
            yield Violation(identifier, "identifier", f"Identifier contains {' '.join(bad)}")
        if identifier in reserved:
            yield Violation(
                identifier, "identifier", f"{identifier!r} is a reserved string Connect does not allow"
            )


def _check_transitions(graph: FlowGraph, options: _Options) -> Iterator[Violation]:
    for identifier, action in graph.by_id.items():
        for edge in FlowGraph.edges(action):
            if edge.target not in graph.by_id:
                yield Violation(
                    identifier,
                    "transition",
                    f"transition to {edge.target!r}, which is not an action of the flow",
                )
        transitions = action.get("Transitions")
        if transitions is not None and not isinstance(transitions, Mapping):
            yield Violation(identifier, "transition", "Transitions must be an object")
        for key in ("Conditions", "Errors"):
            value = as_mapping(transitions).get(key)
            if value is not None and not isinstance(value, list):
                yield Violation(identifier, "transition", f"Transitions.{key} must be a list")


def _check_reachability(graph: FlowGraph, options: _Options) -> Iterator[Violation]:
    if graph.start not in graph.by_id:
        return
    reached = graph.reachable()
    for identifier in graph.by_id:
        if identifier not in reached:
            yield Violation(
                identifier,
                "unreachable",
                "no path from StartAction reaches this block (Connect keeps it)",
                WARNING,
            )


# -- each action against its rule ------------------------------------------------------------


def _check_action_types(graph: FlowGraph, options: _Options) -> Iterator[Violation]:
    known = set(_action_rules()) | set(rules()["other_known_types"]["types"])
    foreign: Mapping[str, str | None] = rules()["not_flow_language"]["names"]
    lowered = {k.lower(): k for k in known}
    for identifier, action in graph.by_id.items():
        kind = FlowGraph.kind(action)
        if not kind:
            yield Violation(identifier, "type", "the action has no Type")
        elif kind in known:
            continue
        elif kind in foreign:
            right = foreign[kind]
            yield Violation(
                identifier,
                "type",
                f"{kind!r} is not a flow-language action type (a console block's or the legacy "
                "format's name): "
                + (f"Connect writes {right!r}" if right else "the first action is the one StartAction names"),
            )
        else:
            close = difflib.get_close_matches(kind, known, n=1, cutoff=0.85)
            guess = lowered.get(kind.lower()) or (close[0] if close else None)
            hint = f": did you mean {guess!r}?" if guess else " (CreateContactFlow rejects it)"
            yield Violation(identifier, "type", f"unknown action type {kind!r}{hint}")


def _check_shape(
    identifier: str, action: Mapping[str, Any], rule: Mapping[str, Any], options: _Options
) -> Iterator[Violation]:
    kind = FlowGraph.kind(action)
    next_action = FlowGraph.next_action(action)
    conditions = FlowGraph.branches(action, "Conditions")
    errors_ = FlowGraph.branches(action, "Errors")
    if rule["next_action"] == "required" and not next_action:
        yield Violation(
            identifier, "transition", f"{kind} is missing the required property Transitions.NextAction"
        )
    if rule["next_action"] == "none" and (next_action or conditions or errors_):
        yield Violation(
            identifier, "transition", f"{kind} ends the flow: its Transitions should be {{}}", WARNING
        )
    if rule["next_action"] == "optional" and not next_action and not conditions:
        yield Violation(
            identifier,
            "transition",
            "the action has no NextAction and no conditions: the flow would stop here",
        )
    allowed = rule.get("errors")
    for branch in errors_:
        error_type = branch.get("ErrorType")
        if allowed is not None and error_type not in allowed:
            expected = ", ".join(allowed) or "no error types"
            yield Violation(
                identifier, "error-type", f"{kind} cannot route error type {error_type!r} (it has {expected})"
            )
    routed = {b.get("ErrorType") for b in errors_}
    for required in rule.get("required_errors", []):
        if required not in routed:
            yield Violation(
                identifier, "error-type", f"no {required} branch: a failure would have nowhere to go"
            )
    yield from _check_conditions(identifier, kind, conditions, rule["conditions"])
    parameters = action.get("Parameters")
    if parameters is not None and not isinstance(parameters, Mapping):
        yield Violation(identifier, "parameters", "Parameters must be an object")
    yield from _check_parameters(identifier, kind, as_mapping(parameters), as_mapping(rule.get("parameters")))
    yield from _check_flow_type(identifier, kind, rule, options)


def _check_parameters(
    identifier: str, kind: str, parameters: Mapping[str, Any], spec: Mapping[str, Any]
) -> Iterator[Violation]:
    yield from _check_parameter_names(identifier, kind, parameters, spec)
    yield from _check_value_format(identifier, parameters)
    renamed = {spec.get("replaced", {})[k] for k in parameters if k in spec.get("replaced", {})}
    for key in spec.get("required", []):
        value = parameters.get(key)
        if value == "":
            # Published samples leave an ARN or a queue for the user to pick after importing.
            yield Violation(
                identifier,
                "parameters",
                f"Parameters.{key} is empty: choose it before the flow takes contacts",
                WARNING,
            )
        elif value in (None, {}, []) and key not in renamed:
            yield Violation(identifier, "parameters", f"{kind} needs Parameters.{key}")
    one_of = spec.get("one_of")
    if one_of:
        present = [k for k in one_of if k in parameters]
        if len(present) != 1:
            yield Violation(
                identifier,
                "parameters",
                f"exactly one of {', '.join(one_of)} is allowed (found {', '.join(present) or 'none'})",
            )


def _check_parameter_names(
    identifier: str, kind: str, parameters: Mapping[str, Any], spec: Mapping[str, Any]
) -> Iterator[Violation]:
    """CreateContactFlow rejects a parameter name the action type does not have."""
    names: list[str] | None = spec.get("names")
    replaced: Mapping[str, str] = spec.get("replaced", {})
    for key in map(str, parameters):  # a parsed document's keys are strings; a built one's may not be
        if key in replaced:
            yield Violation(
                identifier,
                "parameters",
                f"{kind} has no parameter {key!r}: Connect writes {replaced[key]!r} "
                "(an out-of-date reference page still shows the old name)",
            )
        elif names is not None and key not in names:
            close = difflib.get_close_matches(key, names, n=1, cutoff=0.8)
            hint = f": did you mean {close[0]!r}?" if close else f" (its parameters: {', '.join(names)})"
            yield Violation(identifier, "parameters", f"{kind} has no parameter {key!r}{hint}")


def _check_value_format(identifier: str, parameters: Mapping[str, Any]) -> Iterator[Violation]:
    """Every export writes each scalar as a string: Connect keeps what it is given, and the
    provider compares the content it reads back with the plan."""
    for path, value in scalars(parameters, "Parameters"):
        if isinstance(value, bool | int | float):
            yield Violation(
                identifier,
                "value-format",
                f"{path} is written as {json.dumps(value)}; Connect's exports write every value as a "
                f"string ({json.dumps(str(value).upper() if isinstance(value, bool) else str(value))})",
                WARNING,
            )


def _check_conditions(
    identifier: str, kind: str, conditions: list[Mapping[str, Any]], rule: object
) -> Iterator[Violation]:
    operands = sorted(o for b in conditions for o in condition_operands(b))
    for branch in conditions:
        condition = as_mapping(branch.get("Condition"))
        if not condition.get("Operator") or not isinstance(condition.get("Operands"), list):
            yield Violation(
                identifier, "conditions", "each condition needs an Operator and a list of Operands"
            )
    if rule == "none" and conditions:
        yield Violation(identifier, "conditions", f"{kind} supports no conditions")
    elif rule == "required" and not conditions:
        yield Violation(identifier, "conditions", f"{kind} needs at least one condition")
    elif isinstance(rule, Mapping) and "exactly" in rule and operands != sorted(rule["exactly"]):
        yield Violation(
            identifier, "conditions", f"{kind} needs exactly the conditions {' and '.join(rule['exactly'])}"
        )
    elif isinstance(rule, Mapping) and "must_include" in rule:
        for operand in rule["must_include"]:
            if operand not in operands:
                yield Violation(identifier, "conditions", f"{kind} needs a condition on {operand}")


def _check_flow_type(
    identifier: str, kind: str, rule: Mapping[str, Any], options: _Options
) -> Iterator[Violation]:
    types = as_mapping(rule.get("flow_types"))
    flow_type = options.flow_type
    only, never = types.get("only"), types.get("not")
    if flow_type is None:
        # Untyped: a document without Settings is certainly not a module (a module-only action
        # is an error); an action inbound flows cannot hold is a warning (the flow may be of
        # another type); one they can hold says nothing.
        if only == ["FLOW_MODULE"]:
            yield Violation(
                identifier,
                "flow-type",
                f"{kind} is only allowed in a flow module (this flow has no Settings)",
            )
        elif only and "CONTACT_FLOW" not in only:
            yield Violation(
                identifier, "flow-type", f"{kind} is only allowed in {', '.join(only)} flows", WARNING
            )
        return
    if (only and flow_type not in only) or (never and flow_type in never):
        yield Violation(identifier, "flow-type", f"{kind} is not allowed in a {flow_type} flow")


def _whole_number_in(value: object, bounds: list[int]) -> bool:
    number = as_number(value)
    low, high = bounds
    return number is not None and low <= number <= high and number == int(number)


def _check_lambda(identifier: str, action: Mapping[str, Any]) -> Iterator[Violation]:
    parameters = FlowGraph.parameters(action)
    limits = _limits()
    invocation = parameters.get("InvocationType", "SYNCHRONOUS")
    if invocation not in limits["invocation_types"]:
        yield Violation(
            identifier, "lambda", f"InvocationType must be SYNCHRONOUS or ASYNCHRONOUS, not {invocation!r}"
        )
        return
    bounds = limits["sync_time_limit_seconds" if invocation == "SYNCHRONOUS" else "async_time_limit_seconds"]
    low, high = bounds
    if not _whole_number_in(parameters.get("InvocationTimeLimitSeconds"), bounds):
        yield Violation(
            identifier,
            "lambda",
            f"InvocationTimeLimitSeconds must be a whole number from {low} to {high} ({invocation.lower()})",
        )
    response = as_mapping(parameters.get("ResponseValidation")).get("ResponseType", "STRING_MAP")
    if response not in limits["response_types"]:
        yield Violation(
            identifier,
            "lambda",
            f"ResponseValidation.ResponseType must be STRING_MAP or JSON, not {response!r}",
        )


def _check_loop(identifier: str, action: Mapping[str, Any]) -> Iterator[Violation]:
    parameters = FlowGraph.parameters(action)
    bounds = _limits()["loop_count"]
    low, high = bounds
    if not _whole_number_in(parameters.get("LoopCount"), bounds):
        yield Violation(identifier, "loop", f"LoopCount must be a whole number from {low} to {high}")


def _check_compare(identifier: str, action: Mapping[str, Any]) -> Iterator[Violation]:
    parameters = FlowGraph.parameters(action)
    value = parameters.get("ComparisonValue")
    if not isinstance(value, str) or not value.startswith("$."):
        yield Violation(
            identifier, "compare", "ComparisonValue must be one JSONPath such as $.External.status"
        )


def _check_wait(identifier: str, action: Mapping[str, Any]) -> Iterator[Violation]:
    """The Wait as the exports write it: TimeLimitSeconds, chat Events, and the asynchronous
    Lambda's wait (ContinueExecution, InterruptibleEvents.LambdaReturned, MinimumWaitTimeSeconds).
    Every event waited for needs its condition; a condition for an event not waited for is dead."""
    parameters = FlowGraph.parameters(action)
    yield from _check_wait_times(identifier, parameters)
    waited_for: set[str] = {"WaitCompleted"}
    yield from _wait_events(identifier, parameters, waited_for)
    limits = _limits()
    routed = {o for b in FlowGraph.branches(action, "Conditions") for o in condition_operands(b)}
    for event in sorted(waited_for - routed - {"WaitCompleted"}):  # WaitCompleted: the conditions rule
        yield Violation(identifier, "wait", f"every Wait event needs its condition: {event!r} has none")
    for operand in sorted(routed - waited_for):
        if operand in limits["wait_conditions"]:
            yield Violation(
                identifier,
                "wait",
                f"the {operand!r} condition is never taken: this Wait does not wait for that event",
                WARNING,
            )
        else:
            known = ", ".join(limits["wait_conditions"])
            yield Violation(identifier, "wait", f"unknown Wait condition {operand!r} (known: {known})")


def _check_wait_times(identifier: str, parameters: Mapping[str, Any]) -> Iterator[Violation]:
    low, high = _limits()["wait_time_limit_seconds"]
    limit = parameters.get("TimeLimitSeconds")
    dynamic = isinstance(limit, str) and limit.startswith("$.")  # read when the Wait runs
    if limit is not None and not dynamic and not _whole_number_in(limit, [low, high]):
        yield Violation(
            identifier,
            "wait",
            f"TimeLimitSeconds must be a whole number from {low} to {high} (seven days) or one JSONPath",
        )
    minimum = parameters.get("MinimumWaitTimeSeconds")
    if minimum is None:
        return
    if not _whole_number_in(minimum, [0, high]):
        yield Violation(identifier, "wait", f"MinimumWaitTimeSeconds must be a whole number from 0 to {high}")
    elif _whole_number_in(limit, [low, high]) and (as_number(minimum) or 0) > (as_number(limit) or 0):
        yield Violation(identifier, "wait", "MinimumWaitTimeSeconds is longer than TimeLimitSeconds")


def _wait_events(identifier: str, parameters: Mapping[str, Any], waited_for: set[str]) -> Iterator[Violation]:
    """The events the Wait waits for (added to ``waited_for``), and what is wrong with them."""
    limits = _limits()
    for event in as_list(parameters.get("Events")):
        if event in limits["wait_events"]:
            waited_for.add(str(event))
        else:
            known = ", ".join(limits["wait_events"])
            yield Violation(identifier, "wait", f"unknown Wait event {event!r} (known: {known})")
    keep_running = parameters.get("ContinueExecution")
    if keep_running == "TRUE":
        waited_for.add("Continue")
    elif keep_running is not None and keep_running not in limits["booleans"]:
        yield Violation(
            identifier,
            "wait",
            f'ContinueExecution must be "TRUE" or "FALSE", as the console writes it, not {keep_running!r}',
        )
    interruptible = parameters.get("InterruptibleEvents")
    if interruptible is not None and not isinstance(interruptible, Mapping):
        yield Violation(identifier, "wait", "InterruptibleEvents must be an object (LambdaReturned: {...})")
    for name, event in as_mapping(interruptible).items():
        if name not in limits["wait_interruptible_events"]:
            known = ", ".join(limits["wait_interruptible_events"])
            yield Violation(identifier, "wait", f"unknown interruptible event {name!r} (known: {known})")
            continue
        waited_for.add(name)
        invocation = as_mapping(as_mapping(event).get("AsyncLambdaCompletionEvent")).get("Identifier")
        if not isinstance(invocation, str) or not invocation:
            yield Violation(
                identifier,
                "wait",
                f"InterruptibleEvents.{name} needs AsyncLambdaCompletionEvent.Identifier: the invocation "
                "to wait for ($.LambdaInvocation.InvocationId after an asynchronous Lambda call)",
            )


def event_based_wait(action: Mapping[str, Any]) -> bool:
    """A Wait that keeps running (its Continue branch) or waits for an asynchronous Lambda: the
    only Wait Connect supports on voice, and only in inbound flows."""
    parameters = FlowGraph.parameters(action)
    return parameters.get("ContinueExecution") == "TRUE" or bool(
        as_mapping(parameters.get("InterruptibleEvents"))
    )


def _check_voice(identifier: str, action: Mapping[str, Any]) -> Iterator[Violation]:
    parameters = FlowGraph.parameters(action)
    engine = parameters.get("TextToSpeechEngine")
    engines = _limits()["tts_engines"]
    if engine is not None and engine not in engines:
        yield Violation(
            identifier,
            "voice",
            f"TextToSpeechEngine must be one of {', '.join(engines)} "
            f"(as the console spells it), got {engine!r}",
        )


# The rules of each type beyond its shape: limits and values of its parameters.
_PARAMETER_RULES: Final[Mapping[str, Callable[[str, Mapping[str, Any]], Iterator[Violation]]]] = {
    "InvokeLambdaFunction": _check_lambda,
    "Loop": _check_loop,
    "Compare": _check_compare,
    "Wait": _check_wait,
    "UpdateContactTextToSpeechVoice": _check_voice,
}


def _check_actions(graph: FlowGraph, options: _Options) -> Iterator[Violation]:
    for identifier, action in graph.by_id.items():
        kind = FlowGraph.kind(action)
        rule = _action_rules().get(kind)
        if rule is None:
            continue
        yield from _check_shape(identifier, action, rule, options)
        special = _PARAMETER_RULES.get(kind)
        if special:
            yield from special(identifier, action)


# -- whole-flow analyses ---------------------------------------------------------------------


def _check_data_flow(graph: FlowGraph, options: _Options) -> Iterator[Violation]:
    for read in unset_reads(
        graph,
        responses=options.responses,
        upstream_attributes=options.upstream_attributes,
        modules=options.flow_modules,
    ):
        reference = f"$.{read.scope}.{read.name}"
        if read.scope == "Attributes":
            yield Violation(
                read.action,
                "data-flow",
                f"{reference} is not set on every path here: it must come from upstream"
                + (
                    " (no flow module of this configuration sets it)" if read.reason == "after_module" else ""
                ),
                WARNING,
            )
        elif read.scope == "FlowAttributes":
            # Flow attributes are not carried over to another flow: nothing upstream can set them.
            yield Violation(
                read.action, "data-flow", f"{reference} is read before any block sets it on some path"
            )
        elif read.reason == "after_error":
            yield Violation(
                read.action,
                "data-flow",
                f"{reference} is read after a Lambda's error branch on some path: that call returned nothing",
                WARNING,
            )
        elif read.reason == "no_lambda" and options.self_contained:
            yield Violation(
                read.action, "data-flow", f"{reference} is read where no Lambda has answered on some path"
            )
        elif read.reason == "no_lambda":
            # Connect keeps $.External across TransferToFlow: a flow that another flow transfers
            # into can read what the last Lambda before the transfer returned.
            yield Violation(
                read.action,
                "data-flow",
                f"{reference} is read where no Lambda of this flow has answered on some path: only a "
                "flow that transfers into this one (TransferToFlow) can have set it",
                WARNING,
            )
        else:
            yield Violation(
                read.action,
                "data-flow",
                f"{reference} is read after a Lambda that does not always return {read.name!r}",
            )


def _check_module_calls(graph: FlowGraph, options: _Options) -> Iterator[Violation]:
    if options.flow_modules is None:
        return
    for identifier, action in graph.by_id.items():
        if FlowGraph.kind(action) != "InvokeFlowModule":
            continue
        module_id = FlowGraph.parameters(action).get("FlowModuleId")
        if isinstance(module_id, str) and module_id and module_key(module_id) not in options.flow_modules:
            yield Violation(
                identifier,
                "module",
                f"FlowModuleId {module_id!r} is no flow module this configuration creates: Connect "
                "rejects a flow that invokes a module that does not exist",
            )


def _check_channels(graph: FlowGraph, options: _Options) -> Iterator[Violation]:
    channels = options.channels if options.channels is not None else ALL_CHANNELS
    severity = ERROR if options.channels is not None else WARNING
    reach = channel_reach(graph, channels)
    voice_only = {kind: set(rule.get("voice_only_keys", [])) for kind, rule in _action_rules().items()}
    for identifier, key in voice_only_on_chat(graph, reach, voice_only):
        yield Violation(
            identifier,
            "channel",
            f"a chat contact can reach this {key} prompt, which Connect plays on voice only "
            "(branch on $.Channel first, or use Text)",
            severity,
        )
    # Voice supports a Wait only in an inbound flow, and only one that keeps running or waits for
    # an asynchronous Lambda (the admin guide's Wait page).
    inbound = options.flow_type in (None, "CONTACT_FLOW")
    for identifier, possible in sorted(reach.items()):
        action = graph.by_id[identifier]
        if "VOICE" not in possible or FlowGraph.kind(action) != "Wait":
            continue
        if not event_based_wait(action):
            yield Violation(
                identifier,
                "channel",
                "a voice contact can reach this Wait, which Connect supports on voice only with "
                'ContinueExecution "TRUE" or an event-based wait (branch on $.Channel first)',
                severity,
            )
        elif not inbound:
            yield Violation(
                identifier,
                "channel",
                f"a voice contact can reach this event-based Wait, which Connect supports on voice only "
                f"in inbound flows, not in a {options.flow_type} flow",
                severity,
            )


def _check_lambda_chains(graph: FlowGraph, options: _Options) -> Iterator[Violation]:
    # What ends a chain: a prompt, and (an assumption, in the rules' sources) a Wait.
    prompt_types = {
        kind
        for kind, rule in _action_rules().items()
        if rule.get("plays_prompt") or rule.get("ends_lambda_chain")
    }
    default_limit = float(_limits()["sync_time_limit_seconds"][1])
    channels = options.channels if options.channels is not None else ALL_CHANNELS
    for chain in lambda_chains(graph, prompt_types, default_limit, channels):
        if math.isinf(chain.seconds):
            # Connect accepts it: the loop may end on what a Lambda answers (a deadline it keeps),
            # which the flow cannot show; at worst Connect ends the chain at 20 s (its error branch).
            yield Violation(
                chain.action,
                "lambda-chain",
                "a loop of Lambda calls with no prompt and no Loop block bounding it: only what the "
                "Lambda answers ends it, so its worst-case silence cannot be computed from the flow "
                f"(Connect ends such a chain at {CHAIN_LIMIT_SECONDS} s, its error branch)",
                WARNING,
            )
        elif chain.seconds > CHAIN_LIMIT_SECONDS:
            why = "through a Loop-bounded retry loop " if chain.bounded_loop else ""
            yield Violation(
                chain.action,
                "lambda-chain",
                f"Lambda calls from here can run {chain.seconds:g} s {why}with no prompt between them; "
                f"Connect ends such a chain at {CHAIN_LIMIT_SECONDS} s (its error branch)",
                WARNING,
            )


_CHECKS: Final[tuple[_Check, ...]] = (
    _check_document,
    _check_identifiers,
    _check_transitions,
    _check_reachability,
    _check_action_types,
    _check_actions,
    _check_module_calls,
    _check_data_flow,
    _check_channels,
    _check_lambda_chains,
)


def check_flow(
    content: str | Mapping[str, Any],
    *,
    flow_type: str | None = None,
    channels: Set[str] | None = None,
    lambda_responses: Mapping[str, Set[str]] | None = None,
    upstream_attributes: Set[str] = frozenset(),
    self_contained: bool = False,
    flow_modules: Mapping[str, Set[str]] | None = None,
) -> list[Violation]:
    """Every violation in a flow (JSON text or a parsed document), sorted by action.

    ``flow_type``: the type it is created as (CONTACT_FLOW, CUSTOMER_QUEUE, ..., FLOW_MODULE); None
    infers a module from ``Settings`` and leaves type-only rules as warnings. ``channels``: the
    channels the flow serves (voice-only prompts reachable on CHAT, and Waits voice cannot use,
    are then errors; None: all, as warnings). ``lambda_responses``: for Lambda ARNs whose answers
    are known, the keys they always return (other Lambdas may return anything).
    ``upstream_attributes``: contact attributes set before this flow runs (a module's inputs).
    ``self_contained``: no flow transfers into this one expecting it to read what that flow's
    Lambdas returned, so a ``$.External`` read before any Lambda of its own is an error (by
    default a warning: Connect keeps ``$.External`` across TransferToFlow). ``flow_modules``: the
    flow modules the configuration creates (id or ARN) and the contact attributes each sets; an
    InvokeFlowModule of any other id is an error (None: modules are not known, not checked).
    """
    text = content if isinstance(content, str) else None
    if text is not None:
        try:
            parsed: object = json.loads(text)
        except (ValueError, RecursionError) as exc:
            return [Violation("", "json", f"not valid JSON: {exc}")]
    else:
        parsed = content
    if not isinstance(parsed, Mapping):
        return [Violation("", "json", "a flow must be a JSON object")]
    foreign = not_flow_language(parsed)
    if foreign:
        return [Violation("", "document", foreign)]
    found: list[Violation] = []
    limit = rules()["flow"]["max_content_chars"]
    if text is not None and len(text) > limit:
        found.append(Violation("", "size", f"the content is {len(text)} characters; Connect allows {limit}"))
    if flow_type is None and isinstance(parsed.get("Settings"), Mapping):
        flow_type = "FLOW_MODULE"
    if flow_type is not None and flow_type not in rules()["flow_types"]:
        found.append(Violation("", "flow-type", f"unknown flow type {flow_type!r}"))
        flow_type = None
    options = _Options(
        flow_type=flow_type,
        channels=frozenset(channels) if channels is not None else None,
        responses=dict(lambda_responses or {}),
        upstream_attributes=frozenset(upstream_attributes),
        self_contained=self_contained,
        flow_modules=(
            None if flow_modules is None else {module_key(k): frozenset(v) for k, v in flow_modules.items()}
        ),
    )
    graph = FlowGraph(parsed)
    for check in _CHECKS:
        found.extend(check(graph, options))
    return sorted(set(found))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m flowkit.checker", description=__doc__.split("\n\n")[0])
    parser.add_argument("flows", nargs="+", metavar="FLOW.json")
    parser.add_argument("--json", action="store_true", help="print one JSON document with every result")
    parser.add_argument("--strict", action="store_true", help="warnings fail too (exit 1)")
    parser.add_argument("--flow-type", choices=rules()["flow_types"], help="the type the flow is created as")
    parser.add_argument("--channels", help="comma-separated channels the flow serves, e.g. VOICE,CHAT")
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return 2 if exc.code else 0
    channels = {c.strip().upper() for c in args.channels.split(",") if c.strip()} if args.channels else None
    results = []
    unreadable = False
    for path in args.flows:
        try:
            content = Path(path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            print(f"{path}: cannot read: {exc}", file=sys.stderr)  # noqa: T201 - CLI
            unreadable = True
            continue
        found = check_flow(content, flow_type=args.flow_type, channels=channels)
        results.append({"file": path, "violations": found})
    failing = {ERROR, WARNING} if args.strict else {ERROR}
    failed = any(v.severity in failing for r in results for v in r["violations"])
    if args.json:
        document = [
            {
                "file": r["file"],
                "errors": sum(v.severity == ERROR for v in r["violations"]),
                "warnings": sum(v.severity == WARNING for v in r["violations"]),
                "violations": [asdict(v) for v in r["violations"]],
            }
            for r in results
        ]
        print(json.dumps(document, indent=2))  # noqa: T201 - CLI output
    else:
        for result in results:
            for violation in result["violations"]:
                print(f"{result['file']}: {violation}")  # noqa: T201 - CLI output
    if unreadable:
        return 2
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
