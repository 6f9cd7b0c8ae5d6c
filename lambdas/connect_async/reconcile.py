"""reconciler: the dead-letter queue's consumer. For each run whose worker was lost, call your
reconcile function once and record what it found, without ever changing the run's status.

A message on the dead-letter queue is Lambda's invocation record of a worker event that failed
every attempt (the run is failed/worker_lost or worker_not_started by then). For each:

- not such a record (a malformed body, another sender's message), or a run with no record
  (expired, restarted, never begun): **parked** on the unreconciled queue with the reason, never
  retried forever, never lost;
- a run already reconciled (SQS delivers at least once), or one that completed after all:
  nothing to do, the message is deleted;
- a run another reconciler holds now, or one still running: retried (SQS redelivers it after
  its visibility timeout);
- otherwise the run's reconciliation is taken (``reconcile_status`` reconciling, for as long as
  this invocation may run), your function is called with a ``LostRun``, and its answer is
  recorded: ``Reconciled`` (done, once) or ``RetryLater`` (retried; an exception counts as one).
  After ``reconciler.max_receive_count`` receives, SQS moves the message to the unreconciled
  queue, whose alarm fires.

Nothing here logs the message, the parameters or what your function returns: only the task id,
codes and counts (the outcome on the record is redacted and trimmed like an error message).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass
from enum import StrEnum
from typing import Final, Protocol

from connect_async.clock import Clock
from connect_async.config import ConfigurationError, ReconcilerSettings
from connect_async.contract import MAX_RECONCILE_OUTCOME_CHARS, ReconcileStatus, ResponseStatus
from connect_async.events import InvalidEventError, WorkerJob, parse_worker_event
from connect_async.observability import count, logger
from connect_async.redaction import redact, redacted_traceback, trim
from connect_async.results import safe_text
from connect_async.runs import Observation, TrackerRecord, observe
from connect_async.tasks import (
    LostRun,
    Reconcile,
    Reconciled,
    RetryLater,
    TaskTimeoutError,
    load_once,
    load_reconcile,
)
from connect_async.timelimit import alarm_time_limit
from connect_async.tracker import TrackerTable

__all__ = [
    "DeadLetter",
    "InvalidDeadLetterError",
    "MessageOutcome",
    "ReconcileService",
    "invocation_record",
    "parse_dead_letter",
]

# The reconcile function's time ends this long before the invocation's, so its answer is
# recorded; a message with less left than the minimum is retried, not started.
_RECORD_MARGIN_MS: Final = 1_000
_MINIMUM_MS: Final = 2_000
# Tracker requests may use the time up to this close to the invocation's end.
_WRITE_MARGIN_MS: Final = 200
# A completed run is not lost, whatever its result's size (the readers' limit is the flow's).
_ANY_RESULT_SIZE: Final = 1 << 30


class InvalidDeadLetterError(Exception):
    """The message is not Lambda's invocation record of a worker event."""


class MessageOutcome(StrEnum):
    """What became of one message (each is logged, and counted as a metric)."""

    RECONCILED = "reconciled"
    ALREADY_RECONCILED = "already_reconciled"  # a duplicate delivery: deleted
    NOTHING_TO_RECONCILE = "nothing_to_reconcile"  # the run completed after all: deleted
    PARKED = "parked"  # not reconcilable: moved to the unreconciled queue
    RETRY = "retry"  # reported as a batch item failure: SQS delivers it again

    @property
    def done(self) -> bool:
        return self is not MessageOutcome.RETRY


@dataclass(frozen=True)
class DeadLetter:
    """Lambda's invocation record of a worker event that failed every attempt."""

    job: WorkerJob
    request_payload: Mapping[str, object]
    response_payload: object
    condition: str
    invoke_count: int


def parse_dead_letter(body: str) -> DeadLetter:
    """Read an SQS message body; raises ``InvalidDeadLetterError`` saying why it is not one."""
    try:
        record = json.loads(body)
    except (TypeError, ValueError):
        raise InvalidDeadLetterError("the body is not JSON") from None
    if not isinstance(record, Mapping):
        raise InvalidDeadLetterError("the body is not a JSON object")
    payload = record.get("requestPayload")
    if not isinstance(payload, Mapping):
        raise InvalidDeadLetterError(
            "no requestPayload: not a Lambda invocation record (a DLQ configured on the function "
            "sends the event alone; the module uses an on-failure destination)"
        )
    try:
        job = parse_worker_event(dict(payload))
    except InvalidEventError as exc:
        raise InvalidDeadLetterError(f"the requestPayload is not a worker event: {exc}") from None
    context = record.get("requestContext")
    context = context if isinstance(context, Mapping) else {}
    condition = context.get("condition")
    invoke_count = context.get("approximateInvokeCount")
    return DeadLetter(
        job=job,
        request_payload=dict(payload),
        response_payload=record.get("responsePayload"),
        condition=condition if isinstance(condition, str) else "",
        invoke_count=invoke_count
        if isinstance(invoke_count, int) and not isinstance(invoke_count, bool)
        else 0,
    )


