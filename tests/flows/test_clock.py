"""The virtual clock: participants interleave by their sleeps, and time only jumps."""

from __future__ import annotations

import threading
import time

import pytest

from flowkit.clock import VirtualClock

pytestmark = pytest.mark.unit


def test_two_participants_interleave_in_virtual_time() -> None:
    clock = VirtualClock(start_ms=0)
    events: list[tuple[int, str]] = []
    ready = threading.Barrier(2)

    def actor(name: str, step_ms: int, steps: int) -> None:
        with clock.participant():
            ready.wait()
            for _ in range(steps):
                clock.sleep_ms(step_ms)
                events.append((clock.now_ms(), name))

    flow = threading.Thread(target=actor, args=("flow", 3000, 4))
    worker = threading.Thread(target=actor, args=("worker", 5000, 2))
    started = time.monotonic()
    flow.start()
    worker.start()
    flow.join(timeout=10)
    worker.join(timeout=10)
    assert not flow.is_alive() and not worker.is_alive()
    # Twelve virtual seconds pass in (much) less than one real second.
    assert time.monotonic() - started < 5
    assert sorted(events) == [
        (3000, "flow"),
        (5000, "worker"),
        (6000, "flow"),
        (9000, "flow"),
        (10000, "worker"),
        (12000, "flow"),
    ]
    assert clock.now_ms() == 12000


def test_a_finished_participant_does_not_hold_time_back() -> None:
    clock = VirtualClock(start_ms=1000)
    woke: dict[str, int] = {}
    ready = threading.Barrier(2)

    def sleeper(name: str, duration_ms: int) -> None:
        with clock.participant():
            ready.wait()
            clock.sleep_ms(duration_ms)
            woke[name] = clock.now_ms()

    threads = [
        threading.Thread(target=sleeper, args=("short", 10)),
        threading.Thread(target=sleeper, args=("long", 60_000)),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=10)
    # When "short" leaves, "long" is the only participant left and time jumps to its wake-up.
    assert woke == {"short": 1010, "long": 61_000}


def test_a_thread_outside_the_simulation_just_moves_time() -> None:
    clock = VirtualClock(start_ms=0)
    clock.sleep_ms(250)
    assert clock.now_ms() == 250
