"""Results and responses: explicit conversion, sizes enforced, never over Connect's 32 KB."""

from __future__ import annotations

from decimal import Decimal

import pytest

from connect_async.check import answer_keys
from connect_async.handlers._boundary import answer_connect
from connect_async.results import (
    InvalidResultError,
    ResultTooLargeError,
    encoded_size,
    guard_response,
    normalize_result,
)

pytestmark = pytest.mark.unit


def test_conversions_are_explicit() -> None:
    raw = {"s": "x", "i": 7, "f": 0.1, "d": Decimal("2.50"), "t": True, "n": False}
    assert normalize_result(raw, 1000) == {
        "s": "x",
        "i": "7",
        "f": "0.1",
        "d": "2.50",
        "t": "true",
        "n": "false",
    }
    assert normalize_result(None, 1000) == {}


@pytest.mark.parametrize(
    "raw",
    [
        {"a": None},
        {"a": [1]},
        {"a": {"b": "c"}},
        {"a": float("nan")},
        {"a": Decimal("Infinity")},
        {"a": b"x"},
    ],
)
def test_unsupported_values_are_rejected(raw: dict[str, object]) -> None:
    with pytest.raises(InvalidResultError, match="result key 'a'"):
        normalize_result(raw, 1000)


@pytest.mark.parametrize("key", ["", "has space", "x" * 65, "dash-ed", 5])
def test_unsafe_keys_are_rejected(key: object) -> None:
    with pytest.raises(InvalidResultError, match="must be 1-64 letters"):
        normalize_result({key: "v"}, 1000)


def test_non_mapping_result_is_rejected() -> None:
    with pytest.raises(InvalidResultError, match="it must return a dict"):
        normalize_result(["a"], 1000)


def test_size_is_measured_as_returned_to_the_flow_in_utf8() -> None:
    text = "é" * 100  # 200 bytes in UTF-8
    with pytest.raises(ResultTooLargeError, match="limit is 150"):
        normalize_result({"k": text}, 150)
    assert encoded_size({"result_k": text}) > 200


def test_guard_replaces_an_oversized_response_with_a_clear_error() -> None:
    response = guard_response({"status": "completed", "task_id": "t#x", "result_x": "y" * 40_000})
    assert response["status"] == "error"
    assert response["error_code"] == "response_too_large"
    assert response["task_id"] == "t#x"
    assert encoded_size(response) < 32 * 1024


def test_the_oversized_answer_still_holds_every_key_of_the_contract() -> None:
    # "Every key is always present, in every answer, errors included": the guard's own error
    # answer too (a flow reads progress_percent and result_<key> on every path).
    keys = answer_keys(("status_text", "eta"))
    oversized = {"status": "completed", "task_id": "t#x", "result_eta": "y" * 40_000}
    answer = answer_connect(lambda: oversized, lambda: keys)
    assert answer["error_code"] == "response_too_large"
    assert set(keys) <= set(answer)
    assert answer["progress_percent"] == "0" and answer["result_eta"] == ""
    assert all(isinstance(value, str) for value in answer.values())
