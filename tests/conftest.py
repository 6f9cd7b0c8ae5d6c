"""Shared fixtures: moto-backed AWS, a controllable clock, Connect events, error injection."""

from __future__ import annotations

import json
import logging
import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

# Fake credentials before anything can build a boto3 client: a client made before moto is
# active talks to the real AWS endpoints. Not for the live suite (`make test-aws`), which runs
# on the credentials you give it, and nothing else.
if not os.environ.get("CONNECT_ASYNC_LIVE"):
    os.environ.update(
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWS_SESSION_TOKEN="testing",
        AWS_DEFAULT_REGION="eu-west-2",
    )
os.environ.update(
    POWERTOOLS_METRICS_NAMESPACE="ConnectAsyncTests", POWERTOOLS_SERVICE_NAME="connect-async-tests"
)

import moto
from botocore.awsrequest import AWSResponse

from connect_async.aws import dynamodb_client, lambda_client
from connect_async.check import CheckService
from connect_async.config import CheckSettings, EnvVar, ReconcilerSettings, StartSettings, WorkerSettings
from connect_async.contract import Attr, CheckPollWhen, TrackingIdSource
from connect_async.dispatch import LambdaDispatcher
from connect_async.lease import no_background_renewal
from connect_async.observability import metrics
from connect_async.reconcile import ReconcileService
from connect_async.retry import RetryPolicy
from connect_async.start import StartService
from connect_async.tracker import TrackerTable
from connect_async.worker import WorkerService
from flowkit.simulator import create_tracker_table

TABLE = "connect-async-tracker"
# Personal data the fixtures put into every event: no log line may ever carry them.
CUSTOMER_PHONE = "+447700900123"
CUSTOMER_INPUT_CANARY = "canary-said-my-pin-is-4921"
WORKER_FUNCTION = "connect-async-worker"
START_MS = 1_767_225_600_000  # 2026-01-01T00:00:00Z
FAST_RETRY = RetryPolicy(max_attempts=4, base_delay_ms=10, max_delay_ms=100)


class FakeClock:
    """A clock that only moves when told to (or when code sleeps on it)."""

    def __init__(self, start_ms: int = START_MS) -> None:
        self.now = start_ms
        self.slept: list[int] = []

    def now_ms(self) -> int:
        return self.now

    def sleep_ms(self, duration_ms: int) -> None:
        self.slept.append(duration_ms)
        self.now += max(duration_ms, 0)

    def advance(self, seconds: float) -> None:
        self.now += int(seconds * 1000)


@dataclass
class FakeInvocation:
    aws_request_id: str = "req-1"
    remaining_ms: int = 60_000

    def get_remaining_time_in_millis(self) -> int:
        return self.remaining_ms


def connect_event(
    contact_id: str = "11111111-2222-3333-4444-555555555555",
    initial_contact_id: str | None = None,
    channel: str = "VOICE",
    **parameters: str,
) -> dict[str, Any]:
    """A ContactFlowEvent as Connect sends it (with the personal data it really carries)."""
    return {
        "Name": "ContactFlowEvent",
        "Details": {
            "ContactData": {
                "ContactId": contact_id,
                "InitialContactId": initial_contact_id or contact_id,
                "Channel": channel,
                "InstanceARN": "arn:aws:connect:eu-west-2:123456789012:instance/abc",
                "InitiationMethod": "INBOUND",
                "LanguageCode": "en-GB",
                "Attributes": {"customer_said": CUSTOMER_INPUT_CANARY},
                "CustomerEndpoint": {"Address": CUSTOMER_PHONE, "Type": "TELEPHONE_NUMBER"},
                "SystemEndpoint": {"Address": "+442079460000", "Type": "TELEPHONE_NUMBER"},
            },
            "Parameters": parameters,
        },
    }


