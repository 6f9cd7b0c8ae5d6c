"""The claiming worker's lease: proof of life while the task runs, and a watchdog at its end.

A worker that dies after claiming a run (a crash, running out of memory, Lambda's hard timeout)
writes nothing more. So the claim carries a lease (``lease_expires_at_ms``) that the worker
renews every third of ``WORKER_LEASE_MS`` while the task runs; readers treat a claimed run whose
lease has lapsed as failed (``worker_lost``). A dead worker is therefore known within one lease
of its last renewal, instead of at the run's deadline.

Renewals come from a background thread (``thread_keep_alive``), so blocking task code keeps the
lease alive, and also from the task's own calls to ``context.sleep`` and
``context.report_progress``. The same thread is the watchdog: if the task is still running a
second after its budget (it blocked SIGALRM, or replaced it with its own ``signal.alarm``), the
watchdog records ``worker_timeout`` itself, so the flow hears the failure at the budget's end
whatever the task does.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from typing import Final

from connect_async.aws import DYNAMODB_READ_TIMEOUT_SECONDS
from connect_async.clock import Clock
from connect_async.contract import ErrorCode
from connect_async.observability import count_failure, logger
from connect_async.tracker import TrackerTable, TrackerUnavailableError

__all__ = [
    "WATCHDOG_GRACE_MS",
    "KeepAlive",
    "Lease",
    "no_background_renewal",
    "read_timeout_seconds",
    "thread_keep_alive",
]

# How long after the budget's end the watchdog waits for the task's own time limit to work.
WATCHDOG_GRACE_MS: Final = 1_000
# Renewals tried again at once, while the lease holds, after a renewal's own retries gave up.
_EXTRA_RENEWALS: Final = 2


def read_timeout_seconds(lease_ms: int) -> float:
    """The worker's DynamoDB read timeout: a renewal that hangs must give up, and be tried again,
    well within the lease (a third of it at most), or one slow request loses a live run."""
    return min(DYNAMODB_READ_TIMEOUT_SECONDS, lease_ms / 3000)


@dataclass
class Lease:
    tracker: TrackerTable
    clock: Clock
    task_id: str
    attempt: int
    owner: str
    lease_ms: int
    budget_end_ms: int
    write_until_ms: int
    renewed_at_ms: int
    # Set once: the run stopped being this worker's (finished or restarted elsewhere, or the
    # lease lapsed before a renewal got through), the watchdog recorded worker_timeout, or the
    # worker itself is writing the final state.
    lost: bool = False
    timed_out: bool = False
    finishing: bool = False
    _busy: bool = field(default=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def interval_ms(self) -> int:
        return max(self.lease_ms // 3, 50)

    @property
    def done(self) -> bool:
        return self.lost or self.timed_out or self.finishing

    def tick(self) -> None:
        """Renew the lease when a renewal is due; past the budget's end, stop the run.

        The lock guards the flags only, never a DynamoDB call: a tick that finds another tick
        under way returns at once rather than wait (the task's thread must never block here).
        """
        with self._lock:
            if self.done or self._busy:
                return
            now_ms = self.clock.now_ms()
            overrun = now_ms >= self.budget_end_ms + WATCHDOG_GRACE_MS
            if not overrun and now_ms - self.renewed_at_ms < self.interval_ms:
                return
            self._busy = True
        try:
            if overrun:
                self._time_out()
            else:
                self._renew(now_ms)
        finally:
            with self._lock:
                self._busy = False

    def begin_final_write(self) -> bool:
        """Called by the worker before it writes the run's final state; False when the watchdog
        has already recorded worker_timeout (the worker must not write again)."""
        with self._lock:
            self.finishing = True
            return not self.timed_out

    def _renew(self, now_ms: int) -> None:
        # A renewal may retry until the current lease would lapse (and no later than the writes may).
        give_up_at_ms = min(self.renewed_at_ms + self.lease_ms, self.write_until_ms)
        for extra in range(_EXTRA_RENEWALS + 1):
            try:
                still_ours = self.tracker.renew_lease(
                    self.task_id,
                    self.attempt,
                    self.owner,
                    lease_ms=self.lease_ms,
                    give_up_at_ms=give_up_at_ms,
                )
                break
            except TrackerUnavailableError as exc:
                # The retries stop when another call as slow as the last (a timed-out request:
                # 2 s) would end past the lease. For a renewal, trying anyway is right: one that
                # lands late is refused by its condition, while not trying loses a live run.
                if extra == _EXTRA_RENEWALS or self.clock.now_ms() >= give_up_at_ms:
                    logger.warning("lease not renewed; trying again", extra={"reason": str(exc)})
                    return
        with self._lock:
            if still_ours:
                self.renewed_at_ms = now_ms
            elif not self.finishing:
                logger.warning("the run is no longer this worker's (finished, restarted or lease lapsed)")
                self.lost = True

    def _time_out(self) -> None:
        logger.error("the task did not stop at the end of its budget; recording worker_timeout")
        try:
            recorded = self.tracker.fail(
                self.task_id,
                self.attempt,
                owner=self.owner,
                error_code=ErrorCode.WORKER_TIMEOUT,
                error_message="the task did not stop at the end of its time budget",
                give_up_at_ms=self.write_until_ms,
            )
        except TrackerUnavailableError as exc:
            logger.error("could not record worker_timeout", extra={"reason": str(exc)})
            return  # the lease lapses instead: readers see worker_lost
        with self._lock:
            if recorded:
                self.timed_out = True
            elif not self.finishing:
                self.lost = True
        if recorded:
            count_failure(ErrorCode.WORKER_TIMEOUT)


KeepAlive = Callable[[Lease], AbstractContextManager[None]]


@contextmanager
def thread_keep_alive(lease: Lease) -> Iterator[None]:
    """Tick the lease from a daemon thread, on real time, while the ``with`` body runs."""
    stop = threading.Event()

    def beat() -> None:
        while not stop.wait(lease.interval_ms / 1000):
            try:
                lease.tick()
            except Exception:  # never let the lease die with its thread while the task runs
                logger.exception("the lease renewal failed; trying again")
            if lease.done:
                return

    thread = threading.Thread(target=beat, name="connect-async-lease", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()


@contextmanager
def no_background_renewal(lease: Lease) -> Iterator[None]:
    """No thread: the lease is renewed only by the task's own sleep and progress calls (tests
    on a clock that moves only when told)."""
    yield