def invocation_record(
    payload: Mapping[str, object],
    *,
    request_id: str,
    error_type: str = "LostRunError",
    error_message: str = "this run's worker was lost; the task is not run again",
    condition: str = "RetriesExhausted",
    invoke_count: int = 3,
    function_arn: str = "arn:aws:lambda:us-east-1:123456789012:function:connect-async-worker:$LATEST",
    timestamp: str = "2026-01-01T00:03:00.000Z",
) -> str:
    """The body Lambda's on-failure destination sends for a worker event that failed every
    attempt (Lambda's "invocation record"; the testing kit and the simulator send this shape)."""
    return json.dumps(
        {
            "version": "1.0",
            "timestamp": timestamp,
            "requestContext": {
                "requestId": request_id,
                "functionArn": function_arn,
                "condition": condition,
                "approximateInvokeCount": invoke_count,
            },
            "requestPayload": dict(payload),
            "responseContext": {
                "statusCode": 200,
                "executedVersion": "$LATEST",
                "functionError": "Unhandled",
            },
            "responsePayload": {"errorMessage": error_message, "errorType": error_type, "stackTrace": []},
        }
    )


class Invocation(Protocol):
    @property
    def aws_request_id(self) -> str: ...

    def get_remaining_time_in_millis(self) -> int: ...


