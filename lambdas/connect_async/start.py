"""start: create the run's record with one conditional write, hand it to the worker, return.

Idempotent by construction: Connect may call start up to three times for one block, and every
call after the first finds the live record and returns its status without invoking the worker.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from connect_async.clock import Clock
from connect_async.config import StartSettings
from connect_async.contract import START_RESPONSE_KEYS, ErrorCode, ResponseKey, ResponseStatus
from connect_async.dispatch import Dispatcher, DispatchError
from connect_async.events import InvalidEventError, WorkerJob, parse_contact_event
from connect_async.observability import count, count_failure, logger
from connect_async.results import complete_response, error_response
from connect_async.runs import Observation, observe
from connect_async.settings import CONSTANTS
from connect_async.tracker import TrackerTable, TrackerUnavailableError

__all__ = ["StartService"]

# Stop retrying this long before the Lambda itself would be cut off.
_RESPONSE_MARGIN_MS: Final = CONSTANTS["response_margin_ms"]


@dataclass(frozen=True)
class StartService:
    settings: StartSettings
    tracker: TrackerTable
    dispatcher: Dispatcher
    clock: Clock

    def handle(self, event: object, remaining_ms: int) -> dict[str, str]:
        """start's answer to the flow: every key of START_RESPONSE_KEYS, whatever happened."""
        return complete_response(self._handle(event, remaining_ms), START_RESPONSE_KEYS)

    def _handle(self, event: object, remaining_ms: int) -> dict[str, str]:
        now_ms = self.clock.now_ms()
        give_up_at_ms = now_ms + max(remaining_ms - _RESPONSE_MARGIN_MS, 0)
        try:
            request = parse_contact_event(event, self.settings.tracking_id_source)
        except InvalidEventError as exc:
            logger.warning("start rejected an invalid event", extra={"reason": str(exc)})
            return error_response(ErrorCode.INVALID_EVENT, str(exc))
        logger.set_correlation_id(request.contact.contact_id)
        logger.append_keys(task_name=request.task_name, channel=request.contact.channel)

        # An asynchronous event can be throttled, dropped or age out; a state machine's
        # execution is started synchronously (a failure is a dispatch_failed now), so needs no bound.
        claim_by_ms = (
            0
            if self.settings.state_machine_arn
            else now_ms + self.settings.worker_start_timeout_seconds * 1000
        )
        try:
            outcome = self.tracker.begin_run(
                request,
                deadline_at_ms=now_ms + self.settings.run_deadline_seconds * 1000,
                expires_at=now_ms // 1000 + self.settings.record_ttl_seconds,
                give_up_at_ms=give_up_at_ms,
                claim_by_ms=claim_by_ms,
            )
        except TrackerUnavailableError as exc:
            logger.error("start could not write the tracker", extra={"reason": str(exc)})
            count_failure(ErrorCode.TRACKER_UNAVAILABLE)
            return error_response(
                ErrorCode.TRACKER_UNAVAILABLE, str(exc), **{ResponseKey.TASK_ID: request.task_id}
            )

        record = outcome.record
        base: dict[str, str] = {
            ResponseKey.TASK_ID: request.task_id,
            ResponseKey.ATTEMPT: str(record.attempt),
            ResponseKey.NEW_RUN: "true" if outcome.created else "false",
            ResponseKey.ERROR_CODE: "",
            ResponseKey.ERROR_MESSAGE: "",
        }
        if not outcome.created:
            # A retry from Connect, a transferred contact, or a second start in the flow.
            seen = observe(record, now_ms, max_result_bytes=self.settings.max_result_bytes)
            logger.info("start found a live run", extra={"status": seen.status, "attempt": record.attempt})
            count("DuplicateStarts")
            return _with_observation(base, seen)

        job = WorkerJob(
            task_id=request.task_id,
            task_name=request.task_name,
            attempt=record.attempt,
            parameters=request.parameters,
            contact=request.contact,
            run_created_at_ms=record.created_at_ms,
        )
        try:
            self.dispatcher.dispatch(job, give_up_at_ms=give_up_at_ms)
        except DispatchError as exc:
            return self._dispatch_failed(base, record.attempt, request.task_id, str(exc), give_up_at_ms)
        logger.info("start began a run", extra={"attempt": record.attempt})
        count("RunsStarted")
        return {**base, ResponseKey.STATUS: ResponseStatus.IN_PROGRESS}

    def _dispatch_failed(
        self, base: dict[str, str], attempt: int, task_id: str, message: str, give_up_at_ms: int
    ) -> dict[str, str]:
        logger.error("start could not invoke the worker", extra={"reason": message})
        count_failure(ErrorCode.DISPATCH_FAILED)
        failed = {
            **base,
            ResponseKey.STATUS: ResponseStatus.FAILED,
            ResponseKey.ERROR_CODE: ErrorCode.DISPATCH_FAILED,
            ResponseKey.ERROR_MESSAGE: message,
        }
        try:
            recorded = self.tracker.fail(
                task_id,
                attempt,
                owner=None,
                error_code=ErrorCode.DISPATCH_FAILED,
                error_message=message,
                give_up_at_ms=give_up_at_ms,
            )
            if not recorded:
                # The invoke did reach the worker (only its answer was lost) and the worker
                # has claimed or finished the run: report what the record says instead.
                seen = observe(
                    self.tracker.get(task_id, give_up_at_ms=give_up_at_ms),
                    self.clock.now_ms(),
                    max_result_bytes=self.settings.max_result_bytes,
                )
                return _with_observation(base, seen)
        except TrackerUnavailableError as exc:
            # The record stays in progress and ends as worker_timeout at its deadline; the flow
            # is told now that the run failed, so nothing is left waiting on it.
            logger.error("start could not record the dispatch failure", extra={"reason": str(exc)})
        return failed


def _with_observation(base: dict[str, str], seen: Observation) -> dict[str, str]:
    """start's answer for a run it did not begin: what the record says now."""
    return {
        **base,
        ResponseKey.STATUS: seen.status,
        ResponseKey.ERROR_CODE: seen.error_code,
        ResponseKey.ERROR_MESSAGE: seen.error_message,
    }
