"""Test your own task the way the module runs it: no AWS account, no private fields.

    from connect_async.testing import play, run_task

    def test_the_transfer_completes() -> None:
        run = run_task(transfers.run, parameters={"amount": "120.00", "to_account": "GB33..."})
        assert run.status == "completed"
        assert run.result["reference"].startswith("TX")

    def test_the_flow_hears_insufficient_funds() -> None:
        call = play(transfers.run, parameters={"amount": "99999"}, settings={"check_budget_ms": 0})
        assert (call.final["status"], call.final["error_code"]) == ("failed", "insufficient_funds")

    def test_a_lost_transfer_is_reconciled_once() -> None:
        done = reconcile_lost_run(transfers.reconcile, parameters={"amount": "120.00"}, deliveries=2)
        assert done.outcomes == ["reconciled", "already_reconciled"]
        assert done.status == "reconciled" and done.lost_run.error_code == "worker_lost"

``run_task`` runs one task function as the worker runs it: its time budget (the worker's
timeout less its safety margin), retries of ``TransientError`` (``task_retry_attempts``),
progress reports, the result's validation (flat strings, ``max_result_bytes``) and the error
codes; it returns the run's final record as a ``TaskRun``. ``play`` goes through start, the
worker and check, as the flow calls them, and returns what the flow read (``Call``).
``reconcile_lost_run`` makes a run whose worker dies mid-task, lets Lambda's retry record it
lost, and hands its dead-lettered event to the reconciler with your reconcile function
(``Reconciliation``).

Both run the runtime's own code against an emulated DynamoDB (moto) on a virtual clock:
``context.sleep`` returns at once, and the budget counts virtual time. Settings are named as in
the module (the settings schema: ``check_budget_ms``, ``task_retry_attempts``, ...), and
unnamed ones are the module's defaults. Needs moto: ``pip install "connect-async-lambda[testing]"``.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, nullcontext, suppress
from dataclasses import dataclass, field, replace
from typing import Any, Final

import boto3

from connect_async.check import CheckService
from connect_async.config import CheckSettings, EnvVar, ReconcilerSettings, StartSettings, WorkerSettings
from connect_async.contract import Attr
from connect_async.events import WorkerJob
from connect_async.lease import no_background_renewal
from connect_async.reconcile import ReconcileService, invocation_record
from connect_async.retry import RetryPolicy
from connect_async.runs import TrackerRecord
from connect_async.settings import SETTINGS, environments, setting
from connect_async.start import StartService
from connect_async.tasks import LostRun, Task, TaskContext
from connect_async.tracker import TrackerTable
from connect_async.worker import LostRunError, WorkerService

__all__ = ["Call", "Reconciliation", "TaskRun", "play", "reconcile_lost_run", "run_task"]

_REGION: Final = "us-east-1"
_START_MS: Final = 1_767_225_600_000  # 2026-01-01T00:00:00Z: a fixed, readable start
# Retries against the emulator need no waiting.
_NO_WAIT: Final = RetryPolicy(max_attempts=3, base_delay_ms=1, max_delay_ms=1)
_tables = itertools.count(1)
# Each call is a new contact, as on a real line: a task that derives keys from the run's id (an
# idempotency key, say) sees a new one each time.
_contacts = itertools.count(1)


@dataclass(frozen=True)
class TaskRun:
    """A run's final record, as the worker left it, and what the task did on the way."""

    status: str  # "completed" or "failed" ("in_progress" only if the worker never finished it)
    result: Mapping[str, str]  # as the flow reads it (every value a string)
    error_code: str
    error_message: str
    # Every progress report, in order: (percent, message).
    progress: list[tuple[int, str]]
    # How often the task function was called (1, or more when TransientError was retried).
    task_calls: int
    # Virtual seconds from the claim to the end of the run.
    elapsed_seconds: float
    record: TrackerRecord


@dataclass(frozen=True)
class Call:
    """What the flow read: start's answer, check's answer while the task ran, and check's answer
    once it was done (``final``), each the flat string map the flow sees as ``$.External``."""

    start: Mapping[str, str]
    while_running: Mapping[str, str]
    final: Mapping[str, str]
    run: TaskRun


