"""The real Lambda entry points, configured by environment, against moto."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from connect_async.handlers import check as check_handler
from connect_async.handlers import start as start_handler
from connect_async.handlers import worker as worker_handler
from tests.conftest import LOG_CAPTURE, TABLE, WORKER_FUNCTION, Stack, connect_event
from tests.support.lambda_context import LambdaContext

pytestmark = pytest.mark.moto

HANDLER_ENV = {
    "TRACKER_TABLE_NAME": TABLE,
    "WORKER_FUNCTION_NAME": WORKER_FUNCTION,
    "TASK_HANDLER": "connect_async.tasks.demo:run",
    "RUN_DEADLINE_SECONDS": "120",
    "RECORD_TTL_SECONDS": "3600",
    "CHECK_BUDGET_MS": "300",
    "CHECK_POLL_INTERVAL_MS": "100",
}


def _clear_caches() -> None:
    for module in (start_handler, check_handler, worker_handler):
        module._service.cache_clear()


@pytest.fixture
def configured(stack: Stack, monkeypatch: pytest.MonkeyPatch) -> Iterator[Stack]:
    for key, value in HANDLER_ENV.items():
        monkeypatch.setenv(key, value)
    _clear_caches()
    yield stack
    _clear_caches()


def test_handlers_run_a_full_cycle(configured: Stack) -> None:
    event = connect_event(duration_seconds="0.05", steps="1")
    started = start_handler.handler(event, LambdaContext())
    assert started["status"] == "in_progress"
    assert type(started["status"]) is str  # plain str, not the StrEnum, on the wire
    assert worker_handler.handler(configured.invoked[0], LambdaContext(remaining_ms=30_000)) == {
        "outcome": "completed"
    }
    checked = check_handler.handler(event, LambdaContext())
    assert checked["status"] == "completed"
    assert checked["result_message"] == "Your request is complete."
    json.dumps(checked)  # what Lambda does with it


def test_misconfiguration_is_answered_not_raised_and_names_the_variable(
    configured: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CHECK_BUDGET_MS", "9000")
    _clear_caches()
    response = check_handler.handler(connect_event(), LambdaContext())
    assert response["status"] == "error"
    assert response["error_code"] == "configuration_error"
    assert "CHECK_BUDGET_MS" in response["error_message"]


def test_unexpected_exception_becomes_internal_error(
    configured: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    def explode(*_: Any) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(start_handler.StartService, "handle", explode)
    response = start_handler.handler(connect_event(), LambdaContext())
    assert (response["status"], response["error_code"]) == ("error", "internal_error")


def test_worker_with_a_bad_task_handler_records_configuration_error(
    configured: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TASK_HANDLER", "no_such_module:run")
    _clear_caches()
    start_handler.handler(connect_event(), LambdaContext())
    assert worker_handler.handler(configured.invoked[0], LambdaContext()) == {"outcome": "failed"}
    response = check_handler.handler(connect_event(), LambdaContext())
    assert response["error_code"] == "configuration_error"
    assert "no_such_module" in response["error_message"]


@pytest.fixture
def log_lines() -> Iterator[Callable[[], str]]:
    """The lines the runtime logs during the test, DEBUG included, from the session's capture."""
    from connect_async.observability import logger

    target = logging.getLogger(logger.name)
    previous = target.level
    target.setLevel(logging.DEBUG)
    first = len(LOG_CAPTURE.lines)
    yield lambda: "\n".join(LOG_CAPTURE.lines[first:])
    target.setLevel(previous)


def test_no_log_line_carries_a_phone_number_or_customer_input(
    configured: Stack, log_lines: Callable[[], str], monkeypatch: pytest.MonkeyPatch
) -> None:
    event = connect_event(duration_seconds="0", steps="1", customer_note="my number is +447700900999")
    start_handler.handler(event, LambdaContext())
    worker_handler.handler(configured.invoked[0], LambdaContext())
    check_handler.handler(event, LambdaContext())
    # A task that fails with a phone number in its exception message.
    monkeypatch.setenv("TASK_HANDLER", "tests.fixture_tasks:leaky")
    _clear_caches()
    bad = connect_event(task_name="other", note="x")
    start_handler.handler(bad, LambdaContext())
    assert worker_handler.handler(configured.invoked[-1], LambdaContext()) == {"outcome": "failed"}
    text = log_lines()
    assert text.count("correlation_id") >= 5  # the lines were captured at all
    assert "the task raised" in text and "[redacted]" in text
    for secret in ("+447700900123", "+442079460000", "+447700900999", "my number is", "7700 900777"):
        assert secret not in text
