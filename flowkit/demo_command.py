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
        TFVARS=examples/custom-task/terraform.tfvars TASK_ENV=TRANSFER_API_URL=sandbox \
        ATTRIBUTES="amount=120.00 to_account=GB33BUKB20201555555555"   # your own task, in the module's flow
    make demo TASK=transfers.task:run TASK_LAYER=examples/custom-task/dist/transfer-layer.zip ...
        # the same, from the layer you ship (its dependencies too)

A task author's installed package runs this same command as ``connect-async play`` (its `play`
extra), against the module's source that `terraform init` fetched.
"""

from __future__ import annotations

import argparse
import os
import shlex
from pathlib import Path

from flowkit.demo import YourSteps, YourTask, hold_length_note, on_the_emulator, pacing, play, task_handler_in
from flowkit.diagram import call_gantt
from flowkit.plan import module_root
from flowkit.report import CallReport
from flowkit.scenario import CATALOGUE


def _pairs(values: list[str], what: str) -> dict[str, str]:
    pairs = dict(value.partition("=")[::2] for value in values)
    if any(not key for key in pairs) or not all("=" in value for value in values):
        raise SystemExit(f"{what} must be NAME=VALUE, got {values}")
    return pairs


def _your_task(args: argparse.Namespace, attributes: dict[str, str]) -> YourTask | None:
    """The task to play: TASK, or the task_handler the tfvars deploy (never two that differ)."""
    deployed = task_handler_in(args.tfvars)
    if deployed and args.task and args.task != deployed:
        raise SystemExit(
            f"TASK={args.task}, but {args.tfvars} deploys task_handler = {deployed!r}: the call would play "
            "another task than the one you apply. Leave TASK out (the demo plays the tfvars' own), or make "
            "them agree."
        )
    handler = args.task or (deployed if CATALOGUE[args.scenario].task is None else None)
    if handler:
        env = _pairs(args.task_env, "--task-env")
        return YourTask(handler, args.task_path, attributes, env, tuple(args.task_layer))
    # Attributes reach your task, your steps, or a scenario's own real task (ask: the question).
    plays_attributes = args.steps or CATALOGUE[args.scenario].task is not None
    if args.task_path or args.task_layer or args.task_env or (args.attribute and not plays_attributes):
        raise SystemExit(
            "--task-path, --task-layer, --attribute and --task-env go with --task"
            " (TASK=package.module:function), --attribute with --steps or a scenario with its own task"
            " (ask) too"
        )
    return None


def _pace(report: CallReport, channel: str) -> str:
    """Silence is a voice caller's measure; a chat contact reads messages, so it gets when the
    first one came and how many came a minute."""
    if channel == "VOICE":
        return f"longest silence: {report.longest_silence_seconds:.1f} s"
    first = report.silence_before_first_words_ms
    per_minute = len(report.speech) / max(report.total_wait_seconds / 60, 1e-9)
    came = "none" if first is None else f"{first / 1000:.1f} s"
    return f"first message after: {came}; messages a minute: {per_minute:.1f}"


def _parser() -> argparse.ArgumentParser:
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
        "--task-layer",
        type=Path,
        action="append",
        default=[],
        help="a layer zip of your task and its dependencies (connect-async build-layer; repeat)",
    )
    parser.add_argument(
        "--attribute", action="append", default=[], help="NAME=VALUE: a contact attribute set before the flow"
    )
    parser.add_argument(
        "--attributes",
        default="",
        help='NAME=VALUE pairs in one string, shell-quoted: question="Where is my parcel?" (ATTRIBUTES)',
    )
    parser.add_argument("--task-env", action="append", default=[], help="NAME=VALUE: your task's environment")
    parser.add_argument("--steps", type=Path, help="your state machine's stand-ins (backend step_functions)")
    return parser


@on_the_emulator
def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)

    your_steps = YourSteps(args.steps) if args.steps else None
    try:
        args.attribute += shlex.split(args.attributes)
    except ValueError as exc:  # an unclosed quote
        raise SystemExit(
            f'ATTRIBUTES cannot be read ({exc}): quote a value with spaces, name="a b"'
        ) from None
    attributes = _pairs(args.attribute, "--attribute")
    task = _your_task(args, attributes)
    entry = CATALOGUE[args.scenario]
    tfvars = args.tfvars or (module_root() / entry.tfvars if entry.tfvars else None)
    rendered, report = play(args.scenario, tfvars, task, your_steps, attributes)
    timing = rendered.timing
    scenario = entry.call
    tuning = os.path.relpath(tfvars, module_root()) if tfvars else "module defaults"
    if task is not None:
        given = ", ".join(f"{k}={v!r}" for k, v in sorted(task.attributes.items())) or "no attributes"
        work = f"your task {task.handler} ({given})"
    elif your_steps is not None:
        given = ", ".join(f"{k}={v!r}" for k, v in sorted(attributes.items())) or "no attributes"
        work = f"your steps on Step Functions, {os.path.relpath(your_steps.path, module_root())} ({given})"
    elif entry.task is not None:
        given = ", ".join(f"{k} {v!r}" for k, v in sorted(scenario.attributes.items()))
        work = f"the Bedrock task (stubbed), {given}"
    else:
        work = entry.about or f"{scenario.work_seconds:g} s of work"
    print(f"\nScenario {args.scenario}: {work}, {scenario.channel}")
    print(f"Tuning: {tuning}; {pacing(timing)}")
    note = hold_length_note(rendered)
    print(f"{note}\n" if note else "")
    print(report.timeline())
    latency = report.detection_latency_ms
    detection = "never (the caller had gone)" if latency is None else f"{latency} ms"
    print(
        f"\nPath: {' > '.join(report.path)}\n"
        f"Outcome: {report.outcome}\n"
        f"Ending: {report.ending}; the tracker says {report.final_status}; "
        f"the task ran {report.task_runs} time(s)\n"
        f"Caller's total time: {report.total_wait_seconds:.1f} s; {_pace(report, scenario.channel)}; "
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
    _after_the_call(report)
    if args.chart:
        print("\n```mermaid\n" + call_gantt(report, f"Scenario {args.scenario}") + "```")
    return 0


def _after_the_call(report: CallReport) -> None:
    """What happened once the caller had gone: the dead-letter queue and the reconciler."""
    if report.dead_lettered:
        print(f"Worker events in the dead-letter queue: {report.dead_lettered} (the lost_runs alarm fires)")
    if report.reconciliation:
        said = f": {report.reconcile_outcome!r}" if report.reconcile_outcome else ""
        print(f"Reconciler: {report.reconciliation}{said} (on the run's record; its status stays failed)")


if __name__ == "__main__":
    raise SystemExit(main())
