"""The demo task: waits a configurable time in steps, reporting progress; can be told to fail.

Parameters (all optional strings, as Connect sends them):
- ``duration_seconds``: how long the work takes, 0-900 (default 5).
- ``steps``: how many progress reports, 1-20 (default 4).
- ``outcome``: ``succeed`` (default), ``fail`` (raises TaskFailed), ``crash`` (raises an
  unexpected exception, as a bug would) or ``exit`` (the process dies at once, as an
  out-of-memory kill would: the live suite's dead-letter check).

``reconcile`` is its reconcile function (the module's ``reconciler.handler``): the demo's work
leaves nothing outside the run, so a lost run has nothing to undo; a real one asks the third
party what happened, by the run's idempotency key.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from connect_async.tasks import LostRun, Reconciled, TaskContext, TaskFailed

__all__ = ["reconcile", "run"]


def _number(parameters: Mapping[str, str], name: str, default: float, low: float, high: float) -> float:
    raw = parameters.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise TaskFailed(f"{name} must be a number", "invalid_parameter") from None
    if not low <= value <= high:
        raise TaskFailed(f"{name} must be between {low:g} and {high:g}", "invalid_parameter")
    return value


def run(context: TaskContext) -> dict[str, object]:
    duration = _number(context.parameters, "duration_seconds", 5.0, 0.0, 900.0)
    steps = int(_number(context.parameters, "steps", 4, 1, 20))
    outcome = context.parameters.get("outcome", "succeed").strip().lower() or "succeed"
    if outcome not in ("succeed", "fail", "crash", "exit"):
        raise TaskFailed("outcome must be succeed, fail, crash or exit", "invalid_parameter")

    for step in range(1, steps + 1):
        context.sleep(duration / steps)
        if step < steps:
            context.report_progress(100 * step // steps, f"Step {step} of {steps} done")

    if outcome == "fail":
        raise TaskFailed("the demo task was asked to fail", "demo_failure")
    if outcome == "crash":
        raise RuntimeError("the demo task crashed as asked")
    if outcome == "exit":
        os._exit(1)
    return {
        "message": "Your request is complete.",
        "duration_seconds": duration,
        "steps": steps,
        "attempt": context.attempt,
    }


def reconcile(run: LostRun) -> Reconciled:
    """Nothing to undo: the demo's work leaves no trace outside its run."""
    reached = f"{run.progress_percent} %" if run.progress_percent else "no progress report"
    return Reconciled(
        f"the demo task keeps no state outside the run ({reached} before {run.error_code}): nothing to undo"
    )
