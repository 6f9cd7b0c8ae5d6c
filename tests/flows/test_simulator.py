"""Scenarios on the module's rendered flow, played on the virtual clock against moto."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import moto
import pytest

from flowkit.checker import CHAIN_LIMIT_SECONDS
from flowkit.simulator import CallReport, CallSimulator, Scenario, SimulatorSettings, create_tracker_table
from tests.flows.test_checker import _render
from tests.support.terraform_runner import Terraform

START_ARN = "arn:aws:lambda:eu-west-2:123456789012:function:s"
CHECK_ARN = "arn:aws:lambda:eu-west-2:123456789012:function:c"
SETTINGS = SimulatorSettings()


@pytest.fixture(scope="module")
def rendered_flow(terraform: Terraform, tmp_path_factory: pytest.TempPathFactory) -> str:
    variables = f"""{{
    start_function_arn = "{START_ARN}"
    check_function_arn = "{CHECK_ARN}"
    time_limit_seconds = 8
    messages = {{
      hold     = "Thanks for waiting. We are still working on your request."
      success  = "Thank you. Your request is complete."
      fallback = "Sorry, we could not complete your request."
      timeout  = "This is taking longer than expected."
    }}
    voice    = {{ id = "Joanna", engine = "neural" }}
  }}"""
    return _render(terraform, tmp_path_factory.mktemp("render"), "minimal_inbound.json.tftpl", variables)


@pytest.fixture
def simulator(rendered_flow: str) -> Iterator[CallSimulator]:
    with moto.mock_aws():
        create_tracker_table(SETTINGS.table_name)
        yield CallSimulator(
            rendered_flow, functions={START_ARN: "start", CHECK_ARN: "check"}, settings=SETTINGS
        )


def _invariants(report: CallReport) -> None:
    assert report.limit_overruns == []
    # No Lambda invocation can keep the caller silent beyond the flow's 8 s, let alone the 20 s chain.
    assert report.longest_silence_seconds <= 8 < CHAIN_LIMIT_SECONDS
    assert report.longest_silence_seconds * 1000 <= SETTINGS.check_budget_ms + 1000


def test_two_second_task_completes_in_one_check(simulator: CallSimulator) -> None:
    report = simulator.run(Scenario(work_seconds=2))
    _invariants(report)
    assert report.path == [
        "SetVoice",
        "StartTask",
        "HoldMessage",
        "CheckTask",
        "BranchOnStatus",
        "Success",
        "Disconnect",
    ]
    assert report.final_status == "completed"
    assert report.invocations == {"start": 1, "check": 1}
    # The result was ready at 2 s, while the 4 s hold message played; check read it at once after.
    assert report.detection_latency_ms == 2000
    assert "-> completed" in report.timeline()


def test_a_result_during_checks_polling_is_seen_within_one_interval(simulator: CallSimulator) -> None:
    report = simulator.run(Scenario(work_seconds=6))  # check polls from 4 s to 9 s
    _invariants(report)
    assert report.final_status == "completed" and "Success" in report.path
    assert report.detection_latency_ms is not None
    assert report.detection_latency_ms <= SETTINGS.check_poll_interval_ms + 50


def test_task_longer_than_the_wait_takes_the_timeout_path_and_the_work_goes_on(
    simulator: CallSimulator,
) -> None:
    report = simulator.run(Scenario(work_seconds=25))
    _invariants(report)
    assert report.path[-2:] == ["StillWorking", "Disconnect"]
    assert report.final_status == "completed"  # finished after the caller left, still readable
    assert report.detection_latency_ms is None


def test_task_failure_takes_the_fallback(simulator: CallSimulator) -> None:
    report = simulator.run(Scenario(work_seconds=2, outcome="fail"))
    _invariants(report)
    assert "Fallback" in report.path
    assert report.final_status == "failed"


def test_worker_crash_leaves_the_run_to_its_deadline(simulator: CallSimulator) -> None:
    report = simulator.run(Scenario(work_seconds=2, outcome="crash"))
    _invariants(report)
    assert report.path[-2:] == ["StillWorking", "Disconnect"]
    assert report.final_status == "in_progress"  # no update, ever: readers report it failed at the deadline


def test_a_failing_check_call_goes_down_the_error_branch(simulator: CallSimulator) -> None:
    report = simulator.run(Scenario(work_seconds=2, failing_check_calls=1))
    _invariants(report)
    assert report.path[-2:] == ["Fallback", "Disconnect"]


def test_caller_hangs_up_and_the_result_stays_readable(simulator: CallSimulator) -> None:
    report = simulator.run(Scenario(work_seconds=10, hang_up_at_seconds=1))
    assert report.ending == "caller hung up"
    assert report.final_status == "completed"


def test_chat_contact_reads_faster_than_voice_speaks(simulator: CallSimulator, rendered_flow: str) -> None:
    voice = simulator.run(Scenario(work_seconds=2))
    chat_settings = dataclasses.replace(SETTINGS, table_name="chat-tracker")
    create_tracker_table(chat_settings.table_name)
    chat_simulator = CallSimulator(
        rendered_flow, functions={START_ARN: "start", CHECK_ARN: "check"}, settings=chat_settings
    )
    chat = chat_simulator.run(Scenario(work_seconds=2, channel="CHAT"))
    assert chat.final_status == voice.final_status == "completed"
    assert chat.total_wait_seconds < voice.total_wait_seconds
