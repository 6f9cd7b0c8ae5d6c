"""The edge between Connect and the runtime: whatever happens, the flow gets a flat string map."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from connect_async.config import ConfigurationError
from connect_async.contract import ErrorCode
from connect_async.observability import count, logger
from connect_async.results import error_response, guard_response

__all__ = ["answer_connect"]


def answer_connect(respond: Callable[[], Mapping[str, str]]) -> dict[str, str]:
    """Run ``respond``; turn any exception into an error response instead of raising.

    An exception would send the flow down its error branch with no information at all.
    """
    try:
        return guard_response(respond())
    except ConfigurationError as exc:
        logger.error("the function is misconfigured", extra={"reason": str(exc)})
        count("ConfigurationErrors")
        return error_response(ErrorCode.CONFIGURATION_ERROR, str(exc))
    except Exception as exc:
        logger.exception("unexpected error", extra={"error_type": type(exc).__name__})
        count("InternalErrors")
        return error_response(ErrorCode.INTERNAL_ERROR, f"unexpected {type(exc).__name__}")
