"""What only a real account can tell, checked on one deployment (pytest-terraform's fixture):
applied live with `make test-aws`, against the emulator in `make test` (which proves the suite's
wiring), or replayed from the recording with `pytest tests/live --tf-replay`.

Each check says what it proves; the ones the emulator or a replay cannot prove are skipped there,
with the reason.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from typing import Any

import boto3
import pytest
from pytest_terraform import terraform

from connect_async.contract import CONNECT_RESPONSE_LIMIT_BYTES
from connect_async.results import encoded_size
from tests.conftest import connect_event
from tests.live.conftest import recorded_outputs, recording_origin
from tests.support.lambda_context import LambdaContext

pytestmark = [pytest.mark.live, pytest.mark.emulator]

# Module-scoped (applied once for this file, destroyed after its last test): after
# deployment_settings, which says where and with what to apply it.
terraform("connect_async_live", scope="module")

TAG = "ConnectAsyncTestRun"


def _needs(settings: dict[str, str], *modes: str) -> None:
    if settings["mode"] not in modes:
        reasons = {
            "replay": "a replay holds the recorded outputs, not the resources: run it live or emulated",
            "emulator": "moto never runs a function's code, delivers to destinations or processes metrics",
        }
        pytest.skip(reasons[settings["mode"]])


def _replayed_connect_acceptance() -> None:
    """In a replay, what Connect accepted is only proven by a live run's recording."""
    if recording_origin() != "live":
        pytest.skip("the recording is the emulator's: Connect's acceptance needs `make test-aws RECORD=1`")


def _outputs(stack: Any) -> dict[str, Any]:
    return {name: value["value"] for name, value in stack.outputs.items()}


@pytest.fixture(scope="module")
def outputs(connect_async_live: Any) -> dict[str, Any]:
    return _outputs(connect_async_live)


def _client(settings: dict[str, str], service: str) -> Any:
    return boto3.client(service, region_name=settings["region"], endpoint_url=settings.get("endpoint"))


class Invoker:
    """start, check and the worker as Connect and Lambda call them: through Lambda (live), or
    in-process with each deployed function's environment (emulator: moto runs no code)."""

    def __init__(
        self, settings: dict[str, str], outputs: dict[str, Any], monkeypatch: pytest.MonkeyPatch
    ) -> None:
        self.settings = settings
        self.outputs = outputs
        self.monkeypatch = monkeypatch
        self.dispatched: list[dict[str, Any]] = []

    def __call__(self, function: str, event: dict[str, Any]) -> dict[str, Any]:
        name = self.outputs[f"{function}_function_name"]
        if self.settings["mode"] == "live":
            answer = _client(self.settings, "lambda").invoke(FunctionName=name, Payload=json.dumps(event))
            assert "FunctionError" not in answer, answer
            result: dict[str, Any] = json.loads(answer["Payload"].read())
            return result
        return self._in_process(function, name, event)

    def _in_process(self, function: str, name: str, event: dict[str, Any]) -> dict[str, Any]:
        from connect_async.handlers import check, start, worker

        config = _client(self.settings, "lambda").get_function_configuration(FunctionName=name)
        for key, value in config["Environment"]["Variables"].items():
            self.monkeypatch.setenv(key, value)
        boto3.setup_default_session()
        events = boto3.DEFAULT_SESSION._session.get_component("event_emitter")  # type: ignore[union-attr]
        events.register("provide-client-params.lambda.Invoke", self._capture)
        module = {"start": start, "check": check, "worker": worker}[function]
        module._service.cache_clear()
        try:
            return dict(module.handler(event, LambdaContext(f"{function}-live", remaining_ms=60_000)))
        finally:
            module._service.cache_clear()

    def _capture(self, params: dict[str, Any], **_: Any) -> None:
        if params.get("InvocationType") == "Event":
            self.dispatched.append(json.loads(params["Payload"]))

    def run_worker(self) -> None:
        """Emulator: what Lambda's asynchronous invoke does with the event start sent."""
        if self.settings["mode"] == "emulator":
            assert len(self.dispatched) == 1
            self("worker", self.dispatched.pop())


