"""DynamoDB for a simulated call, in two forms with the same items and the same answers.

- ``MotoDynamoDB``: the runtime's own boto3 client (``connect_async.aws``), so requests go
  through botocore to moto's mock (call it inside ``mock_aws``). The tests and the demo use it:
  every request is validated as DynamoDB would validate it.
- ``InProcessDynamoDB``: moto's DynamoDB model, called in process, without the request's round
  trip through botocore, moto's HTTP stub and its serializers (about 10 ms a request, which the
  benchmarks' thousands of calls pay about 30 times each). The items, the expressions' meaning
  and the conditional failures are moto's own; what it skips is the request validation that the
  moto suite already holds the runtime to. A test plays a sample of the workload both ways and
  compares every measured field (tests/flows/test_in_process_dynamodb.py).

Each client takes ``before_call(operation)``, called before every request with its operation
name ("GetItem", "UpdateItem", ...): the simulator counts requests and charges their latency
there, and may raise to fail one (a throttled or hanging table); and ``after_call(operation)``,
called once a request has been applied, which may raise to lose its answer.
"""

# The client's keyword arguments are botocore's (TableName, Key, ...): callers pass them unchanged.
# ruff: noqa: N803

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Mapping
from typing import Any, Final, Protocol

from botocore.exceptions import ClientError
from moto.core.exceptions import JsonRESTError
from moto.dynamodb.models import DynamoDBBackend
from moto.dynamodb.models.dynamo_type import Item
from moto.dynamodb.models.utilities import dynamo_json_dump

from connect_async.aws import dynamodb_client

__all__ = ["DynamoDB", "InProcessDynamoDB", "MotoDynamoDB"]

BeforeCall = Callable[[str], None]
AfterCall = Callable[[str], None]
# The emulator's account and Region (the same as the demo's fake credentials).
_ACCOUNT: Final = "123456789012"
_REGION: Final = "eu-west-2"


class DynamoDB(Protocol):
    """Where a simulated call's tables live: hands out low-level DynamoDB clients."""

    def client(self, before_call: BeforeCall | None = None, after_call: AfterCall | None = None) -> Any: ...


class MotoDynamoDB:
    """boto3 clients on moto's mock: a new client each time, as each Lambda function has its own."""

    def client(self, before_call: BeforeCall | None = None, after_call: AfterCall | None = None) -> Any:
        client = dynamodb_client()
        if before_call is not None:
            client.meta.events.register("before-call.dynamodb", lambda model, **_: before_call(model.name))
        if after_call is not None:
            client.meta.events.register("after-call.dynamodb", lambda model, **_: after_call(model.name))
        return client


class InProcessDynamoDB:
    """moto's DynamoDB model, private to this instance (one per simulated call: nothing to clean)."""

    def __init__(self) -> None:
        self._backend = DynamoDBBackend(_REGION, _ACCOUNT)
        # One request at a time, as each DynamoDB request is atomic.
        self._lock = threading.Lock()

    def client(
        self, before_call: BeforeCall | None = None, after_call: AfterCall | None = None
    ) -> _InProcessClient:
        return _InProcessClient(self._backend, self._lock, before_call, after_call)


class _Exceptions:
    ClientError = ClientError


