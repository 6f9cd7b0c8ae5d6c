"""The shipped tasks (demo, Bedrock via botocore's Stubber), the loader and the time limit."""

from __future__ import annotations

import time
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from connect_async.config import ConfigurationError
from connect_async.events import ContactMetadata
from connect_async.tasks import TaskContext, TaskFailed, TaskTimeoutError, load_task
from connect_async.tasks.bedrock import BedrockSettings, answer_question
from connect_async.tasks.demo import run as demo_run
from connect_async.timelimit import alarm_time_limit
from tests.conftest import FakeClock

pytestmark = pytest.mark.unit


def _context(
    parameters: dict[str, str],
    clock: FakeClock | None = None,
    progress: list[tuple[int, str]] | None = None,
    budget_ms: int = 60_000,
) -> TaskContext:
    clock = clock or FakeClock()
    end = clock.now + budget_ms
    reported = progress if progress is not None else []

    def sleep_ms(ms: int) -> None:
        if ms >= end - clock.now:
            raise TaskTimeoutError
        clock.sleep_ms(ms)

    context = TaskContext(
        task_id="c#t",
        task_name="t",
        attempt=1,
        parameters=parameters,
        contact=ContactMetadata("c", "c", "VOICE"),
        _report_progress=lambda p, m: reported.append((p, m)),
        _remaining_ms=lambda: end - clock.now,
        _sleep_ms=sleep_ms,
    )
    return context


def test_demo_task_reports_progress_and_takes_its_duration() -> None:
    clock = FakeClock()
    progress: list[tuple[int, str]] = []
    result = demo_run(_context({"duration_seconds": "8", "steps": "4"}, clock, progress))
    assert result["duration_seconds"] == 8.0
    assert clock.now - 1_767_225_600_000 == 8000
    assert [p for p, _ in progress] == [25, 50, 75]


@pytest.mark.parametrize(
    ("parameters", "code"),
    [
        ({"outcome": "fail"}, "demo_failure"),
        ({"duration_seconds": "abc"}, "invalid_parameter"),
        ({"duration_seconds": "-1"}, "invalid_parameter"),
        ({"outcome": "explode"}, "invalid_parameter"),
    ],
)
def test_demo_task_failures_carry_their_codes(parameters: dict[str, str], code: str) -> None:
    with pytest.raises(TaskFailed) as info:
        demo_run(_context({"duration_seconds": "0", **parameters}))
    assert info.value.error_code == code


def test_demo_task_crash_is_an_ordinary_exception() -> None:
    with pytest.raises(RuntimeError):
        demo_run(_context({"duration_seconds": "0", "outcome": "crash"}))


def test_load_task_errors_name_the_problem() -> None:
    assert load_task("connect_async.tasks.demo:run") is demo_run
    with pytest.raises(ConfigurationError, match=r"must look like package\.module:function"):
        load_task("demo.run")
    with pytest.raises(ConfigurationError, match="cannot be imported"):
        load_task("no_such_package.mod:run")
    with pytest.raises(ConfigurationError, match="is not a function"):
        load_task("connect_async.tasks.demo:nothing")


def test_task_failed_validates_its_error_code() -> None:
    with pytest.raises(ValueError, match="error_code"):
        TaskFailed("x", "Bad Code")


def test_alarm_interrupts_a_blocking_call() -> None:
    started = time.monotonic()
    with pytest.raises(TaskTimeoutError), alarm_time_limit(50):
        time.sleep(5)
    assert time.monotonic() - started < 4


def _bedrock() -> tuple[Any, Stubber]:
    client = boto3.client("bedrock-runtime", region_name="eu-west-2")
    return client, Stubber(client)


SETTINGS = BedrockSettings.from_env(
    {
        "BEDROCK_MODEL_ID": "anthropic.claude-3-haiku-20240307-v1:0",
        "BEDROCK_PROMPT_TEMPLATE": "Answer briefly: $question",
        "BEDROCK_SYSTEM_PROMPT": "You are a contact centre assistant.",
        "BEDROCK_MAX_ANSWER_CHARS": "20",
    }
)


def test_bedrock_task_fills_the_template_and_returns_a_flat_answer() -> None:
    client, stubber = _bedrock()
    expected = {
        "modelId": "anthropic.claude-3-haiku-20240307-v1:0",
        "messages": [{"role": "user", "content": [{"text": "Answer briefly: what is my balance? $x"}]}],
        "inferenceConfig": {"maxTokens": 512, "temperature": 0.2},
        "system": [{"text": "You are a contact centre assistant."}],
    }
    response = {
        "output": {
            "message": {"role": "assistant", "content": [{"text": "Your balance is available in the app."}]}
        },
        "stopReason": "end_turn",
        "usage": {"inputTokens": 12, "outputTokens": 9, "totalTokens": 21},
        "metrics": {"latencyMs": 300},
    }
    stubber.add_response("converse", response, expected)
    with stubber:
        # "$x" in a parameter stays literal: a parameter cannot inject a placeholder.
        result = answer_question(client, SETTINGS, {"question": "what is my balance? $x"})
    stubber.assert_no_pending_responses()
    assert result == {
        "answer": "Your balance is ava…",
        "stop_reason": "end_turn",
        "input_tokens": 12,
        "output_tokens": 9,
    }


@pytest.mark.parametrize("parameters", [{}, {"question": ""}, {"question": "   "}])
def test_bedrock_task_missing_parameter_is_a_task_failure(parameters: dict[str, str]) -> None:
    # A flow passes an unset contact attribute as an empty string: no model call for that.
    client, _ = _bedrock()
    with pytest.raises(TaskFailed, match="question") as info:
        answer_question(client, SETTINGS, parameters)
    assert info.value.error_code == "missing_parameter"


def test_bedrock_throttling_is_raised_for_the_worker_to_retry() -> None:
    from botocore.exceptions import ClientError

    from connect_async.retry import is_transient

    client, stubber = _bedrock()
    stubber.add_client_error("converse", "ThrottlingException", http_status_code=429)
    with stubber, pytest.raises(ClientError) as info:
        answer_question(client, SETTINGS, {"question": "q"})
    assert is_transient(info.value)


def test_bedrock_settings_name_a_missing_model() -> None:
    with pytest.raises(ConfigurationError, match="BEDROCK_MODEL_ID is required"):
        BedrockSettings.from_env({"BEDROCK_PROMPT_TEMPLATE": "x"})
