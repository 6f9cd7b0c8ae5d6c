"""Retries of transient AWS errors: exponential backoff, full jitter, bounded by a deadline.

botocore's own retries are switched off on every client (see ``aws.py``): its standard mode
backs off for up to 20 s, far past the 8 s a flow waits for start or check. Here each caller
says how long it can afford, and the retry gives up before that.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final, TypeVar

from botocore.exceptions import ClientError, HTTPClientError
from botocore.exceptions import ConnectionError as BotocoreConnectionError

from connect_async.clock import Clock

__all__ = [
    "FLOW_CALL_RETRY",
    "WORKER_RETRY",
    "RetryPolicy",
    "TransientError",
    "call_with_retry",
    "is_transient",
]

T = TypeVar("T")

_TRANSIENT_CODES: Final = frozenset(
    {
        "ProvisionedThroughputExceededException",
        "RequestLimitExceeded",
        "ThrottlingException",
        "Throttling",
        "ThrottledException",
        "TooManyRequestsException",
        "InternalServerError",
        "InternalServerException",
        "InternalFailure",
        "ServiceUnavailable",
        "ServiceUnavailableException",
        "ModelNotReadyException",
        "ModelTimeoutException",
        "EC2ThrottledException",
    }
)


class TransientError(Exception):
    """Raise from a task for an error worth retrying (the worker backs off and calls again)."""


def is_transient(exc: BaseException) -> bool:
    """Throttling, 5xx and connection errors; never a validation or condition failure.

    Connection errors are botocore's (EndpointConnectionError, ReadTimeoutError, ...) and
    Python's own (ConnectionResetError, ConnectionRefusedError, TimeoutError from a socket), which
    a task's HTTP client raises.
    """
    if isinstance(exc, TransientError):
        return True
    if isinstance(exc, ClientError):
        error = exc.response.get("Error", {})
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
        return error.get("Code", "") in _TRANSIENT_CODES or status >= 500
    return isinstance(exc, BotocoreConnectionError | HTTPClientError | ConnectionError | TimeoutError)


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int
    base_delay_ms: int
    max_delay_ms: int

    def backoff_ms(self, attempt: int, rng: random.Random | None = None) -> int:
        """Full jitter: uniform in [0, min(max, base * 2^(attempt-1))]."""
        ceiling = min(self.max_delay_ms, self.base_delay_ms * 2 ** (attempt - 1))
        return int((rng or random).uniform(0, ceiling))


# start and check answer a flow that waits at most 8 s: a few quick retries, no long backoff.
FLOW_CALL_RETRY = RetryPolicy(max_attempts=4, base_delay_ms=25, max_delay_ms=400)
# The worker has minutes, not seconds: back off longer before giving up on DynamoDB.
WORKER_RETRY = RetryPolicy(max_attempts=8, base_delay_ms=100, max_delay_ms=3_000)


def call_with_retry(
    operation: Callable[[], T],
    *,
    policy: RetryPolicy,
    clock: Clock,
    give_up_at_ms: int,
    rng: random.Random | None = None,
) -> T:
    """Call ``operation``; on a transient error back off and call again.

    Gives up (re-raising the last error) after ``policy.max_attempts`` calls, or when the next
    backoff and another call as long as the last one would end past ``give_up_at_ms``: a retry
    that cannot finish in time is not made (a read that failed after half the budget is not
    tried again with the other half already spent on the backoff).
    """
    attempt = 1
    while True:
        began_ms = clock.now_ms()
        try:
            return operation()
        except Exception as exc:
            if not is_transient(exc) or attempt >= policy.max_attempts:
                raise
            delay_ms = policy.backoff_ms(attempt, rng)
            now_ms = clock.now_ms()
            if now_ms + delay_ms + (now_ms - began_ms) >= give_up_at_ms:
                raise
            clock.sleep_ms(delay_ms)
            attempt += 1
