"""Every environment variable the runtime reads, named once, validated at cold start.

Terraform builds each function's environment from ``FUNCTION_ENV_VARS`` (via contract.json),
so a name changed here without the module following it fails a test instead of a deployment.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Final, TypeVar

from connect_async.contract import RESULT_KEY_PATTERN, TrackingIdSource

__all__ = [
    "DEFAULT_METRICS_NAMESPACE",
    "FUNCTION_ENV_VARS",
    "HANDLERS",
    "LOG_LEVELS",
    "CheckSettings",
    "ConfigurationError",
    "EnvVar",
    "StartSettings",
    "WorkerSettings",
    "check_shared",
    "read_bool",
    "read_float",
    "read_int",
    "read_log_level",
    "read_str",
]


class EnvVar(StrEnum):
    # Shared by the three functions.
    TRACKER_TABLE_NAME = "TRACKER_TABLE_NAME"
    TRACING_ENABLED = "TRACING_ENABLED"
    POWERTOOLS_SERVICE_NAME = "POWERTOOLS_SERVICE_NAME"
    POWERTOOLS_METRICS_NAMESPACE = "POWERTOOLS_METRICS_NAMESPACE"
    POWERTOOLS_LOG_LEVEL = "POWERTOOLS_LOG_LEVEL"
    # start and check.
    TRACKING_ID_SOURCE = "TRACKING_ID_SOURCE"
    # start.
    WORKER_FUNCTION_NAME = "WORKER_FUNCTION_NAME"
    RUN_DEADLINE_SECONDS = "RUN_DEADLINE_SECONDS"
    RECORD_TTL_SECONDS = "RECORD_TTL_SECONDS"
    # check.
    CHECK_BUDGET_MS = "CHECK_BUDGET_MS"
    CHECK_POLL_INTERVAL_MS = "CHECK_POLL_INTERVAL_MS"
    # The result keys the flow saves (result_attribute_keys): check always answers each one.
    RESULT_KEYS = "RESULT_KEYS"
    # worker.
    TASK_HANDLER = "TASK_HANDLER"
    TASK_RETRY_ATTEMPTS = "TASK_RETRY_ATTEMPTS"
    WORKER_SAFETY_MARGIN_MS = "WORKER_SAFETY_MARGIN_MS"
    MAX_RESULT_BYTES = "MAX_RESULT_BYTES"
    WORKER_LEASE_MS = "WORKER_LEASE_MS"
    # The shipped Bedrock task (read only when TASK_HANDLER points at it).
    BEDROCK_MODEL_ID = "BEDROCK_MODEL_ID"
    BEDROCK_PROMPT_TEMPLATE = "BEDROCK_PROMPT_TEMPLATE"
    BEDROCK_SYSTEM_PROMPT = "BEDROCK_SYSTEM_PROMPT"
    BEDROCK_MAX_TOKENS = "BEDROCK_MAX_TOKENS"
    BEDROCK_TEMPERATURE = "BEDROCK_TEMPERATURE"
    BEDROCK_MAX_ANSWER_CHARS = "BEDROCK_MAX_ANSWER_CHARS"


_COMMON: Final = (
    EnvVar.TRACKER_TABLE_NAME,
    EnvVar.TRACING_ENABLED,
    EnvVar.POWERTOOLS_SERVICE_NAME,
    EnvVar.POWERTOOLS_METRICS_NAMESPACE,
    EnvVar.POWERTOOLS_LOG_LEVEL,
)

# Which variables each function reads. Terraform sets exactly these (a test checks it).
FUNCTION_ENV_VARS: Final[Mapping[str, tuple[EnvVar, ...]]] = {
    "start": (
        *_COMMON,
        EnvVar.TRACKING_ID_SOURCE,
        EnvVar.WORKER_FUNCTION_NAME,
        EnvVar.RUN_DEADLINE_SECONDS,
        EnvVar.RECORD_TTL_SECONDS,
    ),
    "check": (
        *_COMMON,
        EnvVar.TRACKING_ID_SOURCE,
        EnvVar.CHECK_BUDGET_MS,
        EnvVar.CHECK_POLL_INTERVAL_MS,
        EnvVar.RESULT_KEYS,
    ),
    "worker": (
        *_COMMON,
        EnvVar.TASK_HANDLER,
        EnvVar.TASK_RETRY_ATTEMPTS,
        EnvVar.WORKER_SAFETY_MARGIN_MS,
        EnvVar.MAX_RESULT_BYTES,
        EnvVar.WORKER_LEASE_MS,
    ),
    "bedrock_task": (
        EnvVar.BEDROCK_MODEL_ID,
        EnvVar.BEDROCK_PROMPT_TEMPLATE,
        EnvVar.BEDROCK_SYSTEM_PROMPT,
        EnvVar.BEDROCK_MAX_TOKENS,
        EnvVar.BEDROCK_TEMPERATURE,
        EnvVar.BEDROCK_MAX_ANSWER_CHARS,
    ),
}

# The Lambda handler setting of each function, for Terraform.
HANDLERS: Final[Mapping[str, str]] = {
    "start": "connect_async.handlers.start.handler",
    "check": "connect_async.handlers.check.handler",
    "worker": "connect_async.handlers.worker.handler",
}

DEFAULT_METRICS_NAMESPACE: Final = "ConnectAsyncLambda"

N = TypeVar("N", int, float)


class ConfigurationError(Exception):
    """An environment variable is missing or invalid; the message names it."""


def read_str(env: Mapping[str, str], name: EnvVar, default: str | None = None) -> str:
    value = env.get(name, "").strip()
    if value:
        return value
    if default is None:
        raise ConfigurationError(f"{name} is required but not set")
    return default


def _read_number(
    env: Mapping[str, str], name: EnvVar, default: N, low: N, high: N, *, parse: Callable[[str], N], kind: str
) -> N:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = parse(raw)
    except ValueError:
        raise ConfigurationError(f"{name} must be {kind}, got {raw[:40]!r}") from None
    if not low <= value <= high:  # also rejects NaN
        raise ConfigurationError(f"{name} must be between {low} and {high}, got {value}")
    return value


def read_int(env: Mapping[str, str], name: EnvVar, default: int, low: int, high: int) -> int:
    return _read_number(env, name, default, low, high, parse=int, kind="a whole number")


def read_float(env: Mapping[str, str], name: EnvVar, default: float, low: float, high: float) -> float:
    return _read_number(env, name, default, low, high, parse=float, kind="a number")


def read_bool(env: Mapping[str, str], name: EnvVar, default: bool) -> bool:
    raw = env.get(name, "").strip().lower()
    if not raw:
        return default
    if raw in ("true", "1", "yes"):
        return True
    if raw in ("false", "0", "no"):
        return False
    raise ConfigurationError(f"{name} must be true or false, got {raw[:40]!r}")


LOG_LEVELS: Final = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


def read_log_level(env: Mapping[str, str]) -> str:
    """POWERTOOLS_LOG_LEVEL, upper-cased; INFO when unset."""
    level = read_str(env, EnvVar.POWERTOOLS_LOG_LEVEL, "INFO").upper()
    if level not in LOG_LEVELS:
        raise ConfigurationError(
            f"{EnvVar.POWERTOOLS_LOG_LEVEL} must be one of {', '.join(LOG_LEVELS)}, got {level[:40]!r}"
        )
    return level


def check_shared(env: Mapping[str, str]) -> None:
    """The settings every function reads outside its own Settings class: a bad value is a
    configuration error (named), never a crash at import nor a silent default."""
    read_log_level(env)
    read_bool(env, EnvVar.TRACING_ENABLED, default=False)


def _read_tracking_source(env: Mapping[str, str]) -> TrackingIdSource:
    raw = read_str(env, EnvVar.TRACKING_ID_SOURCE, TrackingIdSource.INITIAL_CONTACT_ID.value)
    try:
        return TrackingIdSource(raw)
    except ValueError:
        allowed = ", ".join(s.value for s in TrackingIdSource)
        raise ConfigurationError(
            f"{EnvVar.TRACKING_ID_SOURCE} must be one of {allowed}, got {raw[:40]!r}"
        ) from None


@dataclass(frozen=True)
class StartSettings:
    table_name: str
    worker_function_name: str
    tracking_id_source: TrackingIdSource
    run_deadline_seconds: int
    record_ttl_seconds: int

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> StartSettings:
        check_shared(env)
        deadline = read_int(env, EnvVar.RUN_DEADLINE_SECONDS, 900, 1, 86_400)
        ttl = read_int(env, EnvVar.RECORD_TTL_SECONDS, 86_400, 60, 31_536_000)
        if ttl <= deadline:
            raise ConfigurationError(
                f"{EnvVar.RECORD_TTL_SECONDS} ({ttl}) must be greater than "
                f"{EnvVar.RUN_DEADLINE_SECONDS} ({deadline}): a record must outlive its run"
            )
        return cls(
            table_name=read_str(env, EnvVar.TRACKER_TABLE_NAME),
            worker_function_name=read_str(env, EnvVar.WORKER_FUNCTION_NAME),
            tracking_id_source=_read_tracking_source(env),
            run_deadline_seconds=deadline,
            record_ttl_seconds=ttl,
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
    # Keys the flow saves as result_<key>: always present in check's answer (empty unless completed).
    result_keys: tuple[str, ...] = ()

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> CheckSettings:
        check_shared(env)
        # The flow allows at most 8 s per invocation; the budget must leave a margin under it.
        budget = read_int(env, EnvVar.CHECK_BUDGET_MS, 1_000, 0, 7_500)
        interval = read_int(env, EnvVar.CHECK_POLL_INTERVAL_MS, 250, 20, 5_000)
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
    lease_ms: int = 5_000

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> WorkerSettings:
        check_shared(env)
        return cls(
            table_name=read_str(env, EnvVar.TRACKER_TABLE_NAME),
            task_handler=read_str(env, EnvVar.TASK_HANDLER),
            task_retry_attempts=read_int(env, EnvVar.TASK_RETRY_ATTEMPTS, 2, 0, 10),
            safety_margin_ms=read_int(env, EnvVar.WORKER_SAFETY_MARGIN_MS, 3_000, 500, 60_000),
            # Connect caps the whole check response at 32 KB; keep room for the control keys.
            max_result_bytes=read_int(env, EnvVar.MAX_RESULT_BYTES, 16_384, 64, 30_720),
            lease_ms=read_int(env, EnvVar.WORKER_LEASE_MS, 5_000, 1_000, 60_000),
        )
