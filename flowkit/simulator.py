"""Play a contact flow on a virtual clock against the real runtime logic and an emulated AWS.

The flow is interpreted action by action. ``InvokeLambdaFunction`` runs the runtime's own start
and check logic (connect_async.start / .check, the code behind the Lambda handlers) in-process
against moto, with the block's time limit enforced: a call that would take longer goes down its
error branch, as in Connect. start's asynchronous invocation starts the worker logic in a second
participant on the same virtual clock, running a scripted task. ``MessageParticipant`` takes the
time the text needs to be spoken (SPEECH_WORDS_PER_SECOND) or read in chat.

The caller's experience comes back as a ``CallReport``: the path, a readable timeline, the total
wait, the longest silence, Lambda invocations and billed milliseconds per function, DynamoDB reads
and writes, and the detection latency (worker finished -> the flow knows).

Call it inside moto's ``mock_aws``; the tracker table must exist (see ``create_tracker_table``).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from connect_async.aws import dynamodb_client
from connect_async.check import CheckService
from connect_async.config import CheckSettings, StartSettings, WorkerSettings
from connect_async.contract import Attr, TrackingIdSource
from connect_async.events import WorkerJob
from connect_async.retry import FLOW_CALL_RETRY, WORKER_RETRY
from connect_async.start import StartService
from connect_async.tasks import TaskContext, TaskFailed
from connect_async.tracker import TrackerTable
from connect_async.worker import WorkerService
from flowkit.clock import VirtualClock

__all__ = [
    "SPEECH_WORDS_PER_SECOND",
    "CallReport",
    "CallSimulator",
    "Scenario",
    "SimulatorSettings",
    "create_tracker_table",
]

# About 150 words a minute: a usual text-to-speech rate. Chat messages are read faster.
SPEECH_WORDS_PER_SECOND: Final = 2.5
READING_WORDS_PER_SECOND: Final = 4.0
START_MS: Final = 1_767_225_600_000
CONTACT_ID: Final = "5b8a0c1e-0000-4000-8000-0000000051a1"


@dataclass(frozen=True)
class Scenario:
    """What happens on this call."""

    work_seconds: float = 25.0
    outcome: str = "succeed"  # succeed | fail | crash (the worker dies after claiming: no update, ever)
    channel: str = "VOICE"
    hang_up_at_seconds: float | None = None
    failing_check_calls: int = 0  # the first N check invocations fail (Connect takes the error branch)


@dataclass(frozen=True)
class SimulatorSettings:
    """The tuning the functions run with (the module's timing plan)."""

    table_name: str = "simulated-tracker"
    run_deadline_seconds: int = 330
    record_ttl_seconds: int = 86_400
    check_budget_ms: int = 5_000
    check_poll_interval_ms: int = 250
    worker_timeout_seconds: int = 300
    worker_safety_margin_ms: int = 3_000


@dataclass(frozen=True)
class Event:
    at_ms: int
    actor: str
    text: str


@dataclass
class CallReport:
    path: list[str] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    ending: str = ""
    total_wait_seconds: float = 0.0
    longest_silence_seconds: float = 0.0
    invocations: dict[str, int] = field(default_factory=dict)
    billed_ms: dict[str, int] = field(default_factory=dict)
    dynamodb_reads: int = 0
    dynamodb_writes: int = 0
    detection_latency_ms: int | None = None
    final_status: str = ""
    limit_overruns: list[str] = field(default_factory=list)
    contact_attributes: dict[str, str] = field(default_factory=dict)
    # (start, end) of each stretch the caller hears something.
    speech: list[tuple[int, int]] = field(default_factory=list)

    def timeline(self) -> str:
        return "\n".join(f"{(e.at_ms - START_MS) / 1000:7.2f}s  {e.actor:<7} {e.text}" for e in self.events)


def create_tracker_table(name: str, client: Any = None) -> None:
    """A tracker table shaped as the module creates it (hash key and TTL from the contract)."""
    client = client or dynamodb_client()
    client.create_table(
        TableName=name,
        KeySchema=[{"AttributeName": Attr.TASK_ID.value, "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": Attr.TASK_ID.value, "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    client.update_time_to_live(
        TableName=name, TimeToLiveSpecification={"Enabled": True, "AttributeName": Attr.EXPIRES_AT.value}
    )


class _Invocation:
    def __init__(self, request_id: str, clock: VirtualClock, timeout_ms: int) -> None:
        self.aws_request_id = request_id
        self._clock = clock
        self._end = clock.now_ms() + timeout_ms

    def get_remaining_time_in_millis(self) -> int:
        return max(self._end - self._clock.now_ms(), 0)


class _WorkerCrashed(BaseException):
    """The scripted worker dies after claiming the run: nothing is ever written again."""


class CallSimulator:
    def __init__(
        self,
        flow: str | Mapping[str, Any],
        *,
        functions: Mapping[str, str],
        settings: SimulatorSettings | None = None,
    ) -> None:
        """``functions`` maps each LambdaFunctionARN in the flow to "start" or "check"."""
        self.flow: Mapping[str, Any] = json.loads(flow) if isinstance(flow, str) else flow
        self.functions = dict(functions)
        self.settings = settings or SimulatorSettings()
        self.actions = {a["Identifier"]: a for a in self.flow["Actions"]}

    # -- wiring ----------------------------------------------------------------------------

    def _services(
        self, clock: VirtualClock, report: CallReport, scenario: Scenario
    ) -> tuple[StartService, CheckService]:
        client = dynamodb_client()

        def count(model: Any, **_: Any) -> None:
            if model.name == "GetItem":
                report.dynamodb_reads += 1
            elif model.name in ("UpdateItem", "PutItem"):
                report.dynamodb_writes += 1

        client.meta.events.register("before-call.dynamodb", count)
        s = self.settings
        tracker = TrackerTable(client, s.table_name, clock=clock, retry_policy=FLOW_CALL_RETRY)
        worker_tracker = TrackerTable(client, s.table_name, clock=clock, retry_policy=WORKER_RETRY)
        worker = WorkerService(
            WorkerSettings(s.table_name, "simulated:task", 0, s.worker_safety_margin_ms, 16_384),
            worker_tracker,
            clock,
            task_loader=lambda _: self._task(scenario),
        )
        dispatcher = _ThreadDispatcher(clock, worker, s.worker_timeout_seconds * 1000, report)
        start = StartService(
            StartSettings(
                s.table_name,
                "simulated-worker",
                TrackingIdSource.INITIAL_CONTACT_ID,
                s.run_deadline_seconds,
                s.record_ttl_seconds,
            ),
            tracker,
            dispatcher,
            clock,
        )
        check = CheckService(
            CheckSettings(
                s.table_name, TrackingIdSource.INITIAL_CONTACT_ID, s.check_budget_ms, s.check_poll_interval_ms
            ),
            tracker,
            clock,
        )
        self._dispatcher = dispatcher
        return start, check

    @staticmethod
    def _task(scenario: Scenario) -> Callable[[TaskContext], object]:
        def task(context: TaskContext) -> dict[str, object]:
            steps = 4
            for step in range(1, steps + 1):
                context.sleep(scenario.work_seconds / steps)
                if step < steps and scenario.outcome != "crash":
                    context.report_progress(100 * step // steps, f"Step {step} of {steps} done")
            if scenario.outcome == "fail":
                raise TaskFailed("the scripted task failed", "scripted_failure")
            if scenario.outcome == "crash":
                raise _WorkerCrashed
            return {"message": "Your request is complete.", "seconds": scenario.work_seconds}

        return task

    # -- the call --------------------------------------------------------------------------

    def run(self, scenario: Scenario = Scenario()) -> CallReport:
        clock = VirtualClock(START_MS)
        report = CallReport()
        start, check = self._services(clock, report, scenario)
        with clock.participant():
            self._play(clock, report, scenario, {"start": start, "check": check})
            self._dispatcher.join_all()
        report.final_status = self._final_status()
        report.events.sort(key=lambda e: e.at_ms)
        report.longest_silence_seconds = self._longest_silence(report)
        return report

    def _play(
        self, clock: VirtualClock, report: CallReport, scenario: Scenario, services: Mapping[str, Any]
    ) -> None:
        call = _Call(self, clock, report, scenario, services)
        current: str | None = self.flow["StartAction"]
        while current:
            if (
                scenario.hang_up_at_seconds is not None
                and clock.now_ms() - START_MS >= scenario.hang_up_at_seconds * 1000
            ):
                report.events.append(Event(clock.now_ms(), "caller", "hangs up"))
                report.ending = "caller hung up"
                break
            report.path.append(current)
            current = call.step(current, self.actions[current])
        report.total_wait_seconds = (clock.now_ms() - START_MS) / 1000
        report.contact_attributes = call.attributes

    def note_response(
        self, clock: VirtualClock, report: CallReport, function: str, response: Mapping[str, str]
    ) -> None:
        status = response.get("status", "")
        detail = (
            response.get("progress_message", "")
            if status == "in_progress"
            else response.get("error_code", "")
        )
        report.events.append(Event(clock.now_ms(), function, f"-> {status} {detail}".rstrip()))
        finished = self._dispatcher.finished_at_ms
        if status in ("completed", "failed") and finished is not None and report.detection_latency_ms is None:
            report.detection_latency_ms = clock.now_ms() - finished

    def contact_event(self, scenario: Scenario, parameters: Mapping[str, Any]) -> dict[str, Any]:
        invocation_attributes = parameters.get("LambdaInvocationAttributes") or {}
        return {
            "Name": "ContactFlowEvent",
            "Details": {
                "ContactData": {
                    "ContactId": CONTACT_ID,
                    "InitialContactId": CONTACT_ID,
                    "Channel": scenario.channel,
                },
                "Parameters": {k: str(v) for k, v in invocation_attributes.items()},
            },
        }

    def _final_status(self) -> str:
        """The record as the run left it (read with a client the report does not count)."""
        tracker = TrackerTable(
            dynamodb_client(), self.settings.table_name, clock=VirtualClock(0), retry_policy=FLOW_CALL_RETRY
        )
        record = tracker.get(f"{CONTACT_ID}#default", give_up_at_ms=0)
        return record.status.value if record else "absent"

    @staticmethod
    def _longest_silence(report: CallReport) -> float:
        """Gaps between the end of one thing the caller hears and the start of the next."""
        marks = (
            [START_MS]
            + [m for span in sorted(report.speech) for m in span]
            + [START_MS + int(report.total_wait_seconds * 1000)]
        )
        gaps = [(marks[i + 1] - marks[i]) for i in range(0, len(marks) - 1, 2)]
        return max(gaps, default=0) / 1000


class _Call:
    """One call's state while the flow runs; ``step`` executes one action and returns the next."""

    def __init__(
        self,
        simulator: CallSimulator,
        clock: VirtualClock,
        report: CallReport,
        scenario: Scenario,
        services: Mapping[str, Any],
    ) -> None:
        self.simulator = simulator
        self.clock = clock
        self.report = report
        self.scenario = scenario
        self.services = services
        self.external: dict[str, str] = {}
        self.attributes: dict[str, str] = {}
        self.loops: dict[str, int] = {}
        self.failing_checks = scenario.failing_check_calls
        self.words_per_second = (
            READING_WORDS_PER_SECOND if scenario.channel == "CHAT" else SPEECH_WORDS_PER_SECOND
        )

    def step(self, identifier: str, action: Mapping[str, Any]) -> str | None:
        kind = str(action.get("Type"))
        transitions: Mapping[str, Any] = action.get("Transitions") or {}
        parameters: Mapping[str, Any] = action.get("Parameters") or {}
        handlers: dict[str, Callable[[str, str, Mapping[str, Any], Mapping[str, Any]], str | None]] = {
            "InvokeLambdaFunction": self._invoke,
            "MessageParticipant": self._message,
            "Compare": self._compare,
            "Loop": self._loop,
            "UpdateContactAttributes": self._set_attributes,
            "DisconnectParticipant": self._end,
            "TransferContactToQueue": self._end,
        }
        handler = handlers.get(kind)
        if handler is None:  # actions with no effect on timing (Set voice, ...) just pass on
            next_action = transitions.get("NextAction")
            return str(next_action) if next_action else None
        return handler(identifier, kind, parameters, transitions)

    def _invoke(
        self, identifier: str, kind: str, parameters: Mapping[str, Any], transitions: Mapping[str, Any]
    ) -> str | None:
        function = self.simulator.functions[parameters["LambdaFunctionARN"]]
        limit_ms = int(float(parameters.get("InvocationTimeLimitSeconds", 8)) * 1000)
        failed = function == "check" and self.failing_checks > 0
        response: Mapping[str, str] = {}
        elapsed = 0
        if failed:
            self.failing_checks -= 1
        else:
            began = self.clock.now_ms()
            response = self.services[function].handle(
                self.simulator.contact_event(self.scenario, parameters), limit_ms
            )
            elapsed = self.clock.now_ms() - began
        report = self.report
        report.invocations[function] = report.invocations.get(function, 0) + 1
        report.billed_ms[function] = report.billed_ms.get(function, 0) + max(elapsed, 1)
        if elapsed > limit_ms:  # Connect gives up on the call: the error branch, whatever it returned
            report.limit_overruns.append(f"{identifier}: {elapsed} ms > {limit_ms} ms")
            failed = True
        if failed:
            report.events.append(
                Event(self.clock.now_ms(), function, "fails: the flow takes the error branch")
            )
            return _error_branch(transitions)
        self.external = dict(response)
        self.simulator.note_response(self.clock, report, function, response)
        return _next(transitions)

    def _message(
        self, identifier: str, kind: str, parameters: Mapping[str, Any], transitions: Mapping[str, Any]
    ) -> str | None:
        text = str(parameters.get("Text", ""))
        began = self.clock.now_ms()
        self.report.events.append(Event(began, "caller", f'hears "{text}"'))
        self.clock.sleep_ms(int(max(len(text.split()), 1) / self.words_per_second * 1000))
        self.report.speech.append((began, self.clock.now_ms()))
        return _next(transitions)

    def _compare(
        self, identifier: str, kind: str, parameters: Mapping[str, Any], transitions: Mapping[str, Any]
    ) -> str | None:
        value = _resolve(str(parameters.get("ComparisonValue", "")), self.external, self.attributes)
        for branch in transitions.get("Conditions", []):
            if value in branch["Condition"]["Operands"]:
                return str(branch["NextAction"])
        return _error_branch(transitions, "NoMatchingCondition") or _next(transitions)

    def _loop(
        self, identifier: str, kind: str, parameters: Mapping[str, Any], transitions: Mapping[str, Any]
    ) -> str | None:
        count = self.loops.get(identifier, 0)
        done = count >= int(float(parameters.get("LoopCount", 0)))
        self.loops[identifier] = 0 if done else count + 1  # the counter resets when done
        wanted = "DoneLooping" if done else "ContinueLooping"
        return next(
            str(b["NextAction"]) for b in transitions["Conditions"] if wanted in b["Condition"]["Operands"]
        )

    def _set_attributes(
        self, identifier: str, kind: str, parameters: Mapping[str, Any], transitions: Mapping[str, Any]
    ) -> str | None:
        for key, value in (parameters.get("Attributes") or {}).items():
            self.attributes[key] = _resolve(str(value), self.external, self.attributes)
        return _next(transitions)

    def _end(
        self, identifier: str, kind: str, parameters: Mapping[str, Any], transitions: Mapping[str, Any]
    ) -> str | None:
        self.report.ending = "disconnected" if kind == "DisconnectParticipant" else "transferred to a queue"
        self.report.events.append(Event(self.clock.now_ms(), "flow", self.report.ending))
        return None


def _next(transitions: Mapping[str, Any]) -> str | None:
    target = transitions.get("NextAction")
    return str(target) if target else None


def _error_branch(transitions: Mapping[str, Any], error_type: str = "NoMatchingError") -> str | None:
    for branch in transitions.get("Errors", []):
        if branch.get("ErrorType") == error_type:
            return str(branch["NextAction"])
    return None


def _resolve(value: str, external: Mapping[str, str], attributes: Mapping[str, str]) -> str:
    if value.startswith("$.External."):
        return external.get(value.removeprefix("$.External."), "")
    if value.startswith("$.Attributes."):
        return attributes.get(value.removeprefix("$.Attributes."), "")
    return value


class _ThreadDispatcher:
    """start's asynchronous invocation: the worker runs as a second participant on the clock."""

    def __init__(
        self, clock: VirtualClock, worker: WorkerService, timeout_ms: int, report: CallReport
    ) -> None:
        self._clock = clock
        self._worker = worker
        self._timeout_ms = timeout_ms
        self._report = report
        self._threads: list[threading.Thread] = []
        self.finished_at_ms: int | None = None

    def dispatch(self, job: WorkerJob, *, give_up_at_ms: int) -> None:
        registered = threading.Event()

        def run() -> None:
            with self._clock.participant():
                registered.set()
                invocation = _Invocation(f"worker-{len(self._threads)}", self._clock, self._timeout_ms)
                self._report.events.append(Event(self._clock.now_ms(), "worker", "starts"))
                try:
                    outcome = self._worker.handle(job.to_payload(), invocation)
                except _WorkerCrashed:
                    self._report.events.append(
                        Event(self._clock.now_ms(), "worker", "crashes (no update, ever)")
                    )
                    return
                self.finished_at_ms = self._clock.now_ms()
                self._report.events.append(Event(self.finished_at_ms, "worker", f"ends: {outcome.value}"))

        thread = threading.Thread(target=run, daemon=True)
        self._threads.append(thread)
        thread.start()
        # The worker must be a participant before the flow sleeps again, or time would skip it.
        registered.wait(timeout=10)

    def join_all(self) -> None:
        # The flow has ended: its thread stays a participant by sleeping until the worker is done.
        while any(t.is_alive() for t in self._threads):
            self._clock.sleep_ms(1000)
