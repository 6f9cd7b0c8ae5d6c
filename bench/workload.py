"""The answer-latency workload: many calls whose tasks take log-normally distributed times.

For each median task length (MEDIANS) it plays CALLS_PER_MEDIAN calls through the module's own
rendered inbound flow in the call simulator, each task's length drawn from a log-normal
distribution with that median and a coefficient of variation of CV (seeded: the same calls on
every run and machine), and measures per call:

- answer latency: the work's end -> the caller starts hearing the answer (the success message);
- the longest silence;
- overhead GB-seconds (start, check and the worker beyond the task's own run, at the deployed
  memory sizes), and their price for 1,000 such calls (Lambda and DynamoDB) beside those calls'
  Connect minutes;
- what the caller hears per minute of waiting: hold messages (voice: whole messages, and the
  sentences they are played as; chat: hold texts sent) and progress messages.

Four kinds of task, as real tasks differ in what they tell the module: ``even`` reports progress
at one and two thirds of its run (the simulator's scripted task: check can tell when its end is
due), ``early`` also reports 5 % in its first 20 ms (a "started" step, which says nothing of the
pace), ``none`` reports nothing, and ``misleading`` reports progress as if it always took the
median (a timer-based estimate: the pace is wrong for most calls).

The same calls play against the two baselines (``--design``): the naive pattern (bench/naive.py)
and Connect's asynchronous Lambda alone (bench/connect_alone.py). Each call's DynamoDB is moto's
model in process (flowkit.dynamodb.InProcessDynamoDB; ``--dynamodb moto`` plays boto3 on moto's
mock instead, ten times slower, with the same figures).

    .venv/bin/python -m bench.workload [--calls 200] [--tfvars a.tfvars] [--channel VOICE]
        [--progress even] [--design module] [--json out.json]
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import io
import json
import math
import random
import statistics
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Final

import moto

from bench import connect_alone, naive
from bench.connect_alone import alone_flow, alone_functions
from bench.per_contact import flow_text, module_gb_seconds, module_simulator, naive_simulator
from connect_async.tasks import TaskContext
from flowkit import demo
from flowkit.dynamodb import DynamoDB, InProcessDynamoDB, MotoDynamoDB
from flowkit.interpreter import hold_sentences
from flowkit.plan import Rendered
from flowkit.prices import PRICES, price_per_1000
from flowkit.simulator import CallSimulator, Deployment, Scenario, create_tracker_table

ROOT = Path(__file__).resolve().parent.parent

__all__ = [
    "CALLS_PER_MEDIAN",
    "CV",
    "DESIGNS",
    "MEDIANS",
    "PROGRESS_KINDS",
    "SEED",
    "Call",
    "Job",
    "Summary",
    "play",
    "run",
    "summarise",
]

MEDIANS: Final = (5, 15, 30, 60)
CV: Final = 0.3
CALLS_PER_MEDIAN: Final = 200
SEED: Final = 20261124
PROGRESS_KINDS: Final = ("even", "early", "none", "misleading")
# The module, and the two baselines it is measured against on the same calls.
DESIGNS: Final = ("module", "naive", "connect_alone")
EARLY_REPORT_SECONDS: Final = 0.02
_ANSWER: Final = {"message": "Your request is complete."}


@dataclass(frozen=True)
class Call:
    median_seconds: float
    task_seconds: float
    answered: bool
    # The wait ran out first ("taking longer"; the work goes on): right for a task longer than it.
    took_longer: bool
    answer_latency_ms: int | None
    longest_silence_seconds: float
    overhead_gb_seconds: float
    # Lambda and DynamoDB for 1,000 such calls, the task's own run excluded (it is the same in
    # every design), USD
    overhead_price_per_1000: float
    connect_minutes_price_per_1000: float  # Connect voice usage for 1,000 such waits, USD
    wait_seconds: float
    hold_messages: int  # whole hold messages (voice) or hold texts sent (chat)
    hold_sentences: int  # the prompts the hold messages were played as (voice)
    progress_messages: int
    check_calls: int
    limit_overruns: int  # Lambda calls cut off by their block's time limit
    longest_lambda_chain_seconds: float  # Connect allows 20 s of Lambda calls with no prompt between


@dataclass(frozen=True)
class Summary:
    median_seconds: float
    calls: int
    answered: int
    took_longer: int  # calls whose wait ran out first
    shortest_task_that_took_longer_seconds: float | None
    latency_p50_ms: int
    latency_p90_ms: int
    latency_max_ms: int
    longest_silence_seconds: float  # the worst of every call
    overhead_gb_seconds: float  # mean per contact
    overhead_price_per_1000: float  # mean, USD
    connect_minutes_price_per_1000: float  # mean, USD
    hold_messages_per_minute: float
    hold_messages_per_call: float
    hold_sentences_per_minute: float
    progress_messages_per_minute: float
    check_calls_per_minute: float
    limit_overruns: int  # over every call
    longest_lambda_chain_seconds: float  # the worst of every call


def task_seconds(median: float, index: int, seed: int = SEED) -> float:
    """The index-th call's task length for this median: log-normal, coefficient of variation CV."""
    sigma = math.sqrt(math.log(1 + CV * CV))
    rng = random.Random(f"{seed}:{median}:{index}")  # noqa: S311 - a reproducible workload, not a secret
    return median * math.exp(rng.gauss(0.0, sigma))


