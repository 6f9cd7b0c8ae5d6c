"""Play a contact flow on a virtual clock against the real runtime logic and an emulated AWS.

The flow is interpreted action by action. ``InvokeLambdaFunction`` runs the runtime's own start
and check logic (connect_async.start / .check, the code behind the Lambda handlers) in-process
against moto, with the block's time limit enforced: a call that would take longer goes down its
error branch, as in Connect. start's asynchronous invocation starts the worker logic in another
participant on the same virtual clock, running a scripted task. ``MessageParticipant`` takes the
time the text needs to be spoken (SPEECH_WORDS_PER_SECOND) or read in chat (READING_WORDS_PER_SECOND).
``InvokeFlowModule`` plays the module's own content (``modules``), ``Wait`` waits for the
customer to come back (chat), and Loop, Compare, attribute updates, queues and disconnects behave
as the flow-language reference documents them (and flows/README.md lists what it assumes).

Time is modelled, not measured: each Lambda invocation costs ``invoke_overhead_ms`` of network
and each DynamoDB call ``dynamodb_call_ms``, on top of the handlers' own sleeps and polls.

The caller's experience comes back as a ``CallReport``: the path, a readable timeline, the total
wait, the longest silence, the longest prompt-free Lambda chain, Lambda invocations and billed
milliseconds per function, DynamoDB reads and writes, and the detection latency (worker finished
-> the flow knows).

Call it inside moto's ``mock_aws``; the tracker table must exist (see ``create_tracker_table``).
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Final, Protocol

from connect_async.aws import dynamodb_client
from connect_async.check import CheckService
from connect_async.config import CheckSettings, StartSettings, WorkerSettings
from connect_async.contract import TASK_ID_SEPARATOR, Attr, ResponseKey, ResponseStatus, TrackingIdSource
from connect_async.events import WorkerJob
from connect_async.lease import Lease
from connect_async.retry import FLOW_CALL_RETRY, WORKER_RETRY
from connect_async.start import StartService
from connect_async.tasks import TaskContext, TaskFailed
from connect_async.tracker import TrackerTable
from connect_async.worker import LostRunError, WorkerService
from flowkit.clock import VirtualClock

__all__ = [
    "CONTACT_ID",
    "LAMBDA_RETRY_DELAYS_SECONDS",
    "READING_WORDS_PER_SECOND",
    "SPEECH_WORDS_PER_SECOND",
    "START_MS",
    "CallReport",
    "CallSimulator",
    "FlowFunction",
    "Kit",
    "Scenario",
    "SimulatorSettings",
    "create_tracker_table",
]

# About 150 words a minute: a usual text-to-speech rate. Chat messages are read faster.
SPEECH_WORDS_PER_SECOND: Final = 2.5
READING_WORDS_PER_SECOND: Final = 4.0
START_MS: Final = 1_767_225_600_000
CONTACT_ID: Final = "5b8a0c1e-0000-4000-8000-0000000051a1"
_REFERENCE: Final = re.compile(r"\$\.(External|Attributes|FlowAttributes)\.([A-Za-z0-9_]+)")
_VOICE_ONLY_PROMPTS: Final = ("SSML", "PromptId")
_NOTABLE_SILENCE_MS: Final = 500
# Lambda's asynchronous retries of a failed invocation (documented: after 1, then 2 minutes).
LAMBDA_RETRY_DELAYS_SECONDS: Final = (60, 120)


@dataclass(frozen=True)
class Scenario:
    """What happens on this call."""

    work_seconds: float = 25.0
    outcome: str = "succeed"  # succeed | fail | crash (the worker dies after claiming: no update, ever)
    channel: str = "VOICE"
    hang_up_at_seconds: float | None = None
    failing_check_calls: int = 0  # the first N check invocations fail (Connect takes the error branch)
    failing_start_calls: int = 0  # the first N start invocations fail
    # Connect retries a block's invocation (its first answers were lost): start runs this often.
    start_deliveries: int = 1
    # Lambda delivers an asynchronous event at least once: the worker gets the job this often.
    worker_deliveries: int = 1
    # A chat customer comes back this many seconds into a disconnect flow's Wait (None: never).
    customer_returns_at_seconds: float | None = None
    progress_messages: tuple[str, ...] = ("Checking your details.", "Almost done.")
    # Contact attributes set before this flow runs (by an earlier flow: the caller's question, say).
    attributes: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class SimulatorSettings:
    """The tuning the functions run with (the module's timing plan) and the latency model."""

    table_name: str = "simulated-tracker"
    run_deadline_seconds: int = 330
    record_ttl_seconds: int = 86_400
    check_budget_ms: int = 1_000
    check_poll_interval_ms: int = 250
    worker_timeout_seconds: int = 300
    worker_safety_margin_ms: int = 3_000
    # Connect -> Lambda -> Connect round trip of a warm invocation, outside the handler.
    invoke_overhead_ms: int = 30
    # One DynamoDB request from a Lambda in the same Region.
    dynamodb_call_ms: int = 5
    # How long the hold message plays on voice, recorded (PromptId) or spoken text equal to
    # hold_message: the module's hold_prompt_seconds, which the timing plan counts loops with.
    hold_prompt_seconds: float = 4.0
    hold_message: str = ""
    # start's asynchronous Invoke of the worker (the API call, not the worker's run).
    async_invoke_ms: int = 15
    # The worker's lease (WORKER_LEASE_MS): a dead worker is read as lost this long after its
    # last renewal.
    worker_lease_ms: int = 5_000
    # result_attribute_keys: check always answers result_<key> for each.
    result_keys: tuple[str, ...] = ()
    memory_mb: dict[str, int] = field(default_factory=lambda: {"start": 256, "check": 256, "worker": 512})


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
    # The longest stretch of Lambda calls with no prompt between them (Connect allows 20 s).
    longest_lambda_chain_seconds: float = 0.0
    invocations: dict[str, int] = field(default_factory=dict)
    billed_ms: dict[str, int] = field(default_factory=dict)
    dynamodb_reads: int = 0
    dynamodb_writes: int = 0
    detection_latency_ms: int | None = None
    final_status: str = ""
    task_runs: int = 0  # how many times the task itself started (exactly-once is the goal)
    limit_overruns: list[str] = field(default_factory=list)
    # Voice-only prompts (SSML, PromptId) that a chat contact reached: Connect cannot send them.
    voice_only_prompts_on_chat: list[str] = field(default_factory=list)
    contact_attributes: dict[str, str] = field(default_factory=dict)
    target_queue: str | None = None
    # (start, end) of each stretch the caller hears something, and what.
    speech: list[tuple[int, int]] = field(default_factory=list)
    spoken: list[str] = field(default_factory=list)
    # (function, start, end) of each Lambda call from the flow, and (name, start, end) of each
    # worker delivery.
    calls: list[tuple[str, int, int]] = field(default_factory=list)
    worker_runs: list[tuple[str, int, int]] = field(default_factory=list)
    # (start, end) of each stretch the customer is away (a Wait for them to come back): not silence.
    away: list[tuple[int, int]] = field(default_factory=list)
    # Worker events that ended in the dead-letter queue (every Lambda retry failed too).
    dead_lettered: int = 0

    def timeline(self) -> str:
        return "\n".join(f"{(e.at_ms - START_MS) / 1000:7.2f}s  {e.actor:<7} {e.text}" for e in self.events)

    def gb_seconds(self, memory_mb: Mapping[str, int]) -> dict[str, float]:
        """Billed GB-seconds per function (start and check; the worker's run is the task's)."""
        return {fn: ms / 1000 * memory_mb.get(fn, 128) / 1024 for fn, ms in self.billed_ms.items()}


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


class FlowFunction(Protocol):
    """A Lambda function the flow calls: the runtime's start and check, or one plugged in."""

    def handle(self, event: object, remaining_ms: int) -> Mapping[str, str]: ...


@dataclass(frozen=True)
class Kit:
    """What a plugged-in function gets (see ``CallSimulator(custom_functions=...)``)."""

    clock: VirtualClock
    dynamodb: Any  # a client whose calls are counted and take dynamodb_call_ms
    table_name: str
    # Run a body in the background as a participant on the clock (it may outlive the call).
    spawn: Callable[[str, Callable[[], None]], None]
    # Add billed milliseconds to a function (for one that bills itself, self_billed = True).
    bill: Callable[[str, int], None]


class _FlowModuleReturned(Exception):  # noqa: N818 - a signal, not an error
    """EndFlowModuleExecution: control goes back to the flow that invoked the module."""


class CallSimulator:
    def __init__(
        self,
        flow: str | Mapping[str, Any],
        *,
        functions: Mapping[str, str],
        settings: SimulatorSettings | None = None,
        modules: Mapping[str, str | Mapping[str, Any]] | None = None,
        custom_functions: Mapping[str, Callable[[Kit], FlowFunction]] | None = None,
        task: Callable[[TaskContext], object] | None = None,
    ) -> None:
        """``functions`` maps each LambdaFunctionARN to a function name: "start" or "check" (the
        runtime's), or a name in ``custom_functions`` (built per call from a ``Kit``: a baseline
        to compare with, for example). ``modules`` maps each FlowModuleId the flow invokes to
        the module's content."""
        self.flow: Mapping[str, Any] = _load(flow)
        self.functions = dict(functions)
        self.custom_functions = dict(custom_functions or {})
        self.settings = settings or SimulatorSettings()
        self.modules = {key: _load(content) for key, content in (modules or {}).items()}
        # The task the worker runs: a real one (the Bedrock task with its service stubbed, your
        # own), or None for the scenario's scripted task.
        self.task = task

    # -- wiring ----------------------------------------------------------------------------

    def _services(
        self, clock: VirtualClock, report: CallReport, scenario: Scenario
    ) -> tuple[dict[str, FlowFunction], _ThreadDispatcher]:
        s = self.settings
        client = dynamodb_client()

        def dynamodb_call(model: Any, **_: Any) -> None:
            if model.name == "GetItem":
                report.dynamodb_reads += 1
            elif model.name in ("UpdateItem", "PutItem"):
                report.dynamodb_writes += 1
            clock.sleep_ms(s.dynamodb_call_ms)

        client.meta.events.register("before-call.dynamodb", dynamodb_call)
        tracker = TrackerTable(client, s.table_name, clock=clock, retry_policy=FLOW_CALL_RETRY)
        worker_tracker = TrackerTable(client, s.table_name, clock=clock, retry_policy=WORKER_RETRY)
        dispatcher = _ThreadDispatcher(
            clock,
            timeout_ms=s.worker_timeout_seconds * 1000,
            report=report,
            deliveries=scenario.worker_deliveries,
            invoke_ms=s.async_invoke_ms,
        )
        dispatcher.worker = WorkerService(
            WorkerSettings(
                table_name=s.table_name,
                task_handler="simulated:task",
                task_retry_attempts=0,
                safety_margin_ms=s.worker_safety_margin_ms,
                max_result_bytes=16_384,
                lease_ms=s.worker_lease_ms,
            ),
            worker_tracker,
            clock,
            task_loader=lambda _: (
                self._counted(self.task, report) if self.task else self._task(scenario, report)
            ),
            keep_alive=dispatcher.keep_alive,
        )
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
                table_name=s.table_name,
                tracking_id_source=TrackingIdSource.INITIAL_CONTACT_ID,
                budget_ms=s.check_budget_ms,
                poll_interval_ms=s.check_poll_interval_ms,
                result_keys=s.result_keys,
            ),
            tracker,
            clock,
        )
        kit = Kit(
            clock=clock,
            dynamodb=client,
            table_name=s.table_name,
            spawn=dispatcher.spawn,
            bill=lambda function, ms: _bill(report, function, ms),
        )
        services: dict[str, FlowFunction] = {"start": start, "check": check}
        services.update({name: build(kit) for name, build in self.custom_functions.items()})
        return services, dispatcher

    @staticmethod
    def _counted(
        task: Callable[[TaskContext], object], report: CallReport
    ) -> Callable[[TaskContext], object]:
        def counted(context: TaskContext) -> object:
            report.task_runs += 1
            return task(context)

        return counted

    @staticmethod
    def _task(scenario: Scenario, report: CallReport) -> Callable[[TaskContext], object]:
        def task(context: TaskContext) -> dict[str, object]:
            report.task_runs += 1
            messages = scenario.progress_messages
            steps = len(messages) + 1
            for step in range(steps):
                context.sleep(scenario.work_seconds / steps)
                if step < len(messages) and scenario.outcome != "crash":
                    context.report_progress(100 * (step + 1) // steps, messages[step])
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
        services, dispatcher = self._services(clock, report, scenario)
        with clock.participant():
            call = _Call(
                self, clock, report=report, scenario=scenario, services=services, dispatcher=dispatcher
            )
            call.play()
            dispatcher.join_all()
        report.final_status = self._final_status()
        report.events.sort(key=lambda e: e.at_ms)
        report.longest_silence_seconds = self._longest_silence(report)
        return report

    def _final_status(self) -> str:
        """The record as the runs left it (read with a client the report does not count)."""
        tracker = TrackerTable(
            dynamodb_client(), self.settings.table_name, clock=VirtualClock(0), retry_policy=FLOW_CALL_RETRY
        )
        records = [
            tracker.get(item["task_id"]["S"], give_up_at_ms=0)
            for item in dynamodb_client().scan(TableName=self.settings.table_name)["Items"]
            if item["task_id"]["S"].startswith(CONTACT_ID + TASK_ID_SEPARATOR)
        ]
        return ",".join(sorted(r.status.value for r in records if r)) or "absent"

    @staticmethod
    def _longest_silence(report: CallReport) -> float:
        """Gaps between the end of one thing the caller hears and the start of the next.

        Each gap of half a second or more also goes into the timeline, so a reader sees it.
        """
        marks = (
            [START_MS]
            + [m for span in sorted(report.speech + report.away) for m in span]
            + [START_MS + int(report.total_wait_seconds * 1000)]
        )
        gaps = [(marks[i], marks[i + 1] - marks[i]) for i in range(0, len(marks) - 1, 2)]
        for begin, length in gaps:
            if length >= _NOTABLE_SILENCE_MS:
                report.events.append(Event(begin, "", f"... {length / 1000:.1f} s of silence"))
        report.events.sort(key=lambda e: e.at_ms)
        return max((length for _, length in gaps), default=0) / 1000


class _Call:
    """One call's state while its flows run; ``step`` executes one action and returns the next."""

    def __init__(
        self,
        simulator: CallSimulator,
        clock: VirtualClock,
        *,
        report: CallReport,
        scenario: Scenario,
        services: Mapping[str, Any],
        dispatcher: _ThreadDispatcher,
    ) -> None:
        self.simulator = simulator
        self.clock = clock
        self.report = report
        self.scenario = scenario
        self.services = services
        self.dispatcher = dispatcher
        self.external: dict[str, str] = {}
        self.attributes: dict[str, str] = dict(scenario.attributes)
        self.failing = {"check": scenario.failing_check_calls, "start": scenario.failing_start_calls}
        self.chain_ms = 0  # Lambda time since the last prompt
        self.words_per_second = (
            READING_WORDS_PER_SECOND if scenario.channel == "CHAT" else SPEECH_WORDS_PER_SECOND
        )
        self.ended = False
        # Per flow run (a module gets its own): loop counters and flow attributes.
        self.loops: dict[str, int] = {}
        self.flow_attributes: dict[str, str] = {}
        # What each action type does; the others (Set voice, ...) just pass on.
        self.handlers: dict[str, Callable[[str, str, Mapping[str, Any], Mapping[str, Any]], str | None]] = {
            "InvokeLambdaFunction": self._invoke,
            "MessageParticipant": self._message,
            "Compare": self._compare,
            "Loop": self._loop,
            "UpdateContactAttributes": self._set_attributes,
            "UpdateFlowAttributes": self._set_flow_attributes,
            "UpdateContactTargetQueue": self._set_queue,
            "InvokeFlowModule": self._invoke_module,
            "EndFlowModuleExecution": self._return_from_module,
            "Wait": self._wait,
            "DisconnectParticipant": self._end,
            "TransferContactToQueue": self._end,
        }

    def play(self) -> None:
        self._run_flow(self.simulator.flow, prefix="")
        self.report.total_wait_seconds = (self.clock.now_ms() - START_MS) / 1000
        self.report.contact_attributes = dict(self.attributes)

    def _run_flow(self, flow: Mapping[str, Any], prefix: str) -> None:
        actions = {a["Identifier"]: a for a in flow["Actions"]}
        current: str | None = flow["StartAction"]
        hang_up = self.scenario.hang_up_at_seconds
        while current and not self.ended:
            if hang_up is not None and self.clock.now_ms() - START_MS >= hang_up * 1000:
                self.report.events.append(Event(self.clock.now_ms(), "caller", "hangs up"))
                self.report.ending = "caller hung up"
                self.ended = True
                return
            self.report.path.append(prefix + current)
            try:
                current = self.step(current, actions[current])
            except _FlowModuleReturned:
                return

    def step(self, identifier: str, action: Mapping[str, Any]) -> str | None:
        kind = str(action.get("Type"))
        transitions: Mapping[str, Any] = action.get("Transitions") or {}
        parameters: Mapping[str, Any] = action.get("Parameters") or {}
        handler = self.handlers.get(kind)
        if handler is None:
            return _next(transitions)
        return handler(identifier, kind, parameters, transitions)

    # -- Lambda ------------------------------------------------------------------------------

    def _invoke(
        self, identifier: str, kind: str, parameters: Mapping[str, Any], transitions: Mapping[str, Any]
    ) -> str | None:
        function = self.simulator.functions[parameters["LambdaFunctionARN"]]
        limit_ms = int(float(parameters.get("InvocationTimeLimitSeconds", 8)) * 1000)
        report = self.report
        began = self.clock.now_ms()
        self.clock.sleep_ms(self.simulator.settings.invoke_overhead_ms)
        failed = self.failing.get(function, 0) > 0
        response: Mapping[str, str] = {}
        if failed:
            self.failing[function] -= 1
            report.invocations[function] = report.invocations.get(function, 0) + 1
            _bill(report, function, 1)
        else:
            service = self.services[function]
            self._note_parameters(function, parameters)
            # Connect's own retries of one block (start_deliveries) each run the handler in full.
            deliveries = self.scenario.start_deliveries if function == "start" else 1
            for _ in range(deliveries):
                handler_began = self.clock.now_ms()
                remaining_ms = limit_ms - (handler_began - began)
                response = service.handle(self._contact_event(parameters), remaining_ms)
                report.invocations[function] = report.invocations.get(function, 0) + 1
                if not getattr(service, "self_billed", False):
                    _bill(report, function, max(self.clock.now_ms() - handler_began, 1))
        elapsed = self.clock.now_ms() - began
        report.calls.append((function, began, self.clock.now_ms()))
        self.chain_ms += elapsed
        report.longest_lambda_chain_seconds = max(report.longest_lambda_chain_seconds, self.chain_ms / 1000)
        if elapsed > limit_ms:  # Connect gives up on the call: the error branch, whatever it returned
            report.limit_overruns.append(f"{identifier}: {elapsed} ms > {limit_ms} ms")
            failed = True
        if failed:
            report.events.append(
                Event(self.clock.now_ms(), function, "fails: the flow takes the error branch")
            )
            return _error_branch(transitions)
        self.external = dict(response)
        self._note_response(function, response)
        return _next(transitions)

    def _note_parameters(self, function: str, parameters: Mapping[str, Any]) -> None:
        """What the flow passes to start (the task's inputs), as the timeline shows it."""
        if function != "start":
            return
        sent = {
            k: self._resolve(str(v)) for k, v in (parameters.get("LambdaInvocationAttributes") or {}).items()
        }
        if sent:
            shown = ", ".join(f"{k}={v!r}" for k, v in sorted(sent.items()))
            self.report.events.append(Event(self.clock.now_ms(), "flow", f"start gets {shown}"))

    def _note_response(self, function: str, response: Mapping[str, str]) -> None:
        status = response.get(ResponseKey.STATUS, "")
        detail = (
            f'"{response.get(ResponseKey.PROGRESS_MESSAGE, "")}"'
            if status == ResponseStatus.IN_PROGRESS and response.get(ResponseKey.PROGRESS_MESSAGE)
            else response.get(ResponseKey.ERROR_CODE, "")
        )
        now = self.clock.now_ms()
        self.report.events.append(Event(now, function, f"-> {status} {detail}".rstrip()))
        finished = self.dispatcher.finished_at_ms
        final = status in (ResponseStatus.COMPLETED, ResponseStatus.FAILED)
        if final and finished is not None and self.report.detection_latency_ms is None:
            self.report.detection_latency_ms = now - finished

    def _contact_event(self, parameters: Mapping[str, Any]) -> dict[str, Any]:
        invocation_attributes = parameters.get("LambdaInvocationAttributes") or {}
        return {
            "Name": "ContactFlowEvent",
            "Details": {
                "ContactData": {
                    "ContactId": CONTACT_ID,
                    "InitialContactId": CONTACT_ID,
                    "Channel": self.scenario.channel,
                    "Attributes": dict(self.attributes),
                },
                "Parameters": {k: self._resolve(str(v)) for k, v in invocation_attributes.items()},
            },
        }

    # -- prompts -----------------------------------------------------------------------------

    def _message(
        self, identifier: str, kind: str, parameters: Mapping[str, Any], transitions: Mapping[str, Any]
    ) -> str | None:
        began = self.clock.now_ms()
        voice_only = [p for p in _VOICE_ONLY_PROMPTS if p in parameters]
        if voice_only and self.scenario.channel != "VOICE":
            self.report.voice_only_prompts_on_chat.append(f"{identifier}: {voice_only[0]}")
            self.report.events.append(Event(began, "flow", f"cannot send a {voice_only[0]} prompt to chat"))
            return _error_branch(transitions)
        verb = "reads" if self.scenario.channel == "CHAT" else "hears"
        settings = self.simulator.settings
        if "PromptId" in parameters:
            self.report.events.append(Event(began, "caller", f"{verb} the recorded prompt"))
            self.clock.sleep_ms(int(settings.hold_prompt_seconds * 1000))
        else:
            text = _REFERENCE.sub(lambda m: self._resolve(m.group(0)), str(parameters.get("Text", "")))
            self.report.events.append(Event(began, "caller", f'{verb} "{text}"'))
            self.report.spoken.append(text)
            if self.scenario.channel == "VOICE" and settings.hold_message and text == settings.hold_message:
                # The operator's measure of the hold message, as the timing plan counts it.
                self.clock.sleep_ms(int(settings.hold_prompt_seconds * 1000))
            else:
                self.clock.sleep_ms(int(max(len(text.split()), 1) / self.words_per_second * 1000))
        self.report.speech.append((began, self.clock.now_ms()))
        self.chain_ms = 0  # a prompt between Lambda calls ends the chain
        return _next(transitions)

    def _wait(
        self, identifier: str, kind: str, parameters: Mapping[str, Any], transitions: Mapping[str, Any]
    ) -> str | None:
        limit_ms = int(float(parameters.get("TimeoutSeconds", 0)) * 1000)
        returns = self.scenario.customer_returns_at_seconds
        waited_ms = limit_ms
        outcome = "WaitCompleted"
        if returns is not None and "CustomerReturned" in parameters.get("Events", []):
            due_ms = START_MS + int(returns * 1000) - self.clock.now_ms()
            if due_ms <= limit_ms:
                waited_ms, outcome = max(due_ms, 0), "CustomerReturned"
        began = self.clock.now_ms()
        self.clock.sleep_ms(waited_ms)
        self.report.away.append((began, self.clock.now_ms()))
        self.report.events.append(Event(self.clock.now_ms(), "flow", f"wait ends: {outcome}"))
        return _condition(transitions, outcome) or _next(transitions)

    # -- flow control ------------------------------------------------------------------------

    def _compare(
        self, identifier: str, kind: str, parameters: Mapping[str, Any], transitions: Mapping[str, Any]
    ) -> str | None:
        value = self._resolve(str(parameters.get("ComparisonValue", "")))
        return (
            _condition(transitions, value)
            or _error_branch(transitions, "NoMatchingCondition")
            or _next(transitions)
        )

    def _loop(
        self, identifier: str, kind: str, parameters: Mapping[str, Any], transitions: Mapping[str, Any]
    ) -> str | None:
        count = self.loops.get(identifier, 0)
        done = count >= int(float(parameters.get("LoopCount", 0)))
        self.loops[identifier] = 0 if done else count + 1  # the counter resets when done
        return _condition(transitions, "DoneLooping" if done else "ContinueLooping")

    def _set_attributes(
        self, identifier: str, kind: str, parameters: Mapping[str, Any], transitions: Mapping[str, Any]
    ) -> str | None:
        values = {k: self._resolve(str(v)) for k, v in (parameters.get("Attributes") or {}).items()}
        self.attributes.update(values)  # all or nothing, as in Connect
        return _next(transitions)

    def _set_flow_attributes(
        self, identifier: str, kind: str, parameters: Mapping[str, Any], transitions: Mapping[str, Any]
    ) -> str | None:
        for key, value in (parameters.get("FlowAttributes") or {}).items():
            self.flow_attributes[key] = self._resolve(str(value.get("Value", "")))
        return _next(transitions)

    def _set_queue(
        self, identifier: str, kind: str, parameters: Mapping[str, Any], transitions: Mapping[str, Any]
    ) -> str | None:
        self.report.target_queue = str(parameters.get("QueueId"))
        return _next(transitions)

    def _invoke_module(
        self, identifier: str, kind: str, parameters: Mapping[str, Any], transitions: Mapping[str, Any]
    ) -> str | None:
        module = self.simulator.modules.get(str(parameters.get("FlowModuleId")))
        if module is None:
            self.report.events.append(Event(self.clock.now_ms(), "flow", "unknown flow module"))
            return _error_branch(transitions)
        # A module run has its own loop counters and flow attributes.
        saved = (self.loops, self.flow_attributes)
        self.loops, self.flow_attributes = {}, {}
        try:
            self._run_flow(module, prefix=f"{identifier}/")
        finally:
            self.loops, self.flow_attributes = saved
        if self.ended:
            return None
        # Without a declared result branch the module continues at NextAction.
        return _next(transitions) or _error_branch(transitions, "NoMatchingCondition")

    def _return_from_module(
        self, identifier: str, kind: str, parameters: Mapping[str, Any], transitions: Mapping[str, Any]
    ) -> str | None:
        raise _FlowModuleReturned

    def _end(
        self, identifier: str, kind: str, parameters: Mapping[str, Any], transitions: Mapping[str, Any]
    ) -> str | None:
        self.report.ending = "disconnected" if kind == "DisconnectParticipant" else "transferred to a queue"
        self.report.events.append(Event(self.clock.now_ms(), "flow", self.report.ending))
        self.ended = True
        return None

    def _resolve(self, value: str) -> str:
        """A whole-value reference, or a literal."""
        if value == "$.Channel":
            return self.scenario.channel
        match = _REFERENCE.fullmatch(value)
        if not match:
            return value
        scope = {
            "External": self.external,
            "Attributes": self.attributes,
            "FlowAttributes": self.flow_attributes,
        }
        return scope[match.group(1)].get(match.group(2), "")


def _bill(report: CallReport, function: str, ms: int) -> None:
    report.billed_ms[function] = report.billed_ms.get(function, 0) + ms


def _load(flow: str | Mapping[str, Any]) -> Mapping[str, Any]:
    loaded: Mapping[str, Any] = json.loads(flow) if isinstance(flow, str) else flow
    return loaded


def _next(transitions: Mapping[str, Any]) -> str | None:
    target = transitions.get("NextAction")
    return str(target) if target else None


def _condition(transitions: Mapping[str, Any], value: str) -> str | None:
    for branch in transitions.get("Conditions", []):
        if value in branch["Condition"]["Operands"]:
            return str(branch["NextAction"])
    return None


def _error_branch(transitions: Mapping[str, Any], error_type: str = "NoMatchingError") -> str | None:
    for branch in transitions.get("Errors", []):
        if branch.get("ErrorType") == error_type:
            return str(branch["NextAction"])
    return None


class _ThreadDispatcher:
    """start's asynchronous invocation: each delivery runs the worker as a participant on the clock."""

    def __init__(
        self,
        clock: VirtualClock,
        *,
        timeout_ms: int,
        report: CallReport,
        deliveries: int,
        invoke_ms: int,
    ) -> None:
        self._clock = clock
        self._invoke_ms = invoke_ms
        self.worker: WorkerService | None = None
        self._timeout_ms = timeout_ms
        self._report = report
        self._deliveries = deliveries
        self._threads: list[threading.Thread] = []
        self.finished_at_ms: int | None = None

    def dispatch(self, job: WorkerJob, *, give_up_at_ms: int) -> None:
        self._clock.sleep_ms(self._invoke_ms)
        for _ in range(self._deliveries):
            self._deliver(job)

    def _deliver(self, job: WorkerJob) -> None:
        name = f"worker-{len(self._threads) + 1}"

        def run() -> None:
            # Lambda retries an invocation that failed (a crash included) after 1 and then 2
            # more minutes, with the same event: the worker must not run the task again.
            for retry, delay_s in enumerate((0, *LAMBDA_RETRY_DELAYS_SECONDS)):
                self._clock.sleep_ms(delay_s * 1000)
                label = name if retry == 0 else f"{name} (Lambda's retry {retry})"
                if not self._invoke_once(job, name, label):
                    return
            self._report.events.append(
                Event(
                    self._clock.now_ms(),
                    "worker",
                    f"{name}: retries spent, the event goes to the dead-letter queue",
                )
            )
            self._report.dead_lettered += 1

        self.spawn(name, run)

    def _invoke_once(self, job: WorkerJob, name: str, label: str) -> bool:
        """One invocation of the worker; True when it failed (Lambda will retry the event)."""
        invocation = _Invocation(name, self._clock, self._timeout_ms)
        began = self._clock.now_ms()
        self._report.events.append(Event(began, "worker", f"{label} starts"))
        if self.worker is None:
            raise RuntimeError("the dispatcher has no worker")
        try:
            outcome = self.worker.handle(job.to_payload(), invocation)
        except _WorkerCrashed:
            now = self._clock.now_ms()
            self._report.events.append(Event(now, "worker", f"{label} crashes (no update, ever)"))
            if self.finished_at_ms is None:
                self.finished_at_ms = now  # detection latency counts from the worker's death
            return True
        except LostRunError:
            self._report.events.append(
                Event(
                    self._clock.now_ms(),
                    "worker",
                    f"{label}: the run's worker was lost; worker_lost, not run again",
                )
            )
            return True
        finally:
            self._report.worker_runs.append((label, began, self._clock.now_ms()))
        if self.finished_at_ms is None and outcome.value in ("completed", "failed"):
            self.finished_at_ms = self._clock.now_ms()
        self._report.events.append(Event(self._clock.now_ms(), "worker", f"{label} ends: {outcome.value}"))
        return False

    def spawn(self, name: str, body: Callable[[], None]) -> None:
        """Run ``body`` in its own thread, as a participant on the clock, until it returns."""
        registered = threading.Event()

        def participant() -> None:
            with self._clock.participant():
                registered.set()
                body()

        thread = threading.Thread(target=participant, name=name, daemon=True)
        self._threads.append(thread)
        thread.start()
        # It must be a participant before the caller sleeps again, or time would skip it.
        registered.wait(timeout=10)

    @contextmanager
    def keep_alive(self, lease: Lease) -> Iterator[None]:
        """The worker's lease renewal as another participant on the clock (Lambda: a thread).
        When the worker dies, so does this: the lease lapses, as it would in Lambda."""
        stopped = threading.Event()

        def beat() -> None:
            while True:
                self._clock.sleep_ms(lease.interval_ms)
                if stopped.is_set() or lease.done:
                    return
                lease.tick()

        self.spawn("lease", beat)
        try:
            yield
        finally:
            stopped.set()

    def join_all(self) -> None:
        # The flow has ended: its thread stays a participant by sleeping until the workers are done.
        while any(t.is_alive() for t in self._threads):
            self._clock.sleep_ms(1000)