class _InProcessClient:
    """The low-level client's methods the runtime and the simulator call, with its request and
    response shapes (DynamoDB JSON); any other method is missing (an AttributeError names it)."""

    exceptions = _Exceptions

    def __init__(
        self,
        backend: DynamoDBBackend,
        lock: threading.Lock,
        before_call: BeforeCall | None,
        after_call: AfterCall | None = None,
    ) -> None:
        self._backend = backend
        self._lock = lock
        self._before_call = before_call
        self._after_call = after_call

    def _request(self, operation: str, body: Callable[[], dict[str, Any]]) -> dict[str, Any]:
        if self._before_call is not None:
            self._before_call(operation)
        with self._lock:
            try:
                response = body()
            except JsonRESTError as exc:
                raise _client_error(exc, operation) from None
        if self._after_call is not None:
            self._after_call(operation)
        return response

    # -- tables ----------------------------------------------------------------------------

    def create_table(
        self,
        *,
        TableName: str,
        KeySchema: list[dict[str, str]],
        AttributeDefinitions: list[dict[str, str]],
        BillingMode: str = "PAY_PER_REQUEST",
    ) -> dict[str, Any]:
        def body() -> dict[str, Any]:
            table = self._backend.create_table(
                TableName,
                schema=KeySchema,
                throughput=None,
                attr=AttributeDefinitions,
                global_indexes=None,
                indexes=None,
                streams=None,
                billing_mode=BillingMode,
                sse_specification=None,
                tags=[],
                deletion_protection_enabled=None,
                warm_throughput=None,
            )
            return {"TableDescription": {"TableName": table.name}}

        return self._request("CreateTable", body)

    def update_time_to_live(
        self, *, TableName: str, TimeToLiveSpecification: dict[str, Any]
    ) -> dict[str, Any]:
        def body() -> dict[str, Any]:
            self._backend.update_time_to_live(TableName, TimeToLiveSpecification)
            return {"TimeToLiveSpecification": TimeToLiveSpecification}

        return self._request("UpdateTimeToLive", body)

    # -- items -----------------------------------------------------------------------------

    def get_item(
        self, *, TableName: str, Key: dict[str, Any], ConsistentRead: bool = False
    ) -> dict[str, Any]:
        def body() -> dict[str, Any]:
            item = self._backend.get_item(TableName, Key)
            return {"Item": _plain(item)} if item else {}

        return self._request("GetItem", body)

    def batch_get_item(self, *, RequestItems: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
        def body() -> dict[str, Any]:
            responses = {
                table: [
                    _plain(item) for key in request["Keys"] if (item := self._backend.get_item(table, key))
                ]
                for table, request in RequestItems.items()
            }
            return {"Responses": responses, "UnprocessedKeys": {}}

        return self._request("BatchGetItem", body)

    def put_item(self, *, TableName: str, Item: dict[str, Any]) -> dict[str, Any]:
        def body() -> dict[str, Any]:
            self._backend.put_item(TableName, Item, overwrite=True)
            return {}

        return self._request("PutItem", body)

    def update_item(
        self,
        *,
        TableName: str,
        Key: dict[str, Any],
        UpdateExpression: str,
        ExpressionAttributeNames: dict[str, str] | None = None,
        ExpressionAttributeValues: dict[str, Any] | None = None,
        ConditionExpression: str | None = None,
        ReturnValues: str = "NONE",
        ReturnValuesOnConditionCheckFailure: str | None = None,
    ) -> dict[str, Any]:
        if ReturnValues not in ("NONE", "ALL_NEW"):
            raise NotImplementedError(f"the in-process DynamoDB returns NONE or ALL_NEW, not {ReturnValues}")

        def body() -> dict[str, Any]:
            item = self._backend.update_item(
                TableName,
                Key,
                update_expression=UpdateExpression,
                expression_attribute_names=ExpressionAttributeNames or {},
                expression_attribute_values=ExpressionAttributeValues or {},
                condition_expression=ConditionExpression,
                return_values_on_condition_check_failure=ReturnValuesOnConditionCheckFailure,
            )
            return {"Attributes": _plain(item)} if ReturnValues == "ALL_NEW" else {}

        return self._request("UpdateItem", body)

    def scan(self, *, TableName: str) -> dict[str, Any]:
        def body() -> dict[str, Any]:
            items, scanned, _ = self._backend.scan(
                TableName,
                filters={},
                limit=None,  # type: ignore[arg-type]
                exclusive_start_key=None,  # type: ignore[arg-type]
                filter_expression=None,
                expr_names={},
                expr_values={},
                index_name=None,  # type: ignore[arg-type]
                consistent_read=True,
                projection_expression=None,
                segments=(None, None),
            )
            return {"Items": [_plain(item) for item in items], "Count": len(items), "ScannedCount": scanned}

        return self._request("Scan", body)


def _plain(item: Item) -> dict[str, Any]:
    """An item as the SDK returns it: plain DynamoDB JSON, a copy the caller cannot change."""
    return json.loads(dynamo_json_dump(item.to_json()["Attributes"]))  # type: ignore[no-any-return]


def _client_error(exc: JsonRESTError, operation: str) -> ClientError:
    """moto's error as botocore raises it: the code, the message, and the item before the
    request when the condition failed and ReturnValuesOnConditionCheckFailure asked for it."""
    code = exc.error_type.rsplit("#", 1)[-1]
    response: dict[str, Any] = {"Error": {"Code": code, "Message": exc.message}}
    described = json.loads(exc.description) if exc.description.startswith("{") else {}
    if "Item" in described:
        response["Item"] = described["Item"]
    return ClientError(response, operation)  # type: ignore[arg-type]