@dataclass(frozen=True)
class Reconciliation:
    """What the reconciler made of a lost run's dead-lettered event, delivered ``deliveries``
    times (SQS delivers at least once)."""

    # Per delivery: reconciled, already_reconciled, retry (SQS would deliver it again), parked.
    outcomes: list[str]
    status: str  # reconcile_status on the run's record: reconciled, retry_later ("" if none)
    outcome: str  # reconcile_outcome on the record: what your function said, redacted, trimmed
    lost_run: LostRun | None  # what your function was given the first time (None: not called)
    calls: int  # how often your function was called
    record: TrackerRecord  # the run's record at the end (its status is still failed)


class _WorkerDied(BaseException):
    """The worker's process ends here (out of memory, Lambda's hard timeout): nothing more is written."""


class _VirtualClock:
    """Time moves only when the code under test sleeps: a task's 30 s wait takes no time."""

    def __init__(self) -> None:
        self._now = _START_MS

    def now_ms(self) -> int:
        return self._now

    def sleep_ms(self, duration_ms: int) -> None:
        self._now += max(duration_ms, 0)


@dataclass
class _Invocation:
    """The worker's Lambda context: its request id and the time left before its timeout."""

    clock: _VirtualClock
    timeout_ms: int
    aws_request_id: str = "connect-async-testing"
    started_ms: int = field(init=False)

    def __post_init__(self) -> None:
        self.started_ms = self.clock.now_ms()

    def get_remaining_time_in_millis(self) -> int:
        return max(self.timeout_ms - (self.clock.now_ms() - self.started_ms), 0)


class _Jobs:
    """start's dispatcher: keeps the job the worker would be invoked with."""

    def __init__(self) -> None:
        self.jobs: list[WorkerJob] = []

    def dispatch(self, job: WorkerJob, *, give_up_at_ms: int) -> None:
        self.jobs.append(job)


