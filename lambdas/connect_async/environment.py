"""Reading one value from a function's environment: a setting by its schema row (its variable,
default and range), or a name the module sets. A bad value is a ConfigurationError that names the
variable and what it must be."""

from __future__ import annotations

from collections.abc import Mapping

from connect_async.settings import Setting, format_number, setting

__all__ = ["ConfigurationError", "read_bool", "read_choice", "read_number", "read_str", "read_whole"]


class ConfigurationError(Exception):
    """An environment variable is missing or invalid; the message names it."""


def read_str(env: Mapping[str, str], name: str, default: str | None = None) -> str:
    value = env.get(name, "").strip()
    if value:
        return value
    if default is None:
        raise ConfigurationError(f"{name} is required but not set")
    return default


def _env_of(row: Setting) -> str:
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
    if variable == setting("log_level").env:
        value = value.upper()  # Powertools reads it in any case
    if value not in row.choices:
        raise ConfigurationError(f"{variable} must be one of {', '.join(row.choices)}, got {value[:40]!r}")
    return value


def read_bool(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = env.get(name, "").strip().lower()
    if not raw:
        return default
    if raw in ("true", "1", "yes"):
        return True
    if raw in ("false", "0", "no"):
        return False
    raise ConfigurationError(f"{name} must be true or false, got {raw[:40]!r}")
