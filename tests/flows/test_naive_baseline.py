"""The naive baseline of bench/ behaves as its description says (so the comparison is fair).

Virtual time only: these check behaviour, never speed.
"""

from __future__ import annotations

import io
from contextlib import redirect_stdout

import moto
import pytest

from bench.naive import STATUS_ARN, WORK_ARN, naive_flow, naive_functions
from flowkit.simulator import CallReport, CallSimulator, Deployment, Scenario, create_tracker_table

pytestmark = pytest.mark.moto


def _play(task_seconds: float) -> CallReport:
    deployment = Deployment(table_name=f"naive-{task_seconds:g}")
    with moto.mock_aws(), redirect_stdout(io.StringIO()):
        create_tracker_table(deployment.table_name)
        simulator = CallSimulator(
            naive_flow("Done.", "Sorry."),
            functions={WORK_ARN: "work", STATUS_ARN: "status"},
            deployment=deployment,
            custom_functions=naive_functions(task_seconds),
        )
        return simulator.run(Scenario(work_seconds=task_seconds))


def test_a_task_within_connects_limit_is_answered_by_the_work_call_itself() -> None:
    report = _play(5)
    assert report.path[:2] == ["Work", "Success"]
    assert report.invocations == {"work": 1}
    assert report.billed_ms["work"] == 5000
    assert report.longest_silence_seconds >= 5


def test_a_longer_task_falls_to_the_status_loop_and_is_seen_there() -> None:
    report = _play(15)
    assert report.path[:3] == ["Work", "StatusLoop", "Status"]
    assert "Success" in report.path
    assert report.limit_overruns  # Connect gave up on the work call at 8 s
    assert report.billed_ms["work"] >= 15_000  # ...while it went on running and billing (+ its write)


def test_thirty_seconds_of_work_ends_in_the_fallback_after_a_chain_over_connects_20_s() -> None:
    report = _play(30)
    assert report.path[-2:] == ["Fallback", "Disconnect"]
    assert report.invocations == {"work": 1, "status": 2}
    assert report.longest_lambda_chain_seconds > 20  # the naive flow breaks Connect's chain rule
    assert report.billed_ms["status"] >= 2 * 8000


def test_work_past_its_own_timeout_is_killed_without_a_result() -> None:
    report = _play(60)
    assert report.billed_ms["work"] == 30_000
    assert report.dynamodb_writes == 0
