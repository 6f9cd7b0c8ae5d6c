"""The reconciler as Lambda runs it: the real handler on SQS batches from the dead-letter queue
(moto), deleting what it reconciled, reporting only what to retry, and the queue's redrive policy
moving a message that keeps failing to the unreconciled queue (where its alarm looks)."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from connect_async.contract import Attr
from connect_async.handlers import reconciler as reconciler_handler
from connect_async.reconcile import invocation_record
from tests import fixture_tasks
from tests.conftest import TABLE, Stack, connect_event
from tests.reliability.report import Recorder
from tests.reliability.runs import LAMBDA_FIRST_RETRY_SECONDS
from tests.support.lambda_context import LambdaContext

pytestmark = pytest.mark.moto

MAX_RECEIVES = 3


class _Died(BaseException):
    """The worker's process ends here: nothing more is written."""


@pytest.fixture
def queues(stack: Stack, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, str]]:
    sqs = boto3.client("sqs")
    unreconciled = sqs.create_queue(QueueName="unreconciled")["QueueUrl"]
    unreconciled_arn = sqs.get_queue_attributes(QueueUrl=unreconciled, AttributeNames=["QueueArn"])[
        "Attributes"
    ]["QueueArn"]
    redrive = json.dumps({"deadLetterTargetArn": unreconciled_arn, "maxReceiveCount": MAX_RECEIVES})
    dead_letter = sqs.create_queue(QueueName="worker-dlq", Attributes={"RedrivePolicy": redrive})["QueueUrl"]
    monkeypatch.setenv("TRACKER_TABLE_NAME", TABLE)
    monkeypatch.setenv("RECONCILE_HANDLER", "tests.fixture_tasks:reconcile_transfer")
    monkeypatch.setenv("UNRECONCILED_QUEUE_URL", unreconciled)
    reconciler_handler._service.cache_clear()
    fixture_tasks.RECONCILED_RUNS.clear()
    # The handler reads the system clock: the runs begin two minutes ago.
    stack.clock.now = int(time.time() * 1000) - 120_000
    yield {"dead_letter": dead_letter, "unreconciled": unreconciled}
    reconciler_handler._service.cache_clear()


def _lost(stack: Stack, contact_id: str, **parameters: str) -> str:
    """A run whose worker died after its claim, dead-lettered: Lambda's invocation record."""

    def transfer(context: Any) -> None:
        context.report_progress(50, "Sent to the bank")
        raise _Died

    stack.task = transfer
    stack.start(connect_event(contact_id=contact_id, **parameters))
    with pytest.raises(_Died):
        stack.run_worker(request_id=f"req-{contact_id}")
    stack.clock.advance(LAMBDA_FIRST_RETRY_SECONDS)
    with pytest.raises(Exception, match="worker"):
        stack.run_worker(request_id=f"req-{contact_id}")
    return invocation_record(stack.invoked[-1], request_id=f"req-{contact_id}")


def _poll(queue_url: str, handler_rounds: int) -> list[dict[str, Any]]:
    """The event source mapping, for at most ``handler_rounds`` batches: receive, invoke the
    handler, delete what it did not report as failed, and let the failed ones be seen again."""
    sqs = boto3.client("sqs")
    responses = []
    for _ in range(handler_rounds):
        messages = sqs.receive_message(
            QueueUrl=queue_url, MaxNumberOfMessages=10, AttributeNames=["All"], VisibilityTimeout=30
        ).get("Messages", [])
        if not messages:
            break
        event = {
            "Records": [
                {
                    "messageId": m["MessageId"],
                    "receiptHandle": m["ReceiptHandle"],
                    "body": m["Body"],
                    "attributes": m.get("Attributes", {}),
                    "messageAttributes": {},
                    "eventSource": "aws:sqs",
                    "eventSourceARN": "arn:aws:sqs:eu-west-2:123456789012:worker-dlq",
                    "awsRegion": "eu-west-2",
                }
                for m in messages
            ]
        }
        response = reconciler_handler.handler(event, LambdaContext(remaining_ms=60_000))
        responses.append(response)
        failed = {failure["itemIdentifier"] for failure in response["batchItemFailures"]}
        for m in messages:
            if m["MessageId"] in failed:  # its visibility timeout ends: SQS delivers it again
                sqs.change_message_visibility(
                    QueueUrl=queue_url, ReceiptHandle=m["ReceiptHandle"], VisibilityTimeout=0
                )
            else:
                sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=m["ReceiptHandle"])
    return responses


def _bodies(queue_url: str) -> list[dict[str, Any]]:
    messages = (
        boto3.client("sqs")
        .receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, MessageAttributeNames=["All"])
        .get("Messages", [])
    )
    return messages


