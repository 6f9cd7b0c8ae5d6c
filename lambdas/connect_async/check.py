"""check: read the run's record, poll it while its end is due, then answer the flow.

By default (CHECK_POLL_WHEN=due) check reads once and answers, unless the task's last progress
report puts the run's end within the budget: then it polls until the result lands or the budget
is spent. The flow calls check between the hold message's sentences, so a run with no end in
sight costs one read per sentence and the caller hears no silence beyond the call itself, and a
run about to end is answered within a poll interval of its result. With "always" every call polls
for the whole budget.

A flow that passes ``hold_ms`` (the flow module's chat loop: Connect allows no Wait block in a
flow module) gets that hold instead of the budget: check polls until the run ends, its progress
message changes, or the hold is spent.

The budget (CHECK_BUDGET_MS) sits safely under the flow block's InvocationTimeLimitSeconds, and
is also capped by the Lambda's own remaining time, so check never runs into either limit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from connect_async.clock import Clock
from connect_async.config import CheckSettings
from connect_async.contract import (
    CHECK_RESPONSE_KEYS,
    RESULT_PREFIX,
    CheckPollWhen,
    ErrorCode,
    ResponseKey,
    ResponseStatus,
)
from connect_async.events import InvalidEventError, parse_contact_event
from connect_async.observability import count, logger
from connect_async.results import complete_response, error_response, prefixed_result
from connect_async.runs import Observation, observe
from connect_async.settings import CONSTANTS
from connect_async.tracker import TrackerTable, TrackerUnavailableError

__all__ = ["CheckService", "answer_keys", "end_is_due", "observation_response"]

# Leave this much of the Lambda's remaining time for answering.
_RESPONSE_MARGIN_MS: Final = CONSTANTS["response_margin_ms"]
# The last read of a call comes this long before the budget's end: time for that read (a
# consistent GetItem in-Region) and for the answer's way back to Connect, so the caller's
# silence is the budget, not more.
_LAST_READ_MS: Final = 50
# The first read of a call may retry a throttled request for this long, whatever the budget.
_READ_RETRY_FLOOR_MS: Final = 1_000


def end_is_due(seen: Observation, now_ms: int, budget_ms: int) -> bool:
    """Whether polling for ``budget_ms`` is likely to see the run end: its expected end (from its
    last progress report) is within the budget ahead, or less than half a budget behind (a pace
    that is a little off). An end further behind says the estimate is wrong: no more polling on
    it, so a task stuck at 90% costs one read per call, not a budget.

    A pace is trusted only when it was measured over at least one budget (the report came that
    long after the run began): a report in a task's first milliseconds ("Looking that up...",
    1%) says nothing of its pace, and polling on it would be a budget of silence at the start of
    the call."""
    if seen.status is not ResponseStatus.IN_PROGRESS or seen.record is None:
        return False
    record = seen.record
    if record.progress_at_ms - record.created_at_ms < budget_ms:
        return False
    expected_end_ms = record.expected_end_ms()
    return expected_end_ms is not None and now_ms - budget_ms // 2 < expected_end_ms <= now_ms + budget_ms


def answer_keys(result_keys: Sequence[str] = ()) -> tuple[str, ...]:
    """Every key of check's answer: the contract's, and result_<key> for each configured key."""
    return (*CHECK_RESPONSE_KEYS, *(f"{RESULT_PREFIX}{key}" for key in result_keys))


def observation_response(
    task_id: str,
    seen: Observation,
    now_ms: int,
    spoken_progress: str | None = None,
    result_keys: Sequence[str] = (),
) -> dict[str, str]:
    """The flow's view of a run. Every key is always present, so flow references never dangle:
    the contract's keys, and result_<key> for each of ``result_keys`` (empty unless completed).

    ``spoken_progress`` is the progress message the caller last heard, when the flow passes it:
    ``progress_changed`` is then "true" only for a new, non-empty message of a running task, so
    the flow speaks each message once instead of on every loop.
    """
    record = seen.record
    progress_message = record.progress_message if record else ""
    changed = _progress_changed(seen, spoken_progress)
    response: dict[str, str] = {
        ResponseKey.STATUS: seen.status.value,
        ResponseKey.TASK_ID: task_id,
        ResponseKey.PROGRESS_PERCENT: str(record.progress_percent) if record else "0",
        ResponseKey.PROGRESS_MESSAGE: progress_message,
        ResponseKey.PROGRESS_CHANGED: "true" if changed else "false",
        ResponseKey.ELAPSED_SECONDS: "0",
        ResponseKey.ERROR_CODE: seen.error_code,
        ResponseKey.ERROR_MESSAGE: seen.error_message,
    }
    if record is not None:
        end_ms = seen.ended_at_ms or now_ms
        response[ResponseKey.ELAPSED_SECONDS] = str(max(end_ms - record.created_at_ms, 0) // 1000)
        if seen.status is ResponseStatus.COMPLETED:
            response.update(prefixed_result(record.result))
    return complete_response(response, answer_keys(result_keys))


def _progress_changed(seen: Observation, spoken_progress: str | None) -> bool:
    """A new, non-empty progress message of a running task, other than the one last spoken."""
    progress_message = seen.record.progress_message if seen.record else ""
    return (
        spoken_progress is not None
        and seen.status is ResponseStatus.IN_PROGRESS
        and progress_message not in ("", spoken_progress)
    )


@dataclass(frozen=True)
class CheckService:
    settings: CheckSettings
    tracker: TrackerTable
    clock: Clock

    def handle(self, event: object, remaining_ms: int) -> dict[str, str]:
        started_ms = self.clock.now_ms()
        try:
            request = parse_contact_event(event, self.settings.tracking_id_source)
        except InvalidEventError as exc:
            logger.warning("check rejected an invalid event", extra={"reason": str(exc)})
            return self._complete(error_response(ErrorCode.INVALID_EVENT, str(exc)))
        logger.set_correlation_id(request.contact.contact_id)
        logger.append_keys(task_name=request.task_name)

        usable_ms = max(remaining_ms - _RESPONSE_MARGIN_MS, 0)
        # A hold the flow asks for (the module's chat pause) replaces the budget: the call then
        # lasts that long unless the run ends or its progress changes first.
        holding = request.hold_ms is not None
        budget_ms = min(
            request.hold_ms if request.hold_ms is not None else self.settings.check_budget_ms, usable_ms
        )
        stop_at_ms = started_ms + budget_ms
        # A throttled read is retried even when the polling budget is small (or 0): the first
        # read may take up to _READ_RETRY_FLOOR_MS, within the Lambda's own time.
        read_until_ms = max(stop_at_ms, started_ms + min(_READ_RETRY_FLOOR_MS, usable_ms))
        interval_ms = self.settings.check_poll_interval_ms
        polls = 0
        seen: Observation | None = None
        try:
            while True:
                try:
                    record = self.tracker.get(
                        request.task_id, give_up_at_ms=read_until_ms if polls == 0 else stop_at_ms
                    )
                except TrackerUnavailableError as exc:
                    if seen is None:
                        logger.error("check could not read the tracker", extra={"reason": str(exc)})
                        return self._complete(
                            error_response(
                                ErrorCode.TRACKER_UNAVAILABLE,
                                str(exc),
                                **{ResponseKey.TASK_ID: request.task_id},
                            )
                        )
                    # A later read failed: answer what the last one saw (the flow calls again).
                    logger.warning("a later tracker read failed", extra={"reason": str(exc)})
                    break
                polls += 1
                now_ms = self.clock.now_ms()
                seen = observe(record, now_ms, max_result_bytes=self.settings.max_result_bytes)
                # Stop when the answer is final or the budget is spent. The last read comes just
                # before the budget's end, so a call takes the budget the timing plan counts, and
                # no more (the caller's silence).
                last_read_at_ms = stop_at_ms - _LAST_READ_MS
                if seen.status is not ResponseStatus.IN_PROGRESS or now_ms >= last_read_at_ms:
                    break
                if holding and _progress_changed(seen, request.spoken_progress):
                    break  # the flow speaks the new message now, not at the hold's end
                if (
                    not holding
                    and polls == 1
                    and self.settings.check_poll_when is CheckPollWhen.DUE
                    and not end_is_due(seen, now_ms, budget_ms)
                ):
                    break
                self.clock.sleep_ms(min(interval_ms, last_read_at_ms - now_ms))
        finally:
            count("CheckPolls", polls)

        logger.info("check answered", extra={"status": seen.status, "polls": polls})
        return observation_response(
            request.task_id, seen, now_ms, request.spoken_progress, self.settings.result_keys
        )

    def _complete(self, response: dict[str, str]) -> dict[str, str]:
        return complete_response(response, answer_keys(self.settings.result_keys))
