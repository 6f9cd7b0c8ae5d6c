"""The contract as plain data, for ``lambdas/contract.json`` (read by the Terraform module)."""

from __future__ import annotations

import json

from connect_async.config import FUNCTION_ENV_VARS, HANDLERS, EnvVar
from connect_async.contract import (
    RESULT_PREFIX,
    Attr,
    ErrorCode,
    Param,
    ResponseKey,
    ResponseStatus,
    RunStatus,
    TrackingIdSource,
)

__all__ = ["contract_document", "contract_json"]


def contract_document() -> dict[str, object]:
    return {
        "table": {"hash_key": Attr.TASK_ID.value, "ttl_attribute": Attr.EXPIRES_AT.value},
        "attributes": [a.value for a in Attr],
        "run_statuses": [s.value for s in RunStatus],
        "response_statuses": [s.value for s in ResponseStatus],
        "error_codes": [c.value for c in ErrorCode],
        "parameters": [p.value for p in Param],
        "response_keys": [k.value for k in ResponseKey],
        "result_prefix": RESULT_PREFIX,
        "tracking_id_sources": [s.value for s in TrackingIdSource],
        "handlers": dict(HANDLERS),
        "environment": {
            "all": [e.value for e in EnvVar],
            **{fn: [e.value for e in names] for fn, names in FUNCTION_ENV_VARS.items()},
        },
    }


def contract_json() -> str:
    """The file's exact text: stable key order and a final newline, so diffs stay readable."""
    return json.dumps(contract_document(), indent=2) + "\n"
