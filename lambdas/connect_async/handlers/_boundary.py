"""The edge between Connect and the runtime: whatever happens, the flow gets a flat string map."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from connect_async.config import ConfigurationError
from connect_async.contract import ErrorCode
from connect_async.observability import count, logger
from connect_async.results import complete_response, error_response, guard_response
from connect_async.runs import CorruptRecordError

__all__ = ["answer_connect"]


def answer_connect(
    respond: Callable[[], Mapping[str, str]], keys: Callable[[], Sequence[str]]
) -> dict[str, str]:
    """Run ``respond``; turn any exception into an error response instead of raising.

    An exception would send the flow down its error branch with no information at all. The
    answer always holds every key of ``keys()`` (the function's contract), errors included.
    """
    try:
        response: Mapping[str, str] = respond()
    except ConfigurationError as exc:
        logger.error("the function is misconfigured", extra={"reason": str(exc)})
        count("ConfigurationErrors")
        response = error_response(ErrorCode.CONFIGURATION_ERROR, str(exc))
    except CorruptRecordError as exc:
        logger.error("the run's tracker record is unreadable", extra={"reason": str(exc)})
        count("InternalErrors")
        response = error_response(ErrorCode.CORRUPT_RECORD, str(exc))
    except Exception as exc:
        logger.exception("unexpected error", extra={"error_type": type(exc).__name__})
        count("InternalErrors")
        response = error_response(ErrorCode.INTERNAL_ERROR, f"unexpected {type(exc).__name__}")
    # Completed again after the guard: its response_too_large answer is an error of its own,
    # which must hold every key too (a flow reads progress_percent and result_<key> on any path).
    return complete_response(guard_response(complete_response(response, keys())), keys())
