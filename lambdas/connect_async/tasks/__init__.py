"""The task interface: what the worker hands your code, and what your code may raise.

A task is a function ``run(context: TaskContext) -> Mapping[str, str | int | float | bool] | None``
named by TASK_HANDLER as ``package.module:function``. See lambdas/README.md, "Writing a task".
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Final

from connect_async.config import ConfigurationError
from connect_async.events import ContactMetadata
from connect_async.retry import TransientError

__all__ = [
    "RunSupersededError",
    "Task",
    "TaskContext",
    "TaskFailed",
    "TaskTimeoutError",
    "TransientError",
    "load_task",
]

_HANDLER_PATTERN: Final = re.compile(r"[A-Za-z_][\w.]*:[A-Za-z_]\w*")
_ERROR_CODE_PATTERN: Final = re.compile(r"[a-z][a-z0-9_]{0,63}")


class TaskFailed(Exception):  # noqa: N818 - reads as a verdict in task code: raise TaskFailed(...)
    """Raise for an expected business failure; the flow gets ``error_code`` and the message.

    ``error_code`` defaults to ``task_error``; use your own (lower-case, digits, underscores)
    when the flow should branch on it, for example ``insufficient_funds``.
    """

    def __init__(self, message: str, error_code: str = "task_error") -> None:
        if not _ERROR_CODE_PATTERN.fullmatch(error_code):
            raise ValueError("error_code must be lower-case letters, digits and underscores")
        super().__init__(message)
        self.error_code = error_code


class TaskTimeoutError(BaseException):
    """Raised inside a task when its time is up.

    A BaseException, like KeyboardInterrupt, so a task's own ``except Exception`` cannot swallow
    it and keep the worker running into Lambda's hard timeout.
    """


class RunSupersededError(BaseException):
    """Raised inside a task when its run was restarted or finished elsewhere: stop working."""


@dataclass(frozen=True)
class TaskContext:
    """What a task receives. ``parameters`` are the flow block's parameters minus control keys."""

    task_id: str
    task_name: str
    attempt: int
    parameters: Mapping[str, str]
    contact: ContactMetadata
    _report_progress: Callable[[int, str], None]
    _remaining_ms: Callable[[], int]
    _sleep_ms: Callable[[int], None]
    # The same on every delivery and retry of this run, another for any other run (a new
    # attempt, or a new run of the task id after its record expired): the key to give a third
    # party so that it never does the work twice. The Step Functions backend's execution name.
    idempotency_key: str = ""

    def report_progress(self, percent: int, message: str = "") -> None:
        """Record progress (0-100) and a short message the flow may speak to the caller."""
        self._report_progress(percent, message)

    def remaining_ms(self) -> int:
        """Milliseconds left before the worker stops this task and records worker_timeout."""
        return self._remaining_ms()

    def sleep(self, seconds: float) -> None:
        """Sleep on the worker's clock (virtual in the call simulator).

        Raises ``TaskTimeoutError`` instead of sleeping past the task's time budget.
        """
        self._sleep_ms(int(seconds * 1000))


Task = Callable[[TaskContext], object]


def load_task(handler: str) -> Task:
    """Import ``package.module:function``; raises ``ConfigurationError`` naming the problem."""
    if not _HANDLER_PATTERN.fullmatch(handler):
        raise ConfigurationError(f"TASK_HANDLER must look like package.module:function, got {handler[:80]!r}")
    module_name, _, function_name = handler.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise ConfigurationError(f"TASK_HANDLER module {module_name!r} cannot be imported: {exc}") from exc
    except (Exception, SystemExit) as exc:  # the module itself fails while importing
        raise ConfigurationError(
            f"TASK_HANDLER module {module_name!r} failed while importing: {type(exc).__name__}"
        ) from exc
    function = getattr(module, function_name, None)
    if not callable(function):
        raise ConfigurationError(f"TASK_HANDLER {handler!r}: {function_name!r} is not a function")
    task: Task = function
    return task
