"""Each function's settings, read from its environment and validated at cold start.

The names, defaults, ranges and readers come from the settings schema (``settings.py``); this
module adds what each function reads besides its settings (the names of what the module creates
for it). Terraform builds each function's environment from ``FUNCTION_ENV_VARS`` (via
contract.json), so a name changed here without the module following it fails a test instead of
a deployment.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from connect_async.contract import (
    CONFIG_FIELD_PATTERN,
    LOOKUP_RESPONSE_KEYS,
    RESULT_KEY_PATTERN,
    CheckPollWhen,
    ConfigField,
    TrackingIdSource,
)
from connect_async.settings import LOG_LEVELS, SETTINGS, EnvVar, Setting, format_number, setting

__all__ = [
    "DEFAULT_METRICS_NAMESPACE",
    "FUNCTION_ENV_VARS",
    "HANDLERS",
    "LOG_LEVELS",
    "CheckSettings",
    "ConfigurationError",
    "EnvVar",
    "LookupSettings",
    "StartSettings",
    "WorkerSettings",
    "check_shared",
    "read_bool",
    "read_choice",
    "read_log_level",
    "read_number",
    "read_str",
    "read_whole",
]


_COMMON: Final = (
    EnvVar.TRACKER_TABLE_NAME,
    EnvVar.TRACING_ENABLED,
    EnvVar.POWERTOOLS_SERVICE_NAME,
    EnvVar.POWERTOOLS_METRICS_NAMESPACE,
)

# What each function reads besides its settings: the names of what the module creates for it.
_WIRING: Final[Mapping[str, tuple[EnvVar, ...]]] = {
    "start": (*_COMMON, EnvVar.WORKER_FUNCTION_NAME, EnvVar.STATE_MACHINE_ARN),
    "check": (*_COMMON, EnvVar.RESULT_KEYS),
    "worker": (*_COMMON, EnvVar.TASK_HANDLER),
    # The configuration lookup reads its own table, never the tracker.
    "lookup": (
        EnvVar.CONFIG_TABLE_NAME,
        EnvVar.TRACING_ENABLED,
        EnvVar.POWERTOOLS_SERVICE_NAME,
        EnvVar.POWERTOOLS_METRICS_NAMESPACE,
        EnvVar.CONFIG_FIELDS,
    ),
    # The shipped Bedrock task: its model and prompts, from the root's bedrock variable.
    "bedrock_task": (EnvVar.BEDROCK_MODEL_ID, EnvVar.BEDROCK_PROMPT_TEMPLATE, EnvVar.BEDROCK_SYSTEM_PROMPT),
}

# Which variables each function reads: its wiring, and every setting whose row names it as a
# reader (settings.py). Terraform sets exactly these (a test checks it).
FUNCTION_ENV_VARS: Final[Mapping[str, tuple[EnvVar, ...]]] = {
    function: (*wiring, *(row.env for row in SETTINGS if row.env is not None and function in row.readers))
    for function, wiring in _WIRING.items()
}

# The Lambda handler setting of each function, for Terraform.
HANDLERS: Final[Mapping[str, str]] = {
    "start": "connect_async.handlers.start.handler",
    "check": "connect_async.handlers.check.handler",
    "worker": "connect_async.handlers.worker.handler",
    "lookup": "connect_async.handlers.lookup.handler",
}

DEFAULT_METRICS_NAMESPACE: Final = "ConnectAsyncLambda"


class ConfigurationError(Exception):
    """An environment variable is missing or invalid; the message names it."""


def read_str(env: Mapping[str, str], name: EnvVar, default: str | None = None) -> str:
    value = env.get(name, "").strip()
    if value:
        return value
    if default is None:
        raise ConfigurationError(f"{name} is required but not set")
    return default


def _env_of(row: Setting) -> EnvVar:
    if row.env is None:
        raise ValueError(f"{row.name} is not read from the environment")
    return row.env


def read_number(env: Mapping[str, str], name: str) -> float:
    """A number setting (see ``settings.SETTINGS``): its default when unset, its range enforced."""
    row = setting(name)
    variable = _env_of(row)
    raw = env.get(variable, "").strip()
    if not raw:
        return float(row.default)
    try:
        value = int(raw) if row.whole else float(raw)
    except ValueError:
        kind = "a whole number" if row.whole else "a number"
        raise ConfigurationError(f"{variable} must be {kind}, got {raw[:40]!r}") from None
    if row.minimum is None or row.maximum is None or not row.minimum <= value <= row.maximum:  # also NaN
        raise ConfigurationError(
            f"{variable} must be between {format_number(row.minimum)} and {format_number(row.maximum)}, "
            f"got {value}"
        )
    return value


def read_whole(env: Mapping[str, str], name: str) -> int:
    """A whole-number setting (milliseconds, seconds, a count)."""
    if not setting(name).whole:
        raise ValueError(f"{name} is not a whole-number setting")
    return int(read_number(env, name))


def read_choice(env: Mapping[str, str], name: str) -> str:
    """A setting with a fixed set of values; its default when unset."""
    row = setting(name)
    variable = _env_of(row)
    value = read_str(env, variable, str(row.default))
    if variable is EnvVar.POWERTOOLS_LOG_LEVEL:
        value = value.upper()  # Powertools reads it in any case
    if value not in row.choices:
        raise ConfigurationError(f"{variable} must be one of {', '.join(row.choices)}, got {value[:40]!r}")
    return value


def read_bool(env: Mapping[str, str], name: EnvVar, default: bool) -> bool:
    raw = env.get(name, "").strip().lower()
    if not raw:
        return default
    if raw in ("true", "1", "yes"):
        return True
    if raw in ("false", "0", "no"):
        return False
    raise ConfigurationError(f"{name} must be true or false, got {raw[:40]!r}")


def read_log_level(env: Mapping[str, str]) -> str:
    """POWERTOOLS_LOG_LEVEL, upper-cased; INFO when unset."""
    return read_choice(env, "log_level")


def check_shared(env: Mapping[str, str]) -> None:
    """The settings every function reads outside its own Settings class: a bad value is a
    configuration error (named), never a crash at import nor a silent default."""
    read_log_level(env)
    read_bool(env, EnvVar.TRACING_ENABLED, default=False)


_STATE_MACHINE_ARN: Final = re.compile(
    r"arn:aws[a-z-]*:states:[a-z0-9-]+:[0-9]{12}:stateMachine:[A-Za-z0-9_-]{1,80}"
)


def _read_tracking_source(env: Mapping[str, str]) -> TrackingIdSource:
    return TrackingIdSource(read_choice(env, "tracking_id_source"))


@dataclass(frozen=True)
class StartSettings:
    table_name: str
    # Where a run goes: the worker function (backend "lambda"), or the state machine when
    # STATE_MACHINE_ARN is set (backend "step_functions"); exactly one is set.
    worker_function_name: str
    tracking_id_source: TrackingIdSource
    run_deadline_seconds: int
    record_ttl_seconds: int
    state_machine_arn: str = ""

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> StartSettings:
        check_shared(env)
        deadline = read_whole(env, "run_deadline_seconds")
        ttl = read_whole(env, "record_ttl_seconds")
        if ttl <= deadline:
            raise ConfigurationError(
                f"{EnvVar.RECORD_TTL_SECONDS} ({ttl}) must be greater than "
                f"{EnvVar.RUN_DEADLINE_SECONDS} ({deadline}): a record must outlive its run"
            )
        state_machine = read_str(env, EnvVar.STATE_MACHINE_ARN, "")
        if state_machine and not _STATE_MACHINE_ARN.fullmatch(state_machine):
            raise ConfigurationError(
                f"{EnvVar.STATE_MACHINE_ARN} must be a state machine ARN, got {state_machine[:80]!r}"
            )
        return cls(
            table_name=read_str(env, EnvVar.TRACKER_TABLE_NAME),
            worker_function_name="" if state_machine else read_str(env, EnvVar.WORKER_FUNCTION_NAME),
            tracking_id_source=_read_tracking_source(env),
            run_deadline_seconds=deadline,
            record_ttl_seconds=ttl,
            state_machine_arn=state_machine,
        )


def _read_result_keys(env: Mapping[str, str]) -> tuple[str, ...]:
    raw = env.get(EnvVar.RESULT_KEYS, "").strip()
    keys = tuple(key.strip() for key in raw.split(",") if key.strip()) if raw else ()
    for key in keys:
        if not RESULT_KEY_PATTERN.fullmatch(key):
            raise ConfigurationError(
                f"{EnvVar.RESULT_KEYS} must be comma-separated keys of 1-64 letters, digits or underscores, "
                f"got {key[:40]!r}"
            )
    return keys


@dataclass(frozen=True)
class CheckSettings:
    table_name: str
    tracking_id_source: TrackingIdSource
    budget_ms: int
    poll_interval_ms: int
    poll_when: CheckPollWhen
    # Keys the flow saves as result_<key>: always present in check's answer (empty unless completed).
    result_keys: tuple[str, ...]

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> CheckSettings:
        check_shared(env)
        budget = read_whole(env, "check_budget_ms")
        interval = read_whole(env, "check_poll_interval_ms")
        if budget and interval > budget:
            raise ConfigurationError(
                f"{EnvVar.CHECK_POLL_INTERVAL_MS} ({interval}) must not exceed "
                f"{EnvVar.CHECK_BUDGET_MS} ({budget})"
            )
        return cls(
            table_name=read_str(env, EnvVar.TRACKER_TABLE_NAME),
            tracking_id_source=_read_tracking_source(env),
            budget_ms=budget,
            poll_interval_ms=interval,
            poll_when=CheckPollWhen(read_choice(env, "check_poll_when")),
            result_keys=_read_result_keys(env),
        )


@dataclass(frozen=True)
class WorkerSettings:
    table_name: str
    task_handler: str
    task_retry_attempts: int
    safety_margin_ms: int
    max_result_bytes: int
    # How long a claim stays alive without renewal; the worker renews it every third of that.
    lease_ms: int

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> WorkerSettings:
        check_shared(env)
        return cls(
            table_name=read_str(env, EnvVar.TRACKER_TABLE_NAME),
            task_handler=read_str(env, EnvVar.TASK_HANDLER),
            task_retry_attempts=read_whole(env, "task_retry_attempts"),
            safety_margin_ms=read_whole(env, "worker_safety_margin_ms"),
            max_result_bytes=read_whole(env, "max_result_bytes"),
            lease_ms=read_whole(env, "worker_lease_ms"),
        )


def _read_config_fields(env: Mapping[str, str]) -> tuple[str, ...]:
    raw = env.get(EnvVar.CONFIG_FIELDS, "")
    fields = tuple(dict.fromkeys(name.strip() for name in raw.split(",") if name.strip()))
    for name in fields:
        if not CONFIG_FIELD_PATTERN.fullmatch(name):
            raise ConfigurationError(
                f"{EnvVar.CONFIG_FIELDS} must be comma-separated field names (a lower-case letter, then "
                f"up to 39 lower-case letters, digits or underscores), got {name[:40]!r}"
            )
        if name in {*LOOKUP_RESPONSE_KEYS} - {*ConfigField}:
            raise ConfigurationError(
                f"{EnvVar.CONFIG_FIELDS} cannot name {name!r}: the lookup answers it itself"
            )
    return fields


@dataclass(frozen=True)
class LookupSettings:
    table_name: str
    budget_ms: int
    # Every field the configured items use: always present in the answer (empty when unset).
    fields: tuple[str, ...]

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> LookupSettings:
        check_shared(env)
        return cls(
            table_name=read_str(env, EnvVar.CONFIG_TABLE_NAME),
            budget_ms=read_whole(env, "lookup_budget_ms"),
            fields=_read_config_fields(env),
        )
