"""The chaos soak: many calls through the module's own flows and runtime in the call simulator,
with faults injected at random at every call site, and the module's promises counted.

Each call draws its task's length from the workload (bench/workload.py: log-normal around 5, 15,
30 and 60 s), plays on one of the configurations (both backends; poll and push waits; voice and
chat where the flows have them), and gets each kind of fault in FAULT_KINDS with probability
FAULT_RATE (independently): a tracker request of start, check or the worker (or the state
machine's wrapper) throttled, failed with a 5xx, timed out, or applied with its answer lost;
start's invoke refused, or delivered with its answer lost; the worker's event dropped or
delivered twice; the worker killed mid-task (with Step Functions: its step fails); Connect
retrying start (its first answer lost) or taking a check call's error branch; the caller hanging
up; the task raising an error that names the caller's number.

The promises, each counted over every call (a call may break several):

- ``blip_failed``: a call whose every fault is one the module absorbs (ABSORBED, each on a
  single request) ended in the fallback instead of the answer;
- ``result_lost``: a run that completed is not readable, with its result, until its TTL;
- ``task_run_twice``: the task ran more than once for one run;
- ``final_overwritten``: a record's final status (or result) changed after it was written;
- ``not_heard``: a caller who stayed did not hear the answer or the configured fallback within
  a bound after the run's outcome was readable: one hold message and one Lambda call's time
  limit, plus one of each for every flow call that failed (or answered tracker_unavailable);
- ``cut_off``: a Lambda call ran past its time limit (Connect's for start and check, its own
  timeout for the worker);
- ``personal_data``: the caller's number reached a log line, a prompt or a contact attribute.

The seed is fixed (SEED) and printed; ``--seed`` gives another. Every call is reproducible from
the seed and its index: ``--call N`` replays one call and prints its timeline.

    .venv/bin/python -m bench.soak [--calls 1200] [--seed N] [--workers 2] [--call N] [--json out.json]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import logging
import random
import re
import sys
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Final

from bench.per_contact import STEPS_DEFINITION, module_simulator
from bench.workload import MEDIANS, task_seconds
from connect_async.contract import ResponseStatus, RunStatus
from connect_async.observability import logger
from connect_async.runs import Observation, TrackerRecord, observe, record_from_item
from connect_async.settings import CONSTANTS
from connect_async.tasks import TaskContext
from connect_async.tunings import CheckTunings, StartTunings
from flowkit import demo
from flowkit.dynamodb import AfterCall, BeforeCall, InProcessDynamoDB
from flowkit.faults import DynamoDBFault
from flowkit.lambda_queue import WorkerCrashed
from flowkit.plan import Rendered
from flowkit.report import START_MS, CallReport
from flowkit.simulator import Scenario, create_tracker_table
from flowkit.states import StatesError

__all__ = [
    "BENCH_SEED",
    "CALLS",
    "CONFIGURATIONS",
    "FAULT_KINDS",
    "FAULT_RATE",
    "PROMISES",
    "SEED",
    "Call",
    "Configuration",
    "plan_call",
    "play",
    "run",
    "summarise",
]

ROOT = Path(__file__).resolve().parent.parent
SEED: Final = 20261204
# make bench's soak: another fixed seed, so the bench adds calls the suite does not play.
BENCH_SEED: Final = 20261205
CALLS: Final = 1_200
FAULT_RATE: Final = 0.10
FAULT_KINDS: Final = (
    "tracker throttled",
    "tracker 5xx",
    "tracker timeout",
    "tracker answer lost",
    "invoke refused",
    "invoke answer lost",
    "event dropped",
    "event delivered twice",
    "worker killed mid-task",
    "start retried by Connect",
    "check call failed",
    "caller hangs up",
    "task raises",
)
PROMISES: Final = (
    "blip_failed",
    "result_lost",
    "task_run_twice",
    "final_overwritten",
    "not_heard",
    "cut_off",
    "personal_data",
)
CALLER_NUMBER: Final = "+447700900456"
_PHONE: Final = re.compile(r"\+\d{7,15}")
_TRACKER_KINDS: Final = {
    "tracker throttled": "throttle",
    "tracker 5xx": "5xx",
    "tracker timeout": "timeout",
    "tracker answer lost": "lost_answer",
}
_ANSWER: Final = {"message": "Your request is complete."}


@dataclass(frozen=True)
class Configuration:
    backend: str  # lambda | step_functions
    wait_mode: str  # poll | push
    channel: str  # VOICE | CHAT

    @property
    def name(self) -> str:
        return f"{self.backend}/{self.wait_mode}/{self.channel.lower()}"

    def variables(self) -> dict[str, object]:
        variables: dict[str, object] = {}
        if self.backend == "step_functions":
            variables = {
                "backend": "step_functions",
                "step_functions": {"definition_file": str(STEPS_DEFINITION)},
            }
        return variables

    def tfvars(self) -> Path | None:
        return ROOT / "examples" / "push.tfvars" if self.wait_mode == "push" else None


# What the module absorbs when each strikes once: a caller whose call met only these, each on a
# single request, hears the answer (or, for a task longer than the wait, "taking longer"), never
# the fallback.
ABSORBED: Final = frozenset(FAULT_KINDS) - {
    "event dropped",  # these end the run (or the call): the fallback is the promise
    "worker killed mid-task",
    "task raises",
    "caller hangs up",
}


# Push is the voice wait: a chat contact waits in the flow module, the same in both modes.
CONFIGURATIONS: Final = (
    Configuration("lambda", "poll", "VOICE"),
    Configuration("lambda", "poll", "CHAT"),
    Configuration("lambda", "push", "VOICE"),
    Configuration("step_functions", "poll", "VOICE"),
    Configuration("step_functions", "poll", "CHAT"),
    Configuration("step_functions", "push", "VOICE"),
)


@dataclass(frozen=True)
class CallPlan:
    index: int
    configuration: Configuration
    task_seconds: float
    faults: tuple[str, ...]
    scenario: Scenario
    # When the task dies (worker killed) or raises, in seconds into it.
    stop_at_seconds: float = 0.0
    # Some fault strikes several requests in a row (a burst), not one.
    burst: bool = False

    @property
    def absorbed(self) -> bool:
        """Every fault of the call is one the module absorbs, on a single request."""
        return not self.burst and all(kind in ABSORBED for kind in self.faults)


@dataclass(frozen=True)
class Call:
    index: int
    configuration: str
    task_seconds: float
    faults: tuple[str, ...]
    injected: dict[str, int]  # tracker faults that really hit a request, by kind
    ended_on: str  # answered | fallback | taking longer | hung up
    error_code: str
    # The caller heard the outcome this long after it was readable (None: hung up, or answered).
    fault_to_fallback_ms: int | None
    answer_latency_ms: int | None
    # Every fault of the call is one the module absorbs (CallPlan.absorbed), and it had one.
    absorbed: bool
    broken: tuple[str, ...]  # the promises this call broke
    why: tuple[str, ...] = ()


def plan_call(index: int, seed: int = SEED) -> CallPlan:
    """The index-th call of the soak: its configuration, task and faults, from the seed alone."""
    rng = random.Random(f"soak:{seed}:{index}")  # noqa: S311 - a reproducible soak, not a secret
    configuration = CONFIGURATIONS[index % len(CONFIGURATIONS)]
    median = MEDIANS[(index // len(CONFIGURATIONS)) % len(MEDIANS)]
    seconds = round(task_seconds(median, index, seed), 3)
    faults = tuple(kind for kind in FAULT_KINDS if rng.random() < FAULT_RATE)
    dynamodb_faults = []
    burst = False
    for kind in faults:
        if kind in _TRACKER_KINDS:
            function = rng.choice(("start", "check", "worker"))
            nth = 1 if function == "start" else rng.randint(1, 4)
            times = 1 if rng.random() < 0.7 else rng.randint(2, 12)  # now and then, a burst
            burst = burst or times > 1
            dynamodb_faults.append(DynamoDBFault(function, _TRACKER_KINDS[kind], nth=nth, times=times))
    invoke_faults: list[str] = []
    for kind, fault in (("invoke refused", "error"), ("invoke answer lost", "lost_answer")):
        if kind in faults:  # now and then on every attempt start makes: dispatch_failed
            times = 1 if rng.random() < 0.7 else rng.randint(2, 5)
            burst = burst or times > 1
            invoke_faults += [fault] * times
    deliveries = 0 if "event dropped" in faults else 2 if "event delivered twice" in faults else 1
    scenario = Scenario(
        work_seconds=seconds,
        channel=configuration.channel,
        hang_up_at_seconds=round(rng.uniform(1, 90), 1) if "caller hangs up" in faults else None,
        failing_check_calls=1 if "check call failed" in faults else 0,
        start_deliveries=2 if "start retried by Connect" in faults else 1,
        worker_deliveries=deliveries,
        progress_messages=("Checking your details.", "Almost done."),
        dynamodb_faults=tuple(dynamodb_faults),
        invoke_faults=tuple(invoke_faults),
        customer_phone=CALLER_NUMBER,
    )
    stop_at = round(rng.uniform(0.1, 0.9) * seconds, 3)
    return CallPlan(index, configuration, seconds, faults, scenario, stop_at, burst)


class _LogLines(logging.Handler):
    """Every log line the runtime writes during a call, formatted as CloudWatch gets it."""

    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []
        self._formatter = logger.registered_formatter

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.lines.append(self._formatter.format(record))
        except Exception:
            self.lines.append(record.getMessage())


@contextlib.contextmanager
def _captured_logs() -> Iterator[_LogLines]:
    handler = _LogLines()
    target = logging.getLogger(logger.name)
    target.addHandler(handler)
    try:
        yield handler
    finally:
        target.removeHandler(handler)


class _WatchedTables(InProcessDynamoDB):
    """The call's DynamoDB, remembering the tracker record after every applied write (a lost
    answer included: it is recorded before the answer is lost)."""

    def __init__(self, table: str) -> None:
        super().__init__()
        self._table = table
        self.history: list[dict[str, Any]] = []

    def client(self, before_call: BeforeCall | None = None, after_call: AfterCall | None = None) -> Any:
        def after(operation: str) -> None:
            if operation in ("UpdateItem", "PutItem"):
                self.history.extend(super(_WatchedTables, self).client().scan(TableName=self._table)["Items"])
            if after_call is not None:
                after_call(operation)

        return super().client(before_call, after)


def _task(plan: CallPlan) -> Callable[[TaskContext], object]:
    """The worker's task: reports progress at its thirds, then answers, dies or raises."""
    seconds, faults = plan.task_seconds, plan.faults

    def task(context: TaskContext) -> object:
        done = 0.0
        for step, message in ((seconds / 3, "Checking your details."), (2 * seconds / 3, "Almost done.")):
            if _stops(faults) and plan.stop_at_seconds <= step:
                break
            context.sleep(step - done)
            done = step
            context.report_progress(int(100 * step / seconds), message)
        if _stops(faults):
            context.sleep(max(plan.stop_at_seconds - done, 0))
            if "worker killed mid-task" in faults:
                raise WorkerCrashed
            raise RuntimeError(f"the card of {CALLER_NUMBER} was declined")
        context.sleep(seconds - done)
        return _ANSWER

    return task