@dataclass
class ReconcileService:
    settings: ReconcilerSettings
    tracker: TrackerTable
    clock: Clock
    # Moves a message to the unreconciled queue with the reason (raises if it cannot).
    park: Callable[[str, str], None]
    loader: Callable[[str], Reconcile] = load_reconcile
    time_limit: Callable[[int], AbstractContextManager[None]] = alarm_time_limit

    def handle(self, body: str, invocation: Invocation) -> MessageOutcome:
        end_ms = self.clock.now_ms() + invocation.get_remaining_time_in_millis()
        outcome = self._handle(body, invocation.aws_request_id, end_ms)
        count(_METRICS[outcome])
        return outcome

    def _handle(self, body: str, request_id: str, end_ms: int) -> MessageOutcome:
        logger.remove_keys(["task_id", "attempt"])  # the previous message's, in a batch
        try:
            letter = parse_dead_letter(body)
        except InvalidDeadLetterError as exc:
            return self._park(body, str(exc))
        job = letter.job
        logger.append_keys(task_id=job.task_id, attempt=job.attempt)
        record = self.tracker.get(job.task_id, give_up_at_ms=end_ms - _WRITE_MARGIN_MS)
        if record is None or not _same_run(record, job) or record.is_expired(self.clock.now_ms()):
            return self._park(body, "unknown run: no record of it (expired, restarted or never begun)")
        observed = observe(record, self.clock.now_ms(), max_result_bytes=_ANY_RESULT_SIZE)
        verdict = self._without_reconciling(record, observed, end_ms)
        if verdict is not None:
            return verdict
        return self._reconcile(letter, record, observed, request_id, end_ms)

    def _without_reconciling(
        self, record: TrackerRecord, observed: Observation, end_ms: int
    ) -> MessageOutcome | None:
        """What to do with a run that needs no reconcile call now (None: call it)."""
        if record.reconcile_status == ReconcileStatus.RECONCILED:
            logger.info("duplicate delivery: the run is reconciled already")
            return MessageOutcome.ALREADY_RECONCILED
        if observed.status is ResponseStatus.COMPLETED:
            logger.info("the run completed after all: nothing to reconcile")
            return MessageOutcome.NOTHING_TO_RECONCILE
        if observed.status is not ResponseStatus.FAILED:
            logger.warning("the run is still in progress: reconciled later")
            return MessageOutcome.RETRY
        if end_ms - self.clock.now_ms() < _MINIMUM_MS + _RECORD_MARGIN_MS:
            logger.warning("too little time left in this invocation: reconciled later")
            return MessageOutcome.RETRY
        return None

    def _reconcile(
        self, letter: DeadLetter, record: TrackerRecord, observed: Observation, request_id: str, end_ms: int
    ) -> MessageOutcome:
        """Take the run's reconciliation, call the function, record its answer."""
        job = letter.job
        write_until_ms = end_ms - _WRITE_MARGIN_MS
        owner = f"{request_id}/{uuid.uuid4().hex[:12]}"
        hold_ms = end_ms - self.clock.now_ms()
        if not self.tracker.begin_reconcile(
            job.task_id,
            job.attempt,
            job.run_created_at_ms,
            owner,
            hold_ms=hold_ms,
            give_up_at_ms=write_until_ms,
        ):
            again = self.tracker.get(job.task_id, give_up_at_ms=write_until_ms)
            if again is not None and again.reconcile_status == ReconcileStatus.RECONCILED:
                logger.info("duplicate delivery: the run was reconciled meanwhile")
                return MessageOutcome.ALREADY_RECONCILED
            logger.info("another delivery is reconciling the run now: reconciled later if it fails")
            return MessageOutcome.RETRY

        status, outcome = self._call(letter, observed.error_code, observed.error_message, record, end_ms)
        text = safe_text(trim(redact(outcome), MAX_RECONCILE_OUTCOME_CHARS))
        recorded = self.tracker.finish_reconcile(
            job.task_id,
            job.attempt,
            job.run_created_at_ms,
            owner,
            status=status,
            outcome=text,
            give_up_at_ms=write_until_ms,
        )
        if not recorded:
            # Restarted meanwhile (a new attempt replaced the record): the function's work
            # stands, only its record is gone. (Its hold outlasts the function, which the time
            # limit stops before this invocation ends, so no other reconciler took it over.)
            logger.warning("the reconciliation could not be recorded: the run's record was replaced")
            count("ReconcilesUnrecorded")
        if status is ReconcileStatus.RECONCILED:
            logger.info("run reconciled", extra={"outcome_chars": len(text)})
            return MessageOutcome.RECONCILED
        return MessageOutcome.RETRY

    def _call(
        self, letter: DeadLetter, error_code: str, error_message: str, record: TrackerRecord, end_ms: int
    ) -> tuple[ReconcileStatus, str]:
        """Run the reconcile function; (status, what to record)."""
        job = letter.job
        run = LostRun(
            task_id=job.task_id,
            task_name=job.task_name,
            attempt=job.attempt,
            parameters=job.parameters,
            contact=job.contact,
            idempotency_key=job.run_name,
            error_code=error_code,
            error_message=error_message,
            progress_percent=record.progress_percent,
            progress_message=record.progress_message,
            request_payload=letter.request_payload,
            response_payload=letter.response_payload,
            condition=letter.condition,
            invoke_count=letter.invoke_count,
            # The attempt taken now is counted already.
            previous_attempts=record.reconcile_attempts,
        )
        try:
            reconcile = load_once(self.loader, self.settings.reconcile_handler)
            with self.time_limit(end_ms - _RECORD_MARGIN_MS - self.clock.now_ms()):
                answer = reconcile(run)
        except ConfigurationError as exc:
            logger.error("the reconcile function cannot be loaded", extra={"reason": str(exc)})
            return ReconcileStatus.RETRY_LATER, f"configuration error: {exc}"
        except TaskTimeoutError:
            logger.error("the reconcile function ran out of time")
            return ReconcileStatus.RETRY_LATER, "the reconcile function ran out of time"
        except (Exception, SystemExit) as exc:
            logger.error(
                "the reconcile function raised",
                extra={"error_type": type(exc).__name__, "traceback": redacted_traceback(exc)},
            )
            return ReconcileStatus.RETRY_LATER, f"the reconcile function raised {type(exc).__name__}"
        if isinstance(answer, Reconciled) and isinstance(answer.outcome, str):
            return ReconcileStatus.RECONCILED, answer.outcome
        if isinstance(answer, RetryLater) and isinstance(answer.reason, str):
            logger.info("the reconcile function asked to retry later")
            return ReconcileStatus.RETRY_LATER, answer.reason
        logger.error("the reconcile function answered neither Reconciled nor RetryLater")
        return (
            ReconcileStatus.RETRY_LATER,
            f"the reconcile function must return Reconciled(outcome) or RetryLater(reason), "
            f"not {type(answer).__name__}",
        )

    def _park(self, body: str, reason: str) -> MessageOutcome:
        logger.error(
            "a message that cannot be reconciled: parked on the unreconciled queue", extra={"reason": reason}
        )
        try:
            self.park(body, reason)
        except Exception as exc:
            # Left on the queue: SQS delivers it again, and its redrive policy parks it at last.
            logger.error("the message could not be parked", extra={"error_type": type(exc).__name__})
            return MessageOutcome.RETRY
        return MessageOutcome.PARKED


_METRICS: Final[Mapping[MessageOutcome, str]] = {
    MessageOutcome.RECONCILED: "RunsReconciled",
    MessageOutcome.ALREADY_RECONCILED: "DuplicateDeadLetters",
    MessageOutcome.NOTHING_TO_RECONCILE: "RunsNotNeedingReconcile",
    MessageOutcome.PARKED: "DeadLettersParked",
    MessageOutcome.RETRY: "ReconcileRetries",
}


def _same_run(record: TrackerRecord, job: WorkerJob) -> bool:
    return record.attempt == job.attempt and job.run_created_at_ms in (0, record.created_at_ms)