def test_a_batch_deletes_what_it_reconciled_parks_the_malformed_and_retries_the_rest(
    stack: Stack, queues: dict[str, str], recorder: Recorder
) -> None:
    sqs = boto3.client("sqs")
    good = _lost(stack, "11111111-0000-4000-8000-000000000001", amount="10.00")
    down = _lost(stack, "11111111-0000-4000-8000-000000000002", bank="down")
    for body in (good, good, "{not json", down):  # the duplicate: SQS delivers at least once
        sqs.send_message(QueueUrl=queues["dead_letter"], MessageBody=body)

    (first, *_) = _poll(queues["dead_letter"], handler_rounds=1)

    assert len(first["batchItemFailures"]) == 1  # only the run whose bank is down
    reconciled = [run for run in fixture_tasks.RECONCILED_RUNS if run.parameters.get("amount") == "10.00"]
    assert len(reconciled) == 1, "a duplicate delivery reconciled the run again"
    (parked,) = _bodies(queues["unreconciled"])
    assert parked["Body"] == "{not json"
    reason = parked["MessageAttributes"]["reason"]["StringValue"]
    assert reason == "the body is not JSON"
    item = stack.item("11111111-0000-4000-8000-000000000001#default") or {}
    assert item[Attr.RECONCILE_STATUS.value] == {"S": "reconciled"}
    assert item[Attr.STATUS.value] == {"S": "failed"} and item[Attr.ERROR_CODE.value] == {"S": "worker_lost"}
    recorder.add(
        "reconcile",
        case="one batch: a lost run, its duplicate, a body that is not JSON, a run whose bank is down",
        expected="reconciled once; duplicate deleted; malformed parked with its reason; last one retried",
        observed=f"reconcile calls for the run: {len(reconciled)}; batch item failures: "
        f"{len(first['batchItemFailures'])}; parked: {reason!r}; "
        f"the run's record: {item[Attr.STATUS.value]['S']}/{item[Attr.ERROR_CODE.value]['S']}, "
        f"reconcile_status {item[Attr.RECONCILE_STATUS.value]['S']}",
    )


def test_a_reconcile_that_keeps_failing_ends_in_the_unreconciled_queue(
    stack: Stack, queues: dict[str, str], recorder: Recorder
) -> None:
    sqs = boto3.client("sqs")
    down = _lost(stack, "11111111-0000-4000-8000-000000000003", bank="down")
    sqs.send_message(QueueUrl=queues["dead_letter"], MessageBody=down)

    rounds = _poll(queues["dead_letter"], handler_rounds=MAX_RECEIVES + 3)

    assert len(rounds) == MAX_RECEIVES, "SQS stops delivering after maxReceiveCount receives"
    assert len(fixture_tasks.RECONCILED_RUNS) == MAX_RECEIVES
    (moved,) = _bodies(queues["unreconciled"])
    assert moved["Body"] == down
    assert not _bodies(queues["dead_letter"])
    item = stack.item("11111111-0000-4000-8000-000000000003#default") or {}
    assert item[Attr.RECONCILE_STATUS.value] == {"S": "retry_later"}
    assert item[Attr.RECONCILE_ATTEMPTS.value] == {"N": str(MAX_RECEIVES)}
    assert item[Attr.RECONCILE_OUTCOME.value] == {"S": "the reconcile function raised ConnectionError"}
    recorder.add(
        "reconcile",
        case=f"the reconcile function raises on every delivery (maxReceiveCount {MAX_RECEIVES})",
        expected=f"tried {MAX_RECEIVES} times, then the message is in the unreconciled queue (its alarm)",
        observed=f"handler rounds {len(rounds)}, calls {len(fixture_tasks.RECONCILED_RUNS)}; unreconciled: "
        f"1 message, dead-letter queue: empty; reconcile_status {item[Attr.RECONCILE_STATUS.value]['S']}, "
        f"attempts {item[Attr.RECONCILE_ATTEMPTS.value]['N']}",
    )


def test_a_misconfigured_reconciler_returns_the_whole_batch(
    stack: Stack, queues: dict[str, str], monkeypatch: pytest.MonkeyPatch, recorder: Recorder
) -> None:
    monkeypatch.setenv("UNRECONCILED_QUEUE_URL", "not-a-queue")
    reconciler_handler._service.cache_clear()
    event = {"Records": [{"messageId": "m1", "receiptHandle": "r", "body": "{}", "eventSource": "aws:sqs"}]}
    with pytest.raises(Exception, match="UNRECONCILED_QUEUE_URL must be an SQS queue URL") as raised:
        reconciler_handler.handler(event, LambdaContext(remaining_ms=60_000))
    recorder.add(
        "reconcile",
        case="the reconciler is misconfigured (UNRECONCILED_QUEUE_URL not a queue URL)",
        expected="the invocation fails: the whole batch returns to the queue (the reconciler_errors alarm)",
        observed=f"raised {type(raised.value).__name__}: {str(raised.value)[:60]}",
    )
