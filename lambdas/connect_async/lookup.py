"""lookup: the fast path. One configuration read at the start of a contact, answered in time.

The flow passes the keys it knows (the dialled number, a queue, a contact attribute) as key_1 ..
key_5. The lookup reads their items and the default item in one round trip and answers the first
key's item over the default item's fields (source ``item``), the default item alone
(``default_item``), or nothing usable (``fallback``, with the error code). It never takes longer
than LOOKUP_BUDGET_MS: a throttled or unreachable table answers fallback, and the flow speaks its
fallback greeting instead of leaving the caller in silence.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from connect_async.clock import Clock
from connect_async.config import LookupSettings
from connect_async.config_table import ConfigRead, ConfigTable, ConfigTableUnavailableError
from connect_async.contract import (
    DEFAULT_CONFIG_KEY,
    LOOKUP_RESPONSE_KEYS,
    MAX_ERROR_MESSAGE_CHARS,
    ConfigField,
    ErrorCode,
    LookupKey,
    LookupSource,
)
from connect_async.events import InvalidEventError, LookupRequest, parse_lookup_event
from connect_async.observability import count, logger, timing
from connect_async.results import complete_response, guard_response
from connect_async.settings import CONSTANTS

__all__ = ["LookupService", "choose", "lookup_answer_keys"]

_RESPONSE_MARGIN_MS: Final = CONSTANTS["response_margin_ms"]


def lookup_answer_keys(fields: tuple[str, ...] = ()) -> tuple[str, ...]:
    """Every key of the lookup's answer: the contract's, and each configured field."""
    return tuple(dict.fromkeys((*LOOKUP_RESPONSE_KEYS, *fields)))


def _fallback(code: ErrorCode, message: str) -> dict[str, str]:
    return {
        LookupKey.SOURCE: LookupSource.FALLBACK,
        LookupKey.ERROR_CODE: code,
        LookupKey.ERROR_MESSAGE: message[:MAX_ERROR_MESSAGE_CHARS],
    }


def choose(request: LookupRequest, read: ConfigRead) -> dict[str, str]:
    """The answer for what the table holds: the first key with a usable item, over the default
    item's fields; else the default item; else fallback. A refused key or a malformed item is
    skipped and named in error_code, so a degraded answer is told from a normal one."""
    problems: list[tuple[ErrorCode, str]] = [
        (ErrorCode.INVALID_CONFIG_KEY, f"{parameter} is not a usable key (control characters or too long)")
        for parameter in request.refused
    ]
    problems += [
        (ErrorCode.MALFORMED_CONFIG_ITEM, f"{_which(request, key)} is not a map of strings")
        for key in read.malformed
    ]
    default = read.items.get(DEFAULT_CONFIG_KEY)
    matched = next((key for key in request.keys if key in read.items and key != DEFAULT_CONFIG_KEY), None)
    if matched is not None:
        fields = {**(default or {}), **read.items[matched]}
        source, key = LookupSource.ITEM, matched
    elif default is not None:
        fields, source, key = dict(default), LookupSource.DEFAULT_ITEM, DEFAULT_CONFIG_KEY
    else:
        not_found = (ErrorCode.CONFIG_NOT_FOUND, "no item for the keys, and no default item")
        return _fallback(*(problems[0] if problems else not_found))
    if not fields.get(ConfigField.GREETING, "").strip():
        return _fallback(ErrorCode.MALFORMED_CONFIG_ITEM, f"{_which(request, key)} has no greeting")
    code, message = problems[0] if problems else ("", "")
    return {
        **fields,
        LookupKey.SOURCE: source,
        ConfigField.KEY: key,
        LookupKey.ERROR_CODE: code,
        LookupKey.ERROR_MESSAGE: message[:MAX_ERROR_MESSAGE_CHARS],
    }


def _which(request: LookupRequest, key: str) -> str:
    """An item named by where its key came from, never by the key: it can be a phone number."""
    if key == DEFAULT_CONFIG_KEY:
        return "the default item"
    position = request.keys.index(key) + 1 if key in request.keys else 0
    return f"the item of key {position} of {len(request.keys)}"


@dataclass(frozen=True)
class LookupService:
    settings: LookupSettings
    table: ConfigTable
    clock: Clock

    def handle(self, event: object, remaining_ms: int) -> dict[str, str]:
        began_ms = self.clock.now_ms()
        try:
            request = parse_lookup_event(event)
        except InvalidEventError as exc:
            logger.warning("lookup rejected an invalid event", extra={"reason": str(exc)})
            return self._answer(_fallback(ErrorCode.INVALID_EVENT, str(exc)), began_ms)
        budget_ms = min(self.settings.lookup_budget_ms, max(remaining_ms - _RESPONSE_MARGIN_MS, 0))
        candidates = [key for key in request.keys if key != DEFAULT_CONFIG_KEY] + [DEFAULT_CONFIG_KEY]
        try:
            read = self.table.read(candidates, give_up_at_ms=began_ms + budget_ms)
        except ConfigTableUnavailableError as exc:
            logger.error("the configuration table did not answer in time", extra={"reason": str(exc)})
            return self._answer(_fallback(ErrorCode.CONFIG_UNAVAILABLE, str(exc)), began_ms)
        return self._answer(choose(request, read), began_ms)

    def _answer(self, response: Mapping[str, str], began_ms: int) -> dict[str, str]:
        keys = lookup_answer_keys(self.settings.fields)
        # Only the answer's keys, all strings, under Connect's 32 KB (an oversized item answers
        # fallback with response_too_large), every key present.
        answer = complete_response(guard_response({k: v for k, v in response.items() if k in keys}), keys)
        source = answer[LookupKey.SOURCE]
        count(f"ConfigLookup{source.title().replace('_', '')}")
        if answer[LookupKey.ERROR_CODE] and source != LookupSource.FALLBACK:
            count("ConfigLookupDegraded")
        timing("ConfigLookupMs", self.clock.now_ms() - began_ms)
        logger.info("lookup answered", extra={"source": source, "error_code": answer[LookupKey.ERROR_CODE]})
        return answer
