"""Pictures for people: a flow as a Mermaid flowchart, and a simulated call as a Mermaid gantt chart.

python -m flowkit.diagram flow.json       # prints the flowchart
"""

from __future__ import annotations

import argparse
import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final

from flowkit.simulator import START_MS, CallReport

__all__ = ["call_gantt", "calls_gantt", "flow_flowchart"]

# Node shapes by what the action does: decisions are diamonds, prompts are rounded, Lambda calls
# are subroutines, endings are circles.
_SHAPES: Final = {
    "Compare": ("{", "}"),
    "Loop": ("{", "}"),
    "Wait": ("{", "}"),
    "MessageParticipant": ("([", "])"),
    "InvokeLambdaFunction": ("[[", "]]"),
    "InvokeFlowModule": ("[[", "]]"),
    "DisconnectParticipant": ("((", "))"),
    "TransferContactToQueue": ("((", "))"),
    "EndFlowModuleExecution": ("((", "))"),
}
_LABELS: Final = {"ContinueLooping": "again", "DoneLooping": "done", "NoMatchingError": "error"}
# Actions whose success ends the flow (the contact goes to its queue): their NextAction, which
# Connect requires, is never taken, so only their error branches are drawn.
_ENDS_ON_SUCCESS: Final = frozenset({"TransferContactToQueue"})


def _node_id(identifier: str) -> str:
    return re.sub(r"[^A-Za-z0-9_]", "_", identifier)


def _label(action: Mapping[str, Any]) -> str:
    kind = str(action.get("Type"))
    name = str(action["Identifier"])
    return f"{name}<br/><small>{kind}</small>"


def flow_flowchart(flow: str | Mapping[str, Any]) -> str:
    """The flow's actions and transitions as a Mermaid flowchart (top-down)."""
    document: Mapping[str, Any] = json.loads(flow) if isinstance(flow, str) else flow
    lines = ["flowchart TD"]
    for action in document["Actions"]:
        opening, closing = _SHAPES.get(str(action.get("Type")), ("[", "]"))
        lines.append(f'    {_node_id(action["Identifier"])}{opening}"{_label(action)}"{closing}')
    for action in document["Actions"]:
        source = _node_id(action["Identifier"])
        transitions: Mapping[str, Any] = action.get("Transitions") or {}
        edges: list[tuple[str, str, str]] = []  # (label, target, arrow)
        for branch in transitions.get("Conditions", []):
            operand = str(branch["Condition"]["Operands"][0])
            edges.append((_LABELS.get(operand, operand), str(branch["NextAction"]), "-->"))
        ends = action.get("Type") in _ENDS_ON_SUCCESS
        default = None if ends else transitions.get("NextAction")
        # A Loop's NextAction is its DoneLooping target, already drawn as "done".
        if default and default not in {target for _, target, _ in edges}:
            edges.append(("", str(default), "-->"))
        for branch in transitions.get("Errors", []):
            # An error that carries on the same way as success is noise in a picture.
            if branch["NextAction"] != default:
                error = str(branch["ErrorType"])
                edges.append((_LABELS.get(error, error), str(branch["NextAction"]), "-.->"))
        for label, target, arrow in edges:
            text = f'|"{label}"|' if label else ""
            lines.append(f"    {source} {arrow}{text} {_node_id(target)}")
    return "\n".join(lines) + "\n"


def call_gantt(report: CallReport, title: str) -> str:
    """What the caller hears, each Lambda call and the worker's run, on one time axis."""
    return calls_gantt({"": report}, title)


def calls_gantt(reports: Mapping[str, CallReport], title: str) -> str:
    """Several calls on one time axis (each from its own start), a set of sections per label:
    the same scenario under two tunings, for example."""
    lines = [
        "gantt",
        f"    title {title}",
        "    dateFormat x",
        "    axisFormat %M:%S",
    ]

    def span(name: str, begin: int, end: int, tag: str = "") -> str:
        prefix = f"{tag}, " if tag else ""
        return f"    {name} :{prefix}{begin - START_MS}, {max(end, begin + 1) - START_MS}"

    for label, report in reports.items():
        who = f"{label}: " if label else ""
        lines.append(f"    section {who}Caller hears")
        for index, (begin, end) in enumerate(report.speech, 1):
            lines.append(span(f"prompt {index}", begin, end))
        lines.append(f"    section {who}Flow calls")
        for function, begin, end in report.calls:
            lines.append(span(function, begin, end, "crit" if function == "start" else ""))
        lines.append(f"    section {who}Worker")
        for name, begin, end in report.worker_runs:
            lines.append(span(name, begin, end, "active"))
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Print a contact flow as a Mermaid flowchart.")
    parser.add_argument("flow", type=Path)
    args = parser.parse_args(argv)
    print(flow_flowchart(args.flow.read_text()), end="")  # noqa: T201 - CLI output
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
