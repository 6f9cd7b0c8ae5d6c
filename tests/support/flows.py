"""Render the module's flows through Terraform itself (modules/contact_flows), never a Python copy."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from tests.support.terraform_runner import ROOT, Terraform

__all__ = [
    "CHECK_ARN",
    "FLOW_MODULE_ID",
    "MESSAGES",
    "REQUEUE_QUEUE_ID",
    "START_ARN",
    "render_flows",
    "render_inbound_flow",
]

START_ARN = "arn:aws:lambda:eu-west-2:123456789012:function:s"
CHECK_ARN = "arn:aws:lambda:eu-west-2:123456789012:function:c"
FLOW_MODULE_ID = "0e7f4c2a-8d51-4b3e-9a60-3c1d2b4e5f60"
REQUEUE_QUEUE_ID = "arn:aws:connect:eu-west-2:123456789012:instance/i/queue/requeue"
_FLOWS = ("inbound_flow", "wait_module", "requeue_disconnect_flow")
MESSAGES = {
    "hold": "Thanks for waiting. We are still working on your request.",
    "success": "Thank you. Your request is complete.",
    "fallback": "Sorry, we could not complete your request.",
    "timeout": "This is taking longer than expected.",
}


def render_flows(terraform: Terraform, workdir: Path, **overrides: Any) -> dict[str, str | None]:
    """inbound_flow, wait_module and requeue_disconnect_flow, as modules/contact_flows renders them."""
    variables: dict[str, Any] = {
        "start_function_arn": START_ARN,
        "check_function_arn": CHECK_ARN,
        "time_limit_seconds": 8,
        "loop_count": 24,
        "check_retry_attempts": 2,
        "result_keys": ["message"],
        "messages": MESSAGES,
        "voice": {"id": "Joanna", "engine": "Neural"},
        "flow_module_id": FLOW_MODULE_ID,
        "requeue": {
            "queue_id": REQUEUE_QUEUE_ID,
            "task_name": "record_return",
            "wait_seconds": 600,
            "retry_attempts": 2,
        },
        **overrides,
    }
    # JSON is valid HCL expression syntax for these values (null included).
    arguments = "\n".join(f"  {name} = {json.dumps(value)}" for name, value in variables.items())
    outputs = "\n".join(f'output "{name}" {{\n  value = module.flows.{name}\n}}' for name in _FLOWS)
    # A relative source: Terraform copies a module given by absolute path, without the
    # contract.json it reads from the repository.
    source = os.path.relpath(ROOT / "modules" / "contact_flows", workdir)
    (workdir / "main.tf").write_text(
        f'module "flows" {{\n  source = "{source}"\n{arguments}\n}}\n{outputs}\n'
    )
    state = workdir / "tf.tfstate"
    terraform.init(workdir)
    terraform.run(workdir, "apply", "-auto-approve", "-input=false", "-no-color", f"-state={state}")
    values = json.loads(terraform.run(workdir, "output", "-json", f"-state={state}").stdout)
    # Terraform leaves null outputs out.
    return {name: values[name]["value"] if name in values else None for name in _FLOWS}


def render_inbound_flow(terraform: Terraform, workdir: Path, **overrides: Any) -> str:
    flow = render_flows(terraform, workdir, **overrides)["inbound_flow"]
    assert flow is not None
    return flow
