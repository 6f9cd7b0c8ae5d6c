"""The demo's library: render the module's plan for a tuning and play a scenario through its
flows on moto, with the scenario's work, your task or your state machine.

``flowkit.demo_command`` (``make demo``, and ``connect-async play`` from the package) prints what
:func:`play` returns; the benchmarks, the flow docs and the comparison play the same calls, in
the :func:`emulator_environment` (a command's ``main`` is decorated with :func:`on_the_emulator`;
importing this module changes nothing).
"""

from __future__ import annotations

import functools
import importlib.util
import json
import os
import sys
import tempfile
import zipfile
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import ModuleType
from typing import Any, Final, ParamSpec, TypeVar

import moto

from connect_async.aws import dynamodb_client
from connect_async.config import ConfigurationError
from connect_async.observability import logger
from connect_async.settings import CONSTANTS
from connect_async.tasks import Task, TaskContext, TaskFailed, load_task
from flowkit import plan
from flowkit.checker import ERROR
from flowkit.lambda_queue import WorkerCrashed
from flowkit.module_flows import check_module_flows
from flowkit.plan import Rendered, module_root, tfvars_values
from flowkit.scenario import CATALOGUE
from flowkit.simulator import (
    CallReport,
    CallSimulator,
    Deployment,
    create_config_table,
    create_tracker_table,
)

__all__ = [
    "CHECK_ARN",
    "EMULATOR_ENVIRONMENT",
    "FLOW_MODULE_ID",
    "LOOKUP_ARN",
    "START_ARN",
    "WIRING",
    "YourSteps",
    "YourTask",
    "emulator_environment",
    "hold_length_note",
    "on_the_emulator",
    "pacing",
    "play",
    "render",
    "task_handler_in",
]

P = ParamSpec("P")
R = TypeVar("R")

# The emulator's fake credentials and region, and quiet functions (the timeline is the demo's
# output, not the JSON logs).
EMULATOR_ENVIRONMENT: Final = {
    "AWS_ACCESS_KEY_ID": "demo",
    "AWS_SECRET_ACCESS_KEY": "demo",
    "AWS_DEFAULT_REGION": "eu-west-2",
    "POWERTOOLS_LOG_LEVEL": "CRITICAL",
    "POWERTOOLS_METRICS_DISABLED": "true",
}


@contextmanager
def emulator_environment() -> Iterator[None]:
    """Point boto3 at fake credentials and silence the functions' logs while it lasts; the
    environment and the log level are as they were afterwards."""
    saved, level = dict(os.environ), logger.log_level
    os.environ.update(EMULATOR_ENVIRONMENT)
    logger.setLevel(EMULATOR_ENVIRONMENT["POWERTOOLS_LOG_LEVEL"])  # made when the runtime was imported
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)
        logger.setLevel(level)


def on_the_emulator(main: Callable[P, R]) -> Callable[P, R]:
    """A command's main, run in the :func:`emulator_environment`."""

    @functools.wraps(main)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        with emulator_environment():
            return main(*args, **kwargs)

    return run


START_ARN: Final = "arn:aws:lambda:eu-west-2:123456789012:function:demo-start"
CHECK_ARN: Final = "arn:aws:lambda:eu-west-2:123456789012:function:demo-check"
LOOKUP_ARN: Final = "arn:aws:lambda:eu-west-2:123456789012:function:demo-lookup"
FLOW_MODULE_ID: Final = "demo-wait-for-task-module"
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


def pacing(timing: Mapping[str, Any]) -> str:
    """How a tuning paces a voice caller's wait, in words, from its timing plan."""
    if timing.get("wait_mode", {}).get("inbound_voice") == "push":
        return (
            f"push: {timing['push_loop_count']} rounds of {timing['push_check_hold_ms'] / 1000:g} s "
            f"(chat: {timing['loop_count']} loops)"
        )
    return f"{timing['loop_count']} loops, check budget {timing['check_budget_ms']} ms"


