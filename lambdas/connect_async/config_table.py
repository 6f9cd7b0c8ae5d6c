"""The configuration table: one BatchGetItem for every key the lookup tries, within a deadline.

The deadline is the caller's, not the socket's: botocore's read timeout bounds each read of the
socket, so a table that trickles its answer a few bytes at a time would hold the caller far past
it. Each call runs on a thread of its own and is abandoned at the deadline (the answer, if it
comes, is dropped).

Items are maps of strings written by Terraform (``config_lookup.items``). An item that is not
(edited by hand, another writer) is reported as malformed, never read half-way.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING, Any

from botocore.exceptions import BotoCoreError, ClientError

from connect_async.clock import Clock
from connect_async.contract import ConfigField
from connect_async.retry import RetryPolicy, call_with_retry

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

__all__ = ["ConfigRead", "ConfigTable", "ConfigTableUnavailableError"]


class ConfigTableUnavailableError(Exception):
    """The table did not answer (throttled, unreachable, missing) before the deadline."""


@dataclass(frozen=True)
class ConfigRead:
    """The items found, by key (absent keys are left out), and the keys whose item is malformed."""

    items: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    malformed: Sequence[str] = ()


class ConfigTable:
    def __init__(
        self, client: DynamoDBClient, table_name: str, *, clock: Clock, retry_policy: RetryPolicy
    ) -> None:
        self._client = client
        self._table = table_name
        self._clock = clock
        self._retry = retry_policy

    def read(self, keys: Sequence[str], *, give_up_at_ms: int) -> ConfigRead:
        """The items of ``keys`` (distinct, at most 100) in one round trip when the table is well.

        Keys DynamoDB leaves unprocessed (throttling) are asked for again with backoff until
        ``give_up_at_ms``; raises ConfigTableUnavailableError when the answer is not complete by then.
        Eventually consistent reads: configuration changes with an apply, not within a call.
        """
        pending: list[dict[str, Any]] = [{ConfigField.KEY.value: {"S": key}} for key in keys]
        items: dict[str, Mapping[str, str]] = {}
        malformed: list[str] = []
        attempt = 0
        while pending:
            attempt += 1
            request: dict[str, Any] = {self._table: {"Keys": pending}}
            try:
                response: Mapping[str, Any] = call_with_retry(
                    partial(
                        _by_deadline,
                        partial(self._client.batch_get_item, RequestItems=request),
                        self._clock,
                        give_up_at_ms,
                    ),
                    policy=self._retry,
                    clock=self._clock,
                    give_up_at_ms=give_up_at_ms,
                )
            except (ClientError, BotoCoreError, ConnectionError, TimeoutError) as exc:
                raise ConfigTableUnavailableError(_describe(exc)) from exc
            for raw in response.get("Responses", {}).get(self._table, []):
                key, fields = _parse_item(raw)
                if fields is None:
                    malformed.append(key)
                else:
                    items[key] = fields
            unprocessed: Mapping[str, Any] = response.get("UnprocessedKeys", {}).get(self._table, {})
            pending = list(unprocessed.get("Keys", []))
            if pending:
                delay_ms = self._retry.backoff_ms(attempt)
                if attempt >= self._retry.max_attempts or self._clock.now_ms() + delay_ms >= give_up_at_ms:
                    raise ConfigTableUnavailableError(
                        f"{len(pending)} of {len(keys)} keys left unprocessed (throttled) at the deadline"
                    )
                self._clock.sleep_ms(delay_ms)
        return ConfigRead(items=items, malformed=tuple(malformed))


def _by_deadline(call: Callable[[], Any], clock: Clock, deadline_ms: int) -> Any:
    """``call()``'s answer, or TimeoutError if it has not come by ``deadline_ms``."""
    outcome: list[Any] = []
    failure: list[BaseException] = []

    def run() -> None:
        try:
            outcome.append(call())
        except BaseException as exc:
            failure.append(exc)

    worker = threading.Thread(target=run, name="config-table-read", daemon=True)
    worker.start()
    worker.join(max(deadline_ms - clock.now_ms(), 0) / 1000)
    if failure:
        raise failure[0]
    if not outcome:
        raise TimeoutError("the configuration table had not answered at the lookup's deadline")
    return outcome[0]


def _parse_item(raw: Mapping[str, Any]) -> tuple[str, dict[str, str] | None]:
    """(key, fields) of a DynamoDB item; fields is None unless every attribute is a string."""
    key_value = raw.get(ConfigField.KEY.value, {})
    key = key_value.get("S", "") if isinstance(key_value, Mapping) else ""
    fields: dict[str, str] = {}
    for name, value in raw.items():
        if name == ConfigField.KEY.value:
            continue
        if not isinstance(value, Mapping) or set(value) != {"S"} or not isinstance(value["S"], str):
            return key, None
        fields[name] = value["S"]
    return key, fields


def _describe(exc: BaseException) -> str:
    if isinstance(exc, ClientError):
        error = exc.response.get("Error", {})
        # AWS's own words (an access denial names the action and the table, never caller data).
        return f"DynamoDB answered {error.get('Code', 'an error')}: {error.get('Message', '')}"[:200]
    return f"DynamoDB did not answer ({type(exc).__name__})"
