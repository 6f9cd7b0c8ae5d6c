"""Task results and flow responses: explicit conversion to flat string maps, sizes enforced.

Connect's STRING_MAP responses must be flat objects of strings under 32 KB; anything else sends
the flow down its error branch with no information. So a result is converted explicitly (never
with ``str()`` on arbitrary objects) and measured, and a response is checked before it leaves.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal

from connect_async.contract import (
    CONNECT_RESPONSE_LIMIT_BYTES,
    RESPONSE_DEFAULTS,
    RESULT_KEY_PATTERN,
    RESULT_PREFIX,
    ErrorCode,
    ResponseKey,
    ResponseStatus,
)

__all__ = [
    "InvalidResultError",
    "MissingResultKeyError",
    "ResultTooLargeError",
    "check_result_size",
    "complete_response",
    "encoded_size",
    "error_response",
    "guard_response",
    "is_unicode",
    "normalize_result",
    "prefixed_result",
    "require_result_keys",
    "safe_text",
]


class InvalidResultError(ValueError):
    """The task returned something that cannot become contact attributes."""


class MissingResultKeyError(ValueError):
    """A completed result lacks a key the flows save and speak (result_attribute_keys)."""


class ResultTooLargeError(ValueError):
    """The result would not fit in the flow's response (the configured limit)."""


def _to_string(key: str, value: object) -> str:
    # bool before int: bool is a subclass of int, and "True" is not what a flow compares with.
    if isinstance(value, str):
        if not is_unicode(value):
            raise InvalidResultError(
                f"result key {key!r} holds text that is not valid Unicode (a lone surrogate)"
            )
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        try:
            return str(value)
        except ValueError:  # more digits than Python will print (sys.get_int_max_str_digits)
            raise InvalidResultError(f"result key {key!r} is an integer too large to write out") from None
    if isinstance(value, float):
        if not math.isfinite(value):
            raise InvalidResultError(f"result key {key!r} is {value}, which is not a number")
        return repr(value)  # shortest text that reads back as the same float
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise InvalidResultError(f"result key {key!r} is {value}, which is not a number")
        return str(value)
    raise InvalidResultError(
        f"result key {key!r} has type {type(value).__name__}; "
        "use str, int, float, Decimal or bool (results are flat)"
    )


def normalize_result(raw: object, max_bytes: int) -> dict[str, str]:
    """Turn a task's return value into the flat string map stored and returned to the flow.

    ``None`` means an empty result. Raises ``InvalidResultError`` or ``ResultTooLargeError``.
    """
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        raise InvalidResultError(f"the task returned {type(raw).__name__}; it must return a dict (or None)")
    result: dict[str, str] = {}
    for key, value in raw.items():
        if not isinstance(key, str) or not RESULT_KEY_PATTERN.fullmatch(key):
            shown = repr(key)[:40]
            raise InvalidResultError(f"result key {shown} must be 1-64 letters, digits or underscores")
        result[key] = _to_string(key, value)
    check_result_size(result, max_bytes)
    return result


def check_result_size(result: Mapping[str, str], max_bytes: int) -> None:
    """Raise ``ResultTooLargeError`` when ``result``, as returned to the flow, exceeds ``max_bytes``."""
    size = encoded_size(prefixed_result(result))
    if size > max_bytes:
        raise ResultTooLargeError(
            f"the result is {size} bytes as returned to the flow; the limit is {max_bytes}"
        )


def require_result_keys(result: Mapping[str, str], keys: Sequence[str]) -> None:
    """Raise ``MissingResultKeyError`` naming each of ``keys`` the result lacks: the flow saves
    every one as result_<key> and may speak it, so a missing one would be heard as a blank."""
    missing = [key for key in keys if key not in result]
    if missing:
        returned = ", ".join(sorted(result)) or "no key"
        raise MissingResultKeyError(
            f"the task's result has no {', '.join(missing)} (it returned {returned}); the flows save and "
            f"speak result_attribute_keys ({', '.join(keys)}): return each one, an empty string where "
            "there is nothing to say, or remove the key from result_attribute_keys"
        )


def prefixed_result(result: Mapping[str, str]) -> dict[str, str]:
    return {f"{RESULT_PREFIX}{key}": value for key, value in result.items()}


def is_unicode(text: str) -> bool:
    """False for text Lambda cannot send as UTF-8 (a lone surrogate from a JSON "\\ud800")."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def safe_text(text: str) -> str:
    """``text`` with anything that is not valid Unicode replaced, so it can always be sent."""
    return text if is_unicode(text) else text.encode("utf-8", "replace").decode("utf-8")


def encoded_size(response: Mapping[str, str]) -> int:
    """Bytes of the JSON document Lambda returns to Connect (its text must be valid Unicode)."""
    return len(json.dumps(response, ensure_ascii=False).encode("utf-8"))


def error_response(code: str, message: str, **extra: str) -> dict[str, str]:
    return {
        ResponseKey.STATUS: ResponseStatus.ERROR,
        ResponseKey.ERROR_CODE: code,
        ResponseKey.ERROR_MESSAGE: message,
        **extra,
    }


def complete_response(response: Mapping[str, str], keys: Iterable[str]) -> dict[str, str]:
    """``response`` with every one of ``keys`` present: what it says, else the key's default."""
    completed = {str(key): RESPONSE_DEFAULTS.get(key, "") for key in keys}
    completed.update({str(k): v for k, v in response.items()})
    return completed


def guard_response(response: Mapping[str, str]) -> dict[str, str]:
    """Last check before a response leaves: flat, all strings, under Connect's 32 KB."""
    # str() also turns the contract's StrEnum members into plain strings; safe_text makes sure
    # Lambda can encode every character.
    flat = {safe_text(str(k)): safe_text(str(v)) for k, v in response.items()}
    if encoded_size(flat) > CONNECT_RESPONSE_LIMIT_BYTES:
        return error_response(
            ErrorCode.RESPONSE_TOO_LARGE,
            f"the response would exceed Connect's {CONNECT_RESPONSE_LIMIT_BYTES} bytes",
            **{ResponseKey.TASK_ID: flat.get(ResponseKey.TASK_ID, "")[:256]},
        )
    return flat