def _steps(plan: CallPlan) -> Callable[[Any], Mapping[str, Any]]:
    """With Step Functions, the one step of bench/steps.asl.json: takes the task's length, or
    fails part way (its function died, or raised)."""
    seconds, faults = plan.task_seconds, plan.faults

    def steps(clock: Any) -> Mapping[str, Any]:
        def work(payload: Any) -> None:
            if _stops(faults):
                clock.sleep_ms(int(plan.stop_at_seconds * 1000))
                raise StatesError("States.TaskFailed", f"the card of {CALLER_NUMBER} was declined")
            clock.sleep_ms(int(seconds * 1000))

        return {"bench:work": work}

    return steps


def _stops(faults: Sequence[str]) -> bool:
    return "worker killed mid-task" in faults or "task raises" in faults


_RENDERED: dict[Configuration, Rendered] = {}


def _rendered(configuration: Configuration) -> Rendered:
    if configuration not in _RENDERED:
        _RENDERED[configuration] = demo.render(configuration.tfvars(), configuration.variables())
    return _RENDERED[configuration]


def play(index: int, seed: int = SEED, *, timeline: bool = False) -> Call:
    """Play the index-th call and judge it by every promise."""
    plan = plan_call(index, seed)
    rendered = _rendered(plan.configuration)
    deployment = rendered.deployment()
    tables = _WatchedTables(deployment.table_name)
    create_tracker_table(deployment.table_name, tables.client())
    backend = plan.configuration.backend
    simulator = module_simulator(
        rendered.flows,
        deployment,
        task=_task(plan) if backend == "lambda" else None,
        steps=_steps(plan) if backend == "step_functions" else None,
        dynamodb=tables,
    )
    random.seed(f"soak-jitter:{seed}:{index}")  # the retries' jitter: the same call on every run
    with _captured_logs() as logs, contextlib.redirect_stdout(io.StringIO()):
        report = simulator.run(plan.scenario)
    if timeline:
        print(report.timeline())
    items = tables.client().scan(TableName=deployment.table_name)["Items"]
    record = record_from_item(items[0]) if items else None
    ttl_seconds = StartTunings.read(deployment.env("start")).record_ttl_seconds
    max_result_bytes = CheckTunings.read(deployment.env("check")).max_result_bytes
    judge = _Judge(plan, report, record, tables.history, logs.lines, ttl_seconds, max_result_bytes)
    return judge.call(deployment.worker_timeout_seconds)


