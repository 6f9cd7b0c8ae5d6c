"""Every environment variable the runtime reads, named once, validated at cold start.

Terraform builds each function's environment from ``FUNCTION_ENV_VARS`` (via contract.json),
so a name changed here without the module following it fails a test instead of a deployment.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Final, TypeVar

from connect_async.contract import TrackingIdSource

__all__ = [
    "DEFAULT_METRICS_NAMESPACE",
    "FUNCTION_ENV_VARS",
    "HANDLERS",
    "CheckSettings",
    "ConfigurationError",
    "EnvVar",
    "StartSettings",
    "WorkerSettings",
    "read_bool",
    "read_float",
    "read_int",
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
    # worker.
    TASK_HANDLER = "TASK_HANDLER"
    TASK_RETRY_ATTEMPTS = "TASK_RETRY_ATTEMPTS"
    WORKER_SAFETY_MARGIN_MS = "WORKER_SAFETY_MARGIN_MS"
    MAX_RESULT_BYTES = "MAX_RESULT_BYTES"
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
    ),
    "worker": (
        *_COMMON,
        EnvVar.TASK_HANDLER,
        EnvVar.TASK_RETRY_ATTEMPTS,
        EnvVar.WORKER_SAFETY_MARGIN_MS,
        EnvVar.MAX_RESULT_BYTES,
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


@dataclass(frozen=True)
class CheckSettings:
    table_name: str
    tracking_id_source: TrackingIdSource
    budget_ms: int
    poll_interval_ms: int

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> CheckSettings:
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
        )


@dataclass(frozen=True)
class WorkerSettings:
    table_name: str
    task_handler: str
    task_retry_attempts: int
    safety_margin_ms: int
    max_result_bytes: int

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> WorkerSettings:
        return cls(
            table_name=read_str(env, EnvVar.TRACKER_TABLE_NAME),
            task_handler=read_str(env, EnvVar.TASK_HANDLER),
            task_retry_attempts=read_int(env, EnvVar.TASK_RETRY_ATTEMPTS, 2, 0, 10),
            safety_margin_ms=read_int(env, EnvVar.WORKER_SAFETY_MARGIN_MS, 3_000, 500, 60_000),
            # Connect caps the whole check response at 32 KB; keep room for the control keys.
            max_result_bytes=read_int(env, EnvVar.MAX_RESULT_BYTES, 16_384, 64, 30_720),
        )
