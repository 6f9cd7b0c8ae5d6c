"""The contract as plain data, for ``modules/plan/contract.json`` (read by the Terraform module).

A build tool (`make gen`), not part of the Lambda artifact: nothing the functions run imports it."""

from __future__ import annotations

import json
from enum import StrEnum

import botocore.session

from connect_async import __version__
from connect_async.config import FUNCTION_ENV_VARS, HANDLERS, EnvVar
from connect_async.contract import (
    CHAT_HOLD_EVERY_SECONDS,
    CONFIG_ATTRIBUTE_PREFIX,
    CONFIG_FIELD_PATTERN,
    CONFIG_KEY_MAX_CHARS,
    DEFAULT_CONFIG_KEY,
    FLOW_REFERENCE_PATTERN,
    HOLD_SENTENCE_PATTERN,
    LOOKUP_KEY_PARAMETER_PREFIX,
    MAX_ERROR_MESSAGE_CHARS,
    MAX_GREETING_CHARS,
    MAX_HOLD_SENTENCES,
    MAX_LOOKUP_KEYS,
    MAX_PROGRESS_MESSAGE_CHARS,
    RECONCILE_FIELDS,
    RESULT_PREFIX,
    TTS_ENGINES,
    Attr,
    ConfigField,
    ErrorCode,
    FlowAttr,
    LookupKey,
    LookupSource,
    Param,
    ReconcileStatus,
    ResponseKey,
    ResponseStatus,
    RunStatus,
    TrackingIdSource,
)
from connect_async.dispatch import EXECUTION_ATTEMPT_FIELD
from connect_async.settings import CONSTANTS, SETTINGS, Setting
from connect_async.tasks import HANDLER_PATTERN

__all__ = ["contract_document", "contract_json"]


def _by_name(members: type[StrEnum]) -> dict[str, str]:
    return {m.name.lower(): m.value for m in members}


def _setting_document(row: Setting) -> dict[str, object]:
    return {
        "variable": row.variable,
        "field": row.field,
        "unit": row.unit,
        "default": row.default,
        "minimum": row.minimum,
        "maximum": row.maximum,
        "whole": row.whole,
        "choices": list(row.choices),
        "env": row.env,
        "readers": list(row.readers),
        "derived_from": row.derived_from or None,
        # What a valid value is, in words, for Terraform's error messages.
        "rule": row.rule_text,
        "description": row.description,
    }


def _polly_enum(shape: str) -> list[str]:
    """Amazon Polly's own list (its service model in the pinned botocore): the voices and the
    language codes text-to-speech knows, which a configuration item is validated against."""
    model = botocore.session.get_session().get_service_model("polly")
    return list(getattr(model.shape_for(shape), "enum", []))


def contract_document() -> dict[str, object]:
    return {
        # The release: the runtime package, the artifact and the module say the same (a test).
        "version": __version__,
        "table": {"hash_key": Attr.TASK_ID.value, "ttl_attribute": Attr.EXPIRES_AT.value},
        # The record's attribute names and statuses by member name, for the state machine's writes.
        "record": _by_name(Attr),
        "run_status": _by_name(RunStatus),
        "execution_attempt_field": EXECUTION_ATTEMPT_FIELD,
        "limits": {
            "max_progress_message_chars": MAX_PROGRESS_MESSAGE_CHARS,
            "max_error_message_chars": MAX_ERROR_MESSAGE_CHARS,
        },
        "attributes": [a.value for a in Attr],
        "run_statuses": [s.value for s in RunStatus],
        "response_statuses": [s.value for s in ResponseStatus],
        "error_codes": [c.value for c in ErrorCode],
        "parameters": [p.value for p in Param],
        "response_keys": [k.value for k in ResponseKey],
        "result_prefix": RESULT_PREFIX,
        "tracking_id_sources": [s.value for s in TrackingIdSource],
        "handlers": dict(HANDLERS),
        # The names the flow templates use, keyed by member name: flow.status.completed, ...
        "flow": {
            "status": _by_name(ResponseStatus),
            "response": _by_name(ResponseKey),
            "parameter": _by_name(Param),
            "attribute": _by_name(FlowAttr),
            "error_code": _by_name(ErrorCode),
            "result_prefix": RESULT_PREFIX,
            "reference_pattern": FLOW_REFERENCE_PATTERN,
            "hold_sentence_pattern": HOLD_SENTENCE_PATTERN,
            "max_hold_sentences": MAX_HOLD_SENTENCES,
            "chat_hold_every_seconds": CHAT_HOLD_EVERY_SECONDS,
            "voice_engines": list(TTS_ENGINES),
        },
        # The configuration lookup's names (config_lookup), for the flows and the validations.
        "lookup": {
            "table_key": ConfigField.KEY.value,
            "default_key": DEFAULT_CONFIG_KEY,
            "key_parameter_prefix": LOOKUP_KEY_PARAMETER_PREFIX,
            "max_keys": MAX_LOOKUP_KEYS,
            "key_max_chars": CONFIG_KEY_MAX_CHARS,
            "field": _by_name(ConfigField),
            "response": _by_name(LookupKey),
            "source": _by_name(LookupSource),
            "field_pattern": f"^{CONFIG_FIELD_PATTERN.pattern}$",
            "attribute_prefix": CONFIG_ATTRIBUTE_PREFIX,
            "max_greeting_chars": MAX_GREETING_CHARS,
            "voices": _polly_enum("VoiceId"),
            "languages": _polly_enum("LanguageCode"),
        },
        # The reconciler (reconciler): the record fields its role may write, and its status names.
        "reconcile": {
            "fields": [attr.value for attr in RECONCILE_FIELDS],
            "status": _by_name(ReconcileStatus),
            "handler_pattern": f"^{HANDLER_PATTERN.pattern}$",
        },
        "settings": {row.name: _setting_document(row) for row in SETTINGS},
        "constants": dict(CONSTANTS),
        "environment": {
            "all": [*(e.value for e in EnvVar), *(row.env for row in SETTINGS if row.env is not None)],
            **{fn: list(names) for fn, names in FUNCTION_ENV_VARS.items()},
        },
    }


def contract_json() -> str:
    """The file's exact text: stable key order and a final newline, so diffs stay readable."""
    return json.dumps(contract_document(), indent=2) + "\n"
