"""The task interface: what the worker hands your code, and what your code may raise.

A task is a function ``run(context: TaskContext) -> Mapping[str, str | int | float | bool] | None``
named by TASK_HANDLER as ``package.module:function``. See lambdas/README.md, "Writing a task".

A reconcile function (optional, the module's ``reconciler.handler``) is
``reconcile(run: LostRun) -> Reconciled | RetryLater``: called once for a run whose worker was
lost, after its event reached the dead-letter queue, to ask the downstream system what happened.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Final, TypeVar, cast

from connect_async.config import ConfigurationError
from connect_async.events import ContactMetadata
from connect_async.retry import TransientError

__all__ = [
    "HANDLER_PATTERN",
    "LostRun",
    "Reconcile",
    "Reconciled",
    "RetryLater",
    "RunSupersededError",
    "Task",
    "TaskContext",
    "TaskFailed",
    "TaskTimeoutError",
    "TransientError",
    "load_once",
    "load_reconcile",
    "load_task",
]

HANDLER_PATTERN: Final = re.compile(r"[A-Za-z_][\w.]*:[A-Za-z_]\w*")
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


@dataclass(frozen=True)
class LostRun:
    """A run whose worker was lost (or never started), as your reconcile function gets it.

    The task may have done part of its work (the transfer sent, its confirmation never
    recorded): ask the downstream system, by ``idempotency_key`` (the key the task gave it),
    what happened, and return ``Reconciled`` or ``RetryLater``. The run's status stays failed
    whatever you find: the caller already heard the fallback. Keep it safe to call twice (ask,
    then act only on what the answer says): once it answered, it is not called again, unless
    its answer could not be recorded (DynamoDB out of reach), when SQS delivers the message again.
    """

    task_id: str
    task_name: str
    attempt: int
    # The parameters as the worker saw them, and the contact they came from.
    parameters: Mapping[str, str]
    contact: ContactMetadata
    # The key the task gave the third party (TaskContext.idempotency_key): the same here.
    idempotency_key: str
    # How the run ended: worker_lost, worker_not_started, ...
    error_code: str
    error_message: str
    # How far its progress went (the last report the task made).
    progress_percent: int
    progress_message: str
    # Lambda's invocation record: the worker's event (request) and its last answer (response:
    # errorType and errorMessage of the failure), why it was dead-lettered
    # (RetriesExhausted, EventAgeExceeded) and how often Lambda invoked it.
    request_payload: Mapping[str, object]
    response_payload: object
    condition: str
    invoke_count: int
    # How often reconciling this run has been tried before (0 the first time).
    previous_attempts: int = 0


@dataclass(frozen=True)
class Reconciled:
    """Done: what the downstream system says happened (recorded, redacted, at most 256
    characters, on the run's record as reconcile_outcome). Later deliveries change nothing."""

    outcome: str


@dataclass(frozen=True)
class RetryLater:
    """Not yet (the third party is down, the transfer still pending): SQS delivers the message
    again after its visibility timeout, up to reconciler.max_receive_count receives in all, then
    the message moves to the unreconciled queue and its alarm fires."""

    reason: str


# It should answer Reconciled or RetryLater; anything else is retried, and named on the record.
Reconcile = Callable[[LostRun], object]


def _load_function(handler: str, variable: str) -> Callable[..., object]:
    """Import ``package.module:function``; raises ``ConfigurationError`` naming the problem."""
    if not HANDLER_PATTERN.fullmatch(handler):
        raise ConfigurationError(f"{variable} must look like package.module:function, got {handler[:80]!r}")
    module_name, _, function_name = handler.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise ConfigurationError(f"{variable} module {module_name!r} cannot be imported: {exc}") from exc
    except (Exception, SystemExit) as exc:  # the module itself fails while importing
        raise ConfigurationError(
            f"{variable} module {module_name!r} failed while importing: {type(exc).__name__}"
        ) from exc
    function = getattr(module, function_name, None)
    if not callable(function):
        raise ConfigurationError(f"{variable} {handler!r}: {function_name!r} is not a function")
    loaded: Callable[..., object] = function
    return loaded


_Loaded = TypeVar("_Loaded", bound=Callable[..., object])


def load_once(loader: Callable[[str], _Loaded], handler: str) -> _Loaded:
    """``loader(handler)``, imported once per execution environment (Lambda keeps it between
    invocations), not once per invocation or message; a failure is not kept (tried again)."""
    return cast(_Loaded, _load_cached(loader, handler))


@cache
def _load_cached(loader: Callable[[str], Callable[..., object]], handler: str) -> Callable[..., object]:
    return loader(handler)


def load_task(handler: str) -> Task:
    """Import the task ``package.module:function``; raises ``ConfigurationError``."""
    task: Task = _load_function(handler, "TASK_HANDLER")
    return task


def load_reconcile(handler: str) -> Reconcile:
    """Import the reconcile function ``package.module:function``; raises ``ConfigurationError``."""
    reconcile: Reconcile = _load_function(handler, "RECONCILE_HANDLER")
    return reconcile