@contextmanager
def _emulated_dynamodb() -> Iterator[Any]:
    try:
        import moto  # noqa: PLC0415 - optional: the package's testing extra
    except ImportError as exc:  # pragma: no cover - depends on the installation
        raise RuntimeError(
            'connect_async.testing needs moto: pip install "connect-async-lambda[testing]"'
        ) from exc
    with moto.mock_aws():
        client = boto3.client("dynamodb", region_name=_REGION)
        table = f"connect-async-testing-{next(_tables)}"
        client.create_table(
            TableName=table,
            KeySchema=[{"AttributeName": Attr.TASK_ID.value, "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": Attr.TASK_ID.value, "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
        yield client, table


def _event(parameters: Mapping[str, str], channel: str, task_name: str | None) -> dict[str, Any]:
    """A ContactFlowEvent as Connect sends it to start and check, for a new contact."""
    contact_id = f"00000000-0000-4000-8000-{next(_contacts):012d}"
    passed = dict(parameters)
    if task_name is not None:
        passed["task_name"] = task_name
    return {
        "Name": "ContactFlowEvent",
        "Details": {
            "ContactData": {
                "ContactId": contact_id,
                "InitialContactId": contact_id,
                "Channel": channel,
                "InstanceARN": "arn:aws:connect:us-east-1:123456789012:instance/testing",
                "InitiationMethod": "INBOUND",
                "Attributes": {},
            },
            "Parameters": passed,
        },
    }


class _Recorded:
    """The task, wrapped to count its calls and keep its progress reports."""

    def __init__(self, task: Task) -> None:
        self.task = task
        self.calls = 0
        self.progress: list[tuple[int, str]] = []

    def __call__(self, context: TaskContext) -> object:
        self.calls += 1
        report = context._report_progress

        def recorded(percent: int, message: str) -> None:
            self.progress.append((percent, message))
            report(percent, message)

        return self.task(replace(context, _report_progress=recorded))


@dataclass
class _Stack:
    start: StartService
    check: CheckService
    worker: WorkerService
    jobs: _Jobs
    clock: _VirtualClock
    tracker: TrackerTable
    recorded: _Recorded
    timeout_ms: int


def _stack(client: Any, table: str, task: Task, settings: Mapping[str, object]) -> _Stack:
    values = dict(settings)
    result_keys = [str(key) for key in values.pop("result_keys", ())]  # type: ignore[attr-defined]
    # A value the module would refuse at plan time is refused here too, in the module's words,
    # so a test never passes on a tuning that cannot be applied.
    known = {row.name for row in SETTINGS}
    problems = [setting(name).problem_with(value) for name, value in values.items() if name in known]
    if any(problems):
        refused = "; ".join(problem for problem in problems if problem)
        raise ValueError(f"{refused} (the module refuses it at plan time)")
    timeout_s = int(str(values.pop("worker_timeout_seconds", setting("worker_timeout_seconds").default)))
    env = environments(values)
    names = {EnvVar.TRACKER_TABLE_NAME.value: table}
    for function in ("check", "worker"):
        env[function][EnvVar.RESULT_KEYS.value] = ",".join(result_keys)
    clock = _VirtualClock()
    tracker = TrackerTable(client, table, clock=clock, retry_policy=_NO_WAIT)
    jobs = _Jobs()
    recorded = _Recorded(task)
    return _Stack(
        start=StartService(
            StartSettings.from_env({**env["start"], **names, EnvVar.WORKER_FUNCTION_NAME.value: "worker"}),
            tracker,
            jobs,
            clock,
        ),
        check=CheckService(
            CheckSettings.from_env({**env["check"], **names}),
            tracker,
            clock,
        ),
        worker=WorkerService(
            WorkerSettings.from_env({**env["worker"], **names, EnvVar.TASK_HANDLER.value: "testing:task"}),
            tracker,
            clock,
            task_loader=lambda _: recorded,
            # The virtual clock moves only on the task's own sleeps and reports, which renew the
            # lease as they go: no renewal thread is needed.
            keep_alive=no_background_renewal,
        ),
        jobs=jobs,
        clock=clock,
        tracker=tracker,
        recorded=recorded,
        timeout_ms=timeout_s * 1000,
    )


def _start(stack: _Stack, event: Mapping[str, Any]) -> Mapping[str, str]:
    answer = stack.start.handle(event, 8_000)
    if not stack.jobs.jobs:
        raise ValueError(f"start refused the call (so the worker would never run): {dict(answer)}")
    return answer


def _run_worker(stack: _Stack) -> TaskRun:
    job = stack.jobs.jobs[-1]
    began = stack.clock.now_ms()
    stack.worker.handle(job.to_payload(), _Invocation(stack.clock, stack.timeout_ms))
    record = stack.tracker.get(job.task_id, give_up_at_ms=stack.clock.now_ms())
    if record is None:
        raise AssertionError(f"the run {job.task_id} has no record after the worker")
    return TaskRun(
        status=record.status.value,
        result=dict(record.result),
        error_code=record.error_code,
        error_message=record.error_message,
        progress=list(stack.recorded.progress),
        task_calls=stack.recorded.calls,
        elapsed_seconds=(stack.clock.now_ms() - began) / 1000,
        record=record,
    )


def run_task(
    task: Callable[[TaskContext], object],
    parameters: Mapping[str, str] | None = None,
    *,
    task_name: str | None = None,
    channel: str = "VOICE",
    settings: Mapping[str, object] | None = None,
    environment: Mapping[str, str] | None = None,
    result_keys: tuple[str, ...] = (),
) -> TaskRun:
    """Run ``task`` as the worker runs it, and return the run's final record.

    ``parameters`` are what the flow passes (``context.parameters``); ``settings`` are module
    settings by name (``worker_timeout_seconds``, ``worker_safety_margin_ms``,
    ``task_retry_attempts``, ``max_result_bytes``, ...); ``environment`` is set while the task
    runs (your task's own variables, as ``worker_environment`` would set them); ``result_keys``
    are the module's ``result_attribute_keys``: a result without one of them fails the run with
    ``missing_result_key``, as the worker does.
    """
    with _emulated_dynamodb() as (client, table), _environment(environment):
        stack = _stack(client, table, task, {**(settings or {}), "result_keys": result_keys})
        _start(stack, _event(parameters or {}, channel, task_name))
        return _run_worker(stack)


def play(
    task: Callable[[TaskContext], object],
    parameters: Mapping[str, str] | None = None,
    *,
    task_name: str | None = None,
    channel: str = "VOICE",
    settings: Mapping[str, object] | None = None,
    environment: Mapping[str, str] | None = None,
    result_keys: tuple[str, ...] = (),
) -> Call:
    """start, then check while the task has not run, then the worker, then check again: the
    answers the flow reads, every key a string. ``result_keys`` are the module's
    ``result_attribute_keys`` (check always answers ``result_<key>`` for each, and a result
    without one fails the run with ``missing_result_key``)."""
    with _emulated_dynamodb() as (client, table), _environment(environment):
        stack = _stack(client, table, task, {**(settings or {}), "result_keys": result_keys})
        event = _event(parameters or {}, channel, task_name)
        started = _start(stack, event)
        while_running = stack.check.handle(event, 8_000)
        run = _run_worker(stack)
        final = stack.check.handle(event, 8_000)
    return Call(start=started, while_running=while_running, final=final, run=run)


def reconcile_lost_run(
    reconcile: Callable[[LostRun], object],
    parameters: Mapping[str, str] | None = None,
    *,
    task: Callable[[TaskContext], object] | None = None,
    dies_at_progress: int = 1,
    deliveries: int = 1,
    task_name: str | None = None,
    channel: str = "VOICE",
    settings: Mapping[str, object] | None = None,
    environment: Mapping[str, str] | None = None,
) -> Reconciliation:
    """A lost run, reconciled: the worker runs ``task`` (a stand-in that reports 50 % when None)
    and dies right after its ``dies_at_progress``-th progress report (or as soon as it returns,
    before its result is written: the transfer sent, its confirmation never recorded). Lambda's
    retry records the run failed/worker_lost; its invocation record goes to the reconciler
    ``deliveries`` times, which calls ``reconcile`` as the module's reconciler does."""
    if deliveries < 1:
        raise ValueError("deliveries must be at least 1")

    def stand_in(context: TaskContext) -> None:
        context.report_progress(50, "Working on it")

    work = task or stand_in
    reports = 0

    def dying(context: TaskContext) -> object:
        report = context._report_progress

        def then_die(percent: int, message: str) -> None:
            nonlocal reports
            report(percent, message)
            reports += 1
            if reports >= dies_at_progress:
                raise _WorkerDied

        work(replace(context, _report_progress=then_die))
        raise _WorkerDied

    with _emulated_dynamodb() as (client, table), _environment(environment):
        stack = _stack(client, table, dying, settings or {})
        _start(stack, _event(parameters or {}, channel, task_name))
        job = stack.jobs.jobs[-1]
        try:
            stack.worker.handle(job.to_payload(), _Invocation(stack.clock, stack.timeout_ms))
        except _WorkerDied:
            pass
        else:
            raise AssertionError("the worker was meant to die mid-task")
        # Lambda retries the failed invocation a minute later; by then the lease has lapsed.
        stack.clock.sleep_ms(max(stack.worker.settings.worker_lease_ms, 60_000) + 1)
        with suppress(LostRunError):  # Lambda sends the event on to the dead-letter queue
            stack.worker.handle(job.to_payload(), _Invocation(stack.clock, stack.timeout_ms))
        body = invocation_record(job.to_payload(), request_id="connect-async-testing")
        calls: list[LostRun] = []

        def recorded(run: LostRun) -> object:
            calls.append(run)
            return reconcile(run)

        reconciler = ReconcileService(
            ReconcilerSettings.from_env(
                {
                    EnvVar.TRACKER_TABLE_NAME.value: table,
                    EnvVar.RECONCILE_HANDLER.value: "testing:reconcile",
                    EnvVar.UNRECONCILED_QUEUE_URL.value: f"https://sqs.{_REGION}.amazonaws.com/123456789012/unreconciled",
                }
            ),
            stack.tracker,
            stack.clock,
            park=lambda body, reason: None,
            loader=lambda _: recorded,
            time_limit=lambda _: nullcontext(),
        )
        outcomes = [
            reconciler.handle(body, _Invocation(stack.clock, 60_000, aws_request_id=f"reconcile-{n}")).value
            for n in range(deliveries)
        ]
        record = stack.tracker.get(job.task_id, give_up_at_ms=stack.clock.now_ms())
    if record is None:
        raise AssertionError(f"the run {job.task_id} has no record after the reconciler")
    return Reconciliation(
        outcomes=outcomes,
        status=record.reconcile_status,
        outcome=record.reconcile_outcome,
        lost_run=calls[0] if calls else None,
        calls=len(calls),
        record=record,
    )


@contextmanager
def _environment(values: Mapping[str, str] | None) -> Iterator[None]:
    saved = {name: os.environ.get(name) for name in values or {}}
    os.environ.update(values or {})
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
