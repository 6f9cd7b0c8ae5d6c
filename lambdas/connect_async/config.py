"""Each function's settings, read from its environment and validated at cold start.

Each class extends its function's tunings (``tunings.py``, generated from the settings schema:
one typed field per setting the function reads) with what the function reads besides its
settings (the names of what the module creates for it) and the rules between its values.
Terraform builds each function's environment from ``FUNCTION_ENV_VARS`` (via contract.json), so
a name changed here without the module following it fails a test instead of a deployment.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Final

from connect_async.contract import CONFIG_FIELD_PATTERN, LOOKUP_RESPONSE_KEYS, RESULT_KEY_PATTERN, ConfigField
from connect_async.environment import (
    ConfigurationError,
    read_bool,
    read_choice,
    read_number,
    read_str,
    read_whole,
)
from connect_async.settings import FUNCTIONS, LOG_LEVELS, SETTINGS, EnvVar, setting
from connect_async.tunings import CheckTunings, LookupTunings, ReconcilerTunings, StartTunings, WorkerTunings

__all__ = [
    "DEFAULT_METRICS_NAMESPACE",
    "FUNCTION_ENV_VARS",
    "HANDLERS",
    "LOG_LEVELS",
    "CheckSettings",
    "ConfigurationError",
    "EnvVar",
    "LookupSettings",
    "ReconcilerSettings",
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
_WIRING: Final[Mapping[str, tuple[str, ...]]] = {
    "start": (*_COMMON, EnvVar.WORKER_FUNCTION_NAME, EnvVar.STATE_MACHINE_ARN),
    "check": (*_COMMON, EnvVar.RESULT_KEYS),
    "worker": (*_COMMON, EnvVar.TASK_HANDLER, EnvVar.RESULT_KEYS),
    # The configuration lookup reads its own table, never the tracker.
    "lookup": (
        EnvVar.CONFIG_TABLE_NAME,
        EnvVar.TRACING_ENABLED,
        EnvVar.POWERTOOLS_SERVICE_NAME,
        EnvVar.POWERTOOLS_METRICS_NAMESPACE,
        EnvVar.CONFIG_FIELDS,
    ),
    # The reconciler (reconciler): your reconcile function and the queue it parks messages on.
    "reconciler": (*_COMMON, EnvVar.RECONCILE_HANDLER, EnvVar.UNRECONCILED_QUEUE_URL),
    # The shipped Bedrock task: its model and prompts, from the root's bedrock variable.
    "bedrock_task": (EnvVar.BEDROCK_MODEL_ID, EnvVar.BEDROCK_PROMPT_TEMPLATE, EnvVar.BEDROCK_SYSTEM_PROMPT),
}

# Which variables each function reads: its wiring, and every setting whose row names it as a
# reader (settings.py). Terraform sets exactly these (a test checks it).
FUNCTION_ENV_VARS: Final[Mapping[str, tuple[str, ...]]] = {
    function: (
        *_WIRING.get(function, ()),
        *(row.env for row in SETTINGS if row.env is not None and function in row.readers),
    )
    for function in FUNCTIONS
}

# The Lambda handler setting of each function, for Terraform.
HANDLERS: Final[Mapping[str, str]] = {
    "start": "connect_async.handlers.start.handler",
    "check": "connect_async.handlers.check.handler",
    "worker": "connect_async.handlers.worker.handler",
    "lookup": "connect_async.handlers.lookup.handler",
    "reconciler": "connect_async.handlers.reconciler.handler",
}

DEFAULT_METRICS_NAMESPACE: Final = "ConnectAsyncLambda"


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


@dataclass(frozen=True)
class StartSettings(StartTunings):
    table_name: str
    # Where a run goes: the worker function (backend "lambda"), or the state machine when
    # STATE_MACHINE_ARN is set (backend "step_functions"); exactly one is set.
    worker_function_name: str
    state_machine_arn: str = ""

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> StartSettings:
        check_shared(env)
        tunings = StartTunings.read(env)
        if tunings.record_ttl_seconds <= tunings.run_deadline_seconds:
            raise ConfigurationError(
                f"{setting('record_ttl_seconds').env} ({tunings.record_ttl_seconds}) must be greater than "
                f"{setting('run_deadline_seconds').env} ({tunings.run_deadline_seconds}): a record must "
                "outlive its run"
            )
        claim_bound = tunings.worker_start_timeout_seconds
        if claim_bound >= tunings.run_deadline_seconds:
            raise ConfigurationError(
                f"{setting('worker_start_timeout_seconds').env} ({claim_bound}) must be less than "
                f"{setting('run_deadline_seconds').env} ({tunings.run_deadline_seconds}): a run no "
                "worker claimed would read worker_timeout at its deadline first"
            )
        state_machine = read_str(env, EnvVar.STATE_MACHINE_ARN, "")
        if state_machine and not _STATE_MACHINE_ARN.fullmatch(state_machine):
            raise ConfigurationError(
                f"{EnvVar.STATE_MACHINE_ARN} must be a state machine ARN, got {state_machine[:80]!r}"
            )
        return cls(
            **asdict(tunings),
            table_name=read_str(env, EnvVar.TRACKER_TABLE_NAME),
            worker_function_name="" if state_machine else read_str(env, EnvVar.WORKER_FUNCTION_NAME),
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
class CheckSettings(CheckTunings):
    table_name: str
    # Keys the flow saves as result_<key>: always present in check's answer (empty unless completed).
    result_keys: tuple[str, ...]

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> CheckSettings:
        check_shared(env)
        tunings = CheckTunings.read(env)
        budget, interval = tunings.check_budget_ms, tunings.check_poll_interval_ms
        if budget and interval > budget:
            raise ConfigurationError(
                f"{setting('check_poll_interval_ms').env} ({interval}) must not exceed "
                f"{setting('check_budget_ms').env} ({budget})"
            )
        return cls(
            **asdict(tunings),
            table_name=read_str(env, EnvVar.TRACKER_TABLE_NAME),
            result_keys=_read_result_keys(env),
        )


@dataclass(frozen=True)
class WorkerSettings(WorkerTunings):
    table_name: str
    task_handler: str
    # Keys a completed result must hold: the flows save each as result_<key> and may speak it.
    result_keys: tuple[str, ...] = ()

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> WorkerSettings:
        check_shared(env)
        return cls(
            **asdict(WorkerTunings.read(env)),
            table_name=read_str(env, EnvVar.TRACKER_TABLE_NAME),
            task_handler=read_str(env, EnvVar.TASK_HANDLER),
            result_keys=_read_result_keys(env),
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
class LookupSettings(LookupTunings):
    table_name: str
    # Every field the configured items use: always present in the answer (empty when unset).
    fields: tuple[str, ...]

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> LookupSettings:
        check_shared(env)
        return cls(
            **asdict(LookupTunings.read(env)),
            table_name=read_str(env, EnvVar.CONFIG_TABLE_NAME),
            fields=_read_config_fields(env),
        )


_QUEUE_URL: Final = re.compile(
    r"https://sqs\.[a-z0-9-]+\.amazonaws\.com(\.cn)?/[0-9]{12}/[A-Za-z0-9_-]{1,80}|http://(127\.0\.0\.1|localhost)(:[0-9]+)?/[0-9]{12}/[A-Za-z0-9_-]{1,80}"
)


@dataclass(frozen=True)
class ReconcilerSettings(ReconcilerTunings):
    table_name: str
    reconcile_handler: str
    # Where a message that cannot be reconciled is parked (the reconciler's own redrive queue).
    unreconciled_queue_url: str

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> ReconcilerSettings:
        check_shared(env)
        queue_url = read_str(env, EnvVar.UNRECONCILED_QUEUE_URL)
        if not _QUEUE_URL.fullmatch(queue_url):
            raise ConfigurationError(
                f"{EnvVar.UNRECONCILED_QUEUE_URL} must be an SQS queue URL "
                f"(https://sqs.<region>.amazonaws.com/<account>/<name>), got {queue_url[:80]!r}"
            )
        return cls(
            **asdict(ReconcilerTunings.read(env)),
            table_name=read_str(env, EnvVar.TRACKER_TABLE_NAME),
            reconcile_handler=read_str(env, EnvVar.RECONCILE_HANDLER),
            unreconciled_queue_url=queue_url,
        )
