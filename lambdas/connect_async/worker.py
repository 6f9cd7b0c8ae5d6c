"""worker: claim the run, execute the task within its budget, write the final state once.

Outcomes a Lambda invocation can have, all logged and none raised except the last:
- the run is claimed and ends completed or failed (task_error, result_too_large, ...);
- the delivery is a duplicate or stale (Lambda's at-least-once delivery, or a restarted run):
  a logged no-op that changes nothing;
- the run is past its deadline: it is marked failed/worker_timeout without running the task;
- DynamoDB cannot be reached even after retries: the error is raised. Before the claim that is
  safe (Lambda's asynchronous retry delivers the event again); after it, the event ends in the
  dead-letter queue and check reports worker_timeout at the run's deadline.

Task exceptions are recorded, not re-raised: Lambda's asynchronous retry would run the task
again (a second money transfer), and the flow needs a definite answer now. Transient errors are
retried here instead, with backoff, while the budget allows.
"""

from __future__ import annotations

import random
import traceback
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cache
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
from connect_async.observability import count, count_failure, logger, timing
from connect_async.redaction import redact, trim
from connect_async.results import InvalidResultError, ResultTooLargeError, normalize_result
from connect_async.retry import RetryPolicy, is_transient
from connect_async.tasks import (
    RunSupersededError,
    Task,
    TaskContext,
    TaskFailed,
    TaskTimeoutError,
    load_task,
)
from connect_async.timelimit import alarm_time_limit
from connect_async.tracker import TrackerRecord, TrackerTable, TrackerUnavailableError

__all__ = ["Invocation", "WorkerOutcome", "WorkerService"]

# Tracker writes may use the time up to this close to Lambda's hard timeout.
_WRITE_MARGIN_MS: Final = 200
_TASK_RETRY_BASE_MS: Final = 200
_TASK_RETRY_MAX_MS: Final = 5_000


