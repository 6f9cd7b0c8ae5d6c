"""Tasks as users write them, not only the simulator's scripted one, played through the module's
flows with the defaults: a progress report in the task's first milliseconds (whatever percent it
says) must not turn into a check budget of dead air at the start of the call."""

from __future__ import annotations

from pathlib import Path

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


def _returns_the_wrong_key(context: TaskContext) -> object:
    context.sleep(3)
    return {"state": "shipped", "eta": "today"}  # the flow speaks {result.status}


def test_a_result_without_a_key_the_flow_speaks_is_heard_as_the_fallback_not_a_blank(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tuning = tmp_path / "order.tfvars"
    tuning.write_text(
        'result_attribute_keys = ["status", "eta"]\n'
        'messages = { success = "Your order is {result.status}. It arrives {result.eta}." }\n'
    )
    monkeypatch.setitem(CATALOGUE, "wrong-key", Demo(Scenario(work_seconds=3), task=_returns_the_wrong_key))  # type: ignore[arg-type]
    _, report = demo.play("wrong-key", tuning)
    assert report.final_status == "failed" and "Fallback" in report.path, report.timeline()
    heard = " ".join(event.text for event in report.events if event.actor == "caller")
    assert "Your order is" not in heard, heard
    assert "check   -> failed missing_result_key" in report.timeline()
