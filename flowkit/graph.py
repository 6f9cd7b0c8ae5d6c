"""A flow-language document read defensively, as a graph of actions and labelled transitions.

Whatever the JSON holds (lists where objects belong, numbers where strings belong, missing keys),
reading it never raises: a malformed part reads as empty, and the checker reports it by name.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

__all__ = [
    "Edge",
    "FlowGraph",
    "as_list",
    "as_mapping",
    "as_number",
    "condition_operands",
    "module_key",
    "scalars",
]


def as_mapping(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def as_list(value: object) -> list[Any]:
    return value if isinstance(value, list) else []


def as_number(value: object) -> float | None:
    """Exported flows write numbers as strings ("8"); anything else that is not a number is None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            number = float(value)
        except ValueError:
            return None
        return None if math.isnan(number) else number  # NaN is not a number a flow can use
    return None


def scalars(value: object, path: str) -> Iterator[tuple[str, object]]:
    """Every scalar inside a JSON value, with its dotted path from ``path`` ([] for list items)."""
    if isinstance(value, Mapping):
        for key, item in value.items():
            yield from scalars(item, f"{path}.{key}")
    elif isinstance(value, list):
        for item in value:
            yield from scalars(item, f"{path}[]")
    else:
        yield path, value


def module_key(flow_module_id: object) -> str:
    """A flow module's id, from its id or its ARN (.../flow-module/<id>)."""
    return str(flow_module_id).rsplit("/flow-module/", 1)[-1]


def condition_operands(branch: Mapping[str, Any]) -> list[str]:
    return [str(o) for o in as_list(as_mapping(branch.get("Condition")).get("Operands"))]


@dataclass(frozen=True)
class Edge:
    """A transition: ``kind`` is "next", "condition" or "error"; ``label`` the operand or error type."""

    target: str
    kind: str
    label: str = ""


class FlowGraph:
    def __init__(self, document: Mapping[str, Any]) -> None:
        self.document = document
        self.actions: list[Mapping[str, Any]] = [
            a for a in as_list(document.get("Actions")) if isinstance(a, Mapping)
        ]
        self.by_id: dict[str, Mapping[str, Any]] = {}
        for action in self.actions:
            identifier = action.get("Identifier")
            if isinstance(identifier, str) and identifier:
                self.by_id.setdefault(identifier, action)
        start = document.get("StartAction")
        self.start = start if isinstance(start, str) else ""

    @staticmethod
    def kind(action: Mapping[str, Any]) -> str:
        kind = action.get("Type")
        return kind if isinstance(kind, str) else ""

    @staticmethod
    def parameters(action: Mapping[str, Any]) -> Mapping[str, Any]:
        return as_mapping(action.get("Parameters"))

    @staticmethod
    def transitions(action: Mapping[str, Any]) -> Mapping[str, Any]:
        return as_mapping(action.get("Transitions"))

    @classmethod
    def branches(cls, action: Mapping[str, Any], key: str) -> list[Mapping[str, Any]]:
        return [b for b in as_list(cls.transitions(action).get(key)) if isinstance(b, Mapping)]

    @classmethod
    def next_action(cls, action: Mapping[str, Any]) -> str:
        target = cls.transitions(action).get("NextAction")
        return target if isinstance(target, str) else ""

    @classmethod
    def edges(cls, action: Mapping[str, Any]) -> Iterator[Edge]:
        if target := cls.next_action(action):
            yield Edge(target, "next")
        for branch in cls.branches(action, "Conditions"):
            goes_to = branch.get("NextAction")
            if isinstance(goes_to, str) and goes_to:
                operands = condition_operands(branch)
                yield Edge(goes_to, "condition", operands[0] if operands else "")
        for branch in cls.branches(action, "Errors"):
            goes_to = branch.get("NextAction")
            if isinstance(goes_to, str) and goes_to:
                yield Edge(goes_to, "error", str(branch.get("ErrorType", "")))

    def successors(self, identifier: str) -> Iterator[Edge]:
        """Transitions of an action that lead to actions of this flow."""
        action = self.by_id.get(identifier)
        if action is None:
            return
        for edge in self.edges(action):
            if edge.target in self.by_id:
                yield edge

    def reachable(self) -> set[str]:
        if self.start not in self.by_id:
            return set()
        reached = {self.start}
        frontier = [self.start]
        while frontier:
            for edge in self.successors(frontier.pop()):
                if edge.target not in reached:
                    reached.add(edge.target)
                    frontier.append(edge.target)
        return reached
