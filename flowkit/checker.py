"""Check Amazon Connect flow-language JSON against the rules a flow must meet.

Each rule comes from the project's Connect facts (shared/CONNECT_FACTS.md): the version, the
start action, identifier rules, transitions that lead nowhere, unreachable actions, the
250-action limit, synchronous Lambda time limits, Loop and Compare shapes, error branches on
every Lambda call, exactly one prompt source per message, and the 20-second limit on a chain
of Lambda calls with no prompt between them.

It accepts real exported flows: numbers written as strings, ``Metadata``, and action types it
has no rule for (those are only checked for their transitions).

    python -m flowkit.checker flow.json     # prints one line per violation; exit 1 if any
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

__all__ = ["CHAIN_LIMIT_SECONDS", "Violation", "check_flow", "main"]

VERSION: Final = "2019-10-30"
MAX_ACTIONS: Final = 250
MAX_IDENTIFIER: Final = 50
FORBIDDEN_IN_IDENTIFIER: Final = set("%:()\\/)=$,;[]{}")
SYNC_LIMIT_SECONDS: Final = (1, 8)
CHAIN_LIMIT_SECONDS: Final = 20
LOOP_COUNT: Final = (0, 100)
PROMPT_SOURCES: Final = ("Text", "SSML", "PromptId", "Media")
# Actions that play something to the participant: a Lambda chain is broken by one of these.
PROMPT_TYPES: Final = frozenset(
    {"MessageParticipant", "MessageParticipantIteratively", "GetParticipantInput"}
)
# Actions that end the flow, so they need no NextAction.
TERMINAL_TYPES: Final = frozenset(
    {
        "DisconnectParticipant",
        "EndFlowExecution",
        "EndFlowModuleExecution",
        "TransferToFlow",
        "TransferContactToQueue",
    }
)


@dataclass(frozen=True, order=True)
class Violation:
    action: str  # the action's Identifier, or "" for the flow as a whole
    rule: str
    message: str

    def __str__(self) -> str:
        where = self.action or "(flow)"
        return f"{where}: [{self.rule}] {self.message}"


def _number(value: object) -> float | None:
    """Exported flows write numbers as strings ("8")."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None


def _transitions(action: Mapping[str, Any]) -> Mapping[str, Any]:
    transitions = action.get("Transitions")
    return transitions if isinstance(transitions, Mapping) else {}


def _branches(action: Mapping[str, Any], key: str) -> list[Mapping[str, Any]]:
    branches = _transitions(action).get(key) or []
    return [b for b in branches if isinstance(b, Mapping)] if isinstance(branches, list) else []


def _targets(action: Mapping[str, Any]) -> Iterator[str]:
    next_action = _transitions(action).get("NextAction")
    if isinstance(next_action, str) and next_action:
        yield next_action
    for key in ("Errors", "Conditions"):
        for branch in _branches(action, key):
            target = branch.get("NextAction")
            if isinstance(target, str) and target:
                yield target


class _Flow:
    def __init__(self, document: Mapping[str, Any]) -> None:
        raw = document.get("Actions")
        self.actions: list[Mapping[str, Any]] = (
            [a for a in raw if isinstance(a, Mapping)] if isinstance(raw, list) else []
        )
        self.by_id: dict[str, Mapping[str, Any]] = {}
        for action in self.actions:
            identifier = action.get("Identifier")
            if isinstance(identifier, str):
                self.by_id.setdefault(identifier, action)
        start = document.get("StartAction")
        self.start = start if isinstance(start, str) else ""
        self.document = document


def _check_flow_level(flow: _Flow) -> Iterator[Violation]:
    if flow.document.get("Version") != VERSION:
        yield Violation("", "version", f"Version must be {VERSION!r}")
    if not flow.actions:
        yield Violation("", "actions", "the flow has no actions")
    if len(flow.actions) > MAX_ACTIONS:
        yield Violation("", "actions", f"{len(flow.actions)} actions; Connect allows at most {MAX_ACTIONS}")
    if not flow.start:
        yield Violation("", "start-action", "StartAction is missing")
    elif flow.start not in flow.by_id:
        yield Violation("", "start-action", f"StartAction {flow.start!r} is not an action of the flow")


