"""Time as a dependency, so the call simulator can run every handler on a virtual clock."""

from __future__ import annotations

import time
from typing import Protocol

__all__ = ["Clock", "SystemClock"]


class Clock(Protocol):
    def now_ms(self) -> int:
        """Milliseconds since the Unix epoch."""
        ...

    def sleep_ms(self, duration_ms: int) -> None: ...


class SystemClock:
    """Wall-clock time; what the Lambda functions use."""

    def now_ms(self) -> int:
        return time.time_ns() // 1_000_000

    def sleep_ms(self, duration_ms: int) -> None:
        if duration_ms > 0:
            time.sleep(duration_ms / 1000)
