"""Render the module's flows through Terraform itself (modules/plan), never a Python copy."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flowkit import plan

__all__ = [
    "CHECK_ARN",
    "FLOW_MODULE_ID",
    "LOOKUP_ARN",
    "MESSAGES",
    "REQUEUE_QUEUE_ID",
    "START_ARN",
    "render_flows",
    "render_plan",
]

START_ARN = "arn:aws:lambda:eu-west-2:123456789012:function:s"
CHECK_ARN = "arn:aws:lambda:eu-west-2:123456789012:function:c"
LOOKUP_ARN = "arn:aws:lambda:eu-west-2:123456789012:function:l"
FLOW_MODULE_ID = "0e7f4c2a-8d51-4b3e-9a60-3c1d2b4e5f60"
REQUEUE_QUEUE_ID = "7a1c2b3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
MESSAGES = {
    "hold": "Thanks for waiting. We are still working on your request.",
    "success": "Thank you. Your request is complete.",
    "fallback": "Sorry, we could not complete your request.",
    "timeout": "This is taking longer than expected.",
}
# The tests' wiring and texts; any variable of modules/plan (the root module's names) overrides.
_TEST_VARIABLES: Mapping[str, Any] = {
    "start_function_arn": START_ARN,
    "check_function_arn": CHECK_ARN,
    "lookup_function_arn": LOOKUP_ARN,
    "flow_module_id": FLOW_MODULE_ID,
    "tracker_table_name": "simulated-tracker",
    "messages": MESSAGES,
    "requeue_disconnect_flow": {
        "queue_id": REQUEUE_QUEUE_ID,
        "task_name": "record_return",
        "wait_seconds": 600,
        "retry_attempts": 2,
    },
}


def render_plan(tfvars: Path | None = None, **variables: Any) -> plan.Rendered:
    """modules/plan's outputs for the module's defaults, the tests' wiring, a tfvars file and
    these variables (later ones win)."""
    return plan.render(tfvars, defaults=_TEST_VARIABLES, variables=variables)


def render_flows(**variables: Any) -> dict[str, str | None]:
    """inbound_flow, wait_module and requeue_disconnect_flow (None when not rendered), as
    modules/plan renders them."""
    flows = render_plan(**variables).flows
    return {name: flows.get(name) for name in ("inbound_flow", "wait_module", "requeue_disconnect_flow")}