class ErrorInjector:
    """Makes chosen AWS calls fail, ``times`` times (after ``after`` calls that pass), then pass.

    Hooks ``before-call`` (where botocore's Stubber works): the request never reaches moto, as
    a throttled request never reaches DynamoDB. A failure is an error response (code and HTTP
    status) or an exception to raise (a timeout, a dropped connection).
    """

    def __init__(self) -> None:
        self.plans: dict[str, list[tuple[int, str] | BaseException | None]] = {}
        self.calls: dict[str, int] = {}

    def fail(self, operation: str, code: str, times: int = 1, status: int = 400, after: int = 0) -> None:
        self.plans.setdefault(operation, []).extend([None] * after + [(status, code)] * times)

    def raise_(self, operation: str, error: BaseException, times: int = 1, after: int = 0) -> None:
        self.plans.setdefault(operation, []).extend([None] * after + [error] * times)

    def clear(self) -> None:
        self.plans.clear()

    def attach(self, client: Any) -> None:
        # First among before-call handlers, ahead of a Stubber's (a fault comes before any answer).
        client.meta.events.register_first("before-call.*.*", self._before_call)

    def _before_call(self, model: Any, **kwargs: Any) -> tuple[Any, dict[str, Any]] | None:
        operation = model.name
        self.calls[operation] = self.calls.get(operation, 0) + 1
        plan = self.plans.get(operation)
        if not plan:
            return None
        step = plan.pop(0)
        if step is None:
            return None
        if isinstance(step, BaseException):
            raise step
        status, code = step
        parsed = {
            "Error": {"Code": code, "Message": f"injected {code}"},
            "ResponseMetadata": {"HTTPStatusCode": status},
        }
        return AWSResponse("https://injected.invalid", status, {}, _Raw(b"")), parsed


class _Raw:
    def __init__(self, body: bytes) -> None:
        self._body = body

    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self._body


