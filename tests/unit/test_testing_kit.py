"""The testing kit a task author uses: the worker's rules and the flow's view, without AWS."""

from __future__ import annotations

import pytest

from connect_async.settings import SETTINGS
from connect_async.tasks import TaskContext, TaskFailed, TransientError
from connect_async.testing import play, run_task

pytestmark = pytest.mark.moto


def _looks_up(context: TaskContext) -> dict[str, str]:
    context.report_progress(40, "Looking it up.")
    context.sleep(30)  # virtual: the test takes no time
    context.report_progress(90, "Almost there.")
    return {"answer": f"found {context.parameters['query']}", "count": 3}  # type: ignore[dict-item]


def test_a_task_runs_as_the_worker_runs_it() -> None:
    run = run_task(_looks_up, {"query": "parcel"})
    assert (run.status, run.error_code) == ("completed", "")
    assert run.result == {"answer": "found parcel", "count": "3"}  # the flow reads strings
    assert run.progress == [(40, "Looking it up."), (90, "Almost there.")]
    assert run.task_calls == 1
    assert run.elapsed_seconds >= 30


def test_a_business_failure_keeps_the_tasks_own_error_code() -> None:
    def transfer(context: TaskContext) -> None:
        raise TaskFailed("The account cannot cover 500.00.", "insufficient_funds")

    run = run_task(transfer)
    assert (run.status, run.error_code, run.error_message) == (
        "failed",
        "insufficient_funds",
        "The account cannot cover 500.00.",
    )


def test_transient_errors_are_retried_within_the_settings_attempts() -> None:
    calls: list[int] = []

    def flaky(context: TaskContext) -> dict[str, str]:
        calls.append(1)
        if len(calls) < 3:
            raise TransientError("the third party is busy")
        return {"answer": "done"}

    assert run_task(flaky).status == "completed"  # the default: 2 retries
    calls.clear()
    run = run_task(flaky, settings={"task_retry_attempts": 1})
    assert (run.status, run.task_calls) == ("failed", 2)


def test_the_budget_is_the_workers_timeout_less_its_margin() -> None:
    def slow(context: TaskContext) -> dict[str, str]:
        context.sleep(120)
        return {"answer": "too late"}

    assert run_task(slow).status == "completed"  # 300 s by default
    run = run_task(slow, settings={"worker_timeout_seconds": 60})
    assert (run.status, run.error_code) == ("failed", "worker_timeout")


@pytest.mark.parametrize(
    ("result", "code"),
    [({"nested": {"a": "b"}}, "invalid_result"), ({"answer": "x" * 20_000}, "result_too_large")],
)
def test_a_result_the_flow_cannot_take_fails_the_run(result: dict[str, object], code: str) -> None:
    run = run_task(lambda context: result)
    assert (run.status, run.error_code) == ("failed", code)


def test_the_tasks_own_environment_is_set_while_it_runs() -> None:
    import os

    def reads_its_variable(context: TaskContext) -> dict[str, str]:
        return {"answer": os.environ["BANK_API_URL"]}

    run = run_task(reads_its_variable, environment={"BANK_API_URL": "https://sandbox.example"})
    assert run.result == {"answer": "https://sandbox.example"}
    assert "BANK_API_URL" not in os.environ


def test_play_answers_as_the_flow_reads_it() -> None:
    call = play(_looks_up, {"query": "parcel"}, result_keys=("answer",))
    assert call.start["status"] == "in_progress" and call.start["new_run"] == "true"
    assert call.while_running["status"] == "in_progress"
    assert call.final["status"] == "completed"
    assert call.final["result_answer"] == "found parcel"
    assert all(isinstance(value, str) for value in call.final.values())


def test_play_refuses_a_call_start_would_refuse() -> None:
    with pytest.raises(ValueError, match="start refused the call"):
        play(_looks_up, {"task_name": "not a valid name!"})


def test_settings_are_named_as_in_the_module() -> None:
    with pytest.raises(ValueError, match="check_budget_msec"):
        play(_looks_up, {"query": "x"}, settings={"check_budget_msec": 0})


