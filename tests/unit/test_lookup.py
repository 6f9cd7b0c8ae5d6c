"""The configuration lookup: each answer the flow branches on, and every way it degrades."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from typing import Any

import moto
import pytest
from botocore.exceptions import ReadTimeoutError

from connect_async.aws import dynamodb_client
from connect_async.config import ConfigurationError, LookupSettings
from connect_async.config_table import ConfigTable
from connect_async.contract import CONNECT_RESPONSE_LIMIT_BYTES, LOOKUP_RESPONSE_KEYS
from connect_async.handlers import lookup as lookup_handler
from connect_async.lookup import LookupService
from connect_async.results import encoded_size
from flowkit.deployment import Deployment, create_config_table
from tests.conftest import FAST_RETRY, ErrorInjector, FakeClock, connect_event
from tests.support.lambda_context import LambdaContext

pytestmark = pytest.mark.moto

TABLE = "connect-async-config"
MORTGAGES = "+442071234567"
ITEMS = {
    "default": {"greeting": "Thank you for calling Example Bank.", "line_of_business": "general"},
    MORTGAGES: {
        "language": "en-GB",
        "voice": "Amy",
        "engine": "Neural",
        "greeting": "Welcome to Example Bank mortgages.",
        "line_of_business": "mortgages",
        "speech_profile": "en-GB/Amy/Neural",
        "opening_hours": "9 to 5",
    },
    # A field of its own, no greeting: the default item's greeting is spoken.
    "Sales EMEA": {"queue": "sales-emea"},
}
FIELDS = ("engine", "language", "line_of_business", "opening_hours", "queue", "voice")
ENV = {"CONFIG_TABLE_NAME": TABLE, "LOOKUP_BUDGET_MS": "1500", "CONFIG_FIELDS": ",".join(FIELDS)}


def _dynamo_items(items: dict[str, dict[str, str]]) -> dict[str, str]:
    return {
        key: json.dumps({"config_key": {"S": key}, **{k: {"S": v} for k, v in fields.items()}})
        for key, fields in items.items()
    }


class Lookup:
    """The lookup on moto, with a fake clock and faults to inject."""

    def __init__(self, faults: ErrorInjector, clock: FakeClock) -> None:
        self.faults = faults
        self.clock = clock
        self.client = dynamodb_client()
        faults.attach(self.client)
        self.service = LookupService(
            settings=LookupSettings.from_env(ENV),
            table=ConfigTable(self.client, TABLE, clock=clock, retry_policy=FAST_RETRY),
            clock=clock,
        )

    def ask(self, remaining_ms: int = 3_000, **keys: str) -> dict[str, str]:
        return self.service.handle(connect_event(**keys), remaining_ms)


@pytest.fixture
def lookup() -> Iterator[Lookup]:
    with moto.mock_aws():
        create_config_table(Deployment(config_table_name=TABLE, config_items=_dynamo_items(ITEMS)))
        yield Lookup(ErrorInjector(), FakeClock())


def test_an_items_fields_over_the_default_items(lookup: Lookup) -> None:
    answer = lookup.ask(key_1=MORTGAGES)
    assert answer["source"] == "item" and answer["config_key"] == MORTGAGES
    assert answer["greeting"] == "Welcome to Example Bank mortgages."
    assert (answer["language"], answer["voice"], answer["speech_profile"]) == (
        "en-GB",
        "Amy",
        "en-GB/Amy/Neural",
    )
    assert answer["error_code"] == "" and answer["queue"] == ""  # every field answered, empty when unset
    assert all(type(v) is str for v in answer.values())
    # One round trip for every key and the default item.
    assert lookup.faults.calls == {"BatchGetItem": 1}


def test_an_item_without_a_greeting_speaks_the_default_items(lookup: Lookup) -> None:
    answer = lookup.ask(key_1="Sales EMEA")
    assert (answer["source"], answer["queue"]) == ("item", "sales-emea")
    assert answer["greeting"] == "Thank you for calling Example Bank."
    assert answer["line_of_business"] == "general"


def test_keys_are_tried_in_order_and_empty_ones_skipped(lookup: Lookup) -> None:
    # key_1 could not be resolved by Connect (empty), key_2 has no item, key_3 does.
    answer = lookup.ask(key_1="", key_2="+15550000", key_3=MORTGAGES, key_4="Sales EMEA")
    assert (answer["source"], answer["config_key"]) == ("item", MORTGAGES)


def test_no_item_for_the_keys_answers_the_default_item(lookup: Lookup) -> None:
    answer = lookup.ask(key_1="+15550000")
    assert (answer["source"], answer["config_key"], answer["error_code"]) == ("default_item", "default", "")
    assert answer["greeting"] == "Thank you for calling Example Bank."
    assert answer["speech_profile"] == ""  # the flow keeps its own voice


def test_no_item_and_no_default_item_is_the_fallback(lookup: Lookup) -> None:
    lookup.client.delete_item(TableName=TABLE, Key={"config_key": {"S": "default"}})
    answer = lookup.ask(key_1="+15550000")
    assert (answer["source"], answer["error_code"]) == ("fallback", "config_not_found")
    assert answer["greeting"] == "" and set(LOOKUP_RESPONSE_KEYS) | set(FIELDS) == set(answer)


def test_a_throttled_read_is_retried_within_the_budget(lookup: Lookup) -> None:
    lookup.faults.fail("BatchGetItem", "ProvisionedThroughputExceededException", times=2)
    answer = lookup.ask(key_1=MORTGAGES)
    assert answer["source"] == "item"
    assert lookup.faults.calls["BatchGetItem"] == 3


def test_a_table_that_keeps_throttling_answers_fallback_within_the_budget(lookup: Lookup) -> None:
    lookup.faults.fail("BatchGetItem", "ProvisionedThroughputExceededException", times=50)
    answer = lookup.ask(key_1=MORTGAGES)
    assert (answer["source"], answer["error_code"]) == ("fallback", "config_unavailable")
    assert "ProvisionedThroughputExceededException" in answer["error_message"]
    assert lookup.clock.now - FakeClock().now <= 1_500


def test_unprocessed_keys_are_asked_for_again(lookup: Lookup) -> None:
    real = lookup.client.batch_get_item
    calls: list[int] = []

    def partial(**kwargs: Any) -> Any:
        response = real(**kwargs)
        calls.append(1)
        if len(calls) == 1:  # DynamoDB left the default item unprocessed (throttled)
            table = kwargs["RequestItems"][TABLE]
            kept = [i for i in response["Responses"][TABLE] if i["config_key"]["S"] != "default"]
            response["Responses"][TABLE] = kept
            response["UnprocessedKeys"] = {
                TABLE: {"Keys": [k for k in table["Keys"] if k["config_key"]["S"] == "default"]}
            }
        return response

    lookup.client.batch_get_item = partial  # type: ignore[method-assign]
    answer = lookup.ask(key_1="Sales EMEA")
    assert len(calls) == 2
    assert answer["greeting"] == "Thank you for calling Example Bank."  # the default item arrived


def test_a_hanging_table_answers_fallback_when_the_budget_ends(lookup: Lookup) -> None:
    clock = lookup.clock

    def hang(**_: Any) -> None:  # the client's read timeout cuts each request
        clock.sleep_ms(750)
        raise ReadTimeoutError(endpoint_url="https://dynamodb.eu-west-2.amazonaws.com")

    lookup.client.meta.events.register_first("before-call.dynamodb.BatchGetItem", hang)
    answer = lookup.ask(key_1=MORTGAGES)
    assert (answer["source"], answer["error_code"]) == ("fallback", "config_unavailable")
    # Within the budget, retries included: a second 750 ms read after the first could not end
    # by 1,500 ms, so it is not made.
    assert clock.now - FakeClock().now <= 1_500


def test_a_retry_that_cannot_finish_in_the_budget_is_not_made(lookup: Lookup) -> None:
    clock = lookup.clock
    began = clock.now
    calls: list[int] = []

    def slow_failure(**_: Any) -> None:  # fails after 800 ms, more than half the 1,500 ms budget
        calls.append(clock.now - began)
        clock.sleep_ms(800)
        raise ReadTimeoutError(endpoint_url="https://dynamodb.eu-west-2.amazonaws.com")

    lookup.client.meta.events.register_first("before-call.dynamodb.BatchGetItem", slow_failure)
    answer = lookup.ask(key_1=MORTGAGES)
    assert answer["error_code"] == "config_unavailable"
    assert calls == [0]  # 800 ms spent; another 800 ms would end past 1,500 ms
    assert clock.now - began <= 1_500


def test_a_table_that_trickles_its_answer_is_cut_at_the_deadline(lookup: Lookup) -> None:
    # botocore's read timeout bounds each socket read, not the call: a table that sends a few
    # bytes at a time holds the call as long as it likes. The lookup's deadline is its own.
    released = threading.Event()
    real = lookup.client.batch_get_item

    def trickle(**kwargs: Any) -> Any:
        released.wait(30)  # real time: only the deadline ends the wait
        return real(**kwargs)

    lookup.client.batch_get_item = trickle  # type: ignore[method-assign]
    try:
        answer = lookup.ask(remaining_ms=500, key_1=MORTGAGES)
    finally:
        released.set()
    assert (answer["source"], answer["error_code"]) == ("fallback", "config_unavailable")
    assert answer["error_message"] == "DynamoDB did not answer (TimeoutError)"


def test_the_budget_is_capped_by_the_lambdas_remaining_time(lookup: Lookup) -> None:
    lookup.faults.fail("BatchGetItem", "ThrottlingException", times=50)
    answer = lookup.ask(remaining_ms=400, key_1=MORTGAGES)
    assert answer["source"] == "fallback"
    assert lookup.clock.now - FakeClock().now <= 100  # 400 ms less the response margin


def test_a_missing_table_answers_fallback(lookup: Lookup) -> None:
    lookup.client.delete_table(TableName=TABLE)
    answer = lookup.ask(key_1=MORTGAGES)
    assert (answer["source"], answer["error_code"]) == ("fallback", "config_unavailable")
    assert "ResourceNotFoundException" in answer["error_message"]


def test_a_malformed_item_is_skipped_and_reported(lookup: Lookup) -> None:
    # Edited by hand: a number where a string belongs.
    lookup.client.put_item(TableName=TABLE, Item={"config_key": {"S": MORTGAGES}, "greeting": {"N": "1"}})
    answer = lookup.ask(key_1=MORTGAGES)
    assert (answer["source"], answer["error_code"]) == ("default_item", "malformed_config_item")
    assert "key 1 of 1" in answer["error_message"] and MORTGAGES not in answer["error_message"]
    assert answer["greeting"] == "Thank you for calling Example Bank."


def test_a_malformed_default_item_with_no_other_item_is_the_fallback(lookup: Lookup) -> None:
    lookup.client.put_item(TableName=TABLE, Item={"config_key": {"S": "default"}, "greeting": {"L": []}})
    answer = lookup.ask(key_1="+15550000")
    assert (answer["source"], answer["error_code"]) == ("fallback", "malformed_config_item")
    assert "the default item" in answer["error_message"]


def test_an_item_with_an_empty_greeting_everywhere_is_the_fallback(lookup: Lookup) -> None:
    lookup.client.put_item(TableName=TABLE, Item={"config_key": {"S": "default"}, "greeting": {"S": "  "}})
    answer = lookup.ask(key_1="Sales EMEA")
    assert (answer["source"], answer["error_code"]) == ("fallback", "malformed_config_item")


@pytest.mark.parametrize(
    "hostile",
    ["x" * 129, "+4420\x00712", "line\nbreak", "\u202e\u0000"],
    ids=["too-long", "nul", "newline", "control"],
)
def test_a_hostile_key_is_refused_by_position_and_the_others_still_tried(
    lookup: Lookup, hostile: str
) -> None:
    answer = lookup.ask(key_1=hostile, key_2=MORTGAGES)
    assert (answer["source"], answer["config_key"]) == ("item", MORTGAGES)
    assert answer["error_code"] == "invalid_config_key"
    assert "key_1" in answer["error_message"] and hostile not in answer["error_message"]


def test_a_key_that_is_only_hostile_leaves_the_default_item(lookup: Lookup) -> None:
    answer = lookup.ask(key_1="x" * 10_000)
    assert (answer["source"], answer["error_code"]) == ("default_item", "invalid_config_key")


def test_a_key_naming_the_default_item_is_the_default_item(lookup: Lookup) -> None:
    answer = lookup.ask(key_1="default")
    assert answer["source"] == "default_item"


@pytest.mark.parametrize(
    "event",
    [None, [], {"Details": "x"}, {"Name": "Other", "Details": {}}, {"Details": {"Parameters": {"key_1": 5}}}],
    ids=["none", "list", "details-string", "wrong-name", "number-parameter"],
)
def test_a_malformed_event_answers_fallback_with_every_key(lookup: Lookup, event: object) -> None:
    answer = lookup.service.handle(event, 3_000)
    assert (answer["source"], answer["error_code"]) == ("fallback", "invalid_event")
    assert set(answer) == set(LOOKUP_RESPONSE_KEYS) | set(FIELDS)
    assert lookup.faults.calls == {}  # nothing read


def test_an_oversized_item_answers_fallback_within_connects_limit(lookup: Lookup) -> None:
    lookup.client.put_item(
        TableName=TABLE,
        Item={"config_key": {"S": MORTGAGES}, "greeting": {"S": "hi"}, "opening_hours": {"S": "x" * 40_000}},
    )
    answer = lookup.ask(key_1=MORTGAGES)
    assert (answer["source"], answer["error_code"]) == ("fallback", "response_too_large")
    assert encoded_size(answer) < CONNECT_RESPONSE_LIMIT_BYTES


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"LOOKUP_BUDGET_MS": "1500"}, "CONFIG_TABLE_NAME is required"),
        ({**ENV, "LOOKUP_BUDGET_MS": "20000"}, "LOOKUP_BUDGET_MS must be between 100 and 7000"),
        ({**ENV, "CONFIG_FIELDS": "Language"}, "CONFIG_FIELDS must be comma-separated field names"),
        ({**ENV, "CONFIG_FIELDS": "voice,source"}, "CONFIG_FIELDS cannot name 'source'"),
    ],
)
def test_bad_settings_are_named(env: dict[str, str], named: str) -> None:
    with pytest.raises(ConfigurationError, match=named):
        LookupSettings.from_env(env)


def test_the_handler_answers_a_misconfigured_function_with_the_fallback(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("CONFIG_TABLE_NAME", raising=False)
    lookup_handler._service.cache_clear()
    try:
        answer = lookup_handler.handler(connect_event(key_1=MORTGAGES), LambdaContext())
    finally:
        lookup_handler._service.cache_clear()
    assert (answer["source"], answer["error_code"]) == ("fallback", "configuration_error")
    assert set(LOOKUP_RESPONSE_KEYS) <= set(answer)


def test_the_handler_reads_its_table(lookup: Lookup, monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in ENV.items():
        monkeypatch.setenv(key, value)
    lookup_handler._service.cache_clear()
    try:
        answer = lookup_handler.handler(connect_event(key_1=MORTGAGES), LambdaContext())
    finally:
        lookup_handler._service.cache_clear()
    assert (answer["source"], answer["voice"], answer["opening_hours"]) == ("item", "Amy", "9 to 5")
