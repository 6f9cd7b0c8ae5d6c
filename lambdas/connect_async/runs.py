"""A run's tracker record, and the rules of reading one.

The record's fields are the contract's ``Attr`` names (a test keeps the two equal), and an item
is read by those fields' types alone, so a field is declared once, here. The read-side rules
(expired means not found; a lost worker or an overdue run means failed) live beside the record,
apart from the table access in ``tracker.py``: every reader applies the same ``observe``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any, Final, TypeAlias

from connect_async.contract import MAX_ERROR_MESSAGE_CHARS, Attr, ErrorCode, ResponseStatus, RunStatus
from connect_async.redaction import trim
from connect_async.results import ResultTooLargeError, check_result_size

__all__ = [
    "NOT_STARTED_MESSAGE",
    "CorruptRecordError",
    "Observation",
    "TrackerRecord",
    "observe",
    "record_from_item",
]

# What readers and the worker say of a run no worker claimed in time.
NOT_STARTED_MESSAGE: Final = (
    "no worker started the run in time (its asynchronous event was throttled, dropped or delayed)"
)


# Epoch milliseconds, or, as a Step Functions state writes it (the JSONPath language has no epoch
# clock), the ISO 8601 time it entered ($$.State.EnteredTime).
FinishTime: TypeAlias = int


class CorruptRecordError(Exception):
    """The run's item exists but is not a tracker record (an unknown status, a malformed field)."""


@dataclass(frozen=True)
class TrackerRecord:
    task_id: str
    task_name: str
    status: RunStatus
    attempt: int
    created_at_ms: int
    updated_at_ms: int
    deadline_at_ms: int
    expires_at: int
    progress_percent: int = 0
    progress_message: str = ""
    result: Mapping[str, str] = field(default_factory=dict)
    error_code: str = ""
    error_message: str = ""
    channel: str = ""
    contact_id: str = ""
    initial_contact_id: str = ""
    restart_token: str = ""
    lease_owner: str = ""
    lease_expires_at_ms: int = 0
    worker_runs: int = 0
    finished_at_ms: FinishTime = 0
    progress_at_ms: int = 0
    claim_by_ms: int = 0
    begun_by: str = ""
    reconcile_status: str = ""
    reconcile_outcome: str = ""
    reconcile_owner: str = ""
    reconcile_until_ms: int = 0
    reconcile_attempts: int = 0
    reconciled_at_ms: int = 0

    def is_expired(self, now_ms: int) -> bool:
        # TTL deletion is lazy (up to days): an expired item can still be read.
        return self.expires_at * 1000 <= now_ms

    def is_overdue(self, now_ms: int) -> bool:
        return self.status is RunStatus.IN_PROGRESS and self.deadline_at_ms <= now_ms

    def expected_end_ms(self) -> int | None:
        """When the run should end if it keeps the pace of its last progress report: the time
        since it began, scaled by the percent reported then. None without a report to go by (no
        percent, or a record written before reports were timed)."""
        if self.status is not RunStatus.IN_PROGRESS or not 0 < self.progress_percent <= 100:
            return None
        spent_ms = self.progress_at_ms - self.created_at_ms
        if self.progress_at_ms == 0 or spent_ms < 0:
            return None
        return self.created_at_ms + spent_ms * 100 // self.progress_percent

    def is_lost(self, now_ms: int) -> bool:
        """Claimed and in progress, but the worker stopped renewing its lease: it is gone."""
        return (
            self.status is RunStatus.IN_PROGRESS
            and bool(self.lease_owner)
            and 0 < self.lease_expires_at_ms <= now_ms
        )

    def is_unstarted(self, now_ms: int) -> bool:
        """In progress, and no worker claimed it by the time one had to: its asynchronous event
        was throttled, dropped or aged out, and the caller should not wait for the deadline."""
        return (
            self.status is RunStatus.IN_PROGRESS and not self.lease_owner and 0 < self.claim_by_ms <= now_ms
        )

    def is_stopped_at_deadline(self, now_ms: int) -> bool:
        """Overdue with a lease that ran to the deadline: a Step Functions execution's (its claim
        holds the lease until the deadline, with no heartbeat), stopped or timed out. The deadline
        ended it, not a lost worker: readers answer worker_timeout, as the backend table says."""
        return self.is_overdue(now_ms) and self.lease_expires_at_ms >= self.deadline_at_ms


