"""Hear a call through the module's own flow before deploying it: a simulated call, no AWS account.

Terraform renders the flow and the timing plan from the module's own variables.tf (so a tfvars
file gets the module's own validation and defaults); the call simulator then plays it on a
virtual clock, running the runtime's start, worker and check logic against an in-process AWS
emulator (moto). It prints what the caller hears, what runs, and the measurements.

    make demo                                           # a 25-second task with the defaults
    make demo SCENARIO=slow TFVARS=examples/ops.tfvars  # an operator's tuning, a 90-second task
    make demo SCENARIO=ask                              # a caller's question answered by Bedrock (stubbed)
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "lambdas")]

os.environ.update(
    AWS_ACCESS_KEY_ID="demo",
    AWS_SECRET_ACCESS_KEY="demo",  # noqa: S106 - the emulator's fake credentials
    AWS_DEFAULT_REGION="eu-west-2",
    POWERTOOLS_LOG_LEVEL="CRITICAL",  # the timeline is the demo's output, not the JSON logs
    POWERTOOLS_METRICS_DISABLED="true",
)

import moto  # noqa: E402 - after the fake credentials

from flowkit.checker import ERROR  # noqa: E402
from flowkit.diagram import call_gantt  # noqa: E402
from flowkit.module_flows import check_module_flows  # noqa: E402
from flowkit.simulator import (  # noqa: E402
    CallReport,
    CallSimulator,
    Scenario,
    SimulatorSettings,
    create_tracker_table,
)
from flowkit.stub_tasks import bedrock_answer  # noqa: E402

START_ARN = "arn:aws:lambda:eu-west-2:123456789012:function:demo-start"
CHECK_ARN = "arn:aws:lambda:eu-west-2:123456789012:function:demo-check"
FLOW_MODULE_ID = "demo-wait-for-task-module"
DEMO_REQUEUE = (
    '{ queue_id = "demo-requeue-queue", task_name = "record_return", wait_seconds = 300, retry_attempts = 2 }'
)
SCENARIOS = {
    "fast": Scenario(work_seconds=2),
    "typical": Scenario(work_seconds=25),
    "slow": Scenario(work_seconds=90),
    "too-slow": Scenario(work_seconds=400),
    "fail": Scenario(work_seconds=8, outcome="fail"),
    "crash": Scenario(work_seconds=8, outcome="crash"),
    "hangup": Scenario(work_seconds=25, hang_up_at_seconds=10),
    "flaky-check": Scenario(work_seconds=12, failing_check_calls=1),
    "duplicates": Scenario(work_seconds=12, start_deliveries=3, worker_deliveries=2),
    "chat": Scenario(work_seconds=25, channel="CHAT"),
    # The re-queue disconnect flow: a chat customer comes back 30 s after the agent left.
    "requeue": Scenario(work_seconds=6, channel="CHAT", customer_returns_at_seconds=30),
    # A caller's question (set upstream as a contact attribute) answered by the Bedrock task.
    "ask": Scenario(work_seconds=6, attributes={"question": "When will my parcel arrive?"}),
    "ask-chat": Scenario(
        work_seconds=6, channel="CHAT", attributes={"question": "When will my parcel arrive?"}
    ),
}
# Scenarios that run a real task (its outside service stubbed) instead of the scripted one, and
# the tuning they need unless TFVARS names another.
ASK_ANSWER = "Your parcel is out for delivery and arrives today before 6 pm."
TASKS = {name: bedrock_answer(ASK_ANSWER, model_seconds=6) for name in ("ask", "ask-chat")}
DEFAULT_TFVARS = {name: ROOT / "examples" / "ask.tfvars" for name in ("ask", "ask-chat")}
# The root module's own wiring of modules/timing and modules/contact_flows (main.tf, connect.tf),
# with fixed function ARNs and module id; tests/integration/test_demo.py keeps the two in step.
RENDER = """
module "timing" {
  source = "%(modules)s/timing"

  flow_invocation_time_limit_seconds = var.flow_invocation_time_limit_seconds
  check_budget_ms                    = var.check_budget_ms
  check_poll_interval_ms             = var.check_poll_interval_ms
  hold_prompt_seconds                = var.hold_prompt_seconds
  max_wait_seconds                   = var.max_wait_seconds
  worker_timeout_seconds             = var.worker_timeout_seconds
  worker_safety_margin_ms            = var.worker_safety_margin_ms
  record_ttl_seconds                 = var.record_ttl_seconds
  worker_maximum_event_age_seconds   = var.worker_maximum_event_age_seconds
}

