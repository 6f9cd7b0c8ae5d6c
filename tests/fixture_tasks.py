"""Tasks used by tests through TASK_HANDLER, as a user's own task module would be."""

from __future__ import annotations

from connect_async.tasks import TaskContext

__all__ = ["leaky"]


def leaky(context: TaskContext) -> None:
    """Fails with personal data in its message, as careless task code might."""
    raise ValueError(f"could not reach caller on +44 7700 900777 about {context.parameters.get('note', '')}")