class Invocation(Protocol):
    """The parts of Lambda's context object the worker uses."""

    @property
    def aws_request_id(self) -> str: ...

    def get_remaining_time_in_millis(self) -> int: ...


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

    def handle(self, event: object, invocation: Invocation) -> WorkerOutcome:
        lambda_end_ms = self.clock.now_ms() + invocation.get_remaining_time_in_millis()
        write_until_ms = lambda_end_ms - _WRITE_MARGIN_MS
        try:
            job = parse_worker_event(event)
        except InvalidEventError as exc:
            return self._reject_payload(event, str(exc), write_until_ms)
        logger.set_correlation_id(job.contact.contact_id)
        logger.append_keys(task_name=job.task_name, attempt=job.attempt)

        claim = self.tracker.claim(
            job.task_id, job.attempt, invocation.aws_request_id, give_up_at_ms=write_until_ms
        )
        if not claim.claimed:
            return self._not_claimed(job, claim.record, write_until_ms)
        if claim.record is None:  # an applied update returns the new image; never None
            raise TrackerUnavailableError("DynamoDB returned no record for an applied claim")
        budget_end_ms = min(lambda_end_ms - self.settings.safety_margin_ms, claim.record.deadline_at_ms)

        started_ms = self.clock.now_ms()
        try:
            outcome = self._execute(job, invocation.aws_request_id, budget_end_ms, write_until_ms)
        except RunSupersededError:
            logger.warning("the run was restarted or finished elsewhere; the task stopped")
            return WorkerOutcome.SUPERSEDED
        finally:
            timing("TaskDurationMs", self.clock.now_ms() - started_ms)
        return outcome

    # -- the task --------------------------------------------------------------------------

    def _execute(self, job: WorkerJob, owner: str, budget_end_ms: int, write_until_ms: int) -> WorkerOutcome:
        try:
            task = self._load()
            raw = self._run_with_retries(task, self._context(job, owner, budget_end_ms), budget_end_ms)
            result = normalize_result(raw, self.settings.max_result_bytes)
        except _TaskFailedError as failure:
            return self._finish_failed(job, owner, failure.failure, write_until_ms)
        except InvalidResultError as exc:
            return self._finish_failed(
                job, owner, _Failure(ErrorCode.INVALID_RESULT, str(exc)), write_until_ms
            )
        except ResultTooLargeError as exc:
            return self._finish_failed(
                job, owner, _Failure(ErrorCode.RESULT_TOO_LARGE, str(exc)), write_until_ms
            )

        if not self.tracker.complete(
            job.task_id, job.attempt, owner, result=result, give_up_at_ms=write_until_ms
        ):
            logger.warning("the run was no longer this worker's; its result was discarded")
            return WorkerOutcome.SUPERSEDED
        logger.info("run completed", extra={"result_keys": sorted(result)})
        count("RunsCompleted")
        return WorkerOutcome.COMPLETED

    def _load(self) -> Task:
        try:
            return _cached_loader(self.task_loader, self.settings.task_handler)
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
                raise _TaskFailedError(_Failure(exc.error_code, _safe_message(str(exc)))) from exc
            except ConfigurationError as exc:
                raise _TaskFailedError(_Failure(ErrorCode.CONFIGURATION_ERROR, str(exc))) from exc
            except Exception as exc:
                delay_ms = policy.backoff_ms(attempt, self.rng)
                retryable = is_transient(exc) and attempt < policy.max_attempts
                if retryable and self.clock.now_ms() + delay_ms < budget_end_ms:
                    logger.warning(
                        "transient task error; retrying",
                        extra={"error_type": type(exc).__name__, "delay_ms": delay_ms},
                    )
                    self.clock.sleep_ms(delay_ms)
                    continue
                message = _safe_message(f"{type(exc).__name__}: {exc}")
                logger.error(
                    "the task raised",
                    extra={
                        "error_type": type(exc).__name__,
                        "traceback": redact("".join(traceback.format_exception(exc))),
                    },
                )
                raise _TaskFailedError(_Failure(ErrorCode.TASK_ERROR, message)) from exc

    def _context(self, job: WorkerJob, owner: str, budget_end_ms: int) -> TaskContext:
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
                    message=trim(message, MAX_PROGRESS_MESSAGE_CHARS),
                    give_up_at_ms=budget_end_ms,
                )
            except TrackerUnavailableError as exc:
                logger.warning("progress not recorded", extra={"reason": str(exc)})  # best effort
                return
            if not still_ours:
                raise RunSupersededError

        def sleep_ms(duration_ms: int) -> None:
            left_ms = budget_end_ms - self.clock.now_ms()
            if duration_ms >= left_ms:
                self.clock.sleep_ms(max(left_ms, 0))
                raise TaskTimeoutError("the task's time budget is spent")
            self.clock.sleep_ms(duration_ms)

        return TaskContext(
            task_id=job.task_id,
            task_name=job.task_name,
            attempt=job.attempt,
            parameters=job.parameters,
            contact=job.contact,
            _report_progress=report_progress,
            _remaining_ms=lambda: max(budget_end_ms - self.clock.now_ms(), 0),
            _sleep_ms=sleep_ms,
        )

    # -- endings ---------------------------------------------------------------------------

    def _finish_failed(
        self, job: WorkerJob, owner: str, failure: _Failure, write_until_ms: int
    ) -> WorkerOutcome:
        recorded = self.tracker.fail(
            job.task_id,
            job.attempt,
            owner=owner,
            error_code=failure.code,
            error_message=failure.message,
            give_up_at_ms=write_until_ms,
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

    def _reject_payload(self, event: object, reason: str, write_until_ms: int) -> WorkerOutcome:
        """A malformed payload: fail its run if it names one, so no flow waits for nothing."""
        logger.error("the worker received an invalid payload", extra={"reason": reason})
        task_id = event.get(WorkerField.TASK_ID) if isinstance(event, dict) else None
        attempt = event.get(WorkerField.ATTEMPT) if isinstance(event, dict) else None
        if isinstance(task_id, str) and isinstance(attempt, int) and not isinstance(attempt, bool):
            try:
                self.tracker.fail(
                    task_id,
                    attempt,
                    owner=None,
                    error_code=ErrorCode.INVALID_EVENT,
                    error_message=trim(reason, MAX_ERROR_MESSAGE_CHARS),
                    give_up_at_ms=write_until_ms,
                )
            except TrackerUnavailableError as exc:
                logger.error("could not record the invalid payload", extra={"reason": str(exc)})
        count_failure(ErrorCode.INVALID_EVENT)
        return WorkerOutcome.INVALID


class _TaskFailedError(Exception):
    def __init__(self, failure: _Failure) -> None:
        super().__init__(failure.message)
        self.failure = failure


def _safe_message(text: str) -> str:
    return trim(redact(text), MAX_ERROR_MESSAGE_CHARS)


@cache
def _cached_loader(loader: Callable[[str], Task], handler: str) -> Task:
    # Import the task once per execution environment, not once per invocation.
    return loader(handler)
