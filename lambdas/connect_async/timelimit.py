"""Stopping a task when its time is up, before Lambda's hard timeout kills the worker silently."""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

from connect_async.tasks import TaskTimeoutError

__all__ = ["alarm_time_limit"]


@contextmanager
def alarm_time_limit(milliseconds: int) -> Iterator[None]:
    """Raise ``TaskTimeoutError`` in the running task after ``milliseconds`` of real time.

    Uses SIGALRM, which interrupts blocking calls too. Signals only reach the main thread (where
    Lambda runs the handler); elsewhere the task is bounded by ``TaskContext.sleep`` and its
    own checks of ``remaining_ms()``.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def on_alarm(signum: int, frame: FrameType | None) -> None:
        raise TaskTimeoutError("the task's time budget is spent")

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, max(milliseconds, 1) / 1000)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
