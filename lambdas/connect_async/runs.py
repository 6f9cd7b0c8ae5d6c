"""A run's tracker record, and the rules of reading one.

The record's fields are the contract's ``Attr`` names (a test keeps the two equal), and an item
is read by those fields' types alone, so a field is declared once, here. The read-side rules
(expired means not found; a lost worker or an overdue run means failed) live beside the record,
apart from the table access in ``tracker.py``: every reader applies the same ``observe``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from typing import Any, Final

from connect_async.contract import MAX_ERROR_MESSAGE_CHARS, Attr, ErrorCode, ResponseStatus, RunStatus
from connect_async.redaction import trim

__all__ = ["CorruptRecordError", "Observation", "TrackerRecord", "observe", "record_from_item"]


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
    finished_at_ms: int = 0
    progress_at_ms: int = 0

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


@dataclass(frozen=True)
class Observation:
    """What a record means to the flow at a given moment."""

    status: ResponseStatus
    record: TrackerRecord | None
    error_code: str = ""
    error_message: str = ""


def observe(record: TrackerRecord | None, now_ms: int) -> Observation:
    """Apply the read-side rules: expired means not found; a lost worker or an overdue run
    means failed."""
    if record is None or record.is_expired(now_ms):
        return Observation(ResponseStatus.NOT_FOUND, None)
    if record.is_lost(now_ms):
        return Observation(
            ResponseStatus.FAILED,
            record,
            ErrorCode.WORKER_LOST,
            "the worker running the task stopped (crash, out of memory or Lambda's timeout)",
        )
    if record.is_overdue(now_ms):
        return Observation(
            ResponseStatus.FAILED,
            record,
            ErrorCode.WORKER_TIMEOUT,
            "the worker did not finish before the run's deadline",
        )
    # Another writer (a state machine's Fail Cause, an edit by hand) may have stored more than the
    # flow should speak: the flow gets what the worker itself would have written, at most.
    return Observation(
        ResponseStatus(record.status.value),
        record,
        record.error_code,
        trim(record.error_message, MAX_ERROR_MESSAGE_CHARS),
    )


# How each field type is read from a DynamoDB attribute value (a missing attribute is empty).
_READERS: Final[dict[str, Callable[[Mapping[str, Any]], object]]] = {
    "str": lambda value: str(value.get("S", "")),
    "int": lambda value: int(value["N"]) if "N" in value else 0,
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
