"""What every reliability case shares: the task, the contact, the answers, and the invariants."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from connect_async.tasks import TaskContext
from tests.conftest import Stack, connect_event

__all__ = [
    "CONTACT",
    "LAMBDA_FIRST_RETRY_SECONDS",
    "TASK_ID",
    "Observed",
    "Runs",
    "at_once",
    "deliver",
    "settle",
    "start_flow",
    "status_of",
]

T = TypeVar("T")
CONTACT = "0f5f6f7f-1111-4222-8333-444455556666"
# Lambda retries an asynchronous event whose invocation failed after about a minute (documented).
LAMBDA_FIRST_RETRY_SECONDS = 60
TASK_ID = f"{CONTACT}#default"


class Runs:
    """The task: one progress report, then a result; counts how often it really ran."""

    def __init__(self) -> None:
        self.count = 0
        self._lock = threading.Lock()

    def __call__(self, context: TaskContext) -> dict[str, str]:
        with self._lock:
            self.count += 1
        context.report_progress(50, "Half way")
        return {"answer": "42"}


@dataclass
class Observed:
    flow_saw: str = ""  # what start or check told the flow during the fault
    worker: str = ""  # how the worker invocation ended during the fault
    record: str = ""  # the record's final status / error code, as check reports it after the fault


def status_of(response: dict[str, str]) -> str:
    """ "status/error_code" (or just the status), after checking the answer is a flat string map."""
    assert isinstance(response, dict) and all(isinstance(v, str) for v in response.values())
    code = response.get("error_code", "")
    return f"{response['status']}/{code}" if code else response["status"]


def deliver(stack: Stack, request_id: str) -> str:
    try:
        return stack.run_worker(request_id=request_id)
    except Exception as exc:  # the worker may raise: Lambda then retries the event
        return f"raised {type(exc).__name__}"


def settle(stack: Stack, runs: Runs, observed: Observed, max_runs: int = 1) -> dict[str, Any] | None:
    """The invariants every case ends with; returns the final record."""
    stack.injector.clear()
    event = connect_event(contact_id=CONTACT)
    seen = stack.check(event, remaining_ms=8000)
    if seen["status"] == "in_progress":
        # Nothing will write again (a crash, a lost final write): at the deadline every reader
        # reports the run failed, so the flow can always leave its loop.
        stack.clock.advance(stack.run_deadline_seconds + 1)
        seen = stack.check(event)
    assert seen["status"] in {"completed", "failed", "not_found"}, seen
    observed.record = status_of(seen)
    assert runs.count <= max_runs, "the task ran more than once per attempt"
    final = stack.item(TASK_ID)
    # Replays: every delivery again, start again: a final record never changes.
    for index in range(len(stack.invoked)):
        deliver(stack, request_id=f"replay-{index}")
    stack.start(event)
    if final and final["status"]["S"] != "in_progress":
        assert stack.item(TASK_ID) == final, "a final record was overwritten"
    return final


def start_flow(stack: Stack) -> Runs:
    runs = Runs()
    stack.task = runs
    stack.check_budget_ms = 0  # answer at once: the worker runs in this same thread
    return runs


def at_once(count: int, call: Callable[[int], T]) -> list[T]:
    """``call(0)`` ... ``call(count - 1)`` from as many threads, released together."""
    barrier = threading.Barrier(count)
    results: list[T] = []
    lock = threading.Lock()

    def run(index: int) -> None:
        barrier.wait()
        result = call(index)
        with lock:
            results.append(result)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert len(results) == count, "a concurrent call did not finish"
    return results
