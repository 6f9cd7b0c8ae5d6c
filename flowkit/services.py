"""The AWS side of a simulated call: the runtime's own services on moto, and the latency model.

start, check and the worker are the runtime's services (connect_async.start, .check, .worker),
configured from the environment the module gives each function (``Deployment``: modules/plan's
``functions`` output, or the settings schema's defaults), exactly as the Lambda handlers read it.
Every DynamoDB call is counted and takes ``LatencyModel.dynamodb_call_ms`` on the virtual clock;
start's asynchronous invoke runs the worker in another participant on the same clock.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Final, Protocol

from botocore.exceptions import ClientError, ReadTimeoutError

from connect_async.aws import dynamodb_client
from connect_async.check import CheckService
from connect_async.config import CheckSettings, EnvVar, LookupSettings, StartSettings, WorkerSettings
from connect_async.config_table import ConfigTable
from connect_async.contract import Attr, ConfigField
from connect_async.dispatch import EXECUTION_ATTEMPT_FIELD, execution_name
from connect_async.events import WorkerJob
from connect_async.lease import Lease
from connect_async.lookup import LookupService
from connect_async.retry import FLOW_CALL_RETRY, WORKER_RETRY
from connect_async.settings import environments, setting
from connect_async.start import StartService
from connect_async.tasks import TaskContext
from connect_async.tracker import TrackerTable
from connect_async.worker import LostRunError, WorkerService
from flowkit.clock import VirtualClock
from flowkit.report import CallReport, Event
from flowkit.states import StateMachineRunner, Steps

__all__ = [
    "FUNCTIONS",
    "LAMBDA_RETRY_DELAYS_SECONDS",
    "Deployment",
    "FlowFunction",
    "Kit",
    "LatencyModel",
    "ThreadDispatcher",
    "WorkerCrashed",
    "create_config_table",
    "create_tracker_table",
    "wire_services",
]

FUNCTIONS: Final = ("start", "check", "worker", "lookup")
# How the configuration table behaves on a call: answers, throttles every request, hangs until
# the client's read timeout cuts each request, or does not exist.
CONFIG_TABLE_BEHAVIOURS: Final = ("ok", "throttled", "slow", "missing")
# Lambda's asynchronous retries of a failed invocation (documented: after 1, then 2 minutes).
LAMBDA_RETRY_DELAYS_SECONDS: Final = (60, 120)


@dataclass(frozen=True)
class LatencyModel:
    """Time the simulator charges for what happens outside the handlers' own code."""

    # Connect -> Lambda -> Connect round trip of a warm invocation, outside the handler.
    invoke_overhead_ms: int = 30
    # One DynamoDB request from a Lambda in the same Region.
    dynamodb_call_ms: int = 5
    # start's asynchronous Invoke of the worker (the API call, not the worker's run).
    async_invoke_ms: int = 15


def _default_memory() -> dict[str, int]:
    return {fn: int(setting(f"memory_size.{fn}").default) for fn in FUNCTIONS}


