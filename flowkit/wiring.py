"""The AWS side of a simulated call, wired: the runtime's own services (connect_async.start,
.check, .worker, .lookup) on moto, configured from the environment the module gives each function
(``Deployment``), exactly as the Lambda handlers read it. Every DynamoDB call is counted and takes
``LatencyModel.dynamodb_call_ms`` on the virtual clock; start's asynchronous invoke goes through
the emulated queue (``flowkit.lambda_queue``)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from contextlib import nullcontext
from dataclasses import dataclass
from typing import Any, Final, Protocol

from botocore.exceptions import ClientError, ReadTimeoutError

from connect_async.check import CheckService
from connect_async.config import (
    CheckSettings,
    EnvVar,
    LookupSettings,
    ReconcilerSettings,
    StartSettings,
    WorkerSettings,
)
from connect_async.config_table import ConfigTable
from connect_async.lease import read_timeout_seconds
from connect_async.lookup import LookupService
from connect_async.reconcile import ReconcileService
from connect_async.retry import FLOW_CALL_RETRY, WORKER_RETRY
from connect_async.start import StartService
from connect_async.tasks import Reconcile, TaskContext, load_reconcile
from connect_async.tracker import TrackerTable
from connect_async.worker import WorkerService
from flowkit.clock import VirtualClock
from flowkit.deployment import Deployment
from flowkit.dynamodb import DynamoDB
from flowkit.faults import DynamoDBFault, FaultInjector
from flowkit.lambda_queue import ThreadDispatcher
from flowkit.report import CallReport
from flowkit.states import StateMachineRunner, Steps

__all__ = ["CONFIG_TABLE_BEHAVIOURS", "SIMULATED_STATE_MACHINE_ARN", "FlowFunction", "Kit", "wire_services"]

SIMULATED_STATE_MACHINE_ARN: Final = "arn:aws:states:eu-west-2:123456789012:stateMachine:simulated-task"
SIMULATED_UNRECONCILED_QUEUE_URL: Final = (
    "https://sqs.eu-west-2.amazonaws.com/123456789012/simulated-unreconciled"
)

# How the configuration table behaves on a call: answers, throttles every request, hangs until
# the client's read timeout cuts each request, or does not exist.
CONFIG_TABLE_BEHAVIOURS: Final = ("ok", "throttled", "slow", "missing")


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
    # The plugged-in work is done now: detection and answer latency count from here (the
    # module's worker tells the simulator itself).
    work_done: Callable[[], None]


def wire_services(
    deployment: Deployment,
    clock: VirtualClock,
    report: CallReport,
    *,
    task_loader: Callable[[str], Callable[[TaskContext], object]],
    worker_deliveries: int,
    custom_functions: Mapping[str, Callable[[Kit], FlowFunction]],
    dynamodb: DynamoDB,
    steps: Steps | None = None,
    config_table: str = "ok",
    dynamodb_faults: Sequence[DynamoDBFault] = (),
    invoke_faults: Sequence[str] = (),
    reconcile_loader: Callable[[str], Reconcile] = load_reconcile,
) -> tuple[dict[str, FlowFunction], ThreadDispatcher]:
    """start, check, lookup (and any plugged-in functions) for the flow, and the dispatcher that
    runs the worker, each function on its own counted DynamoDB client (a plugged-in function on
    start's), failing where ``dynamodb_faults`` say; ``invoke_faults`` fail start's invoke attempts."""
    latency = deployment.latency
    table = {EnvVar.TRACKER_TABLE_NAME.value: deployment.table_name}
    worker_settings = WorkerSettings.from_env(
        deployment.env("worker", **table, TASK_HANDLER="simulated:task")
    )
    # The worker's client times out sooner with a short lease, as in Lambda (handlers/worker.py).
    timeouts_ms = {"worker": int(read_timeout_seconds(worker_settings.worker_lease_ms) * 1000)}
    injector = FaultInjector(dynamodb_faults, clock, report, timeouts_ms)

    def client_of(function: str) -> Any:
        """``function``'s own client (as each Lambda function has one): counted, timed, and
        failed where a fault names it."""

        def before(operation: str) -> None:
            if operation == "GetItem":
                report.dynamodb_reads += 1
            elif operation in ("UpdateItem", "PutItem"):
                report.dynamodb_writes += 1
            clock.sleep_ms(latency.dynamodb_call_ms)
            injector.before(function, operation)

        return dynamodb.client(
            before_call=before, after_call=lambda operation: injector.after(function, operation)
        )

    client, worker_client = client_of("start"), client_of("worker")
    dispatcher = ThreadDispatcher(
        clock,
        timeout_ms=deployment.worker_timeout_seconds * 1000,
        report=report,
        deliveries=worker_deliveries,
        invoke_ms=latency.async_invoke_ms,
        invoke_faults=invoke_faults,
    )
    if deployment.state_machine is not None:
        dispatcher.state_machine = StateMachineRunner(
            deployment.state_machine,
            clock=clock,
            dynamodb=worker_client,
            steps=steps(clock) if steps else {},
            spawn=dispatcher.spawn,
        )
    dispatcher.worker = WorkerService(
        worker_settings,
        TrackerTable(worker_client, deployment.table_name, clock=clock, retry_policy=WORKER_RETRY),
        clock,
        task_loader=task_loader,
        keep_alive=dispatcher.keep_alive,
    )
    if deployment.reconciler_timeout_seconds:
        dispatcher.reconciler = _reconciler(deployment, clock, client_of("reconciler"), reconcile_loader)
        dispatcher.reconciler_timeout_ms = deployment.reconciler_timeout_seconds * 1000
        dispatcher.max_receives = deployment.reconciler_max_receives
    # What the module gives start: the worker's name, or the state machine's ARN (backend
    # step_functions; start then writes no claim bound, as StartExecution is synchronous).
    runs_on = (
        {EnvVar.STATE_MACHINE_ARN.value: SIMULATED_STATE_MACHINE_ARN}
        if deployment.state_machine is not None
        else {EnvVar.WORKER_FUNCTION_NAME.value: "simulated-worker"}
    )
    start = StartService(
        StartSettings.from_env(deployment.env("start", **table, **runs_on)),
        TrackerTable(client, deployment.table_name, clock=clock, retry_policy=FLOW_CALL_RETRY),
        dispatcher,
        clock,
    )
    check = CheckService(
        CheckSettings.from_env(deployment.env("check", **table)),
        TrackerTable(client_of("check"), deployment.table_name, clock=clock, retry_policy=FLOW_CALL_RETRY),
        clock,
    )
    kit = Kit(
        clock=clock,
        dynamodb=client,
        table_name=deployment.table_name,
        spawn=dispatcher.spawn,
        bill=report.bill,
        work_done=dispatcher.work_done,
    )
    services: dict[str, FlowFunction] = {
        "start": start,
        "check": check,
        "lookup": _lookup_service(deployment, dynamodb, clock, report, config_table),
    }
    services.update({name: build(kit) for name, build in custom_functions.items()})
    return services, dispatcher


def _reconciler(
    deployment: Deployment, clock: VirtualClock, client: Any, loader: Callable[[str], Reconcile]
) -> ReconcileService:
    """The reconciler as the module deploys it; what it parks is only reported (its events)."""
    settings = ReconcilerSettings.from_env(
        deployment.env(
            "reconciler",
            **{
                EnvVar.TRACKER_TABLE_NAME.value: deployment.table_name,
                EnvVar.UNRECONCILED_QUEUE_URL.value: SIMULATED_UNRECONCILED_QUEUE_URL,
            },
        )
    )
    tracker = TrackerTable(client, deployment.table_name, clock=clock, retry_policy=WORKER_RETRY)
    # The reconcile function runs on the virtual clock: no real-time alarm.
    return ReconcileService(
        settings,
        tracker,
        clock,
        park=lambda body, reason: None,
        loader=loader,
        time_limit=lambda _: nullcontext(),
    )


def _lookup_service(
    deployment: Deployment, dynamodb: DynamoDB, clock: VirtualClock, report: CallReport, behaviour: str
) -> LookupService:
    """The lookup on its own client (as in Lambda: read timeouts of half its budget), counted
    like the others, and failing as ``behaviour`` says."""
    if behaviour not in CONFIG_TABLE_BEHAVIOURS:
        raise ValueError(f"config_table must be one of {', '.join(CONFIG_TABLE_BEHAVIOURS)}")
    settings = LookupSettings.from_env(
        deployment.env("lookup", **{EnvVar.CONFIG_TABLE_NAME.value: deployment.config_table_name})
    )
    read_timeout_ms = max(settings.lookup_budget_ms // 2, 100)

    def table_call(operation: str) -> None:
        report.config_requests += 1
        clock.sleep_ms(deployment.latency.dynamodb_call_ms)
        if behaviour == "throttled":
            raise ClientError(
                {"Error": {"Code": "ProvisionedThroughputExceededException", "Message": "throttled"}},
                operation,
            )
        if behaviour == "slow":  # the request hangs: the client's read timeout cuts it
            clock.sleep_ms(read_timeout_ms)
            raise ReadTimeoutError(endpoint_url="https://dynamodb.eu-west-2.amazonaws.com")

    client = dynamodb.client(before_call=table_call)
    table_name = deployment.config_table_name if behaviour != "missing" else "no-such-table"
    table = ConfigTable(client, table_name, clock=clock, retry_policy=FLOW_CALL_RETRY)
    return LookupService(settings=settings, table=table, clock=clock)
