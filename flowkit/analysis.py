"""Whole-flow analyses the checker runs over a ``FlowGraph``.

- ``unset_reads``: a must-be-set data flow. Every ``$.Attributes.x``, ``$.FlowAttributes.x`` and
  ``$.External.x`` an action reads is checked against what is set on *every* path from the start.
- ``channel_reach``: which channels can reach each action, narrowed by Compare blocks on
  ``$.Channel``; ``voice_only_on_chat`` finds with it a voice-only prompt (SSML, PromptId) on a
  path a chat contact takes.
- ``lambda_chains``: the worst-case seconds of synchronous Lambda calls with no prompt between
  them, with cycles bounded by Loop blocks (a retry loop) counted as their LoopCount allows, and
  paths that a flag rules out left out (a flow attribute only ever set to literal values and
  branched on by Compare: each block is taken apart by the flag values it can see).

Assumptions (no reference says otherwise; each chosen as the safer reading for the caller):
after a Lambda's error branch ``$.External`` holds nothing; after a flow module returns, any
``$.External`` key may be set, and any contact attribute unless the modules are known (then the
ones that module sets); after an asynchronous Lambda call or LoadLambdaFunctionResult, any
``$.External`` key may be set (where the loaded answer is read is not settled by any source).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Mapping, Set
from dataclasses import dataclass, replace
from typing import Any, Final

from flowkit.graph import Edge, FlowGraph, as_mapping, as_number, condition_operands, module_key

__all__ = [
    "ALL_CHANNELS",
    "Chain",
    "UnsetRead",
    "channel_reach",
    "lambda_chains",
    "unset_reads",
    "voice_only_on_chat",
]

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
    module_seen: bool = False  # on some path a flow module ran

    def meet(self, other: _State) -> _State:
        return _State(
            _meet(self.attributes, other.attributes),
            _meet(self.flow_attributes, other.flow_attributes),
            _meet(self.external, other.external),
            self.lambda_seen and other.lambda_seen,
            self.stale or other.stale,
            self.module_seen or other.module_seen,
        )


@dataclass(frozen=True)
class UnsetRead:
    action: str
    scope: str  # External | Attributes | FlowAttributes
    name: str
    # For External: "no_lambda" (no Lambda before it on some path), "after_error" (the last
    # Lambda failed on some path), or "not_returned" (the Lambda never returns that key). For
    # Attributes: "after_module" when a known flow module ran before it on some path.
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


def _after(
    action: Mapping[str, Any],
    edge: Edge,
    state: _State,
    responses: Mapping[str, Set[str]],
    modules: Mapping[str, frozenset[str]] | None,
) -> _State:
    """The state along one transition out of ``action``."""
    kind = FlowGraph.kind(action)
    parameters = FlowGraph.parameters(action)
    if kind == "UpdateContactAttributes" and edge.kind != "error":  # all set or none
        keys = {k for k in as_mapping(parameters.get("Attributes")) if isinstance(k, str)}
        return replace(state, attributes=_union(state.attributes, keys))
    if kind == "UpdateFlowAttributes" and edge.kind != "error":
        keys = {k for k in as_mapping(parameters.get("FlowAttributes")) if isinstance(k, str)}
        return replace(state, flow_attributes=_union(state.flow_attributes, keys))
    if kind in ("InvokeLambdaFunction", "LoadLambdaFunctionResult"):
        if edge.kind == "error":
            return replace(state, external=frozenset(), lambda_seen=True, stale=True)
        arn = parameters.get("LambdaFunctionARN")
        synchronous = (
            kind == "InvokeLambdaFunction"
            and parameters.get("InvocationType", "SYNCHRONOUS") == "SYNCHRONOUS"
        )
        known = responses.get(arn) if isinstance(arn, str) and synchronous else None
        external = None if known is None else frozenset(known)
        return replace(state, external=external, lambda_seen=True, stale=False)
    if kind == "InvokeFlowModule":
        sets = None if modules is None else modules.get(module_key(parameters.get("FlowModuleId", "")))
        attributes = None if sets is None else _union(state.attributes, sets)
        return replace(
            state, attributes=attributes, external=None, lambda_seen=True, stale=False, module_seen=True
        )
    return state


def unset_reads(
    graph: FlowGraph,
    *,
    responses: Mapping[str, Set[str]],
    upstream_attributes: Set[str] = frozenset(),
    modules: Mapping[str, frozenset[str]] | None = None,
) -> list[UnsetRead]:
    """References read on some path where nothing set them first. ``modules``: the flow modules
    the flow may invoke, by id, with the contact attributes each sets (None: unknown, so after a
    module call any attribute may be set)."""
    if graph.start not in graph.by_id:
        return []
    start = _State(frozenset(upstream_attributes), frozenset(), frozenset())
    states: dict[str, _State] = {graph.start: start}
    work = [graph.start]
    while work:
        identifier = work.pop()
        action = graph.by_id[identifier]
        for edge in graph.successors(identifier):
            out = _after(action, edge, states[identifier], responses, modules)
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
            reason = "after_module" if scope == "Attributes" and state.module_seen else ""
            if scope == "External":
                reason = (
                    "no_lambda" if not state.lambda_seen else "after_error" if state.stale else "not_returned"
                )
            found.append(UnsetRead(identifier, scope, name, reason))
    return sorted(set(found), key=lambda r: (r.action, r.scope, r.name))


def channel_reach(graph: FlowGraph, channels: Set[str]) -> dict[str, frozenset[str]]:
    """The channels that can reach each reachable action, narrowed by Compare blocks on $.Channel."""
    if graph.start not in graph.by_id:
        return {}
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
    return reach


def voice_only_on_chat(
    graph: FlowGraph, reach: Mapping[str, frozenset[str]], voice_only_keys: Mapping[str, Set[str]]
) -> list[tuple[str, str]]:
    """(action, key) of each voice-only prompt a CHAT contact can reach (``reach``: channel_reach)."""
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
    component: list[str],
    succ: Mapping[str, list[str]],
    weight: Mapping[str, float],
    loop_edges: Mapping[str, tuple[set[str], float]],
) -> tuple[float, bool]:
    """Worst-case Lambda seconds inside one component, and whether it is a cycle.
    ``loop_edges``: for each Loop node, the targets of its ContinueLooping edges and how often it
    lets them be taken (LoopCount + 1)."""
    inside = set(component)
    lambda_seconds = sum(weight[n] for n in component)
    cyclic = len(component) > 1 or component[0] in succ[component[0]]
    if not cyclic or lambda_seconds == 0:
        return lambda_seconds, False
    loops = {n: loop_edges[n] for n in component if n in loop_edges and loop_edges[n][0] & inside}

    def bounded_by(chosen: list[str]) -> bool:
        cut = {
            n: [t for t in succ[n] if t in inside and not (n in chosen and t in loops[n][0])]
            for n in component
        }
        return _acyclic(inside, cut)

    # One Loop whose ContinueLooping edges every cycle passes bounds the whole component by its
    # own count (its counter resets only when done, and done never leads back to it); otherwise
    # the Loops together bound it by the product of their counts.
    single = [loops[n][1] for n in sorted(loops) if bounded_by([n])]
    if single:
        return lambda_seconds * min(single), True
    factor = math.prod(passes for _, passes in loops.values())
    bounded = bool(loops) and bounded_by(sorted(loops))
    return (lambda_seconds * factor if bounded else float("inf")), True


# A flow's flags: values of flow attributes that every UpdateFlowAttributes sets to a literal
# and some Compare branches on. None: not set yet on this path, or not known.
_Flags = tuple[tuple[str, str | None], ...]


def _flag_names(graph: FlowGraph) -> frozenset[str]:
    literal: set[str] = set()
    dynamic: set[str] = set()
    compared: set[str] = set()
    for action in graph.by_id.values():
        kind, parameters = FlowGraph.kind(action), FlowGraph.parameters(action)
        if kind == "UpdateFlowAttributes":
            for name, spec in as_mapping(parameters.get("FlowAttributes")).items():
                value = as_mapping(spec).get("Value")
                (literal if isinstance(value, str) and not value.startswith("$.") else dynamic).add(str(name))
        elif kind == "Compare":
            value = parameters.get("ComparisonValue")
            if isinstance(value, str) and value.startswith("$.FlowAttributes."):
                compared.add(value.removeprefix("$.FlowAttributes."))
    return frozenset((literal - dynamic) & compared)


_CHANNEL: Final = "$.Channel"


def _compared(parameters: Mapping[str, Any]) -> str:
    """The flag a Compare branches on: a flow attribute's name, or the contact's channel."""
    value = str(parameters.get("ComparisonValue", ""))
    return value if value == _CHANNEL else value.removeprefix("$.FlowAttributes.")


def _flagged_edges(graph: FlowGraph, identifier: str, flags: _Flags) -> Iterator[tuple[Edge, _Flags]]:
    """The transitions out of an action that its flags allow, with the flags along each."""
    action = graph.by_id[identifier]
    kind, parameters = FlowGraph.kind(action), FlowGraph.parameters(action)
    edges = list(graph.successors(identifier))
    known = dict(flags)
    plain = all(
        as_mapping(b.get("Condition")).get("Operator") == "Equals" and len(condition_operands(b)) == 1
        for b in FlowGraph.branches(action, "Conditions")
    )
    if kind == "Compare" and known.get(_compared(parameters)) is not None and plain:
        value = known[_compared(parameters)]
        matched = [e for e in edges if e.kind == "condition" and e.label == value]
        edges = matched or [e for e in edges if e.kind != "condition"]
    updates = {
        str(name): str(as_mapping(spec).get("Value"))
        for name, spec in as_mapping(parameters.get("FlowAttributes")).items()
        if kind == "UpdateFlowAttributes" and name in known
    }
    for edge in edges:
        after = {**known, **updates} if edge.kind != "error" else known
        yield edge, tuple(sorted(after.items()))


def _flag_graph(
    graph: FlowGraph, channels: Set[str]
) -> tuple[dict[str, list[tuple[Edge, str]]], dict[str, str]]:
    """Each block once per channel and combination of flag values that reaches it (from the
    start, and from each block the start does not reach, with no flag known): the transitions
    between those nodes, and the action each node is."""
    roots = [graph.start] if graph.start in graph.by_id else []
    roots += sorted(set(graph.by_id) - graph.reachable())
    node_of: dict[tuple[str, _Flags], str] = {}
    action_of: dict[str, str] = {}
    out: dict[str, list[tuple[Edge, str]]] = {}
    work: list[tuple[str, _Flags]] = []

    def visit(identifier: str, flags: _Flags) -> str:
        key = (identifier, flags)
        if key not in node_of:
            node_of[key] = f"{identifier}|{flags}"
            action_of[node_of[key]] = identifier
            work.append(key)
        return node_of[key]

    names = _flag_names(graph)
    for channel in sorted(channels):
        unknown: _Flags = tuple(sorted([(_CHANNEL, channel), *((name, None) for name in names)]))
        for root in roots:
            visit(root, unknown)
    while work:
        identifier, flags = work.pop()
        node = node_of[(identifier, flags)]
        out[node] = [
            (edge, visit(edge.target, after)) for edge, after in _flagged_edges(graph, identifier, flags)
        ]
    return out, action_of


def lambda_chains(
    graph: FlowGraph, prompt_types: Set[str], default_limit: float, channels: Set[str] = ALL_CHANNELS
) -> list[Chain]:
    """The longest prompt-free Lambda chain from each place one can begin, worst case, for a
    contact on any of ``channels``."""
    out, action_of = _flag_graph(graph, channels)

    def kind(node: str) -> str:
        return FlowGraph.kind(graph.by_id[action_of[node]])

    nodes = sorted(n for n in out if kind(n) not in prompt_types)
    members = set(nodes)
    succ = {n: sorted({t for _, t in out[n] if t in members}) for n in nodes}
    weight = {n: _sync_seconds(graph.by_id[action_of[n]], default_limit) for n in nodes}
    loop_edges: dict[str, tuple[set[str], float]] = {}
    for n in nodes:
        if kind(n) == "Loop":
            count = as_number(FlowGraph.parameters(graph.by_id[action_of[n]]).get("LoopCount"))
            again = {t for e, t in out[n] if (e.kind, e.label) == ("condition", "ContinueLooping")}
            loop_edges[n] = (again, (count if count is not None and count >= 0 else 100) + 1)
    components = _components(nodes, succ)
    component_of = {n: i for i, c in enumerate(components) for n in c}
    costs = [_component_cost(c, succ, weight, loop_edges) for c in components]
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
    chains: dict[str, Chain] = {}
    for i, component in enumerate(components):
        lambdas = sorted(action_of[n] for n in component if weight[n] > 0)
        if lambdas and not lambda_before[i]:
            chain = Chain(lambdas[0], total[i], through_loop[i])
            if chain.action not in chains or chain.seconds > chains[chain.action].seconds:
                chains[chain.action] = chain
    return sorted(chains.values(), key=lambda c: c.action)
