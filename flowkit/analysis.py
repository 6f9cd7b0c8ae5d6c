"""Whole-flow analyses the checker runs over a ``FlowGraph``.

- ``unset_reads``: a must-be-set data flow. Every ``$.Attributes.x``, ``$.FlowAttributes.x`` and
  ``$.External.x`` an action reads is checked against what is set on *every* path from the start.
- ``voice_only_on_chat``: which channels can reach each action, narrowed by Compare blocks on
  ``$.Channel``, so a voice-only prompt (SSML, PromptId) on a path a chat contact takes is found.
- ``lambda_chains``: the worst-case seconds of synchronous Lambda calls with no prompt between
  them, with cycles bounded by Loop blocks (a retry loop) counted as their LoopCount allows.

Assumptions (no reference says otherwise; each chosen as the safer reading for the caller):
after a Lambda's error branch ``$.External`` holds nothing; after a flow module returns, any
contact attribute and any ``$.External`` key may be set (its content is not analysed here).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Set
from dataclasses import dataclass, replace
from typing import Any, Final

from flowkit.graph import Edge, FlowGraph, as_mapping, as_number

__all__ = ["ALL_CHANNELS", "Chain", "UnsetRead", "lambda_chains", "unset_reads", "voice_only_on_chat"]

ALL_CHANNELS: Final = frozenset({"VOICE", "CHAT", "TASK", "EMAIL"})
_REFERENCE: Final = re.compile(r"\$\.(External|Attributes|FlowAttributes)\.([A-Za-z0-9_\-]+)")
# None stands for "anything may be set" (after an unknown Lambda or a flow module).
_Keys = frozenset[str] | None


def _meet(a: _Keys, b: _Keys) -> _Keys:
    if a is None:
        return b
    if b is None:
        return a
    return a & b


def _union(a: _Keys, extra: Set[str]) -> _Keys:
    return None if a is None else a | extra


def _has(keys: _Keys, name: str) -> bool:
    return keys is None or name in keys


@dataclass(frozen=True)
class _State:
    attributes: _Keys
    flow_attributes: _Keys
    external: _Keys
    lambda_seen: bool = False  # a Lambda (or a module) ran on every path so far
    stale: bool = False  # on some path the last Lambda took its error branch

    def meet(self, other: _State) -> _State:
        return _State(
            _meet(self.attributes, other.attributes),
            _meet(self.flow_attributes, other.flow_attributes),
            _meet(self.external, other.external),
            self.lambda_seen and other.lambda_seen,
            self.stale or other.stale,
        )


@dataclass(frozen=True)
class UnsetRead:
    action: str
    scope: str  # External | Attributes | FlowAttributes
    name: str
    # For External: "no_lambda" (no Lambda before it on some path), "after_error" (the last
    # Lambda failed on some path), or "not_returned" (the Lambda never returns that key).
    reason: str = ""


def _strings(value: object) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, Mapping):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def _reads(action: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    for text in _strings(FlowGraph.parameters(action)):
        for match in _REFERENCE.finditer(text):
            yield match.group(1), match.group(2)


def _after(action: Mapping[str, Any], edge: Edge, state: _State, responses: Mapping[str, Set[str]]) -> _State:
    """The state along one transition out of ``action``."""
    kind = FlowGraph.kind(action)
    parameters = FlowGraph.parameters(action)
    if kind == "UpdateContactAttributes" and edge.kind != "error":  # all set or none
        keys = {k for k in as_mapping(parameters.get("Attributes")) if isinstance(k, str)}
        return replace(state, attributes=_union(state.attributes, keys))
    if kind == "UpdateFlowAttributes" and edge.kind != "error":
        keys = {k for k in as_mapping(parameters.get("FlowAttributes")) if isinstance(k, str)}
        return replace(state, flow_attributes=_union(state.flow_attributes, keys))
    if kind == "InvokeLambdaFunction":
        if edge.kind == "error":
            return replace(state, external=frozenset(), lambda_seen=True, stale=True)
        arn = parameters.get("LambdaFunctionARN")
        known = responses.get(arn) if isinstance(arn, str) else None
        external = None if known is None else frozenset(known)
        return replace(state, external=external, lambda_seen=True, stale=False)
    if kind == "InvokeFlowModule":
        return replace(state, attributes=None, external=None, lambda_seen=True, stale=False)
    return state


def unset_reads(
    graph: FlowGraph,
    *,
    responses: Mapping[str, Set[str]],
    upstream_attributes: Set[str] = frozenset(),
) -> list[UnsetRead]:
    """References read on some path where nothing set them first."""
    if graph.start not in graph.by_id:
        return []
    start = _State(frozenset(upstream_attributes), frozenset(), frozenset())
    states: dict[str, _State] = {graph.start: start}
    work = [graph.start]
    while work:
        identifier = work.pop()
        action = graph.by_id[identifier]
        for edge in graph.successors(identifier):
            out = _after(action, edge, states[identifier], responses)
            old = states.get(edge.target)
            new = out if old is None else old.meet(out)
            if new != old:
                states[edge.target] = new
                work.append(edge.target)
    found: list[UnsetRead] = []
    for identifier, state in states.items():
        scopes = {
            "Attributes": state.attributes,
            "FlowAttributes": state.flow_attributes,
            "External": state.external,
        }
        for scope, name in _reads(graph.by_id[identifier]):
            if _has(scopes[scope], name):
                continue
            reason = ""
            if scope == "External":
                reason = (
                    "no_lambda" if not state.lambda_seen else "after_error" if state.stale else "not_returned"
                )
            found.append(UnsetRead(identifier, scope, name, reason))
    return sorted(set(found), key=lambda r: (r.action, r.scope, r.name))


def voice_only_on_chat(
    graph: FlowGraph, channels: Set[str], voice_only_keys: Mapping[str, Set[str]]
) -> list[tuple[str, str]]:
    """(action, key) of each voice-only prompt a CHAT contact can reach."""
    if graph.start not in graph.by_id:
        return []
    reach: dict[str, frozenset[str]] = {graph.start: frozenset(channels)}
    work = [graph.start]
    while work:
        identifier = work.pop()
        action = graph.by_id[identifier]
        here = reach[identifier]
        on_channel = (
            FlowGraph.kind(action) == "Compare"
            and FlowGraph.parameters(action).get("ComparisonValue") == "$.Channel"
        )
        matched = {e.label for e in graph.successors(identifier) if e.kind == "condition"}
        for edge in graph.successors(identifier):
            out = here
            if on_channel:
                out = here & {edge.label} if edge.kind == "condition" else here - matched
            merged = reach.get(edge.target, frozenset()) | out
            if merged != reach.get(edge.target):
                reach[edge.target] = merged
                work.append(edge.target)
    found = []
    for identifier, possible in reach.items():
        if "CHAT" not in possible:
            continue
        action = graph.by_id[identifier]
        keys = voice_only_keys.get(FlowGraph.kind(action), set())
        parameters = FlowGraph.parameters(action)
        messages = (
            [as_mapping(m) for m in parameters.get("Messages", [])]
            if isinstance(parameters.get("Messages"), list)
            else []
        )
        for key in sorted(keys):
            if key in parameters or any(key in m for m in messages):
                found.append((identifier, key))
    return sorted(found)


@dataclass(frozen=True)
class Chain:
    action: str  # where the longest prompt-free run of Lambda calls begins
    seconds: float  # its worst case (math.inf: a loop with no bound)
    bounded_loop: bool  # it runs through a cycle bounded by a Loop block (a retry loop)


def _sync_seconds(action: Mapping[str, Any], default_limit: float) -> float:
    if FlowGraph.kind(action) != "InvokeLambdaFunction":
        return 0.0
    parameters = FlowGraph.parameters(action)
    if parameters.get("InvocationType", "SYNCHRONOUS") != "SYNCHRONOUS":
        return 0.0
    limit = as_number(parameters.get("InvocationTimeLimitSeconds"))
    return limit if limit is not None and limit > 0 else default_limit


def _components(nodes: list[str], succ: Mapping[str, list[str]]) -> list[list[str]]:
    """Strongly connected components (Tarjan's algorithm, iterative), in reverse topological order."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    result: list[list[str]] = []
    counter = 0
    for root in nodes:
        if root in index:
            continue
        work: list[tuple[str, int]] = [(root, 0)]
        while work:
            node, position = work.pop()
            if position == 0:
                index[node] = low[node] = counter
                counter += 1
                stack.append(node)
                on_stack.add(node)
            targets = succ.get(node, [])
            if position < len(targets):
                work.append((node, position + 1))
                target = targets[position]
                if target not in index:
                    work.append((target, 0))
                elif target in on_stack:
                    low[node] = min(low[node], index[target])
                continue
            if low[node] == index[node]:
                component: list[str] = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                result.append(component)
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
    return result


def _acyclic(nodes: Set[str], succ: Mapping[str, list[str]]) -> bool:
    return all(len(c) == 1 and c[0] not in succ.get(c[0], []) for c in _components(sorted(nodes), succ))


def _component_cost(
    graph: FlowGraph, component: list[str], succ: Mapping[str, list[str]], weight: Mapping[str, float]
) -> tuple[float, bool]:
    """Worst-case Lambda seconds inside one component, and whether it is a cycle."""
    inside = set(component)
    lambda_seconds = sum(weight[n] for n in component)
    cyclic = len(component) > 1 or component[0] in succ[component[0]]
    if not cyclic or lambda_seconds == 0:
        return lambda_seconds, False
    # Cut each Loop's ContinueLooping edge: if that breaks every cycle, the Loops bound it, and
    # it runs at most the product of (LoopCount + 1) times.
    factor = 1.0
    cut = {n: [t for t in succ[n] if t in inside] for n in component}
    for n in component:
        action = graph.by_id[n]
        if FlowGraph.kind(action) != "Loop":
            continue
        edges = graph.successors(n)
        again = {e.target for e in edges if (e.kind, e.label) == ("condition", "ContinueLooping")}
        if again & inside:
            cut[n] = [t for t in cut[n] if t not in again]
            count = as_number(FlowGraph.parameters(action).get("LoopCount"))
            factor *= (count if count is not None and count >= 0 else 100) + 1
    bounded = factor > 1 and _acyclic(inside, cut)
    return (lambda_seconds * factor if bounded else float("inf")), True


def lambda_chains(graph: FlowGraph, prompt_types: Set[str], default_limit: float) -> list[Chain]:
    """The longest prompt-free Lambda chain from each place one can begin, worst case."""
    nodes = [i for i in graph.by_id if FlowGraph.kind(graph.by_id[i]) not in prompt_types]
    members = set(nodes)
    succ = {n: sorted({e.target for e in graph.successors(n) if e.target in members}) for n in nodes}
    weight = {n: _sync_seconds(graph.by_id[n], default_limit) for n in nodes}
    components = _components(nodes, succ)
    component_of = {n: i for i, c in enumerate(components) for n in c}
    costs = [_component_cost(graph, c, succ, weight) for c in components]
    # Components come out in reverse topological order: successors are done first.
    total: list[float] = [0.0] * len(components)
    through_loop: list[bool] = [False] * len(components)
    for i, component in enumerate(components):
        best, best_loop = 0.0, False
        for j in {component_of[t] for n in component for t in succ[n]} - {i}:
            if total[j] > best or (total[j] == best and through_loop[j]):
                best, best_loop = total[j], through_loop[j]
        total[i] = costs[i][0] + best
        through_loop[i] = costs[i][1] or best_loop
    # A chain begins at a component with a Lambda that no Lambda reaches without a prompt between.
    lambda_before = [False] * len(components)
    for i in reversed(range(len(components))):  # topological order: predecessors first
        if costs[i][0] > 0 or lambda_before[i]:
            for j in {component_of[t] for n in components[i] for t in succ[n]} - {i}:
                lambda_before[j] = True
    chains = []
    for i, component in enumerate(components):
        lambdas = sorted(n for n in component if weight[n] > 0)
        if lambdas and not lambda_before[i]:
            chains.append(Chain(lambdas[0], total[i], through_loop[i]))
    return sorted(chains, key=lambda c: c.action)
