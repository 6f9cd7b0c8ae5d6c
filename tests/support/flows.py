"""Render the module's flow templates through Terraform itself (never a Python copy of them)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.support.terraform_runner import ROOT, Terraform

__all__ = ["CHECK_ARN", "MESSAGES", "START_ARN", "render_inbound_flow"]

START_ARN = "arn:aws:lambda:eu-west-2:123456789012:function:s"
CHECK_ARN = "arn:aws:lambda:eu-west-2:123456789012:function:c"
MESSAGES = {
    "hold": "Thanks for waiting. We are still working on your request.",
    "success": "Thank you. Your request is complete.",
    "fallback": "Sorry, we could not complete your request.",
    "timeout": "This is taking longer than expected.",
}


def render_inbound_flow(terraform: Terraform, workdir: Path, **overrides: Any) -> str:
    variables: dict[str, Any] = {
        "start_function_arn": START_ARN,
        "check_function_arn": CHECK_ARN,
        "time_limit_seconds": 8,
        "loop_count": 14,
        "check_retries": 2,
        "result_keys": ["message"],
        "success_queue_id": None,
        "fallback_queue_id": None,
        "messages": MESSAGES,
        "voice": {"id": "Joanna", "engine": "neural"},
        **overrides,
    }
    # JSON is valid HCL expression syntax for these values (null included).
    template = ROOT / "flows" / "inbound.json.tftpl"
    (workdir / "main.tf").write_text(
        f'output "flow" {{\n  value = templatefile("{template}", {json.dumps(variables)})\n}}\n'
    )
    state = workdir / "tf.tfstate"
    terraform.init(workdir)
    terraform.run(workdir, "apply", "-auto-approve", "-input=false", "-no-color", f"-state={state}")
    return terraform.run(workdir, "output", "-raw", f"-state={state}", "flow").stdout
