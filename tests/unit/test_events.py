"""Reading Connect's event: defensive, specific, and never echoing values."""

from __future__ import annotations

from typing import Any

import pytest

from connect_async.contract import TrackingIdSource
from connect_async.events import InvalidEventError, parse_contact_event, parse_worker_event
from tests.conftest import connect_event

pytestmark = pytest.mark.unit

SOURCE = TrackingIdSource.INITIAL_CONTACT_ID


def test_reads_ids_channel_task_and_parameters() -> None:
    request = parse_contact_event(connect_event(task_name="lookup", account="A1", restart_token="r1"), SOURCE)
    assert request.task_id == "11111111-2222-3333-4444-555555555555#lookup"
    assert request.parameters == {"account": "A1"}  # control keys removed
    assert request.restart_token == "r1"
    assert request.contact.channel == "VOICE"


def test_task_contact_without_previous_contact_id_or_initial_id_is_accepted() -> None:
    event = connect_event(channel="TASK")
    del event["Details"]["ContactData"]["InitialContactId"]
    request = parse_contact_event(event, SOURCE)
    assert request.tracking_id == request.contact.contact_id
    assert request.contact.previous_contact_id == ""


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda e: e.pop("Details"), "Details must be an object"),
        (lambda e: e.update(Name="SomethingElse"), "Name must be ContactFlowEvent"),
        (lambda e: e["Details"]["ContactData"].pop("ContactId"), "ContactId is missing"),
        (lambda e: e["Details"]["ContactData"].update(ContactId=42), "ContactId must be a string"),
        (lambda e: e["Details"]["ContactData"].update(ContactId="a#b"), "not a valid contact id"),
        (lambda e: e["Details"].update(Parameters=["x"]), "Parameters must be an object"),
        (lambda e: e["Details"]["Parameters"].update(amount=5), "amount must be a string"),
        (lambda e: e["Details"]["Parameters"].update(task_name="../etc"), "task_name must be"),
        (lambda e: e["Details"]["Parameters"].update(restart_token="a b"), "restart_token must be"),
        (lambda e: e["Details"]["Parameters"].update(big="x" * 40_000), "the limit is 32768"),
    ],
)
def test_malformed_events_are_rejected_with_a_specific_message(mutate: Any, message: str) -> None:
    event = connect_event()
    mutate(event)
    with pytest.raises(InvalidEventError, match=message):
        parse_contact_event(event, SOURCE)


def test_error_messages_never_contain_parameter_values() -> None:
    event = connect_event(secret_pin=["1234"])  # type: ignore[arg-type]
    with pytest.raises(InvalidEventError) as info:
        parse_contact_event(event, SOURCE)
    assert "1234" not in str(info.value)


def test_parameter_source_requires_the_tracking_id() -> None:
    with pytest.raises(InvalidEventError, match="tracking_id is required"):
        parse_contact_event(connect_event(), TrackingIdSource.PARAMETER)
    request = parse_contact_event(connect_event(tracking_id="cust-7"), TrackingIdSource.PARAMETER)
    assert request.task_id == "cust-7#default"


def test_worker_payload_round_trip_and_rejects() -> None:
    from connect_async.events import WorkerJob

    job = parse_contact_event(connect_event(a="1"), SOURCE)
    payload = WorkerJob(
        job.task_id, job.task_name, 3, job.parameters, job.contact, 1_767_225_600_000
    ).to_payload()
    parsed = parse_worker_event(payload)
    assert (parsed.task_id, parsed.attempt, parsed.parameters) == (job.task_id, 3, {"a": "1"})
    assert parsed.run_created_at_ms == 1_767_225_600_000
    # A payload sent before the creation time was (an event in Lambda's queue across an upgrade).
    older = {k: v for k, v in payload.items() if k != "run_created_at_ms"}
    assert parse_worker_event(older).run_created_at_ms == 0
    for broken in (
        {**payload, "version": 2},
        {**payload, "attempt": True},
        {**payload, "task_id": "no-separator"},
        {**payload, "run_created_at_ms": -1},
        {**payload, "run_created_at_ms": "1767225600000"},
    ):
        with pytest.raises(InvalidEventError):
            parse_worker_event(broken)
