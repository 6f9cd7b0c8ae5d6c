"""Per contact, from the simulator: this module against the naive approach, for several task lengths.

For each task length it plays one call through the module's own rendered flow (one tuning per
tfvars file; the module's defaults first) and one through the naive baseline (bench/naive.py),
and measures: the caller's total wait, the longest silence, the longest prompt-free Lambda
chain, detection latency, Lambda invocations and GB-seconds per function at the configured
memory, DynamoDB read and write units, and the price per 1,000 contacts (PRICES).

    .venv/bin/python -m bench.per_contact [--tfvars bench/low_cost.tfvars ...] [--json out.json]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any, Final

from bench.naive import STATUS_ARN, WORK_ARN, WORK_TIMEOUT_MS, naive_flow, naive_functions
from flowkit import demo
from flowkit.dynamodb import InProcessDynamoDB
from flowkit.plan import Rendered
from flowkit.prices import PRICES, PRICES_DATE, price_per_1000
from flowkit.simulator import (
    CallReport,
    CallSimulator,
    Deployment,
    Scenario,
    create_tracker_table,
)

ROOT = Path(__file__).resolve().parent.parent

__all__ = [
    "TASK_SECONDS",
    "Measurement",
    "Tunings",
    "flow_text",
    "measure",
    "module_gb_seconds",
    "module_simulator",
    "naive_simulator",
    "render_tunings",
]

TASK_SECONDS: Final = (1, 5, 15, 30, 60, 120)
STEPS_DEFINITION: Final = ROOT / "bench" / "steps.asl.json"


@dataclass(frozen=True)
class Measurement:
    design: str
    task_seconds: float
    outcome: str  # how the call ended for the caller
    total_wait_seconds: float
    longest_silence_seconds: float
    longest_lambda_chain_seconds: float
    detection_latency_ms: int | None
    invocations: dict[str, int]
    gb_seconds: dict[str, float]
    overhead_gb_seconds: float  # everything except the task's own run
    read_units: int
    write_units: int
    price_per_1000: float  # Lambda + DynamoDB, USD
    connect_minutes_price_per_1000: float  # Connect voice usage for the caller's wait, USD
    limit_overruns: int
    state_transitions: int = 0  # backend step_functions only


def _outcome(report: CallReport) -> str:
    path = report.path
    if "Success" in path:
        return "answered"
    if "TakingLonger" in path:
        return "taking longer (work goes on)"
    return "fallback"


def _finish(
    design: str,
    task_seconds: float,
    report: CallReport,
    *,
    gb_seconds: dict[str, float],
    task_gb_seconds: float,
    item_bytes: int,
) -> Measurement:
    # Strongly consistent reads: 1 unit per 4 KB; standard writes: 1 unit per 1 KB.
    read_units = report.dynamodb_reads * max(1, math.ceil(item_bytes / 4096))
    write_units = report.dynamodb_writes * max(1, math.ceil(item_bytes / 1024))
    invocations = dict(report.invocations)
    if "worker" in gb_seconds:
        invocations["worker"] = len(report.worker_runs)
    return Measurement(
        design=design,
        task_seconds=task_seconds,
        outcome=_outcome(report),
        total_wait_seconds=round(report.total_wait_seconds, 2),
        longest_silence_seconds=round(report.longest_silence_seconds, 2),
        longest_lambda_chain_seconds=round(report.longest_lambda_chain_seconds, 2),
        detection_latency_ms=report.detection_latency_ms,
        invocations=invocations,
        gb_seconds={k: round(v, 4) for k, v in gb_seconds.items()},
        overhead_gb_seconds=round(sum(gb_seconds.values()) - task_gb_seconds, 4),
        read_units=read_units,
        write_units=write_units,
        price_per_1000=price_per_1000(invocations, gb_seconds, read_units, write_units),
        connect_minutes_price_per_1000=round(
            report.total_wait_seconds / 60 * PRICES["connect_voice_minute"] * 1000, 2
        ),
        limit_overruns=len(report.limit_overruns),
    )


def _item_bytes(tables: InProcessDynamoDB, table: str) -> int:
    """The size of the largest item the run left (a JSON estimate of DynamoDB's item size)."""
    items = tables.client().scan(TableName=table)["Items"]
    return max((len(json.dumps(item)) for item in items), default=0)


def _quietly(simulator: CallSimulator, task_seconds: float) -> CallReport:
    # Powertools flushes its metrics (EMF lines) to stdout every 100 values: keep them out.
    with contextlib.redirect_stdout(io.StringIO()):
        return simulator.run(Scenario(work_seconds=task_seconds))


def module_simulator(flows: dict[str, str], deployment: Deployment, **options: Any) -> CallSimulator:
    """The simulator on the module's inbound flow (with its flow module), as the demo wires it;
    ``options`` are CallSimulator's (a task, steps, its DynamoDB)."""
    return CallSimulator(
        flows["inbound_flow"],
        functions={demo.START_ARN: "start", demo.CHECK_ARN: "check"},
        deployment=deployment,
        modules={demo.FLOW_MODULE_ID: flows["wait_module"]},
        **options,
    )


def naive_simulator(
    flows: dict[str, str], deployment: Deployment, task_seconds: float, **options: Any
) -> CallSimulator:
    """The simulator on the naive baseline, with the module's success and fallback texts;
    ``options`` are CallSimulator's (its DynamoDB)."""
    inbound = flows["inbound_flow"]
    return CallSimulator(
        naive_flow(flow_text(inbound, "Success"), flow_text(inbound, "Fallback")),
        functions={WORK_ARN: "work", STATUS_ARN: "status"},
        deployment=deployment,
        custom_functions=naive_functions(task_seconds),
        **options,
    )


def _play_module(
    flows: dict[str, str], deployment: Deployment, task_seconds: float, steps: Any = None
) -> tuple[CallReport, int]:
    """One call through the module's inbound flow: its report and the largest item it left."""
    tables = InProcessDynamoDB()
    create_tracker_table(deployment.table_name, tables.client())
    simulator = module_simulator(flows, deployment, steps=steps, dynamodb=tables)
    return _quietly(simulator, task_seconds), _item_bytes(tables, deployment.table_name)


def measure_module(
    name: str, flows: dict[str, str], deployment: Deployment, task_seconds: float
) -> Measurement:
    report, item_bytes = _play_module(flows, deployment, task_seconds)
    gb_seconds, task_gb_seconds = module_gb_seconds(report, deployment.memory_mb, task_seconds)
    return _finish(
        name,
        task_seconds,
        report,
        gb_seconds=gb_seconds,
        task_gb_seconds=task_gb_seconds,
        item_bytes=item_bytes,
    )


def module_gb_seconds(
    report: CallReport, memory: Mapping[str, int], task_seconds: float
) -> tuple[dict[str, float], float]:
    """GB-seconds per function of one call through the module (the worker's from its runs, at the
    deployed memory), and the part of them that is the task's own run (the rest is overhead)."""
    gb_seconds = report.gb_seconds(memory)
    worker_ms = sum(end - begin for _, begin, end in report.worker_runs)
    gb_seconds["worker"] = worker_ms / 1000 * memory["worker"] / 1024
    return gb_seconds, task_seconds * memory["worker"] / 1024


def flow_text(flow: str, identifier: str) -> str:
    """The text a flow's MessageParticipant action speaks."""
    action = next(a for a in json.loads(flow)["Actions"] if a["Identifier"] == identifier)
    return str(action["Parameters"]["Text"])


def measure_naive(deployment: Deployment, flows: dict[str, str], task_seconds: float) -> Measurement:
    memory = {"work": deployment.memory_mb["worker"], "status": deployment.memory_mb["check"]}
    tables = InProcessDynamoDB()
    create_tracker_table(deployment.table_name, tables.client())
    simulator = naive_simulator(flows, deployment, task_seconds, dynamodb=tables)
    report = _quietly(simulator, task_seconds)
    item_bytes = _item_bytes(tables, deployment.table_name)
    gb_seconds = report.gb_seconds(memory)
    # The work function runs the task itself: only its run beyond the task is overhead.
    task_gb_seconds = min(task_seconds, WORK_TIMEOUT_MS / 1000) * memory["work"] / 1024
    return _finish(
        "naive",
        task_seconds,
        report,
        gb_seconds=gb_seconds,
        task_gb_seconds=task_gb_seconds,
        item_bytes=item_bytes,
    )


Tunings = list[tuple[str, Rendered]]  # (tuning, modules/plan's outputs for it)


def render_tunings(tfvars: list[Path]) -> Tunings:
    """The module's defaults first, then each tfvars file, rendered by Terraform."""
    tunings: list[tuple[str, Path | None]] = [("module defaults", None)]
    tunings += [(f"module ({path.name})", path) for path in tfvars]
    return [(name, demo.render(path)) for name, path in tunings]


def measure_step_functions(rendered: Rendered, task_seconds: float) -> Measurement:
    """The same call with backend = step_functions: one step that takes the task's length."""
    deployment, flows = rendered.deployment(), rendered.flows

    def steps(clock: Any) -> dict[str, Any]:
        return {"bench:work": lambda payload: clock.sleep_ms(int(task_seconds * 1000))}

    report, item_bytes = _play_module(flows, deployment, task_seconds, steps)
    measured = _finish(
        "module on Step Functions (Standard)",
        task_seconds,
        report,
        gb_seconds=report.gb_seconds(deployment.memory_mb),
        task_gb_seconds=0.0,
        item_bytes=item_bytes,
    )
    transitions_price = report.state_transitions * PRICES["step_functions_state_transition"] * 1000
    return replace(
        measured,
        state_transitions=report.state_transitions,
        price_per_1000=round(measured.price_per_1000 + transitions_price, 4),
    )


def render_step_functions() -> Rendered:
    """The module's defaults with backend = step_functions and the benchmark's one step."""
    return demo.render(
        None,
        {"backend": "step_functions", "step_functions": {"definition_file": str(STEPS_DEFINITION)}},
    )


def measure(tunings: Tunings) -> list[Measurement]:
    results: list[Measurement] = []
    for name, rendered in tunings:
        deployment, flows = rendered.deployment(), rendered.flows
        results += [measure_module(name, flows, deployment, seconds) for seconds in TASK_SECONDS]
        if name == "module defaults":
            # The baseline runs with the module's default memory sizes (work = worker, status = check).
            results += [measure_naive(deployment, flows, seconds) for seconds in TASK_SECONDS]
    return results


@demo.on_the_emulator
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tfvars", type=Path, action="append", default=[])
    parser.add_argument("--json", type=Path, help="write the measurements here")
    args = parser.parse_args(argv)
    results = measure(render_tunings(args.tfvars))
    document = {"prices": PRICES, "prices_date": PRICES_DATE, "measurements": [asdict(m) for m in results]}
    if args.json:
        args.json.write_text(json.dumps(document, indent=2) + "\n")
    for m in results:
        print(
            f"{m.design:<32} {m.task_seconds:>5g}s  {m.outcome:<28} wait {m.total_wait_seconds:>6.1f}s "
            f"silence {m.longest_silence_seconds:>5.1f}s chain {m.longest_lambda_chain_seconds:>5.1f}s "
            f"detect {m.detection_latency_ms!s:>6} overhead {m.overhead_gb_seconds:>7.3f} GB-s "
            f"${m.price_per_1000:>7.4f}/1000"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