def _task(seconds: float, median: float, progress: str) -> Callable[[TaskContext], object]:
    """The call's task: runs ``seconds``, reporting progress as its kind says (no message, so
    the caller hears the hold message throughout and only the pace is told)."""
    marks: tuple[tuple[float, int], ...]  # (when, percent)
    if progress == "even":
        marks = ((seconds / 3, 33), (2 * seconds / 3, 66))
    elif progress == "early":  # "started" at once (a timer-less 5 %), then its thirds
        marks = ((EARLY_REPORT_SECONDS, 5), (seconds / 3, 33), (2 * seconds / 3, 66))
    elif progress == "misleading":  # a timer-based estimate that assumes the median
        marks = tuple(
            (m, min(int(100 * m / median), 99)) for m in (median / 3, 2 * median / 3) if m < seconds
        )
    else:
        marks = ()

    def task(context: TaskContext) -> object:
        done = 0.0
        for mark, percent in marks:
            context.sleep(mark - done)
            done = mark
            context.report_progress(percent, "")
        context.sleep(seconds - done)
        return _ANSWER

    return task


# design, tfvars, channel, progress kind, median, task seconds
Job = tuple[str, str | None, str, str, float, float]


def play(job: Job, *, dynamodb: str = "in-process") -> Call:
    """One call of the workload. Its DynamoDB is moto's model in process (fast), or, with
    ``dynamodb="moto"``, boto3 on moto's mock as in the tests: the same measurements."""
    design, tfvars, channel, progress, median, seconds = job
    rendered = _rendered(tfvars)
    deployment = rendered.deployment()
    scenario = Scenario(work_seconds=seconds, channel=channel, progress_messages=())
    with contextlib.ExitStack() as stack:
        if dynamodb == "moto":
            stack.enter_context(moto.mock_aws())
            tables: DynamoDB = MotoDynamoDB()
        else:
            tables = InProcessDynamoDB()
        create_tracker_table(deployment.table_name, tables.client())
        simulator, memory, task_ms = _simulator(
            design,
            rendered,
            deployment,
            seconds=seconds,
            task=_task(seconds, median, progress),
            tables=tables,
        )
        with contextlib.redirect_stdout(io.StringIO()):
            report = simulator.run(scenario)
    if design == "module":
        gb_seconds, task_gb_seconds = module_gb_seconds(report, memory, seconds)
        invocations = {**report.invocations, "worker": len(report.worker_runs)}
    else:  # the baselines run the task in their work function: only the rest is overhead
        gb_seconds = report.gb_seconds(memory)
        # A task cut off by its function's time limit ran only as long as it was billed.
        task_gb_seconds = min(task_ms, report.billed_ms.get("work", 0)) / 1000 * memory["work"] / 1024
        invocations = dict(report.invocations)
    # Items stay well under 1 KB here: one unit per read and per write. The task's own run costs
    # the same in every design: the price is the waiting's.
    price = price_per_1000(invocations, gb_seconds, report.dynamodb_reads, report.dynamodb_writes)
    overhead_price = round(price - task_gb_seconds * PRICES["lambda_gb_second_arm"] * 1000, 4)
    answered = "Success" in report.path and report.answer_latency_ms is not None
    hold = deployment.hold_message
    sentences = hold_sentences(hold)
    spoken = report.spoken
    if channel == "VOICE":
        # Poll plays the hold message sentence by sentence; push (its Continue branch) whole.
        hold_said = spoken.count(hold) + (
            sum(1 for text in spoken if text == sentences[0]) if len(sentences) > 1 else 0
        )
        sentences_said = sum(1 for text in spoken if text in sentences)
    else:
        hold_said = spoken.count(hold)
        sentences_said = hold_said
    return Call(
        median_seconds=median,
        task_seconds=round(seconds, 3),
        answered=answered,
        took_longer="SaveWaitExceeded" in report.path,
        answer_latency_ms=report.answer_latency_ms if answered else None,
        longest_silence_seconds=report.longest_silence_seconds,
        overhead_gb_seconds=round(sum(gb_seconds.values()) - task_gb_seconds, 4),
        overhead_price_per_1000=overhead_price,
        connect_minutes_price_per_1000=round(
            report.total_wait_seconds / 60 * PRICES["connect_voice_minute"] * 1000, 4
        ),
        wait_seconds=report.total_wait_seconds,
        hold_messages=hold_said,
        hold_sentences=sentences_said,
        progress_messages=sum(1 for text in spoken if text not in sentences and text != hold)
        - (1 if answered else 0),
        check_calls=report.invocations.get("check", 0),
        limit_overruns=len(report.limit_overruns),
        longest_lambda_chain_seconds=report.longest_lambda_chain_seconds,
    )