@dataclass(frozen=True)
class Observation:
    """What a record means to the flow at a given moment."""

    status: ResponseStatus
    record: TrackerRecord | None
    error_code: str = ""
    error_message: str = ""
    # When the run ended, as readers judge it (finished, its deadline, its lease's end); 0 while
    # it runs. elapsed_seconds stops here.
    ended_at_ms: int = 0


def observe(record: TrackerRecord | None, now_ms: int, *, max_result_bytes: int) -> Observation:
    """Apply the read-side rules: expired means not found; a lost worker, a worker that never
    started or an overdue run means failed; a result over ``max_result_bytes`` means
    failed/result_too_large."""
    if record is None or record.is_expired(now_ms):
        return Observation(ResponseStatus.NOT_FOUND, None)
    if record.is_lost(now_ms) and not record.is_stopped_at_deadline(now_ms):
        return Observation(
            ResponseStatus.FAILED,
            record,
            ErrorCode.WORKER_LOST,
            "the worker running the task stopped (crash, out of memory or Lambda's timeout)",
            ended_at_ms=record.lease_expires_at_ms,
        )
    if record.is_unstarted(now_ms):
        return Observation(
            ResponseStatus.FAILED,
            record,
            ErrorCode.WORKER_NOT_STARTED,
            NOT_STARTED_MESSAGE,
            ended_at_ms=record.claim_by_ms,
        )
    if record.is_overdue(now_ms):
        return Observation(
            ResponseStatus.FAILED,
            record,
            ErrorCode.WORKER_TIMEOUT,
            "the worker did not finish before the run's deadline",
            ended_at_ms=record.deadline_at_ms,
        )
    ended_at_ms = record.finished_at_ms if record.status.is_final else 0
    if record.status is RunStatus.COMPLETED:
        # The worker refuses such a result; a state machine's steps are not measured before
        # they are written, so the same rule is applied here, and both backends read the same.
        try:
            check_result_size(record.result, max_result_bytes)
        except ResultTooLargeError as exc:
            return Observation(
                ResponseStatus.FAILED, record, ErrorCode.RESULT_TOO_LARGE, str(exc), ended_at_ms=ended_at_ms
            )
    # Another writer (a state machine's Fail Cause, an edit by hand) may have stored more than the
    # flow should speak: the flow gets what the worker itself would have written, at most.
    return Observation(
        ResponseStatus(record.status.value),
        record,
        record.error_code,
        trim(record.error_message, MAX_ERROR_MESSAGE_CHARS),
        ended_at_ms=ended_at_ms,
    )


def _finish_time(value: Mapping[str, Any]) -> int:
    if "N" in value:
        return int(value["N"])
    if "S" in value:  # "2026-12-04T13:00:00.123Z" (Python 3.11 reads the Z)
        return int(datetime.fromisoformat(str(value["S"])).timestamp() * 1000)
    return 0


# How each field type is read from a DynamoDB attribute value (a missing attribute is empty).
_READERS: Final[dict[str, Callable[[Mapping[str, Any]], object]]] = {
    "str": lambda value: str(value.get("S", "")),
    "int": lambda value: int(value["N"]) if "N" in value else 0,
    "FinishTime": _finish_time,
    "RunStatus": lambda value: RunStatus(str(value.get("S", ""))),
    "Mapping[str, str]": lambda value: {k: str(v.get("S", "")) for k, v in value.get("M", {}).items()},
}


# Each field, its attribute name and its reader: fails at import if a field is not in the contract.
_FIELDS: Final = tuple(
    (spec.name, Attr(spec.name).value, _READERS[str(spec.type)]) for spec in fields(TrackerRecord)
)


def record_from_item(item: Mapping[str, Any]) -> TrackerRecord:
    """Read an item; raises ``CorruptRecordError`` when it is not a tracker record."""
    try:
        values: dict[str, Any] = {}
        for name, attribute, read in _FIELDS:
            value = item.get(attribute, {})
            values[name] = read(value if isinstance(value, Mapping) else {})
        return TrackerRecord(**values)
    except (ValueError, TypeError, AttributeError, KeyError) as exc:
        raise CorruptRecordError(f"the tracker record is malformed ({type(exc).__name__})") from None
