"""worker: claim the run, execute the task within its budget, write the final state once.

Outcomes a Lambda invocation can have, all logged:
- the run is claimed and ends completed or failed (task_error, result_too_large, ...); any
  exception after the claim, the task's or the worker's own, ends the run failed at once;
- the delivery is a duplicate or stale (Lambda's at-least-once delivery, or a restarted run):
  a logged no-op that changes nothing;
- the run is past its deadline: it is marked failed/worker_timeout without running the task;
- no worker claimed the run within WORKER_START_TIMEOUT_SECONDS of its start (readers already
  answer failed/worker_not_started): it is recorded so, the task is NOT run late, and
  ``LostRunError`` is raised, as for a lost worker below;
- the run's claiming worker was lost (its lease lapsed: it crashed, ran out of memory or hit
  Lambda's hard timeout; this delivery is usually Lambda's retry of that invocation): the run
  is marked failed/worker_lost, the task is NOT run again, and ``LostRunError`` is raised so
  the event ends in the dead-letter queue, where operators look;
- DynamoDB cannot be reached even after retries: the error is raised. Before the claim that is
  safe (Lambda's asynchronous retry delivers the event again); after it, the lease lapses and
  readers report worker_lost within WORKER_LEASE_MS.

Task exceptions are recorded, not re-raised: Lambda's asynchronous retry would run the task
again (a second money transfer), and the flow needs a definite answer now. Transient errors are
retried here instead, with backoff, while the budget allows.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Final, Protocol

from connect_async.clock import Clock
from connect_async.config import ConfigurationError, WorkerSettings
from connect_async.contract import (
    MAX_ERROR_MESSAGE_CHARS,
    MAX_PROGRESS_MESSAGE_CHARS,
    ErrorCode,
    WorkerField,
)
from connect_async.events import InvalidEventError, WorkerJob, parse_worker_event
from connect_async.lease import KeepAlive, Lease, thread_keep_alive
from connect_async.observability import count, count_failure, logger, timing
from connect_async.redaction import redact, redacted_traceback, trim
from connect_async.results import (
    InvalidResultError,
    MissingResultKeyError,
    ResultTooLargeError,
    normalize_result,
    require_result_keys,
    safe_text,
)
from connect_async.retry import RetryPolicy, is_transient
from connect_async.runs import NOT_STARTED_MESSAGE, TrackerRecord
from connect_async.tasks import (
    RunSupersededError,
    Task,
    TaskContext,
    TaskFailed,
    TaskTimeoutError,
    load_once,
    load_task,
)
from connect_async.timelimit import alarm_time_limit
from connect_async.tracker import TrackerTable, TrackerUnavailableError

__all__ = ["Invocation", "LostRunError", "WorkerOutcome", "WorkerService", "fail_unclaimed_run"]

# Tracker writes may use the time up to this close to Lambda's hard timeout.
_WRITE_MARGIN_MS: Final = 200
# The task's budget ends this long before the run's deadline, so its final write lands before
# any reader could call the run overdue (the write is conditional on the deadline too).
_DEADLINE_WRITE_MARGIN_MS: Final = 1_000
_TASK_RETRY_BASE_MS: Final = 200
_TASK_RETRY_MAX_MS: Final = 5_000
# A result the flow cannot use, by the code its run fails with.
_RESULT_ERRORS: Final[Mapping[type[Exception], ErrorCode]] = {
    InvalidResultError: ErrorCode.INVALID_RESULT,
    ResultTooLargeError: ErrorCode.RESULT_TOO_LARGE,
    MissingResultKeyError: ErrorCode.MISSING_RESULT_KEY,
}


class Invocation(Protocol):
    """The parts of Lambda's context object the worker uses."""

    @property
    def aws_request_id(self) -> str: ...

    def get_remaining_time_in_millis(self) -> int: ...