def _simulator(
    design: str,
    rendered: Rendered,
    deployment: Deployment,
    *,
    seconds: float,
    task: Callable[[TaskContext], object],
    tables: DynamoDB,
) -> tuple[CallSimulator, dict[str, int], int]:
    """The call's simulator for the design, the memory each of its functions bills at, and the
    milliseconds of the task its work function runs (baselines only)."""
    flows = rendered.flows
    memory = dict(deployment.memory_mb)
    if design == "module":
        return module_simulator(flows, deployment, task=task, dynamodb=tables), memory, 0
    if design == "naive":
        work_ms = min(int(seconds * 1000), naive.WORK_TIMEOUT_MS)
        memory = {"work": memory["worker"], "status": memory["check"]}
        return naive_simulator(flows, deployment, seconds, dynamodb=tables), memory, work_ms
    if design != "connect_alone":
        raise ValueError(f"design must be one of {', '.join(DESIGNS)}, not {design!r}")
    inbound = flows["inbound_flow"]
    simulator = CallSimulator(
        alone_flow(flow_text(inbound, "Success"), flow_text(inbound, "Fallback"), deployment.hold_message),
        functions={connect_alone.WORK_ARN: "work"},
        deployment=deployment,
        custom_functions=alone_functions(seconds),
        dynamodb=tables,
    )
    work_ms = min(int(seconds * 1000), connect_alone.ASYNC_LIMIT_SECONDS * 1000)
    return simulator, {"work": memory["worker"]}, work_ms


_RENDERED: dict[str, Rendered] = {}


def _rendered(tfvars: str | None) -> Rendered:
    key = tfvars or ""
    if key not in _RENDERED:
        _RENDERED[key] = demo.render(Path(tfvars) if tfvars else None)
    return _RENDERED[key]


def run(
    *,
    calls: int = CALLS_PER_MEDIAN,
    tfvars: Path | None = None,
    channel: str = "VOICE",
    progress: str = "even",
    design: str = "module",
    medians: Sequence[float] = MEDIANS,
    workers: int = 2,
    dynamodb: str = "in-process",
) -> list[Call]:
    """Play the workload: ``calls`` calls per median, in ``workers`` processes."""
    if design not in DESIGNS:
        raise ValueError(f"design must be one of {', '.join(DESIGNS)}, not {design!r}")
    _rendered(str(tfvars) if tfvars else None)  # render once here: a bad tuning stops before the pool starts
    jobs = [
        (design, str(tfvars) if tfvars else None, channel, progress, median, task_seconds(median, index))
        for median in medians
        for index in range(calls)
    ]
    one = functools.partial(play, dynamodb=dynamodb)
    if workers <= 1:
        return [one(job) for job in jobs]
    # Longest calls first, in small chunks: no process is left playing a run of 60 s calls alone
    # at the end. The results come back in the jobs' order.
    order = sorted(range(len(jobs)), key=lambda index: -jobs[index][-1])
    with ProcessPoolExecutor(max_workers=workers) as pool:
        played = list(pool.map(one, [jobs[index] for index in order], chunksize=2))
    results: list[Call] = [played[0]] * len(jobs)
    for position, index in enumerate(order):
        results[index] = played[position]
    return results


