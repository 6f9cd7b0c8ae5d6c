"""Lambda entry point of the worker (invoked asynchronously by start)."""

from __future__ import annotations

import os
from functools import cache
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from connect_async.aws import dynamodb_client
from connect_async.clock import SystemClock
from connect_async.config import ConfigurationError, EnvVar, WorkerSettings
from connect_async.contract import ErrorCode
from connect_async.lease import read_timeout_seconds
from connect_async.observability import instrument, logger
from connect_async.retry import WORKER_RETRY
from connect_async.settings import setting
from connect_async.tracker import TrackerTable
from connect_async.worker import WorkerService, fail_unclaimed_run

__all__ = ["handler"]


def _tracker(table_name: str, clock: SystemClock, lease_ms: int) -> TrackerTable:
    client = dynamodb_client(read_timeout=read_timeout_seconds(lease_ms))
    return TrackerTable(client, table_name, clock=clock, retry_policy=WORKER_RETRY)


@cache
def _service() -> WorkerService:
    settings = WorkerSettings.from_env(os.environ)
    clock = SystemClock()
    tracker = _tracker(settings.table_name, clock, settings.worker_lease_ms)
    return WorkerService(settings=settings, tracker=tracker, clock=clock)


@instrument
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, str]:
    try:
        service = _service()
    except ConfigurationError as exc:
        # Fail the run the event names (when the table is known), so the caller hears it now;
        # then raise: the event goes through Lambda's retries to the dead-letter queue.
        logger.error("the worker is misconfigured", extra={"reason": str(exc)})
        table_name = os.environ.get(EnvVar.TRACKER_TABLE_NAME, "").strip()
        if table_name:
            clock = SystemClock()
            give_up_at_ms = clock.now_ms() + max(context.get_remaining_time_in_millis() - 500, 0)
            fail_unclaimed_run(
                _tracker(table_name, clock, int(setting("worker_lease_ms").default)),
                event,
                ErrorCode.CONFIGURATION_ERROR,
                str(exc),
                give_up_at_ms=give_up_at_ms,
            )
        raise
    outcome = service.handle(event, context)
    return {"outcome": outcome.value}
