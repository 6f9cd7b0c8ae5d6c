"""Hear a call through the module's own flow before deploying it: a simulated call, no AWS account.

Terraform renders the flow and the timing plan from the module's own variables.tf (so a tfvars
file gets the module's own validation and defaults); the call simulator then plays it on a
virtual clock, running the runtime's start, worker and check logic against an in-process AWS
emulator (moto). It prints what the caller hears, what runs, and the measurements.

    make demo                                           # a 25-second task with the defaults
    make demo SCENARIO=slow TFVARS=examples/ops.tfvars  # an operator's tuning, a 90-second task
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

from flowkit.checker import check_flow  # noqa: E402
from flowkit.simulator import CallSimulator, Scenario, SimulatorSettings, create_tracker_table  # noqa: E402

START_ARN = "arn:aws:lambda:eu-west-2:123456789012:function:demo-start"
CHECK_ARN = "arn:aws:lambda:eu-west-2:123456789012:function:demo-check"
SCENARIOS = {
    "fast": Scenario(work_seconds=2),
    "typical": Scenario(work_seconds=25),
    "slow": Scenario(work_seconds=90),
    "fail": Scenario(work_seconds=8, outcome="fail"),
    "crash": Scenario(work_seconds=8, outcome="crash"),
    "hangup": Scenario(work_seconds=25, hang_up_at_seconds=10),
    "flaky-check": Scenario(work_seconds=12, failing_check_calls=1),
    "chat": Scenario(work_seconds=25, channel="CHAT"),
}
RENDER = """
module "timing" {
  source = "%(timing)s"

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

output "plan" {
  value = module.timing.plan
}

output "flow" {
  value = templatefile("%(template)s", {
    start_function_arn = "%(start)s"
    check_function_arn = "%(check)s"
    time_limit_seconds = module.timing.plan.flow_invocation_time_limit_seconds
    loop_count         = module.timing.plan.loop_count
    check_retries      = var.check_retry_attempts
    result_keys        = var.result_attribute_keys
    success_queue_id   = var.success_queue_id
    fallback_queue_id  = var.fallback_queue_id
    messages           = var.messages
    voice              = var.voice
  })
}
"""


def render(tfvars: Path | None) -> tuple[dict[str, object], str]:
    """The module's timing plan and flow for these tfvars, rendered by Terraform itself."""
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
                "timing": ROOT / "modules" / "timing",
                "template": ROOT / "flows" / "inbound.json.tftpl",
                "start": START_ARN,
                "check": CHECK_ARN,
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
            return done.stdout

        run("init", "-backend=false", "-input=false", "-no-color")
        state = f"-state={work / 'demo.tfstate'}"
        run("apply", "-auto-approve", "-input=false", "-no-color", state, *flags)
        outputs = json.loads(run("output", "-json", state))
    return outputs["plan"]["value"], outputs["flow"]["value"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", choices=sorted(SCENARIOS), default="typical")
    parser.add_argument(
        "--tfvars", type=Path, help="a tfvars file with the module's variables (examples/ops.tfvars)"
    )
    args = parser.parse_args(argv)

    plan, flow = render(args.tfvars)
    problems = check_flow(flow)
    if problems:
        raise SystemExit("the rendered flow breaks Connect's rules:\n" + "\n".join(map(str, problems)))
    settings = SimulatorSettings(
        run_deadline_seconds=int(plan["run_deadline_seconds"]),  # type: ignore[call-overload]
        record_ttl_seconds=int(plan["record_ttl_seconds"]),  # type: ignore[call-overload]
        check_budget_ms=int(plan["check_budget_ms"]),  # type: ignore[call-overload]
        check_poll_interval_ms=int(plan["check_poll_interval_ms"]),  # type: ignore[call-overload]
        worker_timeout_seconds=int(plan["worker_timeout_seconds"]),  # type: ignore[call-overload]
        worker_safety_margin_ms=int(plan["worker_safety_margin_ms"]),  # type: ignore[call-overload]
    )
    scenario = SCENARIOS[args.scenario]
    functions = {START_ARN: "start", CHECK_ARN: "check"}
    with moto.mock_aws():
        create_tracker_table(settings.table_name)
        report = CallSimulator(flow, functions=functions, settings=settings).run(scenario)

    tuning = args.tfvars or "module defaults"
    work = f"{scenario.work_seconds:g} s of work ({scenario.outcome})"
    print(f"\nScenario {args.scenario}: {work}, {scenario.channel}")
    print(f"Tuning: {tuning}; {plan['loop_count']} loops, check budget {plan['check_budget_ms']} ms\n")
    print(report.timeline())
    latency = report.detection_latency_ms
    detection = "never (the caller had gone)" if latency is None else f"{latency} ms"
    print(
        f"\nPath: {' > '.join(report.path)}\n"
        f"Ending: {report.ending}; the tracker says {report.final_status}\n"
        f"Caller's total time: {report.total_wait_seconds:.1f} s; "
        f"longest silence: {report.longest_silence_seconds:.1f} s\n"
        f"Lambda invocations: {report.invocations}; billed ms: {report.billed_ms}\n"
        f"DynamoDB reads: {report.dynamodb_reads}, writes: {report.dynamodb_writes}; "
        f"detection latency: {detection}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