@dataclass(frozen=True)
class Deployment:
    """What the module deploys, as a call meets it.

    ``environment`` is each function's settings environment (modules/plan's ``functions``
    output); an unset variable is the settings schema's default, as in the functions themselves.
    """

    environment: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    worker_timeout_seconds: int = int(setting("worker_timeout_seconds").default)
    memory_mb: Mapping[str, int] = field(default_factory=_default_memory)
    # How long the hold message plays on voice, recorded (PromptId) or spoken text equal to
    # hold_message: the module's hold_prompt_seconds, which the timing plan counts loops with.
    hold_prompt_seconds: float = float(setting("hold_prompt_seconds").default)
    hold_message: str = ""
    table_name: str = "simulated-tracker"
    latency: LatencyModel = LatencyModel()
    # backend = "step_functions": the wrapped definition the module deploys (modules/plan's
    # state_machine output); None runs the worker function.
    state_machine: Mapping[str, Any] | None = None
    # config_lookup: the configuration table's items (DynamoDB JSON by key, modules/plan's
    # config_items output), which create_config_table writes.
    config_table_name: str = "simulated-config"
    config_items: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def with_settings(cls, *, table_name: str = "simulated-tracker", **values: object) -> Deployment:
        """The schema's defaults, but for these settings (by schema name, ``result_keys`` too),
        each put in the environment of every function that reads it."""
        result_keys = values.pop("result_keys", ())
        lambda_settings = {
            name: values.pop(name)
            for name in ("worker_timeout_seconds", "hold_prompt_seconds")
            if name in values
        }
        environment = environments(values)
        if result_keys:
            environment["check"][EnvVar.RESULT_KEYS] = ",".join(map(str, result_keys))  # type: ignore[call-overload]
        return cls(
            environment=environment,
            worker_timeout_seconds=int(
                str(lambda_settings.get("worker_timeout_seconds", cls.worker_timeout_seconds))
            ),
            hold_prompt_seconds=float(
                str(lambda_settings.get("hold_prompt_seconds", cls.hold_prompt_seconds))
            ),
            table_name=table_name,
        )

    @classmethod
    def from_plan(
        cls,
        functions: Mapping[str, Any],
        timing: Mapping[str, Any],
        call: Mapping[str, Any],
        state_machine: Mapping[str, Any] | None = None,
        config_items: Mapping[str, str] | None = None,
    ) -> Deployment:
        """From modules/plan's outputs ``functions``, ``timing``, ``call``, ``state_machine`` and
        ``config_items``."""
        return cls(
            config_items=dict(config_items or {}),
            state_machine=json.loads(state_machine["definition"]) if state_machine else None,
            environment={
                fn: {str(k): str(v) for k, v in functions[fn]["environment"].items()} for fn in FUNCTIONS
            },
            worker_timeout_seconds=int(functions["worker"]["timeout"]),
            memory_mb={fn: int(functions[fn]["memory_size"]) for fn in FUNCTIONS},
            hold_prompt_seconds=float(timing["hold_prompt_seconds"]),
            hold_message=str(call["hold_message"]),
        )

    def env(self, function: str, **wiring: str) -> dict[str, str]:
        """A function's environment as Lambda would give it: the settings, and the wiring names."""
        return {**self.environment.get(function, {}), **wiring}


