"""Tasks as users write them, not only the simulator's scripted one, played through the module's
flows with the defaults: a progress report in the task's first milliseconds (whatever percent it
says) must not turn into a check budget of dead air at the start of the call."""

from __future__ import annotations

import pytest

from connect_async.tasks import TaskContext
from flowkit import demo
from flowkit.scenario import CATALOGUE, Demo
from flowkit.simulator import Scenario

pytestmark = pytest.mark.terraform  # the flows are rendered by modules/plan


def _reports_at_once(context: TaskContext) -> object:
    context.report_progress(5, "Looking that up for you.")  # its first milliseconds
    context.sleep(12)
    return {"message": "Your request is complete."}


def _half_done_at_once(context: TaskContext) -> object:
    context.report_progress(50, "")  # "half done" at once (a step counter), then 22 s of work
    context.sleep(2)
    context.report_progress(90, "")
    context.sleep(20)
    return {"message": "Your request is complete."}


@pytest.mark.parametrize("task", [_reports_at_once, _half_done_at_once])
def test_no_task_makes_a_silence_of_a_check_budget(task: object, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(CATALOGUE, "realistic", Demo(Scenario(work_seconds=22), task=task))  # type: ignore[arg-type]
    rendered, report = demo.play("realistic", None)
    assert report.final_status == "completed" and "Success" in report.path
    budget_s = rendered.timing["check_budget_ms"] / 1000
    # The hold message's sentences and the calls between them: about 0.1 s, never a budget.
    assert report.longest_silence_seconds < budget_s, report.timeline()
