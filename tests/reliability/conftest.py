"""The reliability suite records what each case did, for docs/reliability.md (test_zz_report)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest

from tests.support.moto_atomic import atomic_dynamodb


@dataclass
class Recorder:
    """Rows of the reliability report, by section, in the order the cases ran."""

    rows: dict[str, list[dict[str, str]]] = field(default_factory=dict)

    def add(self, section: str, **row: object) -> None:
        self.rows.setdefault(section, []).append({k: str(v) for k, v in row.items()})


_RECORDER = Recorder()


@pytest.fixture(autouse=True)
def _atomic_conditional_writes() -> Iterator[None]:
    # Concurrency cases need DynamoDB's atomic conditional writes, which moto lacks.
    with atomic_dynamodb():
        yield


@pytest.fixture(scope="session")
def recorder() -> Iterator[Recorder]:
    yield _RECORDER