@dataclass
class Stack:
    """The three services wired to moto, sharing one fake clock."""

    clock: FakeClock
    dynamodb: Any
    lambda_: Any
    injector: ErrorInjector
    invoked: list[dict[str, Any]] = field(default_factory=list)
    tracking_id_source: TrackingIdSource = TrackingIdSource.INITIAL_CONTACT_ID
    run_deadline_seconds: int = 120
    record_ttl_seconds: int = 3600
    worker_start_timeout_seconds: int = 30
    check_budget_ms: int = 4000
    check_interval_ms: int = 250
    # The tests of polling itself poll on every call; tests/integration/test_check_due.py covers
    # the default, "due" (poll only when the run's progress puts its end within the budget).
    check_poll_when: CheckPollWhen = CheckPollWhen.ALWAYS
    max_result_bytes: int = 16_384
    task_retry_attempts: int = 2
    task: Callable[..., object] | None = None

    def tracker(self) -> TrackerTable:
        return TrackerTable(self.dynamodb, TABLE, clock=self.clock, retry_policy=FAST_RETRY)

    def start_service(self) -> StartService:
        settings = StartSettings.from_env(
            {
                EnvVar.TRACKER_TABLE_NAME: TABLE,
                EnvVar.WORKER_FUNCTION_NAME: WORKER_FUNCTION,
                "TRACKING_ID_SOURCE": self.tracking_id_source,
                "RUN_DEADLINE_SECONDS": str(self.run_deadline_seconds),
                "RECORD_TTL_SECONDS": str(self.record_ttl_seconds),
                "WORKER_START_TIMEOUT_SECONDS": str(self.worker_start_timeout_seconds),
            }
        )
        dispatcher = LambdaDispatcher(
            self.lambda_, WORKER_FUNCTION, clock=self.clock, retry_policy=FAST_RETRY
        )
        return StartService(settings, self.tracker(), dispatcher, self.clock)

    def check_service(self) -> CheckService:
        settings = CheckSettings.from_env(
            {
                EnvVar.TRACKER_TABLE_NAME: TABLE,
                "TRACKING_ID_SOURCE": self.tracking_id_source,
                "CHECK_BUDGET_MS": str(self.check_budget_ms),
                "CHECK_POLL_INTERVAL_MS": str(self.check_interval_ms),
                "CHECK_POLL_WHEN": self.check_poll_when,
            }
        )
        return CheckService(settings, self.tracker(), self.clock)

    def worker_service(self) -> WorkerService:
        settings = WorkerSettings.from_env(
            {
                EnvVar.TRACKER_TABLE_NAME: TABLE,
                EnvVar.TASK_HANDLER: "tests.conftest:injected_by_the_loader_below",
                "TASK_RETRY_ATTEMPTS": str(self.task_retry_attempts),
                "WORKER_SAFETY_MARGIN_MS": "2000",
                "MAX_RESULT_BYTES": str(self.max_result_bytes),
            }
        )
        task = self.task

        def loader(handler: str) -> Callable[..., object]:
            if task is None:
                from connect_async.tasks import load_task

                return load_task("connect_async.tasks.demo:run")
            return task

        # No renewal thread: this clock moves only when told, so the lease is renewed by the
        # task's own sleep and progress calls (tests/unit/test_lease.py covers the thread).
        return WorkerService(
            settings, self.tracker(), self.clock, task_loader=loader, keep_alive=no_background_renewal
        )

    def reconcile_service(
        self, reconcile: Callable[..., object], parked: list[tuple[str, str]] | None = None
    ) -> ReconcileService:
        """The reconciler on this stack, calling ``reconcile``; parked messages go to ``parked``."""
        settings = ReconcilerSettings.from_env(
            {
                EnvVar.TRACKER_TABLE_NAME: TABLE,
                EnvVar.RECONCILE_HANDLER: "tests.conftest:injected_by_the_loader_below",
                EnvVar.UNRECONCILED_QUEUE_URL: "https://sqs.eu-west-2.amazonaws.com/123456789012/unreconciled",
            }
        )
        shelf = parked if parked is not None else []

        def park(body: str, reason: str) -> None:
            shelf.append((body, reason))

        return ReconcileService(
            settings, self.tracker(), self.clock, park=park, loader=lambda handler: reconcile
        )

    # -- one-call helpers ----------------------------------------------------------------------

    def start(self, event: dict[str, Any] | None = None, remaining_ms: int = 8000) -> dict[str, str]:
        return self.start_service().handle(event or connect_event(), remaining_ms)

    def check(self, event: dict[str, Any] | None = None, remaining_ms: int = 8000) -> dict[str, str]:
        return self.check_service().handle(event or connect_event(), remaining_ms)

    def run_worker(self, index: int = -1, request_id: str = "req-1", remaining_ms: int = 60_000) -> str:
        payload = self.invoked[index]
        return self.worker_service().handle(payload, FakeInvocation(request_id, remaining_ms)).value

    def item(self, task_id: str) -> dict[str, Any] | None:
        response = self.dynamodb.get_item(
            TableName=TABLE, Key={Attr.TASK_ID.value: {"S": task_id}}, ConsistentRead=True
        )
        return response.get("Item")


def create_worker_function(client: Any, iam: Any) -> None:
    role = iam.create_role(
        RoleName="worker-role",
        AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": []}),
    )
    client.create_function(
        FunctionName=WORKER_FUNCTION,
        Runtime="python3.12",
        Role=role["Role"]["Arn"],
        Handler="connect_async.handlers.worker.handler",
        Code={"ZipFile": b"PK\x05\x06" + b"\x00" * 18},  # an empty zip: moto never runs it
    )


class LogCapture(logging.Handler):
    """Every log line produced during the whole test session, formatted as CloudWatch gets it.

    pytest_sessionfinish scans them all for personal data (issue: no phone number or customer
    input in any log line); the reliability report shows the count.
    """

    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []
        self._formatters: dict[str, logging.Formatter] = {}

    def install(self) -> None:
        from connect_async.observability import logger

        self._formatters[logger.name] = logger.registered_formatter
        logging.getLogger(logger.name).addHandler(self)
        logging.getLogger().addHandler(self)  # everything else that propagates to the root

    def emit(self, record: logging.LogRecord) -> None:
        formatter = self._formatters.get(record.name) or logging.Formatter(
            "%(name)s %(levelname)s %(message)s"
        )
        try:
            self.lines.append(formatter.format(record))
        except Exception:  # a broken record must not break the test that logged it
            self.lines.append(f"{record.name} {record.getMessage()!r}")

    def leaks(self) -> list[str]:
        """Lines that carry a phone number (E.164 or the fixtures' own) or the customer canary."""
        phone = re.compile(r"\+\d{7,15}")
        secrets = (CUSTOMER_PHONE, "7700 900123", "7700900999", CUSTOMER_INPUT_CANARY)
        return [line for line in self.lines if phone.search(line) or any(s in line for s in secrets)]


