"""Keeps personal data out of logs and error messages.

The runtime never logs the event, the parameters or the caller's endpoint. What can still carry
personal data is text a task produces (an exception message); this masks phone numbers in it.
"""

from __future__ import annotations

import logging
import re
import traceback
from typing import Final

__all__ = ["REDACTED", "RedactingFilter", "redact", "redacted_traceback", "trim"]

REDACTED: Final = "[redacted]"
# Seven or more digits, optionally led by a plus, with up to three separators between digits:
# spaces, dots, slashes, brackets and any dash (hyphen, en and em dashes, minus sign). Phone
# numbers in any common notation (and, deliberately, long account-like numbers too).
_SEPARATORS: Final = r"[\s()./\-\u2010-\u2015\u2212]"
_PHONE_LIKE: Final = re.compile(rf"[+\uff0b]?\(?\d(?:{_SEPARATORS}{{0,3}}\d){{6,}}")


def redact(text: str) -> str:
    return _PHONE_LIKE.sub(REDACTED, text)


def redacted_traceback(exc: BaseException) -> str:
    """The exception's traceback for a log line, phone-like numbers masked (user code's
    messages may carry them)."""
    try:
        return redact("".join(traceback.format_exception(exc)))
    except Exception:
        return "(the traceback could not be formatted)"


def trim(text: str, limit: int) -> str:
    """Cut ``text`` to at most ``limit`` characters, marking the cut."""
    return text if len(text) <= limit else text[: max(limit - 1, 0)] + "…"


class RedactingFilter(logging.Filter):
    """Masks phone-like numbers in every log message and its arguments (defence in depth)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in record.args)
        return True