def hold_length_note(rendered: Rendered) -> str | None:
    """What to say when a text hold's estimated spoken length is far from hold_prompt_seconds
    (more than 1.5 times apart; the plan refuses beyond its factor): the demo plays the declared
    length, as the plan counts it, so a real call may wait longer or shorter than it shows."""
    call, declared = rendered["call"], float(rendered.timing["hold_prompt_seconds"])
    if call["hold_is_recorded"]:
        return None
    spoken = float(call["hold_spoken_seconds"])
    if max(spoken, declared) <= 1.5 * min(spoken, declared):
        return None
    words = len(str(call["hold_message"]).split())
    return (
        f"Note: messages.hold has {words} words, about {spoken:g} s spoken (an estimate at "
        f"{CONSTANTS['speech_words_per_minute']} words a minute); the demo plays hold_prompt_seconds = "
        f"{declared:g} s, as the plan counts it: time the message in your voice and set it to that."
    )


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
    # Layer zips (connect-async build-layer's): the task's code and its dependencies, imported
    # from their python/ folder as the worker imports them.
    layers: tuple[Path, ...] = ()

    def load(self) -> Task:
        for layer in reversed(self.layers):  # the first layer wins, as on the worker
            if not zipfile.is_zipfile(layer):
                raise SystemExit(f"TASK_LAYER {layer} is not a zip (build it: connect-async build-layer)")
            unpacked = Path(tempfile.mkdtemp(prefix="task-layer-"))
            with zipfile.ZipFile(layer) as archive:
                archive.extractall(unpacked)
            if not (unpacked / "python").is_dir():
                raise SystemExit(
                    f"TASK_LAYER {layer} has no python/ folder: Lambda imports a layer's code from there"
                )
            sys.path.insert(0, str(unpacked / "python"))
        if self.path is not None:
            if not self.path.is_dir():
                raise SystemExit(f"TASK_PATH {self.path} is not a folder")
            sys.path.insert(0, str(self.path.resolve()))
        try:
            return load_task(self.handler)
        except ConfigurationError as exc:
            raise SystemExit(f"TASK {self.handler}: {exc}") from None


def _interrupted(task: Task, outcome: str, stall_seconds: float) -> Task:
    """Your task, as the scenario has it, right after its first progress report (or as soon as
    it returns): its worker dies (``crash``: out of memory, say; nothing it does after is ever
    written), it raises (``fail``: the fallback path, code ``demo_failure``), or it stalls for
    ``stall_seconds`` (a slow third party) and goes on."""
    stops = outcome in ("crash", "fail")

    def stop() -> None:
        if outcome == "crash":
            raise WorkerCrashed
        raise TaskFailed("the demo made your task fail after its first progress report", "demo_failure")

    def interrupted(context: TaskContext) -> object:
        report = context._report_progress
        reports = 0

        def then_stop(percent: int, message: str) -> None:
            nonlocal reports
            report(percent, message)
            reports += 1
            if stops:
                stop()
            if reports == 1 and stall_seconds:
                context.sleep(stall_seconds)

        result = task(replace(context, _report_progress=then_stop))
        if stops:
            stop()
        return result

    return interrupted


def task_handler_in(tfvars: Path | None) -> str | None:
    """The ``task_handler`` a tfvars file sets (what `terraform apply` deploys), if any."""
    if tfvars is None or not tfvars.is_file():
        return None
    handler = tfvars_values(tfvars).get("task_handler")
    if not isinstance(handler, str):
        return None
    # python-hcl2 keeps a string's quotes ("\"pkg.module:run\""); a JSON file has none.
    return str(json.loads(handler)) if handler.startswith('"') and handler.endswith('"') else handler


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
    if task is not None and run is not None and (entry.call.outcome != "succeed" or entry.call.stall_seconds):
        run = _interrupted(run, entry.call.outcome, entry.call.stall_seconds)
    steps = your_steps.load() if your_steps is not None else None
    backend: dict[str, object] | None = (
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
    rendered = render(tfvars or (module_root() / entry.tfvars if entry.tfvars else None), backend)
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
            sys.stderr.write(f"warning: {name}: {problem}\n")
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