def _percentile(values: Sequence[int], fraction: float) -> int:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(fraction * len(ordered)) - 1)]


def summarise(results: Sequence[Call]) -> list[Summary]:
    summaries = []
    for median in sorted({c.median_seconds for c in results}):
        calls = [c for c in results if c.median_seconds == median]
        latencies = [c.answer_latency_ms for c in calls if c.answer_latency_ms is not None]
        minutes = sum(c.wait_seconds for c in calls) / 60
        summaries.append(
            Summary(
                median_seconds=median,
                calls=len(calls),
                answered=len(latencies),
                took_longer=sum(c.took_longer for c in calls),
                shortest_task_that_took_longer_seconds=min(
                    (c.task_seconds for c in calls if c.took_longer), default=None
                ),
                latency_p50_ms=_percentile(latencies, 0.5) if latencies else -1,
                latency_p90_ms=_percentile(latencies, 0.9) if latencies else -1,
                latency_max_ms=max(latencies, default=-1),
                longest_silence_seconds=max(c.longest_silence_seconds for c in calls),
                overhead_gb_seconds=round(statistics.mean(c.overhead_gb_seconds for c in calls), 4),
                overhead_price_per_1000=round(statistics.mean(c.overhead_price_per_1000 for c in calls), 4),
                connect_minutes_price_per_1000=round(
                    statistics.mean(c.connect_minutes_price_per_1000 for c in calls), 2
                ),
                hold_messages_per_minute=round(sum(c.hold_messages for c in calls) / minutes, 1),
                hold_messages_per_call=round(statistics.mean(c.hold_messages for c in calls), 1),
                hold_sentences_per_minute=round(sum(c.hold_sentences for c in calls) / minutes, 1),
                progress_messages_per_minute=round(sum(c.progress_messages for c in calls) / minutes, 1),
                check_calls_per_minute=round(sum(c.check_calls for c in calls) / minutes, 1),
                limit_overruns=sum(c.limit_overruns for c in calls),
                longest_lambda_chain_seconds=max(c.longest_lambda_chain_seconds for c in calls),
            )
        )
    return summaries


@demo.on_the_emulator
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=CALLS_PER_MEDIAN, help="calls per median")
    parser.add_argument("--tfvars", type=Path)
    parser.add_argument("--channel", choices=("VOICE", "CHAT"), default="VOICE")
    parser.add_argument("--progress", choices=PROGRESS_KINDS, default="even")
    parser.add_argument("--design", choices=DESIGNS, default="module")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--dynamodb", choices=("in-process", "moto"), default="in-process")
    parser.add_argument("--json", type=Path, help="write the summaries here")
    args = parser.parse_args(argv)
    results = run(
        calls=args.calls,
        tfvars=args.tfvars,
        channel=args.channel,
        progress=args.progress,
        design=args.design,
        workers=args.workers,
        dynamodb=args.dynamodb,
    )
    summaries = summarise(results)
    if args.json:
        args.json.write_text(json.dumps([asdict(s) for s in summaries], indent=2) + "\n")
    for s in summaries:
        print(
            f"median {s.median_seconds:>3g} s: answered {s.answered}/{s.calls}  "
            f"latency p50 {s.latency_p50_ms} ms p90 {s.latency_p90_ms} ms max {s.latency_max_ms} ms  "
            f"silence {s.longest_silence_seconds:.3f} s  "
            f"overhead {s.overhead_gb_seconds:.3f} GB-s  hold {s.hold_messages_per_minute}/min "
            f"({s.hold_sentences_per_minute} sentences)  progress {s.progress_messages_per_minute}/min  "
            f"check {s.check_calls_per_minute}/min"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
