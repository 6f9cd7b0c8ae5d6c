"""start: create the run's record with one conditional write, hand it to the worker, return.

Idempotent by construction: Connect may call start up to three times for one block, and every
call after the first finds the live record and returns its status. It hands the run to the
worker again only when no worker has claimed it REDISPATCH_AFTER_MS after it began: the first
call most likely wrote the record and died (or was cut off) before its invoke. A second delivery
is harmless (the claim lets one worker run it; a state machine refuses a second execution of its
name), and a run claimed in time (a worker claims within milliseconds of the invoke) or a retry
from Connect within the same moment is never handed over twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from connect_async.aws import SLOWEST_REQUEST_MS
from connect_async.clock import Clock
from connect_async.config import StartSettings
from connect_async.contract import START_RESPONSE_KEYS, ErrorCode, ResponseKey, ResponseStatus
from connect_async.dispatch import Dispatcher, DispatchError
from connect_async.events import InvalidEventError, TaskRequest, WorkerJob, parse_contact_event
from connect_async.observability import count, count_failure, logger
from connect_async.results import complete_response, error_response
from connect_async.runs import Observation, TrackerRecord, observe
from connect_async.settings import CONSTANTS
from connect_async.tracker import TrackerTable, TrackerUnavailableError

__all__ = ["REDISPATCH_AFTER_MS", "StartService"]

# Stop retrying this long before the Lambda itself would be cut off.
_RESPONSE_MARGIN_MS: Final = CONSTANTS["response_margin_ms"]
# A live run that no worker has claimed this long after it began is handed to the worker again.
REDISPATCH_AFTER_MS: Final = 5_000


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
        if give_up_at_ms + _RESPONSE_MARGIN_MS - now_ms < SLOWEST_REQUEST_MS:
            # Too little time left (a retry late in the block): a request that hangs would be cut
            # off with the Lambda. The flow retries a tracker_unavailable answer after a message.
            logger.error("start has no time left for a request", extra={"remaining_ms": remaining_ms})
            count_failure(ErrorCode.TRACKER_UNAVAILABLE)
            return error_response(
                ErrorCode.TRACKER_UNAVAILABLE,
                "no time left to reach DynamoDB before this call's time limit",
                **{ResponseKey.TASK_ID: request.task_id},
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
        seen = observe(record, now_ms, max_result_bytes=self.settings.max_result_bytes)
        if not outcome.created:
            # A retry from Connect, a transferred contact, or a second start in the flow.
            logger.info("start found a live run", extra={"status": seen.status, "attempt": record.attempt})
            count("DuplicateStarts")
            unclaimed_for_ms = now_ms - record.created_at_ms if not record.lease_owner else 0
            if seen.status is not ResponseStatus.IN_PROGRESS or unclaimed_for_ms < REDISPATCH_AFTER_MS:
                return _with_observation(base, seen)
            # Unclaimed for seconds: most likely never handed over (the first start died first).
            logger.warning(
                "start hands over a live run no worker has claimed", extra={"attempt": record.attempt}
            )

        return self._hand_over(
            request, record, base, seen, created=outcome.created, give_up_at_ms=give_up_at_ms
        )

    def _hand_over(
        self,
        request: TaskRequest,
        record: TrackerRecord,
        base: dict[str, str],
        seen: Observation,
        *,
        created: bool,
        give_up_at_ms: int,
    ) -> dict[str, str]:
        """Dispatch the run: a new one, or a live one no worker has claimed yet."""
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
            if not created:  # the first start's invoke may well have gone through
                logger.warning("start could not hand a live run over again", extra={"reason": str(exc)})
                return _with_observation(base, seen)
            return self._dispatch_failed(base, record.attempt, request.task_id, str(exc), give_up_at_ms)
        if not created:
            return _with_observation(base, seen)
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
        if self.clock.now_ms() + SLOWEST_REQUEST_MS > give_up_at_ms + _RESPONSE_MARGIN_MS:
            # The invoke's retries took start's time: a request now could hang past the Lambda's
            # end. The record stays unclaimed and reads failed at its claim bound (or runs, if
            # the invoke went through); the flow's check reads which.
            logger.error("start has no time left to record the dispatch failure")
            return failed
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
