"""Every shape the module renders is one that Connect itself writes.

The allowed parameter names per action type are derived from the project's copy of flows exported
from Connect (tests/corpus/connect_flows), nested keys included. A name that no export shows is
allowed only with the reference page that documents it, and only where no export contradicts it.
Every rendered flow, for a spread of tunings and every optional flow, is held to that, and to the
exports' way of writing values: every scalar a string ("8", "TRUE").
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from flowkit.checker import rules
from flowkit.graph import scalars
from flowkit.shapes import REFERENCE_ONLY, allowed_paths, exported_paths, exports, parameter_paths
from tests.support.flows import render_plan

pytestmark = pytest.mark.terraform

ROOT = Path(__file__).resolve().parents[2]


def test_the_exports_show_the_shapes_the_census_lists() -> None:
    # The derivation reads the corpus as its census does (spot checks from its README).
    assert {"TimeLimitSeconds", "ContinueExecution", "MinimumWaitTimeSeconds", "Events"} <= exported_paths()[
        "Wait"
    ]
    assert (
        "InterruptibleEvents.LambdaReturned.AsyncLambdaCompletionEvent.Identifier" in exported_paths()["Wait"]
    )
    assert "TimeoutSeconds" not in exported_paths()["Wait"]
    assert "ResponseValidation.ResponseType" in exported_paths()["InvokeLambdaFunction"]
    assert exported_paths()["LoadLambdaFunctionResult"] == {"LambdaInvocationId"}


def test_a_reference_only_name_is_one_no_export_contradicts() -> None:
    replaced = {
        (kind, old)
        for kind, rule in rules()["actions"].items()
        for old in rule.get("parameters", {}).get("replaced", {})
    }
    for (kind, path), source in REFERENCE_ONLY.items():
        assert source, (kind, path)
        # An export that shows the name makes the entry stale; one the rules replace is contradicted.
        assert path not in exported_paths().get(kind, set()), (
            f"{kind}.{path} is in the exports now: drop the entry"
        )
        assert (kind, path.split(".")[0]) not in replaced, f"the exports contradict {kind}.{path}"


# Tunings that between them render every optional block: queues, a recorded hold prompt, task
# parameters and a spoken result, tracking by a reference, no retries, the configuration lookup
# (with its module, and lookup-only), the re-queue disconnect flow, and the examples' tfvars.
PROMPT_ARN = (
    "arn:aws:connect:eu-west-2:123456789012:instance/0e7f4c2a-8d51-4b3e-9a60-3c1d2b4e5f60"
    "/prompt/1e7f4c2a-8d51-4b3e-9a60-3c1d2b4e5f60"
)
TUNINGS: dict[str, dict[str, Any]] = {
    "defaults": {},
    "queues and a recorded hold prompt": {
        "success_queue_id": "0e3b1d0a-1111-4222-8333-444455556666",
        "fallback_queue_id": "1e3b1d0a-1111-4222-8333-444455556666",
        "voice_hold_prompt_arn": PROMPT_ARN,
    },
    "task parameters, a spoken result, tracking by reference, no retries": {
        "task_parameters": {"question": "$.Attributes.question", "brand": "acme"},
        "result_attribute_keys": ["answer"],
        "messages": {"success": "Here is what I found. {result.answer}"},
        "tracking_id_source": "parameter",
        "tracking_id_reference": "$.Attributes.customer_reference",
        "start_retry_attempts": 0,
        "check_retry_attempts": 0,
    },
    "polling always, short limits": {
        "check_poll_when": "always",
        "flow_invocation_time_limit_seconds": 3,
        "check_budget_ms": 1500,
        "check_poll_interval_ms": 500,
    },
    "a long hold message": {"hold_prompt_seconds": 12, "messages": {"hold": "Thanks for waiting. " * 6}},
    "push with a recorded hold prompt": {"wait_mode": "push", "voice_hold_prompt_arn": PROMPT_ARN},
}
TFVARS = sorted((ROOT / "examples").glob("*.tfvars"))


@cache
def _rendered(name: str) -> dict[str, str]:
    if name.endswith(".tfvars"):
        return render_plan(tfvars=ROOT / "examples" / name).flows
    return render_plan(**TUNINGS[name]).flows


CASES = [*TUNINGS, *(p.name for p in TFVARS)]


@pytest.mark.parametrize("case", CASES)
def test_every_rendered_parameter_name_is_one_connect_writes(case: str) -> None:
    flows = _rendered(case)
    assert {"inbound_flow", "wait_module", "requeue_disconnect_flow"} <= set(flows)
    unknown = {
        f"{name}: {kind}.{path}"
        for name, content in flows.items()
        for kind, paths in parameter_paths(json.loads(content)).items()
        for path in paths - allowed_paths(kind)
    }
    assert sorted(unknown) == []


@pytest.mark.parametrize("case", CASES)
def test_every_rendered_value_is_written_as_the_console_writes_it(case: str) -> None:
    not_strings = {
        f"{name}: {action['Identifier']}.{path} = {value!r}"
        for name, content in _rendered(case).items()
        for action in json.loads(content)["Actions"]
        for path, value in scalars(action.get("Parameters", {}), "Parameters")
        if not isinstance(value, str)
    }
    assert sorted(not_strings) == []


def _document_shapes(document: Mapping[str, Any]) -> set[str]:
    """The key sets of a document, its actions, their transitions and its module Settings."""
    shapes = {"document:" + ",".join(sorted(document))}
    for action in document["Actions"]:
        shapes.add("action:" + ",".join(sorted(action)))
        transitions = action.get("Transitions", {})
        shapes.add("transitions:" + ",".join(sorted(transitions)))
        shapes.update("error:" + ",".join(sorted(branch)) for branch in transitions.get("Errors", []))
        shapes.update(
            "condition:" + ",".join(sorted(branch)) + "/" + ",".join(sorted(branch["Condition"]))
            for branch in transitions.get("Conditions", [])
        )
    settings = document.get("Settings")
    if settings:
        shapes.add("settings:" + ",".join(sorted(settings)))
        shapes.update("settings-transition:" + ",".join(sorted(t)) for t in settings.get("Transitions", []))
    return shapes


@pytest.mark.parametrize("case", CASES)
def test_every_rendered_document_action_and_transition_has_an_exported_shape(case: str) -> None:
    exported_shapes = set().union(*(_document_shapes(document) for document in exports().values()))
    rendered = set().union(*(_document_shapes(json.loads(c)) for c in _rendered(case).values()))
    # A transition set no export writes (say, an empty Errors list) would differ here too.
    assert sorted(rendered - exported_shapes) == []