@dataclass
class _Judge:
    plan: CallPlan
    report: CallReport
    record: TrackerRecord | None
    history: list[dict[str, Any]]
    log_lines: list[str]
    ttl_seconds: int
    max_result_bytes: int
    broken: dict[str, str] = field(default_factory=dict)

    def call(self, worker_timeout_seconds: int) -> Call:
        report = self.report
        self._result_kept()
        if report.task_runs > 1:
            self.broken["task_run_twice"] = f"the task ran {report.task_runs} times"
        self._finals_kept()
        ended_on, fault_to_fallback_ms, answer_latency_ms = self._heard()
        if self.plan.absorbed and ended_on == "fallback":
            code = report.contact_attributes.get("error_code", "")
            self.broken["blip_failed"] = f"faults the module absorbs ended in the fallback ({code})"
        overruns = list(report.limit_overruns) + [
            f"{label}: {end - begin} ms"
            for label, begin, end in report.worker_runs
            if end - begin > worker_timeout_seconds * 1000
        ]
        if overruns:
            self.broken["cut_off"] = "; ".join(overruns)
        self._no_personal_data()
        return Call(
            index=self.plan.index,
            configuration=self.plan.configuration.name,
            task_seconds=self.plan.task_seconds,
            faults=self.plan.faults,
            injected=dict(report.faults),
            ended_on=ended_on,
            error_code=str(report.contact_attributes.get("error_code", "") or ""),
            fault_to_fallback_ms=fault_to_fallback_ms,
            answer_latency_ms=answer_latency_ms,
            absorbed=self.plan.absorbed and bool(self.plan.faults),
            broken=tuple(sorted(self.broken)),
            why=tuple(f"{k}: {v}" for k, v in sorted(self.broken.items())),
        )

    def _result_kept(self) -> None:
        completed = [item for item in self.history if item.get("status", {}).get("S") == RunStatus.COMPLETED]
        if not completed:
            return
        written = completed[0].get("result")
        until_ms = int(completed[0]["created_at_ms"]["N"]) + self.ttl_seconds * 1000 - 1_000
        seen = observe(self.record, until_ms, max_result_bytes=self.max_result_bytes)
        if seen.status is not ResponseStatus.COMPLETED or self.record is None:
            self.broken["result_lost"] = f"completed, then read {seen.status.value} a second before its TTL"
        elif {"M": {k: {"S": v} for k, v in self.record.result.items()}} != written:
            self.broken["result_lost"] = "the result read back is not the one written"

    def _finals_kept(self) -> None:
        final: dict[str, tuple[object, ...]] = {}
        for item in self.history:
            attempt, status = item["attempt"]["N"], item["status"]["S"]
            if status == RunStatus.IN_PROGRESS:
                continue
            state = (
                status,
                item.get("error_code", {}).get("S", ""),
                json.dumps(item.get("result"), sort_keys=True),
            )
            if final.setdefault(attempt, state) != state:
                self.broken["final_overwritten"] = (
                    f"attempt {attempt}: {final[attempt][:2]} became {state[:2]}"
                )

    def _heard(self) -> tuple[str, int | None, int | None]:
        """How the call ended, and, for a caller who stayed, how long after its outcome was
        readable they heard it (a fallback), or heard the answer."""
        report = self.report
        if report.ending == "caller hung up":
            return "hung up", None, None
        said = [e for e in report.events if e.actor == "caller"]
        if not said:
            self.broken["not_heard"] = "the caller heard nothing"
            return "nothing", None, None
        heard_ms = said[-1].at_ms
        # Calls that failed (Connect's error branch) or answered that they could not read or
        # write the tracker: the flow retries each after a hold message.
        failed_calls = [
            e.at_ms
            for e in report.events
            if "fails:" in e.text or (e.actor in ("start", "check") and e.text.startswith("-> error"))
        ]
        longest_prompt_ms = max((end - begin for begin, end in report.speech + report.away), default=0)
        limit_ms = CONSTANTS["connect_lambda_limit_seconds"] * 1000
        bound_ms = (longest_prompt_ms + limit_ms) * (1 + len(failed_calls))
        seen = observe(self._record_at(heard_ms), heard_ms, max_result_bytes=self.max_result_bytes)
        outcome_at: int | None = None  # when the run's outcome was readable, if it was by then
        if seen.status in (ResponseStatus.FAILED, ResponseStatus.COMPLETED) and seen.ended_at_ms <= heard_ms:
            outcome_at = seen.ended_at_ms
        if "Success" in report.path:
            latency = heard_ms - outcome_at if outcome_at else None
            if latency is not None and latency > bound_ms:
                self.broken["not_heard"] = (
                    f"the answer came {latency} ms after the result (bound {bound_ms} ms)"
                )
            return "answered", None, latency
        if "Fallback" in report.path:
            return "fallback", self._fallback_heard(heard_ms, seen, outcome_at, failed_calls, bound_ms), None
        if "TakingLonger" in report.path:
            if outcome_at is not None and heard_ms - outcome_at > bound_ms:
                self.broken["not_heard"] = (
                    f"'taking longer' {heard_ms - outcome_at} ms after the run was {seen.status.value}"
                )
            return "taking longer", None, None
        self.broken["not_heard"] = f"the call ended ({report.ending}) without an answer or a fallback"
        return report.ending, None, None

    def _record_at(self, at_ms: int) -> TrackerRecord | None:
        """The record as it stood at ``at_ms``: the last write before then (a later one, such as
        Lambda's retry recording worker_lost, is not what the caller's last check read)."""
        written = [item for item in self.history if int(item.get("updated_at_ms", {}).get("N", 0)) <= at_ms]
        return record_from_item(written[-1]) if written else self.record

    def _fallback_heard(
        self, heard_ms: int, seen: Observation, outcome_at: int | None, failed_calls: list[int], bound_ms: int
    ) -> int:
        """How long after the failure the caller heard the fallback (it must be within the bound,
        and for a run that failed or whose calls failed, not one that had completed)."""
        if seen.status is ResponseStatus.FAILED and outcome_at:
            since = outcome_at
        elif failed_calls:  # the flow's own calls kept failing (Connect's error branch)
            since = failed_calls[-1]
        else:  # start or check answered an error
            since = self.report.calls[-1][2] if self.report.calls else START_MS
        waited = max(heard_ms - since, 0)
        if waited > bound_ms:
            self.broken["not_heard"] = (
                f"the fallback came {waited} ms after the failure (bound {bound_ms} ms)"
            )
        if seen.status is ResponseStatus.COMPLETED and outcome_at and not failed_calls:
            self.broken["not_heard"] = "the caller heard the fallback for a run that had completed"
        return waited

    def _no_personal_data(self) -> None:
        report = self.report
        places = {
            "a log line": self.log_lines,
            "a prompt": report.spoken,
            "a contact attribute": [str(v) for v in report.contact_attributes.values()],
        }
        for place, texts in places.items():
            for text in texts:
                if CALLER_NUMBER in text or "7700900456" in text or _PHONE.search(text):
                    self.broken["personal_data"] = f"the caller's number reached {place}: {text[:160]}"
                    return


