"""Lambda entry point of the worker (invoked asynchronously by start)."""

from __future__ import annotations

import os
from functools import cache
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from connect_async.aws import dynamodb_client
from connect_async.clock import SystemClock
from connect_async.config import WorkerSettings
from connect_async.observability import instrument
from connect_async.retry import WORKER_RETRY
from connect_async.tracker import TrackerTable
from connect_async.worker import WorkerService

__all__ = ["handler"]


@cache
def _service() -> WorkerService:
    # A ConfigurationError here is raised on purpose: with no table name there is no record to
    # fail, so the event goes to Lambda's retries and then the dead-letter queue.
    settings = WorkerSettings.from_env(os.environ)
    clock = SystemClock()
    return WorkerService(
        settings=settings,
        tracker=TrackerTable(
            dynamodb_client(read_timeout=5.0), settings.table_name, clock=clock, retry_policy=WORKER_RETRY
        ),
        clock=clock,
    )


@instrument
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, str]:
    outcome = _service().handle(event, context)
    return {"outcome": outcome.value}