@pytest.fixture
def invoke(
    deployment_settings: dict[str, str], outputs: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> Iterator[Invoker]:
    _needs(deployment_settings, "live", "emulator")
    yield Invoker(deployment_settings, outputs, monkeypatch)


def _until(
    read: Callable[[], dict[str, Any]], done: Callable[[dict[str, Any]], bool], seconds: float
) -> dict[str, Any]:
    deadline = time.monotonic() + seconds
    while True:
        answer = read()
        if done(answer) or time.monotonic() > deadline:
            return answer
        time.sleep(2)


def test_the_deployment_applied_and_connect_accepted_its_flows(
    deployment_settings: dict[str, str], outputs: dict[str, Any]
) -> None:
    """Proves: every resource applied, and Connect validated and created the flow and the flow
    module (CreateContactFlow validates on create, against the associated functions)."""
    if deployment_settings["mode"] == "replay":
        assert outputs == recorded_outputs()
        assert outputs["contact_flow_id"] and outputs["flow_module_id"]
        _replayed_connect_acceptance()
        return
    connect = _client(deployment_settings, "connect")
    instance = deployment_settings["instance_id"]
    flow = connect.describe_contact_flow(InstanceId=instance, ContactFlowId=outputs["contact_flow_id"])[
        "ContactFlow"
    ]
    assert json.loads(flow["Content"])["StartAction"] == "SetVoice"
    module = connect.describe_contact_flow_module(
        InstanceId=instance, ContactFlowModuleId=outputs["flow_module_id"]
    )
    assert module["ContactFlowModule"]["Name"].startswith(outputs["name"])


def test_connect_accepted_the_push_flow(deployment_settings: dict[str, str], outputs: dict[str, Any]) -> None:
    """Proves (live): Connect validated and created the push-mode inbound flow: the asynchronous
    check call, the Wait interrupted by its return and LoadLambdaFunctionResult, as rendered by
    wait_mode = "push". Emulated, it proves the module applies in push mode beside poll mode."""
    if deployment_settings["mode"] == "replay":
        assert outputs["push_contact_flow_id"]
        _replayed_connect_acceptance()
        return
    connect = _client(deployment_settings, "connect")
    flow = connect.describe_contact_flow(
        InstanceId=deployment_settings["instance_id"], ContactFlowId=outputs["push_contact_flow_id"]
    )["ContactFlow"]
    actions = {action["Identifier"]: action for action in json.loads(flow["Content"])["Actions"]}
    assert actions["PushCheck"]["Parameters"]["InvocationType"] == "ASYNCHRONOUS"
    assert "LambdaReturned" in actions["PushWait"]["Parameters"]["InterruptibleEvents"]
    assert actions["LoadPushCheck"]["Type"] == "LoadLambdaFunctionResult"


def test_a_run_completes_end_to_end(
    deployment_settings: dict[str, str], outputs: dict[str, Any], invoke: Invoker
) -> None:
    """Proves: start's conditional write and real asynchronous invoke, the worker's claim and
    result under the deployed roles, check's answer under 32 KB, and the TTL attribute set."""
    event = connect_event(
        contact_id=f"{outputs['run_id']}-0000-4000-8000-000000000001"[-36:], duration_seconds="2", steps="2"
    )
    started = invoke("start", event)
    assert started["status"] == "in_progress", started
    invoke.run_worker()
    checked = _until(lambda: invoke("check", event), lambda a: a["status"] != "in_progress", 60)
    assert checked["status"] == "completed", checked
    assert checked["result_message"] == "Your request is complete."
    assert encoded_size(checked) < CONNECT_RESPONSE_LIMIT_BYTES
    dynamodb = _client(deployment_settings, "dynamodb")
    item = dynamodb.get_item(
        TableName=outputs["tracker_table_name"], Key={"task_id": {"S": started["task_id"]}}
    )["Item"]
    assert int(item["expires_at"]["N"]) > time.time()
    ttl = dynamodb.describe_time_to_live(TableName=outputs["tracker_table_name"])["TimeToLiveDescription"]
    assert ttl["TimeToLiveStatus"] in ("ENABLED", "ENABLING") and ttl["AttributeName"] == "expires_at"


def test_a_worker_that_dies_is_read_failed_and_dead_lettered(
    deployment_settings: dict[str, str], outputs: dict[str, Any], invoke: Invoker
) -> None:
    """Proves: a worker process that dies (as out of memory would) is read failed/worker_lost by
    check within the lease, and Lambda delivers its event to the dead-letter queue (the module sets
    no retries here, so it goes at once)."""
    _needs(deployment_settings, "live")
    event = connect_event(
        contact_id=f"{outputs['run_id']}-0000-4000-8000-000000000002"[-36:],
        outcome="exit",
        duration_seconds="1",
        steps="1",
    )
    assert invoke("start", event)["status"] == "in_progress"
    checked = _until(lambda: invoke("check", event), lambda a: a["status"] != "in_progress", 60)
    assert (checked["status"], checked["error_code"]) == ("failed", "worker_lost"), checked
    sqs = _client(deployment_settings, "sqs")
    messages = _until(
        lambda: sqs.receive_message(QueueUrl=outputs["dead_letter_queue_url"], WaitTimeSeconds=10),
        lambda r: bool(r.get("Messages")),
        300,
    )
    assert messages.get("Messages"), "nothing reached the dead-letter queue in 5 minutes"


def test_the_alarms_exist(deployment_settings: dict[str, str], outputs: dict[str, Any]) -> None:
    """Proves: CloudWatch accepted every alarm the module defines (names, dimensions, topic)."""
    _needs(deployment_settings, "live", "emulator")
    alarms = _client(deployment_settings, "cloudwatch").describe_alarms(
        AlarmNamePrefix=f"{outputs['name']}-"
    )["MetricAlarms"]
    assert {a["AlarmName"].removeprefix(f"{outputs['name']}-") for a in alarms} == {
        "dead-letter-messages",
        "worker-errors",
        "worker-throttles",
        "lost-runs",
        "check-duration",
    }


def test_the_metrics_are_published(deployment_settings: dict[str, str], outputs: dict[str, Any]) -> None:
    """Proves: the functions' EMF lines become CloudWatch metrics the alarms and the dashboard read."""
    _needs(deployment_settings, "live")
    cloudwatch = _client(deployment_settings, "cloudwatch")
    listed = _until(
        lambda: cloudwatch.list_metrics(
            Namespace="ConnectAsyncLambda", Dimensions=[{"Name": "service", "Value": outputs["name"]}]
        ),
        lambda r: any(m["MetricName"] == "RunsStarted" for m in r["Metrics"]),
        300,
    )
    assert any(m["MetricName"] == "RunsStarted" for m in listed["Metrics"])


def test_destroy_leaves_nothing(
    deployment_settings: dict[str, str], outputs: dict[str, Any], connect_async_live: Any
) -> None:
    """Proves: terraform destroy removes everything the run made (listed by its tag). Runs last."""
    _needs(deployment_settings, "live", "emulator")
    connect_async_live.terraform.destroy()
    tagging = _client(deployment_settings, "resourcegroupstaggingapi")
    left = tagging.get_resources(TagFilters=[{"Key": TAG, "Values": [outputs["run_id"]]}])[
        "ResourceTagMappingList"
    ]
    assert left == []
    functions = _client(deployment_settings, "lambda").list_functions()["Functions"]
    assert [f["FunctionName"] for f in functions if f["FunctionName"].startswith(outputs["name"])] == []
    assert (
        outputs["tracker_table_name"]
        not in _client(deployment_settings, "dynamodb").list_tables()["TableNames"]
    )
