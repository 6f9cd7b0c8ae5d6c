"""Lambda entry point of lookup (invoked synchronously by the flow, first, with a short time limit)."""

from __future__ import annotations

import os
from functools import cache
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from connect_async.aws import dynamodb_client
from connect_async.clock import SystemClock
from connect_async.config import ConfigurationError, LookupSettings
from connect_async.config_table import ConfigTable
from connect_async.handlers._boundary import answer_connect
from connect_async.lookup import LookupService, lookup_answer_keys
from connect_async.observability import instrument
from connect_async.retry import FLOW_CALL_RETRY

__all__ = ["handler"]


@cache
def _service() -> LookupService:
    settings = LookupSettings.from_env(os.environ)
    # A read that hangs is cut at half the budget, so one retry still fits in it.
    timeout_seconds = max(settings.lookup_budget_ms / 2000, 0.1)
    clock = SystemClock()
    return LookupService(
        settings=settings,
        table=ConfigTable(
            dynamodb_client(connect_timeout=timeout_seconds, read_timeout=timeout_seconds),
            settings.table_name,
            clock=clock,
            retry_policy=FLOW_CALL_RETRY,
        ),
        clock=clock,
    )


@instrument
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, str]:
    # Whatever goes wrong answers source "fallback" (the key's default) with the error code.
    return answer_connect(
        lambda: _service().handle(event, context.get_remaining_time_in_millis()), _answer_keys
    )


def _answer_keys() -> tuple[str, ...]:
    try:
        return lookup_answer_keys(_service().settings.fields)
    except ConfigurationError:  # answered as configuration_error; the contract's keys still hold
        return lookup_answer_keys()
