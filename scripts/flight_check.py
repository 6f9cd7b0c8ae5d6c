"""Flight check before go-live: your tuning's flows, checked by Amazon Connect itself.

Renders the flows of your tfvars with the module's own plan (modules/plan), checks them with the
project's flow checker, then, with AWS credentials and your instance id, creates each one in the
instance under a temporary name (flow modules first, so the flows that invoke them point at real
ids), reports what Connect says about each, and deletes every one it created, whatever happened.
Connect validates a flow when it is created, including that every Lambda function it invokes is
associated with the instance: pass the ARNs your module deployed (the function_invoke_arns
output), or the placeholders are reported as Connect's problems.

    python -m scripts.flight_check --tfvars my.tfvars --instance-id <uuid> \
        --function start=arn:... --function check=arn:... [--function lookup=arn:...]

Without credentials or an instance id it says what it would do and exits 2.
"""

from __future__ import annotations

import argparse
import os
import sys
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from flowkit import plan
from flowkit.checker import ERROR
from flowkit.module_flows import FLOW_TYPES, check_module_flows

ROOT = Path(__file__).resolve().parent.parent

PLACEHOLDER = "arn:aws:lambda:eu-west-2:123456789012:function:flight-check-{}"
MODULES = ("wait_module", "config_lookup_module")
PLACEHOLDER_MODULE_ID = "00000000-0000-4000-8000-000000000000"


def _render(tfvars: Path | None, functions: dict[str, str], module_id: str) -> plan.Rendered:
    wiring = {
        "start_function_arn": functions["start"],
        "check_function_arn": functions["check"],
        "lookup_function_arn": functions["lookup"],
        "flow_module_id": module_id,
        "tracker_table_name": "flight-check",
    }
    return plan.render(tfvars, defaults=wiring)


def _checker_problems(
    rendered: plan.Rendered, functions: dict[str, str], module_id: str
) -> dict[str, list[str]]:
    call = rendered["call"]
    checked = check_module_flows(
        rendered.flows,
        start_arn=functions["start"],
        check_arn=functions["check"],
        result_keys=call["result_keys"],
        task_parameters=call["task_parameters"],
        tracking_id_reference=call["tracking_id_reference"],
        lookup_arn=functions["lookup"],
        config_lookup=call["config_lookup"],
        flow_module_id=module_id,
    )
    return {name: [str(p) for p in problems if p.severity == ERROR] for name, problems in checked.items()}


def _connect_says(exc: ClientError) -> str:
    response: dict[str, Any] = dict(exc.response)  # Connect adds "Problems" beside "Error"
    problems = response.get("problems") or response.get("Problems") or []
    listed = "; ".join(str(p.get("message", p)) for p in problems) if problems else ""
    return f"{exc.response['Error'].get('Code')}: {listed or exc.response['Error'].get('Message', '')}"


def _create(connect: Any, instance_id: str, name: str, content: str, prefix: str) -> tuple[str | None, str]:
    """Create one flow or module; returns (its id or None, what Connect said)."""
    flow_name = f"{prefix}-{name}"[:127]
    try:
        if FLOW_TYPES[name] == "FLOW_MODULE":
            made = connect.create_contact_flow_module(InstanceId=instance_id, Name=flow_name, Content=content)
        else:
            made = connect.create_contact_flow(
                InstanceId=instance_id, Name=flow_name, Type=FLOW_TYPES[name], Content=content
            )
    except ClientError as exc:
        return None, f"rejected: {_connect_says(exc)}"
    # CreateContactFlow answers ContactFlowId; CreateContactFlowModule answers Id.
    return str(made.get("ContactFlowId") or made["Id"]), "accepted"


def _delete(connect: Any, instance_id: str, name: str, made_id: str) -> str:
    try:
        if FLOW_TYPES[name] == "FLOW_MODULE":
            connect.delete_contact_flow_module(InstanceId=instance_id, ContactFlowModuleId=made_id)
        else:
            connect.delete_contact_flow(InstanceId=instance_id, ContactFlowId=made_id)
    except ClientError as exc:
        return f"NOT deleted ({_connect_says(exc)}): delete {made_id} by hand"
    return "deleted"