class LostRunError(Exception):
    """This delivery belongs to a run read as failed without a result: its worker was lost, or
    none started in time. Raised (never run the task again, or late) so Lambda counts the
    invocation as failed and, after its retries, sends the event to the on-failure destination:
    the dead-letter queue and its alarm."""


class WorkerOutcome(StrEnum):
    COMPLETED = "completed"
    FAILED = "failed"
    DUPLICATE = "duplicate"  # already claimed or finished: nothing done
    STALE = "stale"  # the run was restarted, expired or never existed: nothing done
    SUPERSEDED = "superseded"  # lost the run while working: result discarded
    INVALID = "invalid"


@dataclass(frozen=True)
class _Failure:
    code: str
    message: str


@dataclass
class WorkerService:
    settings: WorkerSettings
    tracker: TrackerTable
    clock: Clock
    task_loader: Callable[[str], Task] = load_task
    time_limit: Callable[[int], AbstractContextManager[None]] = alarm_time_limit
    rng: random.Random = field(default_factory=random.Random)
    # Renews the lease while the task runs (a background thread in Lambda; see lease.py).
    keep_alive: KeepAlive = thread_keep_alive

    def handle(self, event: object, invocation: Invocation) -> WorkerOutcome:
        lambda_end_ms = self.clock.now_ms() + invocation.get_remaining_time_in_millis()
        write_until_ms = lambda_end_ms - _WRITE_MARGIN_MS
        try:
            job = parse_worker_event(event)
        except InvalidEventError as exc:
            return self._reject_payload(event, str(exc), write_until_ms)
        logger.set_correlation_id(job.contact.contact_id)
        logger.append_keys(task_name=job.task_name, attempt=job.attempt)

        # Unique to this invocation: Lambda's retries (and duplicate deliveries) of an event may
        # carry its request id, and a claim must tell its own retried write from theirs.
        owner = f"{invocation.aws_request_id}/{uuid.uuid4().hex[:12]}"
        lease_ms = self.settings.worker_lease_ms
        claim = self.tracker.claim(
            job.task_id, job.attempt, owner, lease_ms=lease_ms, give_up_at_ms=write_until_ms
        )
        if not claim.claimed:
            return self._not_claimed(job, claim.record, write_until_ms)
        if claim.record is None:  # an applied update returns the new image; never None
            raise TrackerUnavailableError("DynamoDB returned no record for an applied claim")
        budget_end_ms = min(
            lambda_end_ms - self.settings.worker_safety_margin_ms,
            claim.record.deadline_at_ms - _DEADLINE_WRITE_MARGIN_MS,
        )
        lease = Lease(
            tracker=self.tracker,
            clock=self.clock,
            task_id=job.task_id,
            attempt=job.attempt,
            owner=owner,
            lease_ms=lease_ms,
            budget_end_ms=budget_end_ms,
            write_until_ms=write_until_ms,
            renewed_at_ms=claim.record.updated_at_ms,
        )
        started_ms = self.clock.now_ms()
        try:
            with self.keep_alive(lease):
                try:
                    return self._execute(job, lease)
                except RunSupersededError:
                    logger.warning("the run was restarted or finished elsewhere; the task stopped")
                    return WorkerOutcome.SUPERSEDED
                except Exception as exc:
                    # Anything after the claim (the worker's own code, an unexpected value) ends
                    # the run now: a run left in progress would keep the caller waiting.
                    logger.exception("the worker failed after claiming the run")
                    failure = _Failure(ErrorCode.INTERNAL_ERROR, f"the worker failed: {_exception_name(exc)}")
                    return self._finish_failed(job, lease, failure)
        finally:
            timing("TaskDurationMs", self.clock.now_ms() - started_ms)

    # -- the task --------------------------------------------------------------------------

    def _execute(self, job: WorkerJob, lease: Lease) -> WorkerOutcome:
        try:
            task = self._load()
            raw = self._run_with_retries(task, self._context(job, lease), lease.budget_end_ms)
            result = normalize_result(raw, self.settings.max_result_bytes)
            require_result_keys(result, self.settings.result_keys)
        except _TaskFailedError as failure:
            return self._finish_failed(job, lease, failure.failure)
        except (InvalidResultError, ResultTooLargeError, MissingResultKeyError) as exc:
            return self._finish_failed(job, lease, _Failure(_RESULT_ERRORS[type(exc)], str(exc)))

        if not lease.begin_final_write():
            logger.warning("the task returned after the watchdog recorded worker_timeout; result discarded")
            return WorkerOutcome.FAILED
        if not self.tracker.complete(
            job.task_id, job.attempt, lease.owner, result=result, give_up_at_ms=lease.write_until_ms
        ):
            logger.warning("the run was no longer this worker's; its result was discarded")
            return WorkerOutcome.SUPERSEDED
        logger.info("run completed", extra={"result_keys": sorted(result)})
        count("RunsCompleted")
        return WorkerOutcome.COMPLETED

    def _load(self) -> Task:
        try:
            return load_once(self.task_loader, self.settings.task_handler)
        except ConfigurationError as exc:
            raise _TaskFailedError(_Failure(ErrorCode.CONFIGURATION_ERROR, str(exc))) from exc

    def _run_with_retries(self, task: Task, context: TaskContext, budget_end_ms: int) -> object:
        policy = RetryPolicy(
            max_attempts=self.settings.task_retry_attempts + 1,
            base_delay_ms=_TASK_RETRY_BASE_MS,
            max_delay_ms=_TASK_RETRY_MAX_MS,
        )
        attempt = 0
        while True:
            attempt += 1
            try:
                with self.time_limit(budget_end_ms - self.clock.now_ms()):
                    return task(context)
            except TaskTimeoutError:
                raise _TaskFailedError(
                    _Failure(ErrorCode.WORKER_TIMEOUT, "the task did not finish within its time budget")
                ) from None
            except TaskFailed as exc:
                raise _TaskFailedError(_Failure(exc.error_code, _safe_message(_exception_text(exc)))) from exc
            except ConfigurationError as exc:
                raise _TaskFailedError(_Failure(ErrorCode.CONFIGURATION_ERROR, str(exc))) from exc
            except (Exception, SystemExit) as exc:  # sys.exit() in a task is its failure, not ours
                delay_ms = policy.backoff_ms(attempt, self.rng)
                retryable = is_transient(exc) and attempt < policy.max_attempts
                if retryable and self.clock.now_ms() + delay_ms < budget_end_ms:
                    logger.warning(
                        "transient task error; retrying",
                        extra={"error_type": type(exc).__name__, "delay_ms": delay_ms},
                    )
                    self.clock.sleep_ms(delay_ms)
                    continue
                message = _safe_message(f"{_exception_name(exc)}: {_exception_text(exc)}")
                logger.error(
                    "the task raised",
                    extra={"error_type": _exception_name(exc), "traceback": redacted_traceback(exc)},
                )
                raise _TaskFailedError(_Failure(ErrorCode.TASK_ERROR, message)) from exc

    def _context(self, job: WorkerJob, lease: Lease) -> TaskContext:
        owner, budget_end_ms = lease.owner, lease.budget_end_ms

        def report_progress(percent: int, message: str) -> None:
            if isinstance(percent, bool) or not isinstance(percent, int) or not 0 <= percent <= 100:
                raise ValueError("report_progress: percent must be an int from 0 to 100")
            if not isinstance(message, str):
                raise ValueError("report_progress: message must be a string")
            try:
                still_ours = self.tracker.report_progress(
                    job.task_id,
                    job.attempt,
                    owner,
                    percent=percent,
                    message=safe_text(trim(message, MAX_PROGRESS_MESSAGE_CHARS)),
                    give_up_at_ms=budget_end_ms,
                )
            except TrackerUnavailableError as exc:
                logger.warning("progress not recorded", extra={"reason": str(exc)})  # best effort
                return
            if not still_ours:
                raise RunSupersededError
            lease.tick()

        def sleep_ms(duration_ms: int) -> None:
            # In slices of the lease's renewal interval, renewing between them: the lease stays
            # alive through a long sleep even where no renewal thread runs.
            left_ms = budget_end_ms - self.clock.now_ms()
            remaining_ms = min(max(duration_ms, 0), max(left_ms, 0))
            while True:
                lease.tick()
                if lease.lost:
                    raise RunSupersededError
                if remaining_ms <= 0:
                    break
                step_ms = min(remaining_ms, lease.interval_ms)
                self.clock.sleep_ms(step_ms)
                remaining_ms -= step_ms
            if duration_ms >= left_ms:
                raise TaskTimeoutError("the task's time budget is spent")

        return TaskContext(
            task_id=job.task_id,
            task_name=job.task_name,
            attempt=job.attempt,
            parameters=job.parameters,
            contact=job.contact,
            _report_progress=report_progress,
            _remaining_ms=lambda: max(budget_end_ms - self.clock.now_ms(), 0),
            _sleep_ms=sleep_ms,
            idempotency_key=job.run_name,
        )

    # -- endings ---------------------------------------------------------------------------

    def _finish_failed(self, job: WorkerJob, lease: Lease, failure: _Failure) -> WorkerOutcome:
        if not lease.begin_final_write():
            logger.warning("the watchdog already recorded worker_timeout", extra={"error_code": failure.code})
            return WorkerOutcome.FAILED
        recorded = self.tracker.fail(
            job.task_id,
            job.attempt,
            owner=lease.owner,
            error_code=failure.code,
            error_message=safe_text(failure.message),
            give_up_at_ms=lease.write_until_ms,
        )
        if not recorded:
            logger.warning("the run was no longer this worker's; its failure was discarded")
            return WorkerOutcome.SUPERSEDED
        logger.warning("run failed", extra={"error_code": failure.code})
        count_failure(failure.code)
        return WorkerOutcome.FAILED

    def _not_claimed(
        self, job: WorkerJob, record: TrackerRecord | None, write_until_ms: int
    ) -> WorkerOutcome:
        now_ms = self.clock.now_ms()
        if record is None or record.attempt != job.attempt or record.is_expired(now_ms):
            logger.info("stale delivery: the run was restarted, expired or never existed")
            return WorkerOutcome.STALE
        if record.status.is_final and record.error_code == ErrorCode.WORKER_LOST:
            logger.error(
                "a delivery of a run whose worker was lost: sending the event on to the dead-letter queue"
            )
            raise LostRunError("this run's worker was lost; the task is not run again")
        if record.lease_owner and record.is_lost(now_ms):
            self._record_lost(job, record, write_until_ms)
            raise LostRunError("the worker that claimed this run stopped; the run is failed/worker_lost")
        if record.is_unstarted(now_ms) or (
            record.status.is_final and record.error_code == ErrorCode.WORKER_NOT_STARTED
        ):
            # Delivered after the time a worker had to claim it by: readers were told it failed,
            # so it is never run late (the caller heard the fallback, and may have hung up).
            self._refuse_late_delivery(job, record, write_until_ms)
            raise LostRunError("this run's worker started too late; the task is not run")
        if record.status.is_final or record.lease_owner:
            logger.info(
                "duplicate delivery: the run is already claimed or finished", extra={"status": record.status}
            )
            count("DuplicateDeliveries")
            return WorkerOutcome.DUPLICATE
        # In progress, unclaimed, not expired: the claim failed because the deadline has passed
        # (the event waited in Lambda's queue). Make that final instead of leaving it to readers.
        if self.tracker.fail(
            job.task_id,
            job.attempt,
            owner=None,
            error_code=ErrorCode.WORKER_TIMEOUT,
            error_message="the worker started after the run's deadline",
            give_up_at_ms=write_until_ms,
            only_if_overdue=True,
        ):
            count_failure(ErrorCode.WORKER_TIMEOUT)
        logger.warning("the run was past its deadline before the worker started")
        return WorkerOutcome.FAILED

    def _record_lost(self, job: WorkerJob, record: TrackerRecord, write_until_ms: int) -> None:
        """Make a lost run final (readers already call it failed), so every later reader and
        delivery sees the same answer. Guarded: only while that owner's lease has lapsed."""
        if self.tracker.fail(
            job.task_id,
            job.attempt,
            owner=record.lease_owner,
            error_code=ErrorCode.WORKER_LOST,
            error_message="the worker running the task stopped (crash, out of memory or Lambda's timeout)",
            give_up_at_ms=write_until_ms,
            only_if_lost=True,
        ):
            count("RunsLost")
            count_failure(ErrorCode.WORKER_LOST)
        logger.error("the run's worker was lost; recorded worker_lost without running the task again")

    def _refuse_late_delivery(self, job: WorkerJob, record: TrackerRecord, write_until_ms: int) -> None:
        """Make an unstarted run final (readers already call it failed), so every later reader
        and delivery sees the same answer; the event goes on to the dead-letter queue."""
        if not record.status.is_final and self.tracker.fail(
            job.task_id,
            job.attempt,
            owner=None,
            error_code=ErrorCode.WORKER_NOT_STARTED,
            error_message=NOT_STARTED_MESSAGE,
            give_up_at_ms=write_until_ms,
            only_if_unstarted=True,
        ):
            count_failure(ErrorCode.WORKER_NOT_STARTED)
        count("LateDeliveriesRefused")
        logger.error(
            "a delivery after the run's claim bound (worker_start_timeout_seconds): refused, the task "
            "is not run; sending the event on to the dead-letter queue"
        )

    def _reject_payload(self, event: object, reason: str, write_until_ms: int) -> WorkerOutcome:
        """A malformed payload: fail its run if it names one, so no flow waits for nothing."""
        logger.error("the worker received an invalid payload", extra={"reason": reason})
        fail_unclaimed_run(self.tracker, event, ErrorCode.INVALID_EVENT, reason, give_up_at_ms=write_until_ms)
        return WorkerOutcome.INVALID


