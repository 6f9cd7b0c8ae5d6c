"""Load: 200 contacts at once against a moto server on 127.0.0.1, with duplicates everywhere.

Every contact's start is called twice at the same time (Connect's retries) and every worker
event is delivered twice at the same time (Lambda's at-least-once delivery). Afterwards: exactly
one task run per tracking id, every run final, and replaying everything changes no final record.
Bounded: a fixed count, a thread pool of 32, and a timeout on every future (not a performance
assertion: the suite never times anything).
"""

from __future__ import annotations

import socket
import threading
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from moto.server import ThreadedMotoServer

from connect_async.aws import dynamodb_client
from connect_async.check import CheckService
from connect_async.clock import SystemClock
from connect_async.config import CheckSettings, StartSettings, WorkerSettings
from connect_async.events import WorkerJob
from connect_async.retry import FLOW_CALL_RETRY, WORKER_RETRY
from connect_async.start import StartService
from connect_async.tasks import TaskContext
from connect_async.tracker import TrackerTable
from connect_async.worker import WorkerService
from flowkit.simulator import create_tracker_table
from tests.conftest import FakeInvocation, connect_event
from tests.reliability.report import Recorder

pytestmark = pytest.mark.moto

CONTACTS = 200
THREADS = 32
FUTURE_TIMEOUT_S = 120
TABLE = "load-tracker"


@pytest.fixture
def moto_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    url = f"http://127.0.0.1:{port}"
    monkeypatch.setenv("AWS_ENDPOINT_URL", url)  # every client the runtime builds goes there
    try:
        yield url
    finally:
        server.stop()


class Jobs:
    """start's asynchronous invocations, kept to be delivered (twice each) afterwards."""

    def __init__(self) -> None:
        self.jobs: list[WorkerJob] = []
        self._lock = threading.Lock()

    def dispatch(self, job: WorkerJob, *, give_up_at_ms: int) -> None:
        with self._lock:
            self.jobs.append(job)


def test_two_hundred_contacts_with_duplicate_starts_and_deliveries(
    moto_server: str, recorder: Recorder
) -> None:
    client = dynamodb_client(read_timeout=10)
    create_tracker_table(TABLE, client)
    clock = SystemClock()
    tracker = TrackerTable(client, TABLE, clock=clock, retry_policy=FLOW_CALL_RETRY)
    jobs = Jobs()
    start = StartService(
        StartSettings.from_env(
            {
                "TRACKER_TABLE_NAME": TABLE,
                "WORKER_FUNCTION_NAME": "load-worker",
                "RUN_DEADLINE_SECONDS": "600",
                "RECORD_TTL_SECONDS": "3600",
            }
        ),
        tracker,
        jobs,
        clock,
    )
    check = CheckService(
        CheckSettings.from_env({"TRACKER_TABLE_NAME": TABLE, "CHECK_BUDGET_MS": "0"}),
        tracker,
        clock,
    )
    runs: Counter[str] = Counter()
    runs_lock = threading.Lock()

    def task(context: TaskContext) -> dict[str, str]:
        with runs_lock:
            runs[context.task_id] += 1
        context.report_progress(50, "Half way")
        return {"answer": context.task_id[:8]}

    worker = WorkerService(
        WorkerSettings.from_env(
            {
                "TRACKER_TABLE_NAME": TABLE,
                "TASK_HANDLER": "load:task",
                "TASK_RETRY_ATTEMPTS": "1",
                "WORKER_SAFETY_MARGIN_MS": "2000",
            }
        ),
        TrackerTable(client, TABLE, clock=clock, retry_policy=WORKER_RETRY),
        clock,
        task_loader=lambda _: task,
    )
    events = [
        connect_event(contact_id=f"{index:08d}-1111-4222-8333-444455556666") for index in range(CONTACTS)
    ]

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        # Each start twice, at the same time.
        answers = [
            f.result(timeout=FUTURE_TIMEOUT_S)
            for f in [pool.submit(start.handle, e, 8000) for e in events for _ in range(2)]
        ]
        assert {a["status"] for a in answers} == {"in_progress"}, Counter(
            a.get("error_code") for a in answers
        )
        new_runs = sum(a["new_run"] == "true" for a in answers)
        # Each job delivered twice, at the same time.
        deliveries = [
            pool.submit(worker.handle, job.to_payload(), FakeInvocation(f"req-{i}-{copy}", 60_000))
            for i, job in enumerate(list(jobs.jobs))
            for copy in range(2)
        ]
        outcomes = Counter(f.result(timeout=FUTURE_TIMEOUT_S).value for f in deliveries)
        finals = [
            f.result(timeout=FUTURE_TIMEOUT_S) for f in [pool.submit(check.handle, e, 8000) for e in events]
        ]

    task_ids = {f"{e['Details']['ContactData']['ContactId']}#default" for e in events}
    assert new_runs == CONTACTS and len(jobs.jobs) == CONTACTS  # the duplicate starts found the run
    assert set(runs) == task_ids and set(runs.values()) == {1}, "a task ran more than once"
    assert outcomes == Counter({"completed": CONTACTS, "duplicate": CONTACTS})
    assert Counter(a["status"] for a in finals) == Counter({"completed": CONTACTS})

    # Replay everything: no final record changes.
    snapshot = _items(client)
    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        replays = [
            pool.submit(worker.handle, job.to_payload(), FakeInvocation(f"late-{i}", 60_000))
            for i, job in enumerate(jobs.jobs)
        ]
        replays += [pool.submit(start.handle, e, 8000) for e in events]
        for future in replays:
            future.result(timeout=FUTURE_TIMEOUT_S)
    assert _items(client) == snapshot, "a final record was overwritten"
    assert set(runs.values()) == {1}

    recorder.add(
        "load",
        contacts=CONTACTS,
        starts=len(answers),
        new_runs=new_runs,
        worker_deliveries=sum(outcomes.values()),
        delivery_outcomes=", ".join(f"{name} {count}" for name, count in sorted(outcomes.items())),
        task_runs=sum(runs.values()),
        final_completed=len(finals),
        overwritten_after_replay=0,
    )


def _items(client: Any) -> dict[str, Any]:
    items: dict[str, Any] = {}
    paginator = client.get_paginator("scan")
    for page in paginator.paginate(TableName=TABLE, ConsistentRead=True):
        for item in page["Items"]:
            items[item["task_id"]["S"]] = item
    return items