def run(calls: int = CALLS, seed: int = SEED, workers: int = 2) -> list[Call]:
    """Play ``calls`` calls of the soak, in ``workers`` processes."""
    for configuration in CONFIGURATIONS:  # render here: a bad tuning stops before the pool starts
        _rendered(configuration)
    indexes = range(calls)
    if workers <= 1:
        return [play(index, seed) for index in indexes]
    with ProcessPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(play, indexes, [seed] * calls, chunksize=8))


@dataclass(frozen=True)
class Summary:
    calls: int
    seed: int
    fault_rate: float
    planned: dict[str, int]  # calls planned with each fault kind
    injected: dict[str, int]  # tracker requests the faults really hit, by kind
    calls_with_a_fault: int
    outcomes: dict[str, int]  # by how the call ended
    by_configuration: dict[str, int]
    broken: dict[str, int]  # calls that broke each promise (each must be 0)
    worst_fault_to_fallback_ms: int
    worst_answer_latency_ms: int


def summarise(results: Sequence[Call], seed: int = SEED) -> Summary:
    planned = Counter(kind for call in results for kind in call.faults)
    injected: Counter[str] = Counter()
    for call in results:
        injected.update(call.injected)
    return Summary(
        calls=len(results),
        seed=seed,
        fault_rate=FAULT_RATE,
        planned={kind: planned.get(kind, 0) for kind in FAULT_KINDS},
        injected=dict(sorted(injected.items())),
        calls_with_a_fault=sum(1 for call in results if call.faults),
        outcomes=dict(Counter(call.ended_on for call in results).most_common()),
        by_configuration=dict(Counter(call.configuration for call in results)),
        broken={promise: sum(promise in call.broken for call in results) for promise in PROMISES},
        worst_fault_to_fallback_ms=max((c.fault_to_fallback_ms or 0 for c in results), default=0),
        worst_answer_latency_ms=max((c.answer_latency_ms or 0 for c in results), default=0),
    )


@demo.on_the_emulator
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=CALLS)
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--call", type=int, help="replay this call alone and print its timeline")
    parser.add_argument("--json", type=Path, help="write the summary here")
    args = parser.parse_args(argv)
    print(f"chaos soak: {args.calls} calls, seed {args.seed} (another: --seed N)")
    if args.call is not None:
        call = play(args.call, args.seed, timeline=True)
        print(json.dumps(asdict(call), indent=2))
        return 1 if call.broken else 0
    results = run(args.calls, args.seed, args.workers)
    summary = summarise(results, args.seed)
    if args.json:
        args.json.write_text(json.dumps(asdict(summary), indent=2) + "\n")
    print(json.dumps(asdict(summary), indent=2))
    failures = [call for call in results if call.broken]
    for call in failures[:10]:
        faults = ", ".join(call.faults) or "no fault"
        print(f"call {call.index} ({call.configuration}; {faults}): {'; '.join(call.why)}")
    if failures:
        print(f"{len(failures)} call(s) broke a promise: replay one with --call N", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