def fail_unclaimed_run(
    tracker: TrackerTable, event: object, error_code: str, message: str, *, give_up_at_ms: int
) -> None:
    """Fail the run a payload names, if it is still unclaimed, without running its task: the
    payload is malformed or the worker is misconfigured, and the flow must not wait for nothing."""
    task_id = event.get(WorkerField.TASK_ID) if isinstance(event, dict) else None
    attempt = event.get(WorkerField.ATTEMPT) if isinstance(event, dict) else None
    if isinstance(task_id, str) and isinstance(attempt, int) and not isinstance(attempt, bool):
        try:
            tracker.fail(
                task_id,
                attempt,
                owner=None,
                error_code=error_code,
                error_message=safe_text(trim(message, MAX_ERROR_MESSAGE_CHARS)),
                give_up_at_ms=give_up_at_ms,
            )
        except TrackerUnavailableError as exc:
            logger.error("could not record the run's failure", extra={"reason": str(exc)})
    count_failure(error_code)


class _TaskFailedError(Exception):
    def __init__(self, failure: _Failure) -> None:
        super().__init__(failure.message)
        self.failure = failure


def _safe_message(text: str) -> str:
    return safe_text(trim(redact(text), MAX_ERROR_MESSAGE_CHARS))


def _exception_name(exc: BaseException) -> str:
    return type(exc).__name__


def _exception_text(exc: BaseException) -> str:
    """``str(exc)``, or a placeholder when the exception's own __str__ fails."""
    try:
        return str(exc)
    except Exception:
        return "(its message could not be read)"
