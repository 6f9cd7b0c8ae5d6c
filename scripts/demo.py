"""Hear a call through the module's own flow before deploying it: a simulated call, no AWS account.

Terraform applies the module's own plan (modules/plan: the timing plan, each function's settings
and the flows, with the module's validation and defaults) to a tfvars file; the call simulator
then plays the flow on a virtual clock, running the runtime's start, worker and check logic,
configured from the environment the module would deploy, against an in-process AWS emulator
(moto). It prints what the caller hears, what runs, and the measurements.

    make demo                                           # a 25-second task with the defaults
    make demo SCENARIO=slow TFVARS=examples/ops.tfvars  # an operator's tuning, a 90-second task
    make demo SCENARIO=ask                              # a caller's question answered by Bedrock (stubbed)
    make demo TASK=transfers.task:run TASK_PATH=examples/custom-task/src \
        TFVARS=examples/custom-task/demo.tfvars ATTRIBUTES="amount=120.00 to_account=GB33BUKB20201555555555" \
        TASK_ENV=TRANSFER_API_URL=sandbox               # your own task, in the module's flow
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import sys
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import ModuleType

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

from connect_async.aws import dynamodb_client  # noqa: E402
from connect_async.config import ConfigurationError  # noqa: E402
from connect_async.tasks import Task, load_task  # noqa: E402
from flowkit import plan  # noqa: E402
from flowkit.checker import ERROR  # noqa: E402
from flowkit.diagram import call_gantt  # noqa: E402
from flowkit.module_flows import check_module_flows  # noqa: E402
from flowkit.plan import Rendered  # noqa: E402
from flowkit.scenario import CATALOGUE  # noqa: E402
from flowkit.simulator import (  # noqa: E402
    CallReport,
    CallSimulator,
    Deployment,
    create_config_table,
    create_tracker_table,
)

START_ARN = "arn:aws:lambda:eu-west-2:123456789012:function:demo-start"
CHECK_ARN = "arn:aws:lambda:eu-west-2:123456789012:function:demo-check"
LOOKUP_ARN = "arn:aws:lambda:eu-west-2:123456789012:function:demo-lookup"
FLOW_MODULE_ID = "demo-wait-for-task-module"
# The plan's wiring (what the root module passes from the resources it creates), and the
# re-queue disconnect flow the "requeue" scenario plays when the tfvars do not set one.
WIRING = {
    "start_function_arn": START_ARN,
    "check_function_arn": CHECK_ARN,
    "lookup_function_arn": LOOKUP_ARN,
    "flow_module_id": FLOW_MODULE_ID,
    "tracker_table_name": Deployment.table_name,
    "requeue_disconnect_flow": {
        "queue_id": "0d0e0a0d-0000-4000-8000-00000000e0e0",
        "task_name": "record_return",
    },
}


def render(tfvars: Path | None, variables: dict[str, object] | None = None) -> Rendered:
    """The module's plan for these tfvars (the demo's wiring first, so the tfvars win)."""
    try:
        return plan.render(tfvars, defaults=WIRING, variables=variables)
    except plan.TuningError as exc:
        raise SystemExit(str(exc)) from None


@dataclass(frozen=True)
class YourTask:
    """Your own task in place of the scenario's work: its handler, where its code is, the
    contact attributes an earlier flow set, and the environment it reads."""

    handler: str
    path: Path | None = None
    attributes: dict[str, str] = field(default_factory=dict)
    environment: dict[str, str] = field(default_factory=dict)

    def load(self) -> Task:
        if self.path is not None:
            if not self.path.is_dir():
                raise SystemExit(f"TASK_PATH {self.path} is not a folder")
            sys.path.insert(0, str(self.path.resolve()))
        try:
            return load_task(self.handler)
        except ConfigurationError as exc:
            raise SystemExit(f"TASK {self.handler}: {exc}") from None


@dataclass(frozen=True)
class YourSteps:
    """Your state machine (backend step_functions) in place of the worker: a Python file naming
    DEFINITION_FILE and TEMPLATE_VARIABLES, with steps(clock) standing in for its services and
    an optional prepare(dynamodb) making the tables its DynamoDB steps use."""

    path: Path

    def load(self) -> ModuleType:
        spec = importlib.util.spec_from_file_location("your_steps", self.path)
        if spec is None or spec.loader is None or not self.path.is_file():
            raise SystemExit(f"STEPS {self.path} is not a Python file")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        missing = [
            name for name in ("DEFINITION_FILE", "TEMPLATE_VARIABLES", "steps") if not hasattr(module, name)
        ]
        if missing:
            raise SystemExit(f"STEPS {self.path} must define {', '.join(missing)}")
        return module


def play(
    scenario_name: str,
    tfvars: Path | None,
    task: YourTask | None = None,
    your_steps: YourSteps | None = None,
    attributes: dict[str, str] | None = None,
) -> tuple[Rendered, CallReport]:
    """Render the flows for these tfvars (or the scenario's own tuning), check them, and play the
    scenario through them, with your own task (or state machine) when given."""
    # Your code first: a typo in its name is said at once, before Terraform runs.
    entry = CATALOGUE[scenario_name]
    run = task.load() if task is not None else entry.task
    steps = your_steps.load() if your_steps is not None else None
    backend = (
        {
            "backend": "step_functions",
            "step_functions": {
                "definition_file": str(Path(steps.DEFINITION_FILE).resolve()),
                "template_variables": dict(steps.TEMPLATE_VARIABLES),
            },
        }
        if steps
        else None
    )
    rendered = render(tfvars or (ROOT / entry.tfvars if entry.tfvars else None), backend)
    flows, call = rendered.flows, rendered["call"]
    checked = check_module_flows(
        flows,
        start_arn=START_ARN,
        check_arn=CHECK_ARN,
        result_keys=[str(key) for key in call["result_keys"]],
        task_parameters={str(k): str(v) for k, v in call["task_parameters"].items()},
        tracking_id_reference=call["tracking_id_reference"],
        lookup_arn=LOOKUP_ARN,
        config_lookup=call["config_lookup"],
        flow_module_id=FLOW_MODULE_ID,
    )
    for name, problems in checked.items():
        if any(p.severity == ERROR for p in problems):
            raise SystemExit(f"the rendered {name} breaks Connect's rules:\n" + "\n".join(map(str, problems)))
        for problem in problems:
            print(f"warning: {name}: {problem}", file=sys.stderr)
    deployment = rendered.deployment()
    scenario = entry.call
    given = {**(task.attributes if task else {}), **(attributes or {})}
    if given:
        scenario = replace(scenario, attributes={**scenario.attributes, **given})
    flow = flows[entry.flow]
    saved = dict(os.environ)
    os.environ.update(task.environment if task else {})
    try:
        with moto.mock_aws():
            create_tracker_table(deployment.table_name)
            create_config_table(deployment)
            if steps is not None and hasattr(steps, "prepare"):
                steps.prepare(dynamodb_client())
            simulator = CallSimulator(
                flow,
                functions={START_ARN: "start", CHECK_ARN: "check", LOOKUP_ARN: "lookup"},
                deployment=deployment,
                task=run,
                modules={FLOW_MODULE_ID: flows["wait_module"]},
                steps=(lambda clock: steps.steps(clock.sleep_ms)) if steps is not None else None,
            )
            return rendered, simulator.run(scenario)
    finally:
        os.environ.clear()
        os.environ.update(saved)


def _pairs(values: list[str], what: str) -> dict[str, str]:
    pairs = dict(value.partition("=")[::2] for value in values)
    if any(not key for key in pairs) or not all("=" in value for value in values):
        raise SystemExit(f"{what} must be NAME=VALUE, got {values}")
    return pairs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", choices=sorted(CATALOGUE), default="typical")
    parser.add_argument(
        "--tfvars", type=Path, help="a tfvars file with the module's variables (examples/ops.tfvars)"
    )
    parser.add_argument("--chart", action="store_true", help="also print the call as a Mermaid gantt chart")
    parser.add_argument(
        "--task", help="your own task, package.module:function, instead of the scenario's work"
    )
    parser.add_argument("--task-path", type=Path, help="the folder your task's package is in")
    parser.add_argument(
        "--attribute", action="append", default=[], help="NAME=VALUE: a contact attribute set before the flow"
    )
    parser.add_argument("--task-env", action="append", default=[], help="NAME=VALUE: your task's environment")
    parser.add_argument("--steps", type=Path, help="your state machine's stand-ins (backend step_functions)")
    args = parser.parse_args(argv)

    task = None
    your_steps = YourSteps(args.steps) if args.steps else None
    attributes = _pairs(args.attribute, "--attribute")
    if args.task:
        task = YourTask(args.task, args.task_path, attributes, _pairs(args.task_env, "--task-env"))
    elif args.task_path or args.task_env or (args.attribute and not args.steps):
        raise SystemExit(
            "--task-path, --attribute and --task-env go with --task (TASK=package.module:function), "
            "--attribute with --steps too"
        )
    entry = CATALOGUE[args.scenario]
    tfvars = args.tfvars or (ROOT / entry.tfvars if entry.tfvars else None)
    rendered, report = play(args.scenario, tfvars, task, your_steps, attributes)
    timing = rendered.timing
    scenario = entry.call
    tuning = os.path.relpath(tfvars, ROOT) if tfvars else "module defaults"
    if task is not None:
        given = ", ".join(f"{k}={v!r}" for k, v in sorted(task.attributes.items())) or "no attributes"
        work = f"your task {task.handler} ({given})"
    elif your_steps is not None:
        given = ", ".join(f"{k}={v!r}" for k, v in sorted(attributes.items())) or "no attributes"
        work = f"your steps on Step Functions, {os.path.relpath(your_steps.path, ROOT)} ({given})"
    elif entry.task is not None:
        given = ", ".join(f"{k} {v!r}" for k, v in sorted(scenario.attributes.items()))
        work = f"the Bedrock task (stubbed), {given}"
    else:
        work = f"{scenario.work_seconds:g} s of work ({scenario.outcome})"
    print(f"\nScenario {args.scenario}: {work}, {scenario.channel}")
    print(f"Tuning: {tuning}; {timing['loop_count']} loops, check budget {timing['check_budget_ms']} ms\n")
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
    if rendered["call"]["config_lookup"] is not None:
        first = report.silence_before_first_words_ms
        config = {k: v for k, v in report.contact_attributes.items() if k.startswith("config_") and v}
        print(
            f"Configuration: {', '.join(f'{k}={v!r}' for k, v in sorted(config.items()))}\n"
            f"Language: {report.language or 'the instance default'}; voice: {report.voice}; "
            f"silence before the greeting: {'none heard' if first is None else f'{first} ms'}"
        )
    if report.dead_lettered:
        print(f"Worker events in the dead-letter queue: {report.dead_lettered} (the lost_runs alarm fires)")
    if args.chart:
        print("\n```mermaid\n" + call_gantt(report, f"Scenario {args.scenario}") + "```")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