def _check_identifiers(flow: _Flow) -> Iterator[Violation]:
    seen: set[str] = set()
    for index, action in enumerate(flow.actions):
        identifier = action.get("Identifier")
        if not isinstance(identifier, str) or not identifier:
            yield Violation(f"#{index}", "identifier", "the action has no Identifier")
            continue
        if identifier in seen:
            yield Violation(identifier, "identifier", "Identifier is used by more than one action")
        seen.add(identifier)
        if len(identifier) > MAX_IDENTIFIER:
            yield Violation(
                identifier, "identifier", f"Identifier is longer than {MAX_IDENTIFIER} characters"
            )
        bad = sorted(FORBIDDEN_IN_IDENTIFIER.intersection(identifier))
        if bad:
            yield Violation(identifier, "identifier", f"Identifier contains {' '.join(bad)}")


def _check_transitions(flow: _Flow) -> Iterator[Violation]:
    for identifier, action in flow.by_id.items():
        for target in _targets(action):
            if target not in flow.by_id:
                yield Violation(
                    identifier, "transition", f"transition to {target!r}, which is not an action of the flow"
                )
        # Terminal actions end the flow; branching ones (Loop, Compare) may route by condition only.
        ends_or_branches = action.get("Type") in TERMINAL_TYPES or _branches(action, "Conditions")
        if not ends_or_branches and not _transitions(action).get("NextAction"):
            yield Violation(
                identifier, "transition", "the action has no NextAction: the flow would stop here"
            )


def _check_reachability(flow: _Flow) -> Iterator[Violation]:
    if flow.start not in flow.by_id:
        return
    reached = {flow.start}
    frontier = [flow.start]
    while frontier:
        for target in _targets(flow.by_id[frontier.pop()]):
            if target in flow.by_id and target not in reached:
                reached.add(target)
                frontier.append(target)
    for identifier in flow.by_id:
        if identifier not in reached:
            yield Violation(identifier, "unreachable", "no path from StartAction reaches this action")


def _lambda_seconds(action: Mapping[str, Any]) -> float:
    """Worst-case seconds a synchronous Lambda block can keep the caller waiting."""
    parameters = action.get("Parameters") or {}
    if parameters.get("InvocationType", "SYNCHRONOUS") != "SYNCHRONOUS":
        return 0.0
    limit = _number(parameters.get("InvocationTimeLimitSeconds"))
    return limit if limit is not None else float(SYNC_LIMIT_SECONDS[1])


def _check_lambda(identifier: str, action: Mapping[str, Any]) -> Iterator[Violation]:
    parameters = action.get("Parameters") or {}
    if not parameters.get("LambdaFunctionARN"):
        yield Violation(identifier, "lambda", "LambdaFunctionARN is missing")
    if parameters.get("InvocationType", "SYNCHRONOUS") == "SYNCHRONOUS":
        limit = _number(parameters.get("InvocationTimeLimitSeconds"))
        low, high = SYNC_LIMIT_SECONDS
        if limit is None or not low <= limit <= high or limit != int(limit):
            yield Violation(
                identifier,
                "lambda",
                f"InvocationTimeLimitSeconds must be a whole number from {low} to {high}",
            )
    if not _branches(action, "Errors"):
        yield Violation(
            identifier, "lambda", "no error branch: a timeout or failure would have nowhere to go"
        )


def _check_loop(identifier: str, action: Mapping[str, Any]) -> Iterator[Violation]:
    count = _number((action.get("Parameters") or {}).get("LoopCount"))
    low, high = LOOP_COUNT
    if count is None or not low <= count <= high:
        yield Violation(identifier, "loop", f"LoopCount must be from {low} to {high}")
    operands = sorted(
        str((b.get("Condition") or {}).get("Operands", [""])[0]) for b in _branches(action, "Conditions")
    )
    if operands != ["ContinueLooping", "DoneLooping"]:
        yield Violation(
            identifier, "loop", "a Loop needs exactly the conditions ContinueLooping and DoneLooping"
        )
    if _branches(action, "Errors"):
        yield Violation(identifier, "loop", "a Loop has no errors")


