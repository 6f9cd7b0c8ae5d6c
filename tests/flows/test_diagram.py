"""Pictures from flows and calls: every action is a node, every transition an edge."""

from __future__ import annotations

import json

import pytest

from flowkit.diagram import call_gantt, flow_flowchart
from flowkit.simulator import START_MS, CallReport
from tests.flows.test_checker import valid_flow

pytestmark = pytest.mark.unit


def test_flowchart_has_a_node_per_action_and_an_edge_per_distinct_transition() -> None:
    flow = valid_flow()
    chart = flow_flowchart(json.dumps(flow))
    assert chart.startswith("flowchart TD\n")
    for action in flow["Actions"]:
        assert f"    {action['Identifier']}" in chart
    targets = {
        (action["Identifier"], target)
        for action in flow["Actions"]
        for target in [
            *(b["NextAction"] for b in action.get("Transitions", {}).get("Conditions", [])),
            *(b["NextAction"] for b in action.get("Transitions", {}).get("Errors", [])),
            *(
                [action["Transitions"]["NextAction"]]
                if action.get("Transitions", {}).get("NextAction")
                else []
            ),
        ]
    }
    for source, target in targets:
        assert any(
            line.startswith(f"    {source} -") and line.endswith(f" {target}") for line in chart.splitlines()
        )


def test_decisions_are_diamonds_and_loop_branches_are_named() -> None:
    chart = flow_flowchart(valid_flow())
    assert '    Wait{"Wait<br/><small>Loop</small>"}' in chart
    assert '|"again"|' in chart and '|"done"|' in chart


def test_gantt_shows_prompts_calls_and_the_worker_relative_to_the_call_start() -> None:
    report = CallReport(
        speech=[(START_MS + 100, START_MS + 4100)],
        calls=[("start", START_MS, START_MS + 40), ("check", START_MS + 4100, START_MS + 9100)],
        worker_runs=[("worker-1", START_MS + 40, START_MS + 6000)],
    )
    chart = call_gantt(report, "t")
    assert "dateFormat x" in chart
    assert "    prompt 1 :100, 4100" in chart
    assert "    start :crit, 0, 40" in chart
    assert "    check :4100, 9100" in chart
    assert "    worker-1 :active, 40, 6000" in chart