LOG_CAPTURE = LogCapture()
LOG_CAPTURE.install()


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    problems: list[str] = []
    leaks = LOG_CAPTURE.leaks()
    if leaks:
        problems.append(f"{len(leaks)} log line(s) carry personal data, for example:")
        problems += [f"  {line}" for line in leaks[:5]]
    # (Whether the capture works at all is a test of its own: tests/reliability/test_security.py
    # runs a logging call and asserts the capture saw it, so a part of the suite that logs
    # nothing can still run alone.)
    if problems:
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        for line in ["", *problems]:
            if reporter is not None:
                reporter.write_line(line, red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


# What a test needs (pyproject.toml's markers): exactly one of these per test.
NEEDS = ("unit", "moto", "terraform", "live")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    unmarked = sorted(
        {
            item.nodeid.split("::")[0]
            for item in items
            if sum(item.get_closest_marker(n) is not None for n in NEEDS) != 1
        }
    )
    if unmarked:
        raise pytest.UsageError(
            "each test needs exactly one of the markers " + ", ".join(NEEDS) + " (what it needs at most): "
            "add `pytestmark = pytest.mark.<kind>` to " + ", ".join(unmarked)
        )


@pytest.fixture(autouse=True)
def _unit_needs_nothing(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    # `make test` runs the unit tests once more with CONNECT_ASYNC_UNIT_GUARD set and no Terraform
    # on the PATH: a unit test that starts moto, or renders the plan, fails there, so the marker
    # cannot lie.
    if os.environ.get("CONNECT_ASYNC_UNIT_GUARD") and request.node.get_closest_marker("unit"):

        def refuse(*args: object, **kwargs: object) -> None:
            raise AssertionError("a test marked unit started moto: mark it moto (or terraform)")

        monkeypatch.setattr("moto.core.models.MockAWS.start", refuse)


@pytest.fixture(autouse=True)
def _clear_metrics() -> Iterator[None]:
    # Powertools Metrics share one buffer across instances: clear it between tests.
    metrics.clear_metrics()
    yield
    metrics.clear_metrics()


@pytest.fixture
def stack() -> Iterator[Stack]:
    with moto.mock_aws(config={"lambda": {"use_docker": False}}):
        import boto3

        # A fresh default session per test; hooks registered on it reach every client made after,
        # including those the real handlers build.
        boto3.setup_default_session()
        ddb = dynamodb_client()
        lam = lambda_client()
        create_tracker_table(TABLE, ddb)
        create_worker_function(lam, boto3.client("iam"))
        injector = ErrorInjector()
        injector.attach(ddb)
        injector.attach(lam)
        built = Stack(clock=FakeClock(), dynamodb=ddb, lambda_=lam, injector=injector)

        def capture(params: dict[str, Any], **_: Any) -> None:
            if params.get("InvocationType") == "Event":
                built.invoked.append(json.loads(params["Payload"]))

        lam.meta.events.register("provide-client-params.lambda.Invoke", capture)
        session_events = boto3.DEFAULT_SESSION._session.get_component("event_emitter")  # type: ignore[union-attr]
        session_events.register("provide-client-params.lambda.Invoke", capture)
        yield built
        boto3.DEFAULT_SESSION = None


# Real Terraform for the tests that render or apply the module (tests/support/terraform_runner.py).
from tests.support.terraform_runner import terraform  # noqa: E402, F401