def region(explicit: str | None, environ: Mapping[str, str] = os.environ) -> str | None:
    """The Region as the live suite reads it: --region (REGION=), then AWS_REGION, then
    AWS_DEFAULT_REGION; None leaves it to the AWS configuration (boto3 reads only the last)."""
    return explicit or environ.get("AWS_REGION") or environ.get("AWS_DEFAULT_REGION") or None


def _missing(session: boto3.session.Session, instance_id: str | None) -> list[str]:
    needed = (
        ("AWS credentials", session.get_credentials() is not None),
        ("--instance-id", bool(instance_id)),
        ("Region (--region, AWS_REGION or AWS_DEFAULT_REGION)", session.region_name is not None),
    )
    return [what for what, present in needed if not present]


def _fly(
    connect: Any, instance_id: str, tfvars: Path | None, functions: dict[str, str], rendered: plan.Rendered
) -> bool:
    """Create every flow (modules first), say what Connect said, delete them all; True if all passed."""
    prefix = f"flight-check-{uuid.uuid4().hex[:8]}"
    names = sorted(rendered.flows, key=lambda name: name not in MODULES)
    created: list[tuple[str, str]] = []
    passed = True
    try:
        for name in names:
            made, said = _create(connect, instance_id, name, rendered.flows[name], prefix)
            print(f"  Connect on {name}: {said}")
            passed &= made is not None
            if made is not None:
                created.append((name, made))
                if name == "wait_module":
                    # The flows that invoke the module, rendered again with its real id.
                    rendered = _render(tfvars, functions, made)
    except (ClientError, BotoCoreError) as exc:
        print(f"Connect could not be reached: {exc}", file=sys.stderr)
        passed = False
    finally:
        for name, made in reversed(created):
            print(f"  {name}: {_delete(connect, instance_id, name, made)}")
    return passed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tfvars", type=Path, help="your tuning (the module's variables)")
    parser.add_argument("--instance-id", help="your Amazon Connect instance's id (UUID)")
    parser.add_argument("--region", help="its Region (default: your AWS configuration's)")
    parser.add_argument(
        "--function",
        action="append",
        default=[],
        help="NAME=ARN for start, check (and lookup): what flows invoke",
    )
    args = parser.parse_args(argv)
    given = dict(value.partition("=")[::2] for value in args.function)
    functions = {name: given.get(name) or PLACEHOLDER.format(name) for name in ("start", "check", "lookup")}
    try:
        rendered = _render(args.tfvars, functions, PLACEHOLDER_MODULE_ID)
    except plan.TuningError as exc:
        print(f"the tuning is refused by the module:\n{exc}", file=sys.stderr)
        return 1
    print(f"Rendered {len(rendered.flows)} flows from {args.tfvars or 'the module defaults'}")
    passed = True
    for name, problems in _checker_problems(rendered, functions, PLACEHOLDER_MODULE_ID).items():
        print(f"  {name}: flow checker: {'; '.join(problems) or 'no error'}")
        passed &= not problems
    placeholders = [name for name in functions if name not in given]
    if placeholders:
        print(f"  (placeholder ARNs for {', '.join(placeholders)}: Connect rejects them unless associated)")

    session = boto3.session.Session(region_name=region(args.region))
    missing = _missing(session, args.instance_id)
    if missing:
        print(
            f"\nWould create {len(rendered.flows)} temporary flows (flight-check-<id>-<flow>) there,"
            f" report Connect's validation of each and delete them.\nCannot: no {' and no '.join(missing)}.",
            file=sys.stderr,
        )
        return 2
    passed &= _fly(session.client("connect"), args.instance_id, args.tfvars, functions, rendered)
    print("\nflight check " + ("passed" if passed else "FAILED"))
    return 0 if passed else 1


if __name__ == "__main__":
    raise SystemExit(main())
