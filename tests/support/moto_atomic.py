"""Give moto's DynamoDB the per-item atomicity of the real service.

DynamoDB evaluates a condition expression and applies the write as one atomic step. moto 5.2
does not lock: two threads can both pass ``attribute_not_exists`` before either writes, which
would make a concurrency test fail for moto's sake, not the runtime's. This wraps the backend's
item operations in one lock (coarser than DynamoDB's per-item serialisation, same guarantee).
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from moto.dynamodb.models import DynamoDBBackend

__all__ = ["atomic_dynamodb"]

_OPERATIONS = (
    "get_item",
    "put_item",
    "update_item",
    "delete_item",
    "transact_write_items",
    "batch_write_item",
)
_LOCK = threading.RLock()


def _locked(method: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(method)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with _LOCK:
            return method(*args, **kwargs)

    return wrapper


@contextmanager
def atomic_dynamodb() -> Iterator[None]:
    originals = {name: getattr(DynamoDBBackend, name) for name in _OPERATIONS}
    for name, method in originals.items():
        setattr(DynamoDBBackend, name, _locked(method))
    try:
        yield
    finally:
        for name, method in originals.items():
            setattr(DynamoDBBackend, name, method)
