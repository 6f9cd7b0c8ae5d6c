"""Lambda entry point of the reconciler (an SQS event source mapping on the dead-letter queue,
reporting batch item failures: only the messages to retry go back to the queue)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from functools import cache
from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from connect_async.aws import dynamodb_client, sqs_client
from connect_async.clock import SystemClock
from connect_async.config import ReconcilerSettings
from connect_async.observability import instrument
from connect_async.reconcile import ReconcileService
from connect_async.retry import WORKER_RETRY
from connect_async.tracker import TrackerTable

__all__ = ["handler"]

# The message attribute a parked message carries: why it could not be reconciled.
REASON_ATTRIBUTE = "reason"


class ReconcileLaterError(Exception):
    """This message goes back to the queue (a batch item failure)."""


@cache
def _service() -> ReconcileService:
    settings = ReconcilerSettings.from_env(os.environ)
    clock = SystemClock()
    queue = sqs_client()

    def park(body: str, reason: str) -> None:
        queue.send_message(
            QueueUrl=settings.unreconciled_queue_url,
            MessageBody=body,
            MessageAttributes={REASON_ATTRIBUTE: {"DataType": "String", "StringValue": reason[:256]}},
        )

    tracker = TrackerTable(dynamodb_client(), settings.table_name, clock=clock, retry_policy=WORKER_RETRY)
    return ReconcileService(settings=settings, tracker=tracker, clock=clock, park=park)


@instrument
def handler(event: dict[str, Any], context: LambdaContext) -> Mapping[str, object]:
    # Misconfigured: raise, so the whole batch returns to the queue (and, after
    # reconciler.max_receive_count receives, to the unreconciled queue and its alarm).
    service = _service()

    def reconcile(record: SQSRecord) -> str:
        outcome = service.handle(record.body, context)
        if not outcome.done:
            raise ReconcileLaterError(outcome.value)
        return outcome.value

    # A batch whose every message is retried is an answer too, not an error of the function.
    processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)
    return process_partial_response(
        event=event, record_handler=reconcile, processor=processor, context=context
    )
