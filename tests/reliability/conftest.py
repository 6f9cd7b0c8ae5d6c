"""The reliability suite records what each case did (``recorder``); when the session ends, the
sections that ran are checked against docs/reliability.md (``make reliability-report`` rewrites them)."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests.reliability.report import Recorder, stale_sections, update
from tests.support.moto_atomic import atomic_dynamodb

_RECORDER = Recorder()


@pytest.fixture(autouse=True)
def _atomic_conditional_writes() -> Iterator[None]:
    # Concurrency cases need DynamoDB's atomic conditional writes, which moto lacks.
    with atomic_dynamodb():
        yield


@pytest.fixture(scope="session")
def recorder() -> Iterator[Recorder]:
    yield _RECORDER


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    # Only a run whose cases all passed speaks for the report: a failed case records nothing
    # worth keeping.
    if not _RECORDER.rows or exitstatus != pytest.ExitCode.OK:
        return
    if os.environ.get("RELIABILITY_REPORT") == "write":
        update(_RECORDER)
        return
    stale = stale_sections(_RECORDER)
    if stale:
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:
            reporter.write_line(
                f"docs/reliability.md is stale in {', '.join(stale)}: run `make reliability-report`", red=True
            )
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
