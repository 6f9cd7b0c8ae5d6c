"""A readable, deterministic layout of a flow for the Connect console's designer.

Layered left to right in the order a call walks: a block's column is its distance from the start
(breadth first, following NextAction, then each condition, then each error branch, in the order
the flow lists them); within a column, blocks are stacked in the order they are reached, so the
main path runs along the top and error paths fall below it. Loops are drawn back to a block already
placed. Blocks nothing leads to come last, in a column of their own.

The module renders its flows in Terraform, which cannot walk a graph: scripts/flow_layout.py lays
out the richest renders of each flow (every optional block on) once, and modules/plan/layout.json
keeps the positions by identifier. A tuning that leaves a block out leaves the others where they
were.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

__all__ = ["BLOCK_HEIGHT", "BLOCK_WIDTH", "ENTRY_POINT", "layout"]

# The console draws a block about 200 px wide and up to 150 px high: this spacing keeps a gap.
BLOCK_WIDTH: Final = 280
BLOCK_HEIGHT: Final = 200
ENTRY_POINT: Final = {"x": 40, "y": 40}
_ORIGIN: Final = (ENTRY_POINT["x"] + 180, ENTRY_POINT["y"])


def _successors(action: Mapping[str, Any]) -> list[str]:
    transitions: Mapping[str, Any] = action.get("Transitions") or {}
    targets = [transitions.get("NextAction")]
    targets += [branch.get("NextAction") for branch in transitions.get("Conditions", [])]
    targets += [branch.get("NextAction") for branch in transitions.get("Errors", [])]
    return [str(target) for target in targets if target]


def layout(flow: Mapping[str, Any]) -> dict[str, dict[str, int]]:
    """Each action's position ({"x", "y"}), by identifier."""
    actions = {str(a["Identifier"]): a for a in flow["Actions"]}
    columns: dict[str, int] = {}
    order: list[str] = []
    queue = [str(flow["StartAction"])]
    columns[queue[0]] = 0
    while queue:
        current = queue.pop(0)
        order.append(current)
        for target in _successors(actions.get(current, {})):
            if target in actions and target not in columns:
                columns[target] = columns[current] + 1
                queue.append(target)
    orphans = [identifier for identifier in actions if identifier not in columns]
    last = max(columns.values(), default=0) + 1
    for identifier in orphans:
        columns[identifier] = last
        order.append(identifier)
    rows: dict[int, int] = {}
    positions: dict[str, dict[str, int]] = {}
    for identifier in order:
        column = columns[identifier]
        row = rows.get(column, 0)
        rows[column] = row + 1
        positions[identifier] = {"x": _ORIGIN[0] + column * BLOCK_WIDTH, "y": _ORIGIN[1] + row * BLOCK_HEIGHT}
    return positions
