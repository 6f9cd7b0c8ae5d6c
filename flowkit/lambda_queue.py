"""Lambda's asynchronous invocation, emulated on the virtual clock: start's invoke puts the
worker's event on a queue that delivers it at least once (``deliveries``), retries a failed
invocation after Lambda's documented delays, and runs each delivery as a participant on the clock;
with a state machine (backend "step_functions"), one execution per run attempt. An event whose
retries are spent goes to the dead-letter queue, which the reconciler (when there is one) reads
as its SQS event source mapping would: redelivered after the visibility timeout, at most
``max_receive_count`` times, then moved to the unreconciled queue."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, Final

from botocore.exceptions import ClientError, ReadTimeoutError

from connect_async.dispatch import EXECUTION_ATTEMPT_FIELD, DispatchError, execution_name
from connect_async.events import WorkerJob
from connect_async.lease import Lease
from connect_async.reconcile import ReconcileService, invocation_record
from connect_async.retry import FLOW_CALL_RETRY, call_with_retry
from connect_async.worker import LostRunError, WorkerService
from flowkit.clock import VirtualClock
from flowkit.faults import READ_TIMEOUT_MS
from flowkit.report import CallReport, Event
from flowkit.states import StateMachineRunner

__all__ = ["LAMBDA_RETRY_DELAYS_SECONDS", "ThreadDispatcher", "WorkerCrashed"]

# Lambda's asynchronous retries of a failed invocation (documented: after 1, then 2 minutes).
LAMBDA_RETRY_DELAYS_SECONDS: Final = (60, 120)
# How soon Lambda's poller hands a new message on the dead-letter queue to the reconciler
# (an assumption: the SQS event source long-polls; no source gives a figure).
SQS_PICKUP_MS: Final = 1_000


class WorkerCrashed(BaseException):
    """A scripted worker dies after claiming the run: nothing is ever written again."""


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
        invoke_faults: Sequence[str] = (),
    ) -> None:
        if any(fault not in ("error", "lost_answer") for fault in invoke_faults):
            raise ValueError(f"an invoke fault is 'error' or 'lost_answer', not one of {list(invoke_faults)}")
        self._clock = clock
        self._invoke_ms = invoke_ms
        # How start's invoke attempts fail, in order: refused, or delivered with the answer lost.
        self._invoke_faults = list(invoke_faults)
        self.worker: WorkerService | None = None
        self.state_machine: StateMachineRunner | None = None
        # The reconciler on the dead-letter queue (reconciler), its function's timeout and the
        # queue's redrive limit.
        self.reconciler: ReconcileService | None = None
        self.reconciler_timeout_ms = 0
        self.max_receives = 0
        self._executions: set[str] = set()
        self._timeout_ms = timeout_ms
        self._report = report
        self._deliveries = deliveries
        self._threads: list[threading.Thread] = []
        self.finished_at_ms: int | None = None

    def dispatch(self, job: WorkerJob, *, give_up_at_ms: int) -> None:
        """The invoke as start's LambdaDispatcher makes it: retried on a transient error, within
        start's time; each attempt delivers the event (or starts the execution) unless refused."""
        self._clock.sleep_ms(self._invoke_ms)

        def invoke() -> None:
            fault = self._invoke_faults.pop(0) if self._invoke_faults else ""
            if fault == "error":
                self._report.events.append(
                    Event(self._clock.now_ms(), "start", "the invoke is refused (injected)")
                )
                throttled: Any = {
                    "Error": {"Code": "TooManyRequestsException", "Message": "injected"},
                    "ResponseMetadata": {"HTTPStatusCode": 429},
                }
                raise ClientError(throttled, "Invoke")
            if self.state_machine is not None:
                self._execute(job, self.state_machine)
            else:
                for _ in range(self._deliveries):
                    self._deliver(job)
            if fault == "lost_answer":
                self._clock.sleep_ms(READ_TIMEOUT_MS)
                self._report.events.append(
                    Event(
                        self._clock.now_ms(),
                        "start",
                        "the invoke went through; its answer is lost (injected)",
                    )
                )
                raise ReadTimeoutError(endpoint_url="https://lambda.eu-west-2.amazonaws.com")

        try:
            call_with_retry(invoke, policy=FLOW_CALL_RETRY, clock=self._clock, give_up_at_ms=give_up_at_ms)
        except Exception as exc:
            raise DispatchError(f"the worker could not be invoked ({type(exc).__name__})") from exc

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
            self.work_done()  # (ended is now)
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
            if self.reconciler is not None:
                self._reconcile(job, name, self.reconciler)

        self.spawn(name, run)

    def _reconcile(self, job: WorkerJob, name: str, reconciler: ReconcileService) -> None:
        """The dead-letter queue's event source mapping: the invocation record goes to the
        reconciler, again after each visibility timeout while it asks to retry, at most
        max_receive_count times; then SQS moves it to the unreconciled queue."""
        body = invocation_record(
            job.to_payload(), request_id=name, invoke_count=1 + len(LAMBDA_RETRY_DELAYS_SECONDS)
        )
        visibility_ms = 6 * self.reconciler_timeout_ms  # the module's visibility timeout
        for receive in range(1, self.max_receives + 1):
            self._clock.sleep_ms(SQS_PICKUP_MS)
            invocation = _Invocation(f"reconciler-{receive}", self._clock, self.reconciler_timeout_ms)
            began = self._clock.now_ms()
            outcome = reconciler.handle(body, invocation)
            self._report.worker_runs.append((f"reconciler {receive}", began, self._clock.now_ms()))
            record = reconciler.tracker.get(job.task_id, give_up_at_ms=self._clock.now_ms() + 1000)
            said = record.reconcile_outcome if record is not None else ""
            self._report.reconciliation = outcome.value
            self._report.reconcile_outcome = said
            detail = f": {said}" if said else ""
            self._report.events.append(
                Event(self._clock.now_ms(), "reconciler", f"receive {receive}: {outcome.value}{detail}")
            )
            if outcome.done:
                return
            if receive < self.max_receives:
                self._clock.sleep_ms(visibility_ms)
        self._report.reconciliation = "unreconciled"
        self._report.events.append(
            Event(
                self._clock.now_ms(),
                "reconciler",
                f"received {self.max_receives} times unreconciled: SQS moves the message to the "
                "unreconciled queue (its alarm fires)",
            )
        )

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
            self.work_done()  # detection latency counts from the worker's death
            return True
        except LostRunError as exc:
            self._report.events.append(Event(self._clock.now_ms(), "worker", f"{label}: refused ({exc})"))
            return True
        except Exception as exc:  # a function error (DynamoDB out of reach before the claim, say)
            self._report.events.append(
                Event(self._clock.now_ms(), "worker", f"{label} fails: {type(exc).__name__}; Lambda retries")
            )
            return True
        finally:
            self._report.worker_runs.append((label, began, self._clock.now_ms()))
        if outcome.value in ("completed", "failed"):
            self.work_done()
        self._report.events.append(Event(self._clock.now_ms(), "worker", f"{label} ends: {outcome.value}"))
        return False

    def work_done(self) -> None:
        """The run ended now (the first end counts): the worker's, the execution's, or a plugged-in
        function's work, which has no worker to watch."""
        if self.finished_at_ms is None:
            self.finished_at_ms = self._clock.now_ms()

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
