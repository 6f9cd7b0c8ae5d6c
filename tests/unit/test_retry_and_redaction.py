"""Retry classification and backoff bounds; redaction of phone numbers."""

from __future__ import annotations

import logging
import random

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError, ReadTimeoutError

from connect_async.redaction import RedactingFilter, redact, trim
from connect_async.retry import RetryPolicy, TransientError, call_with_retry, is_transient
from tests.conftest import FakeClock

pytestmark = pytest.mark.unit


def _client_error(code: str, status: int = 400) -> ClientError:
    return ClientError({"Error": {"Code": code}, "ResponseMetadata": {"HTTPStatusCode": status}}, "Op")


@pytest.mark.parametrize(
    ("exc", "transient"),
    [
        (_client_error("ProvisionedThroughputExceededException"), True),
        (_client_error("ThrottlingException"), True),
        (_client_error("Whatever", 503), True),
        (_client_error("ConditionalCheckFailedException"), False),
        (_client_error("ValidationException"), False),
        (EndpointConnectionError(endpoint_url="https://x"), True),
        (ReadTimeoutError(endpoint_url="https://x"), True),
        (TransientError("busy"), True),
        (ValueError("bug"), False),
    ],
)
def test_transient_classification(exc: Exception, transient: bool) -> None:
    assert is_transient(exc) is transient


def test_backoff_grows_with_full_jitter_and_respects_the_cap() -> None:
    clock = FakeClock()
    failures = iter([_client_error("ThrottlingException")] * 5)

    def flaky() -> str:
        exc = next(failures, None)
        if exc:
            raise exc
        return "ok"

    policy = RetryPolicy(max_attempts=10, base_delay_ms=100, max_delay_ms=250)
    result = call_with_retry(
        flaky, policy=policy, clock=clock, give_up_at_ms=clock.now + 60_000, rng=random.Random(1)
    )
    assert result == "ok"
    assert len(clock.slept) == 5
    assert all(0 <= d <= 250 for d in clock.slept)


def test_gives_up_rather_than_sleep_past_the_deadline() -> None:
    clock = FakeClock()
    calls: list[int] = []

    def always() -> None:
        calls.append(1)
        raise _client_error("ThrottlingException")

    started = clock.now
    policy = RetryPolicy(max_attempts=100, base_delay_ms=1000, max_delay_ms=1000)
    with pytest.raises(ClientError):
        call_with_retry(
            always, policy=policy, clock=clock, give_up_at_ms=started + 2500, rng=random.Random(3)
        )
    assert clock.now < started + 2500
    assert len(calls) == len(clock.slept) + 1


def test_non_transient_errors_are_not_retried() -> None:
    clock = FakeClock()
    with pytest.raises(ValueError, match="bug"):
        call_with_retry(
            lambda: (_ for _ in ()).throw(ValueError("bug")),
            policy=RetryPolicy(5, 10, 10),
            clock=clock,
            give_up_at_ms=clock.now + 1000,
        )
    assert clock.slept == []


@pytest.mark.parametrize(
    "text", ["+447700900123", "+44 7700 900123", "(020) 7946-0000", "07700.900.123", "call 555-123-4567 now"]
)
def test_phone_numbers_are_masked(text: str) -> None:
    masked = redact(text)
    assert "[redacted]" in masked
    assert sum(c.isdigit() for c in masked) < 4


def test_short_numbers_survive_redaction() -> None:
    assert redact("step 2 of 4, 40 percent, code 1234") == "step 2 of 4, 40 percent, code 1234"


def test_trim_marks_the_cut() -> None:
    assert trim("abcdef", 4) == "abc…"
    assert trim("abc", 4) == "abc"


def test_logging_filter_masks_messages_and_arguments() -> None:
    record = logging.LogRecord("x", logging.INFO, "f", 1, "caller %s rang", ("+447700900123",), None)
    RedactingFilter().filter(record)
    assert record.getMessage() == "caller [redacted] rang"
