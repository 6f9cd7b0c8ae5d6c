"""Scenarios on the module's rendered flow, played on the virtual clock against moto."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import moto
import pytest

from flowkit.checker import CHAIN_LIMIT_SECONDS
from flowkit.simulator import CallReport, CallSimulator, Scenario, SimulatorSettings, create_tracker_table
from tests.support.flows import CHECK_ARN, START_ARN, render_inbound_flow
from tests.support.terraform_runner import Terraform

SETTINGS = SimulatorSettings()
# Short waits keep the scenarios readable: 3 loops of (4 s hold message + 5 s check) = 27 s.
LOOPS = 3


@pytest.fixture(scope="module")
def rendered_flow(terraform: Terraform, tmp_path_factory: pytest.TempPathFactory) -> str:
    return render_inbound_flow(terraform, tmp_path_factory.mktemp("render"), loop_count=LOOPS)


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


SUCCESS_END = ["SaveResult", "Success", "AfterSuccess", "Disconnect"]


def test_two_second_task_completes_in_the_first_loop(simulator: CallSimulator) -> None:
    report = simulator.run(Scenario(work_seconds=2))
    _invariants(report)
    assert report.path == [
        "SetVoice",
        "StartTask",
        "WaitLoop",
        "HoldMessage",
        "CheckTask",
        "BranchOnStatus",
        *SUCCESS_END,
    ]
    assert report.final_status == "completed"
    assert report.invocations == {"start": 1, "check": 1}
    assert report.contact_attributes["result_message"] == "Your request is complete."
    # The result was ready at 2 s, while the 4 s hold message played; check read it at once after.
    assert report.detection_latency_ms == 2000
    assert "-> completed" in report.timeline()


def test_a_result_during_checks_polling_is_seen_within_one_interval(simulator: CallSimulator) -> None:
    report = simulator.run(Scenario(work_seconds=6))  # check polls from 4 s to 9 s
    _invariants(report)
    assert report.path[-4:] == SUCCESS_END
    assert report.detection_latency_ms is not None
    assert report.detection_latency_ms <= SETTINGS.check_poll_interval_ms + 50


def test_twenty_five_second_task_completes_on_the_third_loop(simulator: CallSimulator) -> None:
    report = simulator.run(Scenario(work_seconds=25))
    _invariants(report)
    assert report.path[-4:] == SUCCESS_END
    assert report.path.count("HoldMessage") == 3
    assert report.invocations == {"start": 1, "check": 3}
    assert report.detection_latency_ms is not None
    assert report.detection_latency_ms <= SETTINGS.check_poll_interval_ms + 50


def test_task_longer_than_the_wait_takes_the_taking_longer_path_and_goes_on(simulator: CallSimulator) -> None:
    report = simulator.run(Scenario(work_seconds=90))
    _invariants(report)
    assert report.path.count("HoldMessage") == LOOPS
    assert report.path[-3:] == ["TakingLonger", "AfterFallback", "Disconnect"]
    assert report.final_status == "completed"  # finished after the caller left: readable by tracking id
    assert report.detection_latency_ms is None


def test_task_failure_saves_the_error_and_takes_the_fallback(simulator: CallSimulator) -> None:
    report = simulator.run(Scenario(work_seconds=2, outcome="fail"))
    _invariants(report)
    assert report.path[-4:] == ["SaveError", "Fallback", "AfterFallback", "Disconnect"]
    assert report.contact_attributes["error_code"] == "scripted_failure"
    assert report.final_status == "failed"


def test_worker_crash_waits_out_the_loops(simulator: CallSimulator) -> None:
    report = simulator.run(Scenario(work_seconds=2, outcome="crash"))
    _invariants(report)
    assert report.path[-3:] == ["TakingLonger", "AfterFallback", "Disconnect"]
    assert report.final_status == "in_progress"  # no update, ever: readers report it failed at the deadline


def test_a_failing_check_call_is_retried_after_the_hold_message(simulator: CallSimulator) -> None:
    report = simulator.run(Scenario(work_seconds=2, failing_check_calls=1))
    _invariants(report)
    assert "CheckRetries" in report.path
    assert report.path[-4:] == SUCCESS_END
    assert report.invocations["check"] == 2


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
