"""Property-based: start, check and the lookup never raise and always answer a flat string map
under 32 KB."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from moto import mock_aws

from connect_async.aws import dynamodb_client
from connect_async.check import answer_keys
from connect_async.config import LookupSettings
from connect_async.config_table import ConfigTable
from connect_async.contract import CHECK_RESPONSE_KEYS, LOOKUP_RESPONSE_KEYS, START_RESPONSE_KEYS
from connect_async.handlers._boundary import answer_connect
from connect_async.lookup import LookupService, lookup_answer_keys
from connect_async.results import encoded_size
from flowkit.deployment import Deployment, create_config_table
from tests.conftest import FAST_RETRY, FakeClock, Stack, connect_event

pytestmark = pytest.mark.moto
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=50),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=1000, max_size=3000),  # odd unicode
    st.sampled_from(["'; DROP TABLE x;--", "${jndi:x}", "a#b", "../../etc", "\x00", "\ud800", "🙂" * 10]),
)
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=10), inner, max_size=3),
    max_leaves=8,
)
control_keys = st.sampled_from(
    ["task_name", "tracking_id", "restart_token", "status", "result_x", "error_code"]
)


@st.composite
def hostile_events(draw: st.DrawFn) -> Any:
    kind = draw(st.integers(0, 4))
    if kind == 0:
        return draw(values)  # not even a dict
    event = connect_event()
    if kind == 1:
        event["Details"]["ContactData"] = draw(
            st.dictionaries(st.sampled_from(["ContactId", "InitialContactId", "Channel"]), values)
        )
    elif kind == 2:
        event["Details"]["Parameters"] = draw(
            st.dictionaries(st.one_of(control_keys, st.text(max_size=200)), values, max_size=6)
        )
    elif kind == 3:
        event["Details"]["Parameters"] = draw(
            st.dictionaries(control_keys, st.text(max_size=300), max_size=4)
        )
    else:
        # Huge but well-formed: many large string parameters.
        event["Details"]["Parameters"] = {
            f"p{i}": "x" * draw(st.integers(0, 9000)) for i in range(draw(st.integers(1, 8)))
        }
    return event


def _assert_flat_small(response: dict[str, str]) -> None:
    assert isinstance(response, dict)
    assert all(isinstance(k, str) and isinstance(v, str) for k, v in response.items())
    assert encoded_size(response) < 32 * 1024
    assert response["status"] in {"in_progress", "completed", "failed", "not_found", "error"}
    json.dumps(response)


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(event=hostile_events())
def test_start_and_check_answer_every_event(stack: Stack, event: Any) -> None:
    started = answer_connect(lambda: stack.start_service().handle(event, 8000), lambda: START_RESPONSE_KEYS)
    _assert_flat_small(started)
    assert set(started) >= set(START_RESPONSE_KEYS)  # every key, whatever the answer
    stack.check_budget_ms = 0
    checked = answer_connect(lambda: stack.check_service().handle(event, 8000), answer_keys)
    _assert_flat_small(checked)
    assert set(checked) >= set(CHECK_RESPONSE_KEYS)
    if started["status"] == "error":
        assert started["error_code"] in {"invalid_event"}
        assert len(started["error_message"]) < 300


lookup_keys = st.sampled_from(["key_1", "key_2", "key_3", "key_5", "key_6", "default"])


@st.composite
def hostile_lookup_events(draw: st.DrawFn) -> Any:
    """Anything at all, or a ContactFlowEvent whose keys are whatever a caller could make them."""
    if draw(st.booleans()):
        return draw(hostile_events())
    event = connect_event()
    event["Details"]["Parameters"] = draw(
        st.dictionaries(lookup_keys, st.one_of(scalars, st.text(max_size=300)), max_size=6)
    )
    return event


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(event=hostile_lookup_events())
def test_the_lookup_answers_every_event(event: Any) -> None:
    default = json.dumps({"config_key": {"S": "default"}, "greeting": {"S": "Hello."}})
    with mock_aws():
        create_config_table(Deployment(config_table_name="config", config_items={"default": default}))
        service = LookupService(
            LookupSettings.from_env({"CONFIG_TABLE_NAME": "config", "CONFIG_FIELDS": "voice,queue"}),
            ConfigTable(dynamodb_client(), "config", clock=FakeClock(), retry_policy=FAST_RETRY),
            FakeClock(),
        )
        answer = answer_connect(
            lambda: service.handle(event, 3000), lambda: lookup_answer_keys(("voice", "queue"))
        )
    assert all(isinstance(k, str) and isinstance(v, str) for k, v in answer.items())
    assert encoded_size(answer) < 32 * 1024
    assert set(answer) >= set(LOOKUP_RESPONSE_KEYS) | {"voice", "queue"}
    # Whatever the keys, the default item answers; anything unreadable is the fallback.
    assert answer["source"] in {"default_item", "fallback"}
    if answer["source"] == "fallback":
        assert answer["error_code"] == "invalid_event"
    else:
        assert answer["greeting"] == "Hello." and answer["error_code"] in {"", "invalid_config_key"}
