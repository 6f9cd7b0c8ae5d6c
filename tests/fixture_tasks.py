"""Tasks used by tests through TASK_HANDLER, as a user's own task module would be."""

from __future__ import annotations

from connect_async.tasks import LostRun, Reconciled, TaskContext

__all__ = ["RECONCILED_RUNS", "leaky", "reconcile_never", "reconcile_transfer"]


def leaky(context: TaskContext) -> None:
    """Fails with personal data in its message, as careless task code might."""
    raise ValueError(f"could not reach caller on +44 7700 900777 about {context.parameters.get('note', '')}")


# Every run reconcile_transfer was called with, in order (tests clear it).
RECONCILED_RUNS: list[LostRun] = []


def reconcile_transfer(run: LostRun) -> Reconciled:
    """Asks "the bank" about a lost transfer; the bank is down when the run's parameters say so."""
    RECONCILED_RUNS.append(run)
    if run.parameters.get("bank") == "down":
        raise ConnectionError("the bank did not answer")
    return Reconciled(f"transfer {run.idempotency_key[:8]} not found at the bank: nothing to undo")


def reconcile_never(run: LostRun) -> Reconciled:
    """A third party that never answers: every delivery fails."""
    raise TimeoutError("the third party did not answer")
