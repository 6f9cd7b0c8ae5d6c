"""Lambda entry point of start (invoked synchronously by the contact flow)."""

from __future__ import annotations

import os
from functools import cache
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from connect_async.aws import dynamodb_client, lambda_client, stepfunctions_client
from connect_async.clock import SystemClock
from connect_async.config import StartSettings
from connect_async.contract import START_RESPONSE_KEYS
from connect_async.dispatch import Dispatcher, LambdaDispatcher, StepFunctionsDispatcher
from connect_async.handlers._boundary import answer_connect
from connect_async.observability import instrument
from connect_async.retry import FLOW_CALL_RETRY
from connect_async.start import StartService
from connect_async.tracker import TrackerTable

__all__ = ["handler"]


@cache
def _service() -> StartService:
    settings = StartSettings.from_env(os.environ)  # ConfigurationError names the variable
    clock = SystemClock()
    dispatcher: Dispatcher = (
        StepFunctionsDispatcher(
            stepfunctions_client(), settings.state_machine_arn, clock=clock, retry_policy=FLOW_CALL_RETRY
        )
        if settings.state_machine_arn
        else LambdaDispatcher(
            lambda_client(), settings.worker_function_name, clock=clock, retry_policy=FLOW_CALL_RETRY
        )
    )
    return StartService(
        settings=settings,
        tracker=TrackerTable(
            dynamodb_client(), settings.table_name, clock=clock, retry_policy=FLOW_CALL_RETRY
        ),
        dispatcher=dispatcher,
        clock=clock,
    )


@instrument
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, str]:
    return answer_connect(
        lambda: _service().handle(event, context.get_remaining_time_in_millis()), lambda: START_RESPONSE_KEYS
    )
