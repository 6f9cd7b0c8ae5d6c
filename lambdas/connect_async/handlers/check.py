"""Lambda entry point of check (invoked synchronously by the contact flow, in a loop)."""

from __future__ import annotations

import os
from functools import cache
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from connect_async.aws import dynamodb_client
from connect_async.check import CheckService, answer_keys
from connect_async.clock import SystemClock
from connect_async.config import CheckSettings, ConfigurationError
from connect_async.handlers._boundary import answer_connect
from connect_async.observability import instrument
from connect_async.retry import FLOW_CALL_RETRY
from connect_async.tracker import TrackerTable

__all__ = ["handler"]


@cache
def _service() -> CheckService:
    settings = CheckSettings.from_env(os.environ)
    clock = SystemClock()
    return CheckService(
        settings=settings,
        tracker=TrackerTable(
            dynamodb_client(), settings.table_name, clock=clock, retry_policy=FLOW_CALL_RETRY
        ),
        clock=clock,
    )


@instrument
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, str]:
    return answer_connect(
        lambda: _service().handle(event, context.get_remaining_time_in_millis()),
        _answer_keys,
    )


def _answer_keys() -> tuple[str, ...]:
    try:
        return answer_keys(_service().settings.result_keys)
    except ConfigurationError:  # answered as configuration_error; the contract's keys still hold
        return answer_keys()