locals {
  timing = module.timing.plan
  # The demo always renders the re-queue disconnect flow (its "requeue" scenario plays it).
  requeue_settings = coalesce(var.requeue_disconnect_flow, %(requeue)s)
  requeue = {
    queue_id       = local.requeue_settings.queue_id
    task_name      = local.requeue_settings.task_name
    wait_seconds   = local.requeue_settings.wait_seconds
    retry_attempts = local.requeue_settings.retry_attempts
  }
}

module "contact_flows" {
  source = "%(modules)s/contact_flows"

  start_function_arn   = "%(start)s"
  check_function_arn   = "%(check)s"
  time_limit_seconds   = local.timing.flow_invocation_time_limit_seconds
  loop_count           = local.timing.loop_count
  start_retry_attempts = var.start_retry_attempts
  check_retry_attempts = var.check_retry_attempts
  result_keys          = var.result_attribute_keys
  task_parameters      = var.task_parameters
  # Passed only when start reads it: with the other sources it would be ignored anyway.
  tracking_id_reference = var.tracking_id_source == "parameter" ? var.tracking_id_reference : null
  messages             = var.messages
  voice                = var.voice
  hold_prompt_id       = var.voice_hold_prompt_arn
  success_queue_id     = var.success_queue_id
  fallback_queue_id    = var.fallback_queue_id
  flow_module_id       = "%(module_id)s"
  requeue              = local.requeue
}

output "plan" {
  value = merge(local.timing, {
    memory_mb           = var.memory_size
    hold_prompt_seconds = var.hold_prompt_seconds
    result_keys         = var.result_attribute_keys
    hold_message        = var.messages.hold
    task_parameters     = var.task_parameters
    tracking_id_reference = var.tracking_id_source == "parameter" ? var.tracking_id_reference : null
  })
}

output "flows" {
  value = {
    inbound_flow            = module.contact_flows.inbound_flow
    wait_module             = module.contact_flows.wait_module
    requeue_disconnect_flow = module.contact_flows.requeue_disconnect_flow
  }
}
"""


def render(tfvars: Path | None) -> tuple[dict[str, object], dict[str, str]]:
    """The module's timing plan and flows for these tfvars, rendered by Terraform itself."""
    terraform = shutil.which("terraform")
    if terraform is None:
        raise SystemExit("the demo needs Terraform >= 1.9 on the PATH")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        shutil.copy(ROOT / "variables.tf", work / "variables.tf")
        (work / "lambdas").mkdir()
        shutil.copy(ROOT / "lambdas" / "contract.json", work / "lambdas" / "contract.json")
        (work / "main.tf").write_text(
            RENDER
            % {
                # Relative: Terraform copies a module given by absolute path, without the
                # repository files (lambdas/contract.json) it reads.
                "modules": os.path.relpath(ROOT / "modules", work),
                "start": START_ARN,
                "check": CHECK_ARN,
                "module_id": FLOW_MODULE_ID,
                "requeue": DEMO_REQUEUE,
            }
        )
        flags = [f"-var-file={tfvars.resolve()}"] if tfvars else []
        env = {**os.environ, "TF_IN_AUTOMATION": "1", "CHECKPOINT_DISABLE": "1"}

        def run(*args: str) -> str:
            done = subprocess.run(
                [terraform, f"-chdir={work}", *args], capture_output=True, text=True, env=env, check=False
            )
            if done.returncode != 0:
                raise SystemExit(f"terraform {args[0]} failed:\n{done.stderr.strip()}")
            warnings = _tuning_warnings(done.stdout + "\n" + done.stderr)
            if warnings:
                # A warning here means the tuning is not what it seems (a misspelt variable is
                # ignored with a warning): playing the defaults instead would mislead.
                raise SystemExit("terraform warned about the tuning:\n" + "\n\n".join(warnings))
            return done.stdout

        run("init", "-backend=false", "-input=false", "-no-color")
        # The state goes to the temporary directory's own terraform.tfstate.
        run("apply", "-auto-approve", "-input=false", "-no-color", *flags)
        outputs = json.loads(run("output", "-json"))
    return outputs["plan"]["value"], outputs["flows"]["value"]


def _tuning_warnings(output: str) -> list[str]:
    """Terraform's warnings (a title line "Warning: ..." and its explanation up to a blank line),
    less the one about a missing CLI configuration file: it says nothing about the tuning."""
    found = []
    lines = [line.lstrip("╷│╵ ").rstrip() for line in output.splitlines()]
    for index, line in enumerate(lines):
        if line.startswith("Warning: ") and "CLI configuration" not in line:
            body = [line]
            for follow in lines[index + 1 : index + 6]:
                if follow or len(body) == 1:
                    body.append(follow)
                else:
                    break
            found.append("\n".join(b for b in body if b))
    return found


