"""A virtual clock shared by concurrent participants (the flow and the worker).

Each participant runs in its own thread and waits only by sleeping on this clock. Time moves
only when every registered participant is asleep: it jumps to the earliest wake-up. So a call
of several minutes plays in milliseconds, and the flow and the worker interleave exactly as
their sleeps say, whatever the machine's speed. Sleepers due at the same moment wake one at a
time, in the order they joined, so a simulated call plays the same way on every run.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["VirtualClock"]


class VirtualClock:
    def __init__(self, start_ms: int) -> None:
        self._now = start_ms
        self._condition = threading.Condition()
        self._participants: dict[int, int] = {}  # thread -> order of joining
        self._joined = 0
        self._wake_at: dict[int, int] = {}
        self._running: int | None = None  # the one sleeper allowed to wake now

    def now_ms(self) -> int:
        with self._condition:
            return self._now

    @contextmanager
    def participant(self) -> Iterator[None]:
        """Register the calling thread for as long as it takes part in the simulation."""
        me = threading.get_ident()
        with self._condition:
            self._joined += 1
            self._participants[me] = self._joined
        try:
            yield
        finally:
            with self._condition:
                self._participants.pop(me, None)
                self._wake_at.pop(me, None)
                self._advance()

    def sleep_ms(self, duration_ms: int) -> None:
        me = threading.get_ident()
        with self._condition:
            if me not in self._participants:
                # A thread outside the simulation (a test's own call): just move time on.
                self._now += max(duration_ms, 0)
                return
            self._wake_at[me] = self._now + max(duration_ms, 0)
            self._advance()
            while self._running != me:
                self._condition.wait()
            self._running = None
            self._wake_at.pop(me, None)

    def _advance(self) -> None:
        # Everyone asleep: jump to the earliest wake-up and let that one sleeper run (ties go to
        # the participant that joined first).
        if self._participants and len(self._wake_at) == len(self._participants) and self._running is None:
            me = min(self._wake_at, key=lambda t: (self._wake_at[t], self._participants[t]))
            self._now = max(self._now, self._wake_at[me])
            self._running = me
            self._condition.notify_all()