def _check_compare(identifier: str, action: Mapping[str, Any]) -> Iterator[Violation]:
    value = (action.get("Parameters") or {}).get("ComparisonValue")
    if not isinstance(value, str) or not value.startswith("$."):
        yield Violation(
            identifier, "compare", "ComparisonValue must be one JSONPath such as $.External.status"
        )
    conditions = _branches(action, "Conditions")
    if not conditions:
        yield Violation(identifier, "compare", "a Compare needs at least one condition")
    for branch in conditions:
        condition = branch.get("Condition") or {}
        if not condition.get("Operator") or not isinstance(condition.get("Operands"), list):
            yield Violation(identifier, "compare", "each condition needs an Operator and Operands")
    if not any(b.get("ErrorType") == "NoMatchingCondition" for b in _branches(action, "Errors")):
        yield Violation(
            identifier,
            "compare",
            "no NoMatchingCondition branch: an unmatched value would have nowhere to go",
        )


def _check_message(identifier: str, action: Mapping[str, Any]) -> Iterator[Violation]:
    parameters = action.get("Parameters") or {}
    sources = [key for key in PROMPT_SOURCES if key in parameters]
    if len(sources) != 1:
        found = ", ".join(sources) or "none"
        yield Violation(
            identifier, "message", f"exactly one of Text, SSML, PromptId, Media is allowed (found {found})"
        )


_ACTION_RULES = {
    "InvokeLambdaFunction": _check_lambda,
    "Loop": _check_loop,
    "Compare": _check_compare,
    "MessageParticipant": _check_message,
}


def _check_actions(flow: _Flow) -> Iterator[Violation]:
    for identifier, action in flow.by_id.items():
        rule = _ACTION_RULES.get(str(action.get("Type")))
        if rule:
            yield from rule(identifier, action)


def _check_lambda_chains(flow: _Flow) -> Iterator[Violation]:
    """Worst-case seconds of Lambda calls in a row with no prompt between them (limit 20 s)."""
    worst: dict[str, float] = {}
    on_path: set[str] = set()
    cyclic: set[str] = set()

    def chain_from(identifier: str) -> float:
        action = flow.by_id.get(identifier)
        if action is None or action.get("Type") in PROMPT_TYPES:
            return 0.0
        if identifier in worst:
            return worst[identifier]
        if identifier in on_path:
            if any(flow.by_id[i].get("Type") == "InvokeLambdaFunction" for i in on_path):
                cyclic.add(identifier)
            return 0.0
        on_path.add(identifier)
        here = _lambda_seconds(action) if action.get("Type") == "InvokeLambdaFunction" else 0.0
        longest_next = max((chain_from(t) for t in _targets(action)), default=0.0)
        on_path.discard(identifier)
        worst[identifier] = here + longest_next
        return worst[identifier]

    for identifier, action in flow.by_id.items():
        if action.get("Type") == "InvokeLambdaFunction":
            seconds = chain_from(identifier)
            if seconds > CHAIN_LIMIT_SECONDS:
                yield Violation(
                    identifier,
                    "lambda-chain",
                    f"Lambda calls from here can run {seconds:g} s with no prompt between them; "
                    f"Connect allows {CHAIN_LIMIT_SECONDS} s",
                )
    for identifier in sorted(cyclic):
        yield Violation(
            identifier, "lambda-chain", "a loop of Lambda calls with no prompt in it: no bound on the silence"
        )


def check_flow(content: str | Mapping[str, Any]) -> list[Violation]:
    """Every violation in a flow (JSON text or a parsed document), sorted by action."""
    if isinstance(content, str):
        try:
            parsed: object = json.loads(content)
        except ValueError as exc:
            return [Violation("", "json", f"not valid JSON: {exc}")]
    else:
        parsed = content
    if not isinstance(parsed, Mapping):
        return [Violation("", "json", "a flow must be a JSON object")]
    flow = _Flow(parsed)
    checks = (
        _check_flow_level,
        _check_identifiers,
        _check_transitions,
        _check_reachability,
        _check_actions,
        _check_lambda_chains,
    )
    return sorted({violation for check in checks for violation in check(flow)})


def main(argv: list[str] | None = None) -> int:
    paths = argv if argv is not None else sys.argv[1:]
    if not paths:
        print("usage: python -m flowkit.checker FLOW.json [...]", file=sys.stderr)  # noqa: T201 - CLI
        return 2
    failed = False
    for path in paths:
        for violation in check_flow(Path(path).read_text()):
            print(f"{path}: {violation}")  # noqa: T201 - CLI output
            failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