def simulator_settings(plan: dict[str, object], memory_mb: dict[str, int]) -> SimulatorSettings:
    """The functions' tuning as the module would deploy it (the timing plan's numbers)."""

    def number(key: str) -> int:
        return int(str(plan[key]))

    return SimulatorSettings(
        run_deadline_seconds=number("run_deadline_seconds"),
        record_ttl_seconds=number("record_ttl_seconds"),
        check_budget_ms=number("check_budget_ms"),
        check_poll_interval_ms=number("check_poll_interval_ms"),
        worker_timeout_seconds=number("worker_timeout_seconds"),
        worker_safety_margin_ms=number("worker_safety_margin_ms"),
        memory_mb=memory_mb,
        hold_prompt_seconds=float(str(plan["hold_prompt_seconds"])),
        hold_message=str(plan["hold_message"]),
        result_keys=tuple(str(key) for key in plan["result_keys"])
        if isinstance(plan["result_keys"], list)
        else (),
    )


def play(scenario_name: str, tfvars: Path | None) -> tuple[dict[str, object], CallReport]:
    """Render the flows for these tfvars (or the scenario's own tuning), check them, and play the
    scenario through them."""
    plan, flows = render(tfvars or DEFAULT_TFVARS.get(scenario_name))
    result_keys = [str(key) for key in plan["result_keys"]] if isinstance(plan["result_keys"], list) else []
    parameters = plan["task_parameters"] if isinstance(plan["task_parameters"], dict) else {}
    checked = check_module_flows(
        flows,
        start_arn=START_ARN,
        check_arn=CHECK_ARN,
        result_keys=result_keys,
        task_parameters={str(k): str(v) for k, v in parameters.items()},
        tracking_id_reference=str(plan["tracking_id_reference"])
        if plan.get("tracking_id_reference")
        else None,
    )
    for name, problems in checked.items():
        if any(p.severity == ERROR for p in problems):
            raise SystemExit(f"the rendered {name} breaks Connect's rules:\n" + "\n".join(map(str, problems)))
        for problem in problems:
            print(f"warning: {name}: {problem}", file=sys.stderr)
    memory = plan["memory_mb"]
    if not isinstance(memory, dict):
        raise SystemExit("the rendered plan has no memory_mb map")
    settings = simulator_settings(plan, {name: int(mb) for name, mb in memory.items()})
    scenario = SCENARIOS[scenario_name]
    flow = flows["requeue_disconnect_flow" if scenario_name == "requeue" else "inbound_flow"]
    with moto.mock_aws():
        create_tracker_table(settings.table_name)
        simulator = CallSimulator(
            flow,
            functions={START_ARN: "start", CHECK_ARN: "check"},
            settings=settings,
            task=TASKS.get(scenario_name),
            modules={FLOW_MODULE_ID: flows["wait_module"]},
        )
        return plan, simulator.run(scenario)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", choices=sorted(SCENARIOS), default="typical")
    parser.add_argument(
        "--tfvars", type=Path, help="a tfvars file with the module's variables (examples/ops.tfvars)"
    )
    parser.add_argument("--chart", action="store_true", help="also print the call as a Mermaid gantt chart")
    args = parser.parse_args(argv)

    tfvars = args.tfvars or DEFAULT_TFVARS.get(args.scenario)
    plan, report = play(args.scenario, tfvars)
    scenario = SCENARIOS[args.scenario]
    tuning = os.path.relpath(tfvars, ROOT) if tfvars else "module defaults"
    work = (
        f"the Bedrock task (stubbed), question {scenario.attributes['question']!r}"
        if args.scenario in TASKS
        else f"{scenario.work_seconds:g} s of work ({scenario.outcome})"
    )
    print(f"\nScenario {args.scenario}: {work}, {scenario.channel}")
    print(f"Tuning: {tuning}; {plan['loop_count']} loops, check budget {plan['check_budget_ms']} ms\n")
    print(report.timeline())
    latency = report.detection_latency_ms
    detection = "never (the caller had gone)" if latency is None else f"{latency} ms"
    print(
        f"\nPath: {' > '.join(report.path)}\n"
        f"Ending: {report.ending}; the tracker says {report.final_status}; "
        f"the task ran {report.task_runs} time(s)\n"
        f"Caller's total time: {report.total_wait_seconds:.1f} s; "
        f"longest silence: {report.longest_silence_seconds:.1f} s; "
        f"longest prompt-free Lambda chain: {report.longest_lambda_chain_seconds:.1f} s\n"
        f"Lambda invocations: {report.invocations}; billed ms: {report.billed_ms}\n"
        f"DynamoDB reads: {report.dynamodb_reads}, writes: {report.dynamodb_writes}; "
        f"detection latency: {detection}"
    )
    if report.dead_lettered:
        print(f"Worker events in the dead-letter queue: {report.dead_lettered} (the lost_runs alarm fires)")
    if args.chart:
        print("\n```mermaid\n" + call_gantt(report, f"Scenario {args.scenario}") + "```")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
