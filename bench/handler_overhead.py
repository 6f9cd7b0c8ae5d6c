"""Handler overhead in-process against moto: start, check and the lookup against a bare
PutItem / GetItem.

Each sample times one call of the runtime's own logic (StartService.handle with a dispatcher that
only records the job, CheckService.handle answering at once) and, on the same client, the bare
DynamoDB call it is built on. start's write is a conditional UpdateItem, whose expressions moto
evaluates slowly (DynamoDB does not), so start is also compared with that same write made
through the tracker alone (``begin_run``): the difference is the handler's own work. The lookup
(an item and the default item in one BatchGetItem) is set against a bare eventually consistent
GetItem of one item on the same client, and a bare BatchGetItem of the same two keys. Absolute
times depend on the machine and on moto; the ratio of the medians travels better. A benchmark,
never a test assertion.

    .venv/bin/python -m bench.handler_overhead [--samples 300] [--json out.json]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import moto

from connect_async.aws import dynamodb_client
from connect_async.check import CheckService
from connect_async.clock import SystemClock
from connect_async.config import CheckSettings, LookupSettings, StartSettings
from connect_async.config_table import ConfigTable
from connect_async.contract import TrackingIdSource
from connect_async.events import WorkerJob, parse_contact_event
from connect_async.lookup import LookupService
from connect_async.retry import FLOW_CALL_RETRY
from connect_async.start import StartService
from connect_async.tracker import TrackerTable
from flowkit import demo
from flowkit.simulator import Deployment, create_config_table, create_tracker_table

ROOT = Path(__file__).resolve().parent.parent

__all__ = ["measure"]

TABLE = "bench-tracker"
CONFIG_TABLE = "bench-config"
NUMBER = "+442071234567"
CONFIG_ITEMS = {
    "default": json.dumps({"config_key": {"S": "default"}, "greeting": {"S": "Thank you for calling."}}),
    NUMBER: json.dumps(
        {
            "config_key": {"S": NUMBER},
            "greeting": {"S": "Welcome to mortgages."},
            "language": {"S": "en-GB"},
            "voice": {"S": "Amy"},
            "speech_profile": {"S": "en-GB/Amy/Neural"},
        }
    ),
}


class _RecordingDispatcher:
    """Stands in for the asynchronous Invoke (moto has no function to run): records the job."""

    def __init__(self) -> None:
        self.jobs: list[WorkerJob] = []

    def dispatch(self, job: WorkerJob, *, give_up_at_ms: int) -> None:
        self.jobs.append(job)


def _event(contact_id: str) -> dict[str, Any]:
    return {
        "Name": "ContactFlowEvent",
        "Details": {
            "ContactData": {"ContactId": contact_id, "InitialContactId": contact_id, "Channel": "VOICE"},
            "Parameters": {"question": "Where is my order?"},
        },
    }


def _timed(samples: int, call: Callable[[int], object]) -> list[float]:
    times = []
    for index in range(samples):
        began = time.perf_counter()
        call(index)
        times.append((time.perf_counter() - began) * 1000)
    return times


def _summary(times: list[float]) -> dict[str, float]:
    ordered = sorted(times)
    return {
        "p50_ms": round(statistics.median(ordered), 3),
        "p90_ms": round(ordered[int(len(ordered) * 0.9) - 1], 3),
        "p99_ms": round(ordered[int(len(ordered) * 0.99) - 1], 3),
    }


def measure(samples: int) -> dict[str, Any]:
    with moto.mock_aws():
        client = dynamodb_client()
        create_tracker_table(TABLE, client)
        clock = SystemClock()
        tracker = TrackerTable(client, TABLE, clock=clock, retry_policy=FLOW_CALL_RETRY)
        start = StartService(
            StartSettings.from_env(
                {
                    "TRACKER_TABLE_NAME": TABLE,
                    "WORKER_FUNCTION_NAME": "bench-worker",
                    "TRACKING_ID_SOURCE": "contact_id",
                }
            ),
            tracker,
            _RecordingDispatcher(),
            clock,
        )
        check = CheckService(
            CheckSettings.from_env(
                {
                    "TRACKER_TABLE_NAME": TABLE,
                    "TRACKING_ID_SOURCE": "contact_id",
                    "CHECK_BUDGET_MS": "0",
                }
            ),
            tracker,
            clock,
        )
        create_config_table(Deployment(config_table_name=CONFIG_TABLE, config_items=CONFIG_ITEMS), client)
        lookup = LookupService(
            LookupSettings.from_env(
                {
                    "CONFIG_TABLE_NAME": CONFIG_TABLE,
                    "CONFIG_FIELDS": "engine,language,line_of_business,queue,voice",
                }
            ),
            ConfigTable(client, CONFIG_TABLE, clock=clock, retry_policy=FLOW_CALL_RETRY),
            clock,
        )
        lookup_event = {"Name": "ContactFlowEvent", "Details": {"Parameters": {"key_1": NUMBER}}}
        keys = [{"config_key": {"S": key}} for key in (NUMBER, "default")]
        # Warm every path (imports, botocore's first-call setup) before timing.
        start.handle(_event("warm"), 8000)
        check.handle(_event("warm"), 8000)
        lookup.handle(lookup_event, 3000)
        results = {
            "put_item": _timed(
                samples,
                lambda i: client.put_item(
                    TableName=TABLE,
                    Item={"task_id": {"S": f"bare-{i}#default"}, "status": {"S": "in_progress"}},
                ),
            ),
            "begin_run": _timed(
                samples,
                lambda i: tracker.begin_run(
                    parse_contact_event(_event(f"write-{i}"), TrackingIdSource.CONTACT_ID),
                    deadline_at_ms=clock.now_ms() + 330_000,
                    expires_at=clock.now_ms() // 1000 + 86_400,
                    give_up_at_ms=clock.now_ms() + 7_700,
                ),
            ),
            "start": _timed(samples, lambda i: start.handle(_event(f"contact-{i}"), 8000)),
            "get_item": _timed(
                samples,
                lambda i: client.get_item(
                    TableName=TABLE, Key={"task_id": {"S": f"contact-{i}#default"}}, ConsistentRead=True
                ),
            ),
            "check": _timed(samples, lambda i: check.handle(_event(f"contact-{i}"), 8000)),
            "get_item_eventual": _timed(
                samples, lambda i: client.get_item(TableName=CONFIG_TABLE, Key={"config_key": {"S": NUMBER}})
            ),
            "batch_get_item": _timed(
                samples, lambda i: client.batch_get_item(RequestItems={CONFIG_TABLE: {"Keys": keys}})
            ),
            "lookup": _timed(samples, lambda i: lookup.handle(lookup_event, 3000)),
        }
    summary = {name: _summary(times) for name, times in results.items()}
    summary["ratios"] = {
        "start_vs_put_item": round(summary["start"]["p50_ms"] / summary["put_item"]["p50_ms"], 2),
        "start_vs_its_own_write": round(summary["start"]["p50_ms"] / summary["begin_run"]["p50_ms"], 2),
        "check_vs_get_item": round(summary["check"]["p50_ms"] / summary["get_item"]["p50_ms"], 2),
        "lookup_vs_get_item_p50": round(
            summary["lookup"]["p50_ms"] / summary["get_item_eventual"]["p50_ms"], 2
        ),
        "lookup_vs_get_item_p99": round(
            summary["lookup"]["p99_ms"] / summary["get_item_eventual"]["p99_ms"], 2
        ),
        "lookup_vs_batch_get_item_p50": round(
            summary["lookup"]["p50_ms"] / summary["batch_get_item"]["p50_ms"], 2
        ),
    }
    summary["samples"] = {"count": samples}
    return summary


@demo.on_the_emulator
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=300)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    with contextlib.redirect_stdout(io.StringIO()):  # Powertools' metric flushes (EMF lines)
        summary = measure(args.samples)
    if args.json:
        args.json.write_text(json.dumps(summary, indent=2) + "\n")
    print(json.dumps(summary, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