def create_config_table(deployment: Deployment, client: Any = None) -> None:
    """The configuration table as the module creates it, holding the deployment's items."""
    client = client or dynamodb_client()
    name = deployment.config_table_name
    client.create_table(
        TableName=name,
        KeySchema=[{"AttributeName": ConfigField.KEY.value, "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": ConfigField.KEY.value, "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    for item in deployment.config_items.values():
        client.put_item(TableName=name, Item=json.loads(item))


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


class WorkerCrashed(BaseException):
    """A scripted worker dies after claiming the run: nothing is ever written again."""


def wire_services(
    deployment: Deployment,
    clock: VirtualClock,
    report: CallReport,
    *,
    task_loader: Callable[[str], Callable[[TaskContext], object]],
    worker_deliveries: int,
    custom_functions: Mapping[str, Callable[[Kit], FlowFunction]],
    steps: Steps | None = None,
    config_table: str = "ok",
) -> tuple[dict[str, FlowFunction], ThreadDispatcher]:
    """start, check, lookup (and any plugged-in functions) for the flow, and the dispatcher that
    runs the worker, all against one counted DynamoDB client."""
    latency = deployment.latency
    client = dynamodb_client()

    def dynamodb_call(model: Any, **_: Any) -> None:
        if model.name == "GetItem":
            report.dynamodb_reads += 1
        elif model.name in ("UpdateItem", "PutItem"):
            report.dynamodb_writes += 1
        clock.sleep_ms(latency.dynamodb_call_ms)

    client.meta.events.register("before-call.dynamodb", dynamodb_call)
    table = {EnvVar.TRACKER_TABLE_NAME.value: deployment.table_name}
    dispatcher = ThreadDispatcher(
        clock,
        timeout_ms=deployment.worker_timeout_seconds * 1000,
        report=report,
        deliveries=worker_deliveries,
        invoke_ms=latency.async_invoke_ms,
    )
    if deployment.state_machine is not None:
        dispatcher.state_machine = StateMachineRunner(
            deployment.state_machine,
            clock=clock,
            dynamodb=client,
            steps=steps(clock) if steps else {},
            spawn=dispatcher.spawn,
        )
    dispatcher.worker = WorkerService(
        WorkerSettings.from_env(deployment.env("worker", **table, TASK_HANDLER="simulated:task")),
        TrackerTable(client, deployment.table_name, clock=clock, retry_policy=WORKER_RETRY),
        clock,
        task_loader=task_loader,
        keep_alive=dispatcher.keep_alive,
    )
    tracker = TrackerTable(client, deployment.table_name, clock=clock, retry_policy=FLOW_CALL_RETRY)
    start = StartService(
        StartSettings.from_env(deployment.env("start", **table, WORKER_FUNCTION_NAME="simulated-worker")),
        tracker,
        dispatcher,
        clock,
    )
    check = CheckService(CheckSettings.from_env(deployment.env("check", **table)), tracker, clock)
    kit = Kit(
        clock=clock,
        dynamodb=client,
        table_name=deployment.table_name,
        spawn=dispatcher.spawn,
        bill=report.bill,
    )
    services: dict[str, FlowFunction] = {
        "start": start,
        "check": check,
        "lookup": _lookup_service(deployment, clock, report, config_table),
    }
    services.update({name: build(kit) for name, build in custom_functions.items()})
    return services, dispatcher


def _lookup_service(
    deployment: Deployment, clock: VirtualClock, report: CallReport, behaviour: str
) -> LookupService:
    """The lookup on its own client (as in Lambda: read timeouts of half its budget), counted
    like the others, and failing as ``behaviour`` says."""
    if behaviour not in CONFIG_TABLE_BEHAVIOURS:
        raise ValueError(f"config_table must be one of {', '.join(CONFIG_TABLE_BEHAVIOURS)}")
    settings = LookupSettings.from_env(
        deployment.env("lookup", **{EnvVar.CONFIG_TABLE_NAME.value: deployment.config_table_name})
    )
    client = dynamodb_client()
    read_timeout_ms = max(settings.budget_ms // 2, 100)

    def table_call(model: Any, **_: Any) -> None:
        report.config_requests += 1
        clock.sleep_ms(deployment.latency.dynamodb_call_ms)
        if behaviour == "throttled":
            raise ClientError(
                {"Error": {"Code": "ProvisionedThroughputExceededException", "Message": "throttled"}},
                model.name,
            )
        if behaviour == "slow":  # the request hangs: the client's read timeout cuts it
            clock.sleep_ms(read_timeout_ms)
            raise ReadTimeoutError(endpoint_url="https://dynamodb.eu-west-2.amazonaws.com")

    client.meta.events.register("before-call.dynamodb", table_call)
    table_name = deployment.config_table_name if behaviour != "missing" else "no-such-table"
    table = ConfigTable(client, table_name, clock=clock, retry_policy=FLOW_CALL_RETRY)
    return LookupService(settings=settings, table=table, clock=clock)


class _Invocation:
    """The Lambda context the worker sees: its request id and remaining time on the clock."""

    def __init__(self, request_id: str, clock: VirtualClock, timeout_ms: int) -> None:
        self.aws_request_id = request_id
        self._clock = clock
        self._end = clock.now_ms() + timeout_ms

    def get_remaining_time_in_millis(self) -> int:
        return max(self._end - self._clock.now_ms(), 0)


class ThreadDispatcher:
    """start's asynchronous invocation: each delivery runs the worker as a participant on the
    clock; with a state machine (backend "step_functions"), one execution per run attempt."""

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
        self.state_machine: StateMachineRunner | None = None
        self._executions: set[str] = set()
        self._timeout_ms = timeout_ms
        self._report = report
        self._deliveries = deliveries
        self._threads: list[threading.Thread] = []
        self.finished_at_ms: int | None = None

    def dispatch(self, job: WorkerJob, *, give_up_at_ms: int) -> None:
        self._clock.sleep_ms(self._invoke_ms)
        if self.state_machine is not None:
            self._execute(job, self.state_machine)
            return
        for _ in range(self._deliveries):
            self._deliver(job)

    def _execute(self, job: WorkerJob, machine: StateMachineRunner) -> None:
        """StartExecution: a name already used for this run attempt starts nothing."""
        name = execution_name(job)
        if name in self._executions:
            return
        self._executions.add(name)
        execution_id = f"arn:aws:states:eu-west-2:123456789012:execution:simulated-task:{name}"

        def run() -> None:
            began = self._clock.now_ms()
            self._report.events.append(Event(began, "steps", "the state machine's execution starts"))
            self._report.task_runs += 1
            result = machine.run(
                {**job.to_payload(), EXECUTION_ATTEMPT_FIELD: str(job.attempt)}, execution_id
            )
            ended = self._clock.now_ms()
            self._report.worker_runs.append(("execution", began, ended))
            self._report.state_transitions = len(machine.visited)
            if self.finished_at_ms is None:
                self.finished_at_ms = ended
            path = " > ".join(machine.visited)
            self._report.events.append(Event(ended, "steps", f"the execution ends: {result.status} ({path})"))

        self.spawn("execution", run)

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
        except WorkerCrashed:
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