def test_a_result_without_a_key_the_flow_speaks_fails_the_run_before_it_is_deployed() -> None:
    # result_attribute_keys = ["status", "eta"] and messages.success = "Your order is
    # {result.status}. It arrives {result.eta}.": a task returning "state" would be heard as
    # "Your order is . It arrives today." The worker fails the run instead, naming the key.
    def order(context: TaskContext) -> dict[str, str]:
        return {"state": "shipped", "eta": "today"}

    run = run_task(order, result_keys=("status", "eta"))
    assert (run.status, run.error_code) == ("failed", "missing_result_key")
    assert "has no status (it returned eta, state)" in run.error_message
    assert "result_attribute_keys (status, eta)" in run.error_message
    call = play(order, result_keys=("status", "eta"))
    assert call.final["status"] == "failed" and call.final["error_code"] == "missing_result_key"
    assert call.final["result_status"] == ""  # nothing to speak: the flow takes the fallback
    # An empty string is a value: the task said there is nothing to say.
    assert (
        run_task(lambda _: {"status": "", "eta": "today"}, result_keys=("status", "eta")).status
        == "completed"
    )


@pytest.mark.parametrize(
    ("name", "value", "words"),
    [
        ("worker_timeout_seconds", 0, "from 1 to 900"),
        ("worker_timeout_seconds", 901, "from 1 to 900"),
        ("worker_timeout_seconds", 90.5, "whole number"),
        ("check_budget_ms", 7600, "check_budget_ms must be"),
        ("task_retry_attempts", -1, "task_retry_attempts must be"),
        ("check_poll_when", "sometimes", "one of"),
    ],
)
def test_a_setting_the_module_refuses_is_refused_here(name: str, value: object, words: str) -> None:
    # Every setting in the module's range, in the module's words: a test never passes on a
    # tuning that cannot be applied.
    for kit in (run_task, play):
        with pytest.raises(ValueError, match=words):
            kit(_looks_up, {"query": "x"}, settings={name: value})


def test_the_schemas_range_admits_its_own_defaults() -> None:
    assert [row.name for row in SETTINGS if row.problem_with(row.default)] == []


# -- reconcile_lost_run: a lost run's dead-lettered event, as the reconciler gets it ---------------


def _transfer(context: TaskContext) -> dict[str, str]:
    context.report_progress(30, "Checking the account.")
    context.report_progress(70, "Sent to the bank.")
    return {"reference": "TX1"}


def test_a_lost_run_is_reconciled_once_however_often_it_is_delivered() -> None:
    from connect_async.tasks import LostRun, Reconciled
    from connect_async.testing import reconcile_lost_run

    def reconcile(run: LostRun) -> Reconciled:
        return Reconciled(f"no transfer {run.idempotency_key[:6]} at the bank for {run.parameters['amount']}")

    done = reconcile_lost_run(
        reconcile, {"amount": "120.00"}, task=_transfer, dies_at_progress=2, deliveries=3
    )
    assert done.outcomes == ["reconciled", "already_reconciled", "already_reconciled"]
    assert done.calls == 1 and done.status == "reconciled"
    assert done.outcome.startswith("no transfer ") and done.outcome.endswith("at the bank for 120.00")
    assert done.lost_run is not None
    assert (done.lost_run.error_code, done.lost_run.progress_percent) == ("worker_lost", 70)
    assert done.lost_run.progress_message == "Sent to the bank."
    assert (done.record.status.value, done.record.error_code) == ("failed", "worker_lost")


def test_a_worker_that_dies_after_the_task_returned_is_lost_too_and_a_raise_is_retried() -> None:
    from connect_async.tasks import LostRun
    from connect_async.testing import reconcile_lost_run

    def bank_down(run: LostRun) -> object:
        raise ConnectionError("the bank did not answer")

    done = reconcile_lost_run(bank_down, task=_transfer, dies_at_progress=5, deliveries=2)
    assert done.outcomes == ["retry", "retry"] and done.calls == 2
    assert (done.status, done.outcome) == ("retry_later", "the reconcile function raised ConnectionError")
    assert done.lost_run is not None and done.lost_run.progress_percent == 70
