"""Scenarios on the module's rendered flows, played on the virtual clock against moto.

Every scenario checks the same invariants (``_invariants``): no invocation over its limit, no
prompt-free Lambda chain over 20 s, the longest silence within the configured bound, detection
within the prompt that was playing plus one poll, the task run at most once, the expected path
and the expected final tracker state.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from dataclasses import dataclass, replace

import moto
import pytest

from connect_async.settings import setting
from flowkit.checker import CHAIN_LIMIT_SECONDS, check_flow
from flowkit.faults import DynamoDBFault
from flowkit.interpreter import hold_sentences
from flowkit.simulator import START_MS, CallReport, CallSimulator, Deployment, Scenario, create_tracker_table
from flowkit.stub_tasks import bedrock_answer
from tests.support.flows import (
    CHECK_ARN,
    FLOW_MODULE_ID,
    MESSAGES,
    REQUEUE_QUEUE_ID,
    START_ARN,
    render_flows,
)

pytestmark = pytest.mark.terraform

DEPLOYMENT = Deployment()  # the module's defaults, from the settings schema
POLL_MS = int(setting("check_poll_interval_ms").default)
FUNCTIONS = {START_ARN: "start", CHECK_ARN: "check"}
LOOPS = 30  # the module's default plan: two minutes of 4 s hold messages
HOLD_SENTENCES = hold_sentences(MESSAGES["hold"])  # "Thanks for waiting.", "We are still working ..."
# What the caller can be left in silence by: one check call (its budget, the invocation's
# overhead and a few DynamoDB calls), never more (the flow always plays a prompt in between).
SILENCE_BOUND_SECONDS = (
    int(setting("check_budget_ms").default) + DEPLOYMENT.latency.invoke_overhead_ms + 200
) / 1000
_tables = itertools.count()


@pytest.fixture(scope="module")
def flows() -> dict[str, str | None]:
    return render_flows()


@pytest.fixture
def play(flows: dict[str, str | None]) -> Iterator[PlayFn]:
    """Play a scenario through one of the rendered flows, on a fresh tracker table."""
    with moto.mock_aws():

        def run(scenario: Scenario, flow: str = "inbound_flow", **settings: object) -> CallReport:
            table_name = f"tracker-{next(_tables)}"
            deployment = (
                Deployment.with_settings(table_name=table_name, **settings)
                if settings
                else Deployment(table_name=table_name)
            )
            create_tracker_table(deployment.table_name)
            content = flows[flow]
            assert content is not None
            simulator = CallSimulator(
                content,
                functions=FUNCTIONS,
                deployment=deployment,
                modules={FLOW_MODULE_ID: str(flows["wait_module"])},
            )
            return simulator.run(scenario)

        yield run


class PlayFn:  # the fixture's type, for readers and mypy
    def __call__(self, scenario: Scenario, flow: str = "inbound_flow", **settings: object) -> CallReport: ...


@dataclass(frozen=True)
class Expect:
    ending: str
    final_status: str
    path_end: tuple[str, ...]
    task_runs: int = 1


SUCCESS = Expect("disconnected", "completed", ("SaveResult", "Success", "AfterSuccess", "Disconnect"))
FALLBACK = Expect("disconnected", "failed", ("SaveError", "Fallback", "AfterFallback", "Disconnect"))
TAKING_LONGER = Expect(
    "disconnected", "completed", ("SaveWaitExceeded", "TakingLonger", "AfterFallback", "Disconnect")
)


def _invariants(report: CallReport, expect: Expect, *, detection: bool = True) -> None:
    assert report.limit_overruns == []
    assert report.longest_lambda_chain_seconds < CHAIN_LIMIT_SECONDS
    assert report.longest_silence_seconds <= SILENCE_BOUND_SECONDS
    assert report.voice_only_prompts_on_chat == []
    assert report.task_runs == expect.task_runs
    assert report.ending == expect.ending
    assert report.final_status == expect.final_status
    assert tuple(report.path[-len(expect.path_end) :]) == expect.path_end
    if detection and report.detection_latency_ms is not None:
        # A result is heard once the prompt playing (or chat's pause) when it lands has ended, or
        # within one poll; each failed check call costs one more loop.
        longest_prompt_ms = max((end - begin for begin, end in report.speech + report.away), default=0)
        failed_calls = sum("fails:" in e.text for e in report.events)
        one_loop_ms = longest_prompt_ms + POLL_MS + 50
        assert report.detection_latency_ms <= one_loop_ms * (1 + failed_calls)


def test_a_task_that_ends_during_the_first_sentence_is_answered_when_it_ends(play: PlayFn) -> None:
    # check reads once after start (the run's end is not due: no progress yet), the first
    # sentence of the hold message plays, and the check after it reads the result.
    report = play(Scenario(work_seconds=0.5))
    _invariants(report, SUCCESS)
    assert report.path[:11] == [
        "SetVoice",
        "InitSpokenProgress",
        "StartTask",
        "StartAnswered",
        "CheckTask",
        "BranchOnStatus",
        "WaitLoop",
        "ProgressChanged",
        "HoldMessage",
        "HoldClip1",
        "CheckClip1",
    ]
    assert report.spoken[0] == HOLD_SENTENCES[0]
    assert report.invocations == {"start": 1, "check": 2}
    first_sentence_ends_ms = report.speech[0][1]
    assert report.detection_latency_ms is not None
    assert report.detection_latency_ms <= first_sentence_ends_ms - (START_MS + 500) + 50


def test_with_always_a_task_within_checks_budget_is_answered_without_a_hold_message(play: PlayFn) -> None:
    report = play(Scenario(work_seconds=0.5), check_poll_when="always")
    _invariants(report, SUCCESS)
    assert report.path == [
        "SetVoice",
        "InitSpokenProgress",
        "StartTask",
        "StartAnswered",
        "CheckTask",  # at once, before any hold message
        "BranchOnStatus",
        *SUCCESS.path_end,
    ]
    assert report.invocations == {"start": 1, "check": 1}
    assert report.contact_attributes["result_message"] == "Your request is complete."
    assert report.contact_attributes["task_status"] == "completed"
    assert report.detection_latency_ms is not None
    assert report.detection_latency_ms <= POLL_MS + 50
    assert "-> completed" in report.timeline()


def test_two_second_task_is_answered_after_one_hold_message(play: PlayFn) -> None:
    report = play(Scenario(work_seconds=2, progress_messages=()))
    _invariants(report, SUCCESS)
    assert report.path.count("HoldMessage") == 1
    # After start, after the first sentence, and after the second (the last: CheckTask).
    assert report.invocations == {"start": 1, "check": 3}
    # The result lands during the second sentence and is read as soon as it ends.
    longest_sentence_ms = max(end - begin for begin, end in report.speech)
    assert report.detection_latency_ms is not None
    assert report.detection_latency_ms <= longest_sentence_ms + 50


@pytest.mark.parametrize("seconds", [5.3, 9.1, 17.7, 26.2])
def test_a_result_whose_end_is_due_is_heard_within_a_poll_or_a_sentences_remainder(
    play: PlayFn, seconds: float
) -> None:
    # The scripted task reports its progress at one and two thirds of its run: check knows its
    # pace and polls (for its budget) when a call comes within a budget of the run's end, reading
    # the result within a poll interval of landing. When no call comes that close, the result
    # lands in a sentence that began more than a budget before it: heard at that sentence's end.
    report = play(Scenario(work_seconds=seconds))
    _invariants(report, SUCCESS)
    budget_ms = int(setting("check_budget_ms").default)
    longest_sentence_ms = max(end - begin for begin, end in report.speech)
    calls = [end - begin for function, begin, end in report.calls if function == "check"]
    polls = [took for took in calls if took > 100]
    assert len(polls) <= 1  # at most one budget, at the end; every other call was one read
    assert report.detection_latency_ms is not None
    bound_ms = POLL_MS if polls else longest_sentence_ms - budget_ms
    assert report.detection_latency_ms <= bound_ms + 50


def test_twenty_five_second_task_speaks_its_progress_once_each(play: PlayFn) -> None:
    report = play(Scenario(work_seconds=25, progress_messages=("Checking your details.", "Almost done.")))
    _invariants(report, SUCCESS)
    assert report.spoken.count("Checking your details.") == 1
    assert report.spoken.count("Almost done.") == 1
    assert report.path.count("SpeakProgress") == 2


def test_ninety_second_task_completes_within_the_wait(play: PlayFn) -> None:
    report = play(Scenario(work_seconds=90))
    _invariants(report, SUCCESS)
    assert report.path.count("CheckTask") < LOOPS


def test_task_longer_than_the_wait_takes_the_taking_longer_path_and_goes_on(play: PlayFn) -> None:
    report = play(Scenario(work_seconds=200))
    _invariants(report, TAKING_LONGER)  # completed after the caller left: readable by tracking id
    assert report.path.count("CheckTask") == LOOPS + 1  # the first check, then one per loop
    assert report.contact_attributes["error_code"] == "wait_exceeded"
    assert report.detection_latency_ms is None


def test_task_failure_saves_the_error_and_takes_the_fallback(play: PlayFn) -> None:
    report = play(Scenario(work_seconds=2, outcome="fail"))
    _invariants(report, FALLBACK)
    assert report.contact_attributes["error_code"] == "scripted_failure"


def test_a_worker_that_dies_is_heard_as_a_failure_within_one_lease(play: PlayFn) -> None:
    # The worker dies after its claim (crash, out of memory, hard timeout) and writes nothing,
    # ever. Its lease lapses within WORKER_LEASE_MS of its last renewal; the next check reads
    # failed/worker_lost, and the caller hears the fallback. Lambda's retries of the event
    # record worker_lost, never run the task again, and fail, so the event is dead-lettered.
    report = play(Scenario(work_seconds=8, outcome="crash"))
    _invariants(report, Expect("disconnected", "failed", FALLBACK.path_end), detection=False)
    assert report.contact_attributes["error_code"] == "worker_lost"
    died_ms = next(e.at_ms for e in report.events if "crashes" in e.text)
    heard_ms = next(e.at_ms for e in report.events if e.text == f'hears "{MESSAGES["fallback"]}"')
    longest_prompt_ms = max(end - begin for begin, end in report.speech)
    bound_ms = int(setting("worker_lease_ms").default) + longest_prompt_ms + SILENCE_BOUND_SECONDS * 1000
    assert heard_ms - died_ms <= bound_ms
    assert report.detection_latency_ms is not None and report.detection_latency_ms <= bound_ms
    assert report.dead_lettered == 1
    assert sum("refused (" in e.text for e in report.events) == 2  # both Lambda retries


@pytest.mark.parametrize(
    ("handler", "reconciliation", "receives"),
    [
        ("connect_async.tasks.demo:reconcile", "reconciled", 1),
        ("tests.fixture_tasks:reconcile_never", "unreconciled", 3),
    ],
)
def test_a_lost_run_is_reconciled_after_the_dead_letter_queue(
    flows: dict[str, str | None], handler: str, reconciliation: str, receives: int
) -> None:
    # The crash above, with reconciler set: once Lambda's retries dead-letter the event, the
    # reconciler reads it, calls the reconcile function, and records its answer; one that keeps
    # failing is tried max_receive_count times, then moved to the unreconciled queue.
    with moto.mock_aws():
        deployment = replace(
            Deployment(table_name=f"tracker-{next(_tables)}"),
            environment={"reconciler": {"RECONCILE_HANDLER": handler}},
            reconciler_timeout_seconds=60,
            reconciler_max_receives=3,
        )
        create_tracker_table(deployment.table_name)
        simulator = CallSimulator(
            str(flows["inbound_flow"]),
            functions=FUNCTIONS,
            deployment=deployment,
            modules={FLOW_MODULE_ID: str(flows["wait_module"])},
        )
        report = simulator.run(Scenario(work_seconds=8, outcome="crash"))
    assert report.contact_attributes["error_code"] == "worker_lost" and report.final_status == "failed"
    assert report.dead_lettered == 1 and report.reconciliation == reconciliation
    reconciler_events = [e for e in report.events if e.actor == "reconciler"]
    assert sum(e.text.startswith("receive ") for e in reconciler_events) == receives
    dead_lettered_ms = next(e.at_ms for e in report.events if "dead-letter queue" in e.text)
    assert all(e.at_ms > dead_lettered_ms for e in reconciler_events)
    if reconciliation == "reconciled":
        assert report.reconcile_outcome.startswith("the demo task keeps no state outside the run")
    else:
        assert report.reconcile_outcome == "the reconcile function raised TimeoutError"
        assert "moves the message to the unreconciled queue" in reconciler_events[-1].text


@pytest.mark.parametrize("channel", ["VOICE", "CHAT"])
def test_a_worker_event_that_never_arrives_is_heard_as_a_failure_at_the_claim_bound(
    play: PlayFn, channel: str
) -> None:
    # Lambda's queue drops the worker's event (or throttles it past its retries): no worker ever
    # claims the run. Every reader answers failed/worker_not_started once the claim bound
    # (worker_start_timeout_seconds) has passed, so the caller hears the fallback then, within
    # one hold loop, instead of "taking longer" after the whole wait.
    report = play(Scenario(work_seconds=8, worker_deliveries=0, channel=channel))
    _invariants(
        report, Expect("disconnected", "in_progress", FALLBACK.path_end, task_runs=0), detection=False
    )
    assert report.contact_attributes["error_code"] == "worker_not_started"
    bound_ms = int(setting("worker_start_timeout_seconds").default) * 1000
    verb = "hears" if channel == "VOICE" else "reads"
    heard_ms = next(e.at_ms for e in report.events if e.text == f'{verb} "{MESSAGES["fallback"]}"')
    one_loop_ms = max((end - begin for begin, end in report.speech + report.away), default=0) + POLL_MS + 50
    assert bound_ms <= heard_ms - START_MS <= bound_ms + one_loop_ms
    assert not report.worker_runs


@pytest.mark.parametrize(
    ("fault", "retried_at"),
    [
        # One tracker read hangs to the client's read timeout: check answers tracker_unavailable.
        (DynamoDBFault("check", "timeout"), "CheckAnswerError"),
        # start's write is throttled on every one of its retries: start answers tracker_unavailable.
        (DynamoDBFault("start", "throttle", times=4), "StartAnswered"),
    ],
)
def test_a_tracker_error_answer_is_retried_not_taken_for_the_runs_failure(
    play: PlayFn, fault: DynamoDBFault, retried_at: str
) -> None:
    # The function answered (so Connect takes no error branch), but only to say it could not
    # reach DynamoDB: the flow retries after the hold message, as for a failed call.
    report = play(Scenario(work_seconds=6, dynamodb_faults=(fault,)))
    # (A read that hangs to its timeout is that much silence: the other invariants hold.)
    assert (report.ending, report.final_status, report.task_runs) == ("disconnected", "completed", 1)
    assert tuple(report.path[-len(SUCCESS.path_end) :]) == SUCCESS.path_end
    assert report.limit_overruns == [] and report.longest_lambda_chain_seconds < CHAIN_LIMIT_SECONDS
    assert report.faults and retried_at in report.path
    retries = "CheckRetries" if retried_at == "CheckAnswerError" else "StartRetries"
    assert report.path[report.path.index(retried_at) + 1] == retries


def test_a_worker_that_raises_before_its_claim_is_retried_by_lambda_as_a_function_error(play: PlayFn) -> None:
    # The worker cannot reach DynamoDB for its claim (a burst past its retries): it raises, and
    # Lambda retries the event a minute later, as for any function error; by then the run is past
    # its claim bound, so the retry is refused and the task never runs late.
    report = play(Scenario(work_seconds=8, dynamodb_faults=(DynamoDBFault("worker", "5xx", times=20),)))
    timeline = report.timeline()
    assert "worker-1 fails: TrackerUnavailableError; Lambda retries" in timeline
    assert "(Lambda's retry 1)" in timeline and "refused (this run's worker started too late" in timeline
    assert report.task_runs == 0 and report.contact_attributes["error_code"] == "worker_not_started"


def test_a_failing_check_call_is_retried_after_the_hold_message(play: PlayFn) -> None:
    report = play(Scenario(work_seconds=2, failing_check_calls=1))
    _invariants(report, SUCCESS)
    assert "CheckRetries" in report.path
    assert report.invocations["check"] == 2


def test_check_failing_every_time_ends_in_the_fallback_with_call_failed(play: PlayFn) -> None:
    report = play(Scenario(work_seconds=2, failing_check_calls=100))
    _invariants(
        report,
        Expect("disconnected", "completed", ("SaveCallFailure", "Fallback", "AfterFallback", "Disconnect")),
    )
    assert report.contact_attributes["error_code"] == "call_failed"
    assert report.invocations["check"] == 3  # the first call and check_retry_attempts = 2


def test_a_failing_start_call_is_retried_once_without_a_second_run(play: PlayFn) -> None:
    report = play(Scenario(work_seconds=2, failing_start_calls=1))
    _invariants(report, SUCCESS)
    assert report.path[:6] == [
        "SetVoice",
        "InitSpokenProgress",
        "StartTask",
        "StartRetries",
        "StartRetryMessage",
        "StartTask",
    ]


def test_duplicate_start_from_connects_retries_runs_the_task_once(play: PlayFn) -> None:
    report = play(Scenario(work_seconds=10, start_deliveries=3, worker_deliveries=2))
    _invariants(report, SUCCESS)  # task_runs == 1
    assert report.invocations["start"] == 3
    assert report.timeline().count("ends: duplicate") == 1  # the second delivery found the claim


def test_caller_hangs_up_and_the_result_stays_readable(play: PlayFn) -> None:
    report = play(Scenario(work_seconds=30, hang_up_at_seconds=12))
    assert report.ending == "caller hung up"
    assert report.final_status == "completed"
    assert report.task_runs == 1
    assert report.detection_latency_ms is None
    assert report.limit_overruns == []


def test_chat_contact_reads_faster_than_voice_speaks(play: PlayFn) -> None:
    voice = play(Scenario(work_seconds=2))
    chat = play(Scenario(work_seconds=2, channel="CHAT"))
    _invariants(chat, SUCCESS)
    assert chat.total_wait_seconds < voice.total_wait_seconds
    assert 'reads "' in chat.timeline() and 'hears "' not in chat.timeline()


def test_requeue_disconnect_flow_puts_a_returning_chat_customer_back_in_the_queue(play: PlayFn) -> None:
    report = play(
        Scenario(work_seconds=3, channel="CHAT", customer_returns_at_seconds=40), "requeue_disconnect_flow"
    )
    _invariants(
        report,
        Expect(
            "transferred to a queue",
            "completed",
            ("RunTask/ReturnSuccess", "BranchOnTask", "SetRequeueQueue", "Requeue"),
        ),
    )
    assert report.path[:3] == ["WaitForCustomer", "SetTask", "RunTask"]
    assert report.target_queue == REQUEUE_QUEUE_ID
    assert report.contact_attributes["task_name"] == "record_return"


def test_requeue_disconnect_flow_retries_the_module_then_disconnects(play: PlayFn) -> None:
    # Every check call fails: the module ends with status "error" (call_failed) each time.
    report = play(
        Scenario(work_seconds=3, channel="CHAT", customer_returns_at_seconds=5, failing_check_calls=100),
        "requeue_disconnect_flow",
    )
    _invariants(report, Expect("disconnected", "completed", ("RetryTask", "Disconnect")))
    assert report.path.count("RunTask") == 3  # the first call and retry_attempts = 2
    assert report.contact_attributes["error_code"] == "call_failed"
    assert report.target_queue is None


def test_requeue_disconnect_flow_does_not_retry_a_failed_task(play: PlayFn) -> None:
    report = play(
        Scenario(work_seconds=3, outcome="fail", channel="CHAT", customer_returns_at_seconds=5),
        "requeue_disconnect_flow",
    )
    _invariants(
        report, Expect("disconnected", "failed", ("RunTask/ReturnError", "BranchOnTask", "Disconnect"))
    )
    assert report.path.count("RunTask") == 1


def test_requeue_disconnect_flow_disconnects_when_the_customer_never_returns(play: PlayFn) -> None:
    report = play(Scenario(channel="CHAT"), "requeue_disconnect_flow")
    _invariants(report, Expect("disconnected", "absent", ("WaitForCustomer", "Disconnect"), task_runs=0))


def test_hold_message_text_is_what_the_module_configures(play: PlayFn) -> None:
    # Voice: sentence by sentence, in order, the words unchanged. Chat: the whole text.
    report = play(Scenario(work_seconds=6, progress_messages=()))
    assert report.spoken[: len(HOLD_SENTENCES)] == HOLD_SENTENCES
    assert " ".join(HOLD_SENTENCES) == MESSAGES["hold"]
    chat = play(Scenario(work_seconds=6, progress_messages=(), channel="CHAT"))
    assert chat.spoken[0] == MESSAGES["hold"]


PROMPT_ARN = (
    "arn:aws:connect:eu-west-2:123456789012:instance/0e3b1d0a-1111-4222-8333-444455556666"
    "/prompt/9f3b1d0a-1111-4222-8333-444455556666"
)


@pytest.mark.parametrize(("channel", "hold"), [("VOICE", "HoldPrompt"), ("CHAT", "HoldText")])
def test_a_recorded_hold_prompt_plays_on_voice_and_chat_reads_the_text(channel: str, hold: str) -> None:
    flows = render_flows(voice_hold_prompt_arn=PROMPT_ARN)
    assert check_flow(str(flows["inbound_flow"])) == []
    with moto.mock_aws():
        create_tracker_table(DEPLOYMENT.table_name)
        report = CallSimulator(str(flows["inbound_flow"]), functions=FUNCTIONS, deployment=DEPLOYMENT).run(
            Scenario(work_seconds=2, channel=channel, progress_messages=())
        )
    _invariants(report, SUCCESS)  # includes: no voice-only prompt reached a chat contact
    assert hold in report.path


# -- the caller's words in, the answer out (examples/ask.tfvars) -----------------------------

ASK = {
    "task_parameters": {"question": "$.Attributes.question"},
    "result_attribute_keys": ["answer"],
    "messages": {**MESSAGES, "success": "Here is what I found. {result.answer}"},
}
QUESTION = "When will my parcel arrive?"
ANSWER = "Your parcel arrives today before 6 pm."


@pytest.fixture(scope="module")
def ask_flows() -> dict[str, str | None]:
    return render_flows(**ASK)


def _ask(flows: dict[str, str | None], scenario: Scenario) -> CallReport:
    """Play the inbound flow rendered with ASK, the Bedrock task answering (its model stubbed)."""
    with moto.mock_aws():
        deployment = Deployment.with_settings(table_name=f"tracker-{next(_tables)}", result_keys=("answer",))
        create_tracker_table(deployment.table_name)
        simulator = CallSimulator(
            str(flows["inbound_flow"]),
            functions=FUNCTIONS,
            deployment=deployment,
            task=bedrock_answer(ANSWER, model_seconds=6),
        )
        return simulator.run(scenario)


@pytest.mark.parametrize("channel", ["VOICE", "CHAT"])
def test_a_callers_question_is_answered_aloud(ask_flows: dict[str, str | None], channel: str) -> None:
    report = _ask(ask_flows, Scenario(channel=channel, attributes={"question": QUESTION}))
    _invariants(report, SUCCESS)
    assert f"start gets question={QUESTION!r}" in report.timeline()  # the question goes in
    assert report.spoken[-1] == f"Here is what I found. {ANSWER}"  # the answer is spoken
    assert report.contact_attributes["result_answer"] == ANSWER  # and saved for the next flow


def test_without_the_question_the_bedrock_task_fails_and_the_caller_hears_the_fallback(
    ask_flows: dict[str, str | None],
) -> None:
    report = _ask(ask_flows, Scenario())  # nothing upstream set the contact attribute
    assert report.contact_attributes["error_code"] == "missing_parameter"
    assert report.spoken[-1] == MESSAGES["fallback"]


def test_chat_reads_the_hold_text_when_the_wait_begins_then_about_every_thirty_seconds(play: PlayFn) -> None:
    report = play(Scenario(work_seconds=100, channel="CHAT", progress_messages=()))
    _invariants(report, SUCCESS)
    sent_ms = [e.at_ms for e in report.events if e.text == f'reads "{MESSAGES["hold"]}"']
    assert sent_ms[0] - START_MS < 1_000  # as soon as the wait begins
    gaps_s = [(b - a) / 1000 for a, b in itertools.pairwise(sent_ms)]
    assert len(sent_ms) == 4 and all(30 <= gap <= 35 for gap in gaps_s), gaps_s
    # Between two texts the flow pauses (a Wait), then reads the run once.
    assert report.away and max(end - begin for begin, end in report.away) == 4_000


def test_a_chat_wait_lasts_as_long_as_a_voice_wait(play: PlayFn) -> None:
    voice = play(Scenario(work_seconds=200, progress_messages=()))
    chat = play(Scenario(work_seconds=200, channel="CHAT", progress_messages=()))
    _invariants(chat, TAKING_LONGER)
    # Both loop LOOPS times through 4 s of hold (spoken, or a pause); neither gives up early.
    assert chat.path.count("CheckTask") == voice.path.count("CheckTask") == LOOPS + 1
    assert 120 <= chat.total_wait_seconds <= voice.total_wait_seconds + 5


def test_terraform_and_the_simulator_split_the_hold_message_alike() -> None:
    # One pattern (the contract's) in both; a decimal point or an ellipsis inside a sentence
    # does not end it.
    hold = "Please hold... It costs $3.50 today!  Really? Yes, e.g. this one. Last"
    flows = render_flows(messages={**MESSAGES, "hold": hold})
    actions = json.loads(str(flows["inbound_flow"]))["Actions"]
    clips = [a["Parameters"]["Text"] for a in actions if a["Identifier"].startswith("HoldClip")]
    assert clips == hold_sentences(hold)
    assert clips == ["Please hold...", "It costs $3.50 today!", "Really?", "Yes, e.g.", "this one.", "Last"]
