"""The answer-latency workload of `make bench` (bench/workload.py): its draws and its measures.

Numbers here are the simulator's virtual time, the same on every machine; no test asserts how
long anything takes to run.
"""

from __future__ import annotations

import math
import statistics

import pytest

from bench import workload

pytestmark = pytest.mark.terraform

Played = dict[str, list[workload.Call]]  # the calls played, by kind of task


def test_task_lengths_are_log_normal_with_the_median_and_spread_asked_for() -> None:
    lengths = [workload.task_seconds(30, index) for index in range(4000)]
    logs = [math.log(x) for x in lengths]
    assert statistics.median(lengths) == pytest.approx(30, rel=0.03)
    sigma = statistics.stdev(logs)
    assert math.sqrt(math.exp(sigma**2) - 1) == pytest.approx(workload.CV, abs=0.02)  # CV of a log-normal


def test_the_same_calls_on_every_run() -> None:
    first = [workload.task_seconds(15, i) for i in range(5)]
    assert first == [workload.task_seconds(15, i) for i in range(5)]
    assert workload.task_seconds(15, 0) != workload.task_seconds(15, 1)


@pytest.fixture(scope="module")
def calls() -> Played:
    return {
        progress: workload.run(calls=3, medians=(5, 15), workers=1, progress=progress)
        for progress in ("even", "none")
    } | {"chat": workload.run(calls=2, medians=(5,), workers=1, channel="CHAT")}


def test_every_call_is_answered_without_breaking_connects_limits(calls: Played) -> None:
    for played in calls.values():
        assert all(c.answered for c in played)
        assert all(c.limit_overruns == 0 and c.longest_lambda_chain_seconds < 20 for c in played)


def test_a_voice_answer_waits_at_most_for_the_sentence_playing(calls: Played) -> None:
    # The default hold message: 4 s over 12 words, the longest sentence 5 words (1.67 s); a
    # result is read within that, or within a poll when check was polling, plus the call itself.
    longest_sentence_ms = 4000 * 5 / 12
    for call in calls["even"] + calls["none"]:
        assert call.answer_latency_ms is not None
        assert call.answer_latency_ms <= longest_sentence_ms + 100
        assert call.longest_silence_seconds <= 1.05


def test_a_task_that_reports_nothing_costs_one_read_per_sentence(calls: Played) -> None:
    # No progress, no polling: start, one check call per sentence, tens of milliseconds each.
    for call in calls["none"]:
        assert call.longest_silence_seconds < 0.1
        assert call.overhead_gb_seconds < 0.1


def test_the_summary_counts_what_the_caller_hears(calls: Played) -> None:
    summaries = workload.summarise(calls["even"])
    assert [s.median_seconds for s in summaries] == [5, 15]
    for s in summaries:
        assert s.answered == s.calls == 3
        assert s.latency_p50_ms <= s.latency_p90_ms <= s.latency_max_ms
        # Three sentences per hold message, each counted.
        assert s.hold_sentences_per_minute == pytest.approx(3 * s.hold_messages_per_minute, rel=0.35)
    chat = workload.summarise(calls["chat"])[0]
    assert chat.hold_sentences_per_minute == chat.hold_messages_per_minute  # a chat text is the whole message
