"""Reading Amazon Connect's event and the worker's payload from raw dicts, defensively.

Powertools' ``ConnectContactFlowEvent`` raises KeyError for fields Connect omits (for example
``PreviousContactId``, or on TASK contacts), so the event is read here key by key. Every problem
becomes an ``InvalidEventError`` with a short message that names the field, never its value:
values can be customer input.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final

from connect_async.contract import (
    CONFIG_KEY_MAX_CHARS,
    DEFAULT_TASK_NAME,
    LOOKUP_KEY_PARAMETER_PREFIX,
    MAX_LOOKUP_KEYS,
    MAX_PARAMETERS_BYTES,
    TASK_ID_SEPARATOR,
    TASK_NAME_PATTERN,
    TOKEN_PATTERN,
    Param,
    TrackingIdSource,
    WorkerField,
)

__all__ = [
    "WORKER_PAYLOAD_VERSION",
    "ContactMetadata",
    "InvalidEventError",
    "LookupRequest",
    "TaskRequest",
    "WorkerJob",
    "parse_contact_event",
    "parse_lookup_event",
    "parse_worker_event",
]

WORKER_PAYLOAD_VERSION: Final = 1
_PARAMETER_NAME_MAX: Final = 128
_METADATA_VALUE_MAX: Final = 256


class InvalidEventError(ValueError):
    """The event is not what the flow or start should send; the message says which part."""


@dataclass(frozen=True)
class ContactMetadata:
    """What the runtime keeps of the contact: ids and channel, no personal data."""

    contact_id: str
    initial_contact_id: str
    channel: str
    previous_contact_id: str = ""
    instance_arn: str = ""
    initiation_method: str = ""
    language_code: str = ""

    def to_payload(self) -> dict[str, str]:
        return {
            "contact_id": self.contact_id,
            "initial_contact_id": self.initial_contact_id,
            "channel": self.channel,
            "previous_contact_id": self.previous_contact_id,
            "instance_arn": self.instance_arn,
            "initiation_method": self.initiation_method,
            "language_code": self.language_code,
        }

    @classmethod
    def from_payload(cls, data: object) -> ContactMetadata:
        if not isinstance(data, Mapping):
            raise InvalidEventError(f"{WorkerField.CONTACT} must be an object")
        values = {}
        for name in (
            "contact_id",
            "initial_contact_id",
            "channel",
            "previous_contact_id",
            "instance_arn",
            "initiation_method",
            "language_code",
        ):
            value = data.get(name, "")
            if not isinstance(value, str):
                raise InvalidEventError(f"{WorkerField.CONTACT}.{name} must be a string")
            values[name] = value
        if not values["contact_id"]:
            raise InvalidEventError(f"{WorkerField.CONTACT}.contact_id is missing")
        return cls(**values)


@dataclass(frozen=True)
class TaskRequest:
    """One start or check call: which run it is about, and what the task gets."""

    contact: ContactMetadata
    task_name: str
    tracking_id: str
    parameters: Mapping[str, str] = field(default_factory=dict)
    restart_token: str | None = None
    # check only: the progress message the caller last heard (None: the flow does not say).
    spoken_progress: str | None = None
    # check only: how long the flow asks check to hold the call, in ms (None: check's own budget).
    hold_ms: int | None = None

    @property
    def task_id(self) -> str:
        return f"{self.tracking_id}{TASK_ID_SEPARATOR}{self.task_name}"


@dataclass(frozen=True)
class WorkerJob:
    """What start hands the worker (the asynchronous invocation's payload)."""

    task_id: str
    task_name: str
    attempt: int
    parameters: Mapping[str, str]
    contact: ContactMetadata
    # The run's creation time (0 in a payload from before it was sent): see run_name.
    run_created_at_ms: int = 0

    @property
    def run_name(self) -> str:
        """This run attempt's name: the same on every delivery and retry of it, another for any
        other run. The attempt alone does not tell runs apart: once an expired record is deleted,
        the next run of the task id is attempt 1 again; the run's creation time does. At most 80
        letters, digits and - (a Step Functions execution name's limit): the task id hashed (56
        hex digits), the attempt, the creation time in hex."""
        digest = hashlib.sha256(self.task_id.encode("utf-8")).hexdigest()[:56]
        return f"{digest}-a{self.attempt}-{self.run_created_at_ms:x}"

    def to_payload(self) -> dict[str, object]:
        return {
            WorkerField.VERSION: WORKER_PAYLOAD_VERSION,
            WorkerField.TASK_ID: self.task_id,
            WorkerField.TASK_NAME: self.task_name,
            WorkerField.ATTEMPT: self.attempt,
            WorkerField.PARAMETERS: dict(self.parameters),
            WorkerField.CONTACT: self.contact.to_payload(),
            WorkerField.RUN_CREATED_AT_MS: self.run_created_at_ms,
        }


def _mapping(value: object, where: str) -> Mapping[str, object]:
    if not isinstance(value, Mapping):
        raise InvalidEventError(f"{where} must be an object")
    return value


def _optional_str(data: Mapping[str, object], key: str, where: str) -> str:
    value = data.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise InvalidEventError(f"{where}.{key} must be a string")
    if len(value) > _METADATA_VALUE_MAX:
        raise InvalidEventError(f"{where}.{key} is longer than {_METADATA_VALUE_MAX} characters")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        # A lone surrogate could be neither stored nor sent on to the worker.
        raise InvalidEventError(f"{where}.{key} is not valid Unicode text") from None
    return value


def _contact_id(data: Mapping[str, object], key: str, where: str) -> str:
    value = _optional_str(data, key, where)
    if value and not TOKEN_PATTERN.fullmatch(value):
        raise InvalidEventError(f"{where}.{key} is not a valid contact id")
    return value


def _parameters(raw: object) -> dict[str, str]:
    where = "Details.Parameters"
    if raw is None:
        return {}
    params = _mapping(raw, where)
    result: dict[str, str] = {}
    for key, value in params.items():
        if not isinstance(key, str) or not 0 < len(key) <= _PARAMETER_NAME_MAX:
            raise InvalidEventError(f"{where} has a parameter name that is empty or too long")
        if not isinstance(value, str):
            # Connect sends every parameter as a string; anything else is not from a flow.
            shown = key if TASK_NAME_PATTERN.fullmatch(key) else "a parameter"
            raise InvalidEventError(f"{where}: {shown} must be a string")
        result[key] = value
    try:
        size = len(json.dumps(result, ensure_ascii=False).encode("utf-8"))
    except UnicodeEncodeError:
        # A lone surrogate (a JSON "\ud800" escape) cannot be sent on to the worker or stored.
        raise InvalidEventError(f"{where} holds text that is not valid Unicode") from None
    if size > MAX_PARAMETERS_BYTES:
        raise InvalidEventError(f"{where} is {size} bytes; the limit is {MAX_PARAMETERS_BYTES}")
    return result


def _token(params: Mapping[str, str], key: Param) -> str | None:
    value = params.get(key, "").strip()
    if not value:
        return None
    if not TOKEN_PATTERN.fullmatch(value):
        raise InvalidEventError(f"parameter {key} must be 1-128 characters of letters, digits and _.:@+=-")
    return value


def parse_contact_event(event: object, tracking_id_source: TrackingIdSource) -> TaskRequest:
    """Read a ContactFlowEvent into a ``TaskRequest``; raises ``InvalidEventError``."""
    root = _mapping(event, "the event")
    name = root.get("Name")
    if name is not None and name != "ContactFlowEvent":
        raise InvalidEventError("Name must be ContactFlowEvent")
    details = _mapping(root.get("Details"), "Details")
    where = "Details.ContactData"
    data = _mapping(details.get("ContactData"), where)

    contact_id = _contact_id(data, "ContactId", where)
    if not contact_id:
        raise InvalidEventError(f"{where}.ContactId is missing")
    # Connect always sends InitialContactId; a hand-written test event may not.
    initial_contact_id = _contact_id(data, "InitialContactId", where) or contact_id
    contact = ContactMetadata(
        contact_id=contact_id,
        initial_contact_id=initial_contact_id,
        channel=_optional_str(data, "Channel", where) or "UNKNOWN",
        previous_contact_id=_contact_id(data, "PreviousContactId", where),
        instance_arn=_optional_str(data, "InstanceARN", where),
        initiation_method=_optional_str(data, "InitiationMethod", where),
        language_code=_optional_str(data, "LanguageCode", where),
    )

    params = _parameters(details.get("Parameters"))
    task_name = params.pop(Param.TASK_NAME, "").strip() or DEFAULT_TASK_NAME
    if not TASK_NAME_PATTERN.fullmatch(task_name):
        raise InvalidEventError(f"parameter {Param.TASK_NAME} must be 1-64 letters, digits, _ or -")
    restart_token = _token(params, Param.RESTART_TOKEN)
    params.pop(Param.RESTART_TOKEN, None)
    spoken_progress = params.pop(Param.SPOKEN_PROGRESS, None)
    hold_ms = _hold_ms(params.pop(Param.HOLD_MS, None))
    # A caller-supplied tracking id is honoured only when the operator chose that source:
    # otherwise a flow parameter could point a contact at another contact's run. With the other
    # sources it is ignored, whatever it holds (never validated, never passed to the task).
    raw_tracking_id = params.pop(Param.TRACKING_ID, "")
    if tracking_id_source is TrackingIdSource.PARAMETER:
        supplied = _token({Param.TRACKING_ID: raw_tracking_id}, Param.TRACKING_ID)
        if supplied is None:
            raise InvalidEventError(
                f"parameter {Param.TRACKING_ID} is required (TRACKING_ID_SOURCE is parameter)"
            )
        tracking_id = supplied
    elif tracking_id_source is TrackingIdSource.CONTACT_ID:
        tracking_id = contact.contact_id
    else:
        tracking_id = contact.initial_contact_id

    return TaskRequest(
        contact=contact,
        task_name=task_name,
        tracking_id=tracking_id,
        parameters=params,
        restart_token=restart_token,
        spoken_progress=spoken_progress,
        hold_ms=hold_ms,
    )


# A flow block's synchronous time limit is at most 8 s, an asynchronous one at most 60 s.
_HOLD_MS_MAX = 60_000


def _hold_ms(value: str | None) -> int | None:
    if value is None:
        return None
    text = value.strip()
    if not text.isdigit() or int(text) > _HOLD_MS_MAX:
        raise InvalidEventError(
            f"parameter {Param.HOLD_MS} must be a whole number of milliseconds from 0 to {_HOLD_MS_MAX}"
        )
    return int(text)


@dataclass(frozen=True)
class LookupRequest:
    """What the lookup reads from the flow: the keys to try, in order (key_1 first)."""

    keys: tuple[str, ...]
    # Keys the flow passed that cannot be keys (control characters, too long): skipped, and
    # reported as invalid_config_key. Described by position, never by value (caller input).
    refused: tuple[str, ...] = ()


def _usable_key(value: str) -> bool:
    return len(value) <= CONFIG_KEY_MAX_CHARS and value.isprintable()


def parse_lookup_event(event: object) -> LookupRequest:
    """Read the keys key_1 .. key_5 of a ContactFlowEvent's parameters; an empty one (a reference
    Connect could not resolve) is skipped. Raises ``InvalidEventError`` for an event that is not
    a ContactFlowEvent."""
    root = _mapping(event, "the event")
    name = root.get("Name")
    if name is not None and name != "ContactFlowEvent":
        raise InvalidEventError("Name must be ContactFlowEvent")
    details = _mapping(root.get("Details"), "Details")
    params = _parameters(details.get("Parameters"))
    keys: list[str] = []
    refused: list[str] = []
    for position in range(1, MAX_LOOKUP_KEYS + 1):
        parameter = f"{LOOKUP_KEY_PARAMETER_PREFIX}{position}"
        value = params.get(parameter, "").strip()
        if not value:
            continue
        if _usable_key(value):
            keys.append(value)
        else:
            refused.append(parameter)
    return LookupRequest(keys=tuple(dict.fromkeys(keys)), refused=tuple(refused))


def parse_worker_event(event: object) -> WorkerJob:
    """Read start's payload into a ``WorkerJob``; raises ``InvalidEventError``."""
    root = _mapping(event, "the worker payload")
    version = root.get(WorkerField.VERSION)
    if version != WORKER_PAYLOAD_VERSION:
        raise InvalidEventError(f"{WorkerField.VERSION} must be {WORKER_PAYLOAD_VERSION}")
    task_id = root.get(WorkerField.TASK_ID)
    task_name = root.get(WorkerField.TASK_NAME)
    attempt = root.get(WorkerField.ATTEMPT)
    if not isinstance(task_id, str) or TASK_ID_SEPARATOR not in task_id:
        raise InvalidEventError(f"{WorkerField.TASK_ID} is missing or malformed")
    if not isinstance(task_name, str) or not TASK_NAME_PATTERN.fullmatch(task_name):
        raise InvalidEventError(f"{WorkerField.TASK_NAME} is missing or malformed")
    if isinstance(attempt, bool) or not isinstance(attempt, int) or attempt < 1:
        raise InvalidEventError(f"{WorkerField.ATTEMPT} must be a positive integer")
    created = root.get(WorkerField.RUN_CREATED_AT_MS, 0)  # absent in a payload sent by 0.x
    if isinstance(created, bool) or not isinstance(created, int) or created < 0:
        raise InvalidEventError(f"{WorkerField.RUN_CREATED_AT_MS} must be a non-negative integer")
    raw_params = _mapping(root.get(WorkerField.PARAMETERS, {}), WorkerField.PARAMETERS)
    parameters = {k: v for k, v in raw_params.items() if isinstance(v, str)}
    if len(parameters) != len(raw_params):
        raise InvalidEventError(f"{WorkerField.PARAMETERS} values must be strings")
    return WorkerJob(
        task_id=task_id,
        task_name=task_name,
        attempt=attempt,
        parameters=parameters,
        contact=ContactMetadata.from_payload(root.get(WorkerField.CONTACT)),
        run_created_at_ms=created,
    )
