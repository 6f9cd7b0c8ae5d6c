"""Logger, Metrics and (opt-in) Tracer from Powertools, configured once per cold start.

Tracing is off unless TRACING_ENABLED is true: constructing ``Tracer`` imports the X-Ray SDK and
patches botocore, which adds to every cold start (0.13 s measured by bench/import_time.py).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any, Final, TypeVar

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit, single_metric
from aws_lambda_powertools.metrics.functions import is_metrics_disabled

from connect_async.config import (
    DEFAULT_METRICS_NAMESPACE,
    ConfigurationError,
    EnvVar,
    read_bool,
    read_log_level,
)
from connect_async.redaction import RedactingFilter

__all__ = ["SERVICE_NAME", "count", "count_failure", "instrument", "logger", "metrics", "timing"]

F = TypeVar("F", bound=Callable[..., Any])

SERVICE_NAME: Final = os.environ.get(EnvVar.POWERTOOLS_SERVICE_NAME) or "connect-async"
NAMESPACE: Final = os.environ.get(EnvVar.POWERTOOLS_METRICS_NAMESPACE) or DEFAULT_METRICS_NAMESPACE


def _log_level() -> str:
    # A bad POWERTOOLS_LOG_LEVEL must not crash the import (Powertools raises on it): log at
    # INFO, and each function's Settings.from_env reports it as a configuration error.
    try:
        return read_log_level(os.environ)
    except ConfigurationError:
        return "INFO"


logger: Final = Logger(service=SERVICE_NAME, level=_log_level())
logger.addFilter(RedactingFilter())
metrics: Final = Metrics(namespace=NAMESPACE, service=SERVICE_NAME)


def count(name: str, value: int = 1) -> None:
    metrics.add_metric(name=name, unit=MetricUnit.Count, value=value)


def timing(name: str, milliseconds: float) -> None:
    metrics.add_metric(name=name, unit=MetricUnit.Milliseconds, value=milliseconds)


def count_failure(error_code: str) -> None:
    """RunsFailed with an ErrorCode dimension (its own EMF document, so other metrics keep
    their dimensions)."""
    if is_metrics_disabled():  # single_metric does not check POWERTOOLS_METRICS_DISABLED itself
        return
    with single_metric(
        name="RunsFailed",
        unit=MetricUnit.Count,
        value=1,
        namespace=NAMESPACE,
        default_dimensions={"service": SERVICE_NAME},
    ) as metric:
        metric.add_dimension(name="ErrorCode", value=error_code)


def _tracing_enabled() -> bool:
    try:
        return read_bool(os.environ, EnvVar.TRACING_ENABLED, default=False)
    except ConfigurationError as exc:
        logger.warning("tracing stays off", extra={"reason": str(exc)})
        return False


def instrument(handler: F) -> F:
    """Wrap a Lambda handler with the Logger context, the metrics flush and, opt-in, Tracer."""
    wrapped: Any = metrics.log_metrics(handler)
    if _tracing_enabled():
        from aws_lambda_powertools import Tracer  # noqa: PLC0415 - only when enabled: cold-start cost

        # Responses can hold task results: keep them out of trace metadata.
        tracer = Tracer(service=SERVICE_NAME)
        wrapped = tracer.capture_lambda_handler(wrapped, capture_response=False)
    result: F = logger.inject_lambda_context(wrapped, clear_state=True)
    return result
