"""The chaos soak (bench/soak.py) in the suite: 1,200 calls through the module's own flows and
runtime, on every configuration, with every kind of fault at 10 % of calls each, and every
promise counted. A broken promise fails here, naming the calls (replay one with
``python -m bench.soak --call N``); the counts are docs/reliability.md's "Chaos soak" section."""

from __future__ import annotations

from collections import Counter

import pytest

from bench import soak
from tests.reliability.report import Recorder

pytestmark = pytest.mark.terraform


def _counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{name} {count}" for name, count in counts.items())


def test_the_chaos_soak_keeps_every_promise(recorder: Recorder) -> None:
    results = soak.run(soak.CALLS, soak.SEED, workers=2)
    summary = soak.summarise(results, soak.SEED)
    broken = [call for call in results if call.broken]
    assert not broken, "\n".join(
        f"call {call.index} ({call.configuration}; {', '.join(call.faults)}): {'; '.join(call.why)}"
        for call in broken[:20]
    )
    # The soak covers what it says it does: every fault at about its rate, every configuration,
    # every way a call ends, and each kind of tracker fault really striking requests.
    assert summary.calls >= 1_000
    for kind, planned in summary.planned.items():
        assert planned >= summary.calls * soak.FAULT_RATE * 0.7, kind
    assert set(summary.injected) == {"throttle", "5xx", "timeout", "lost_answer"}
    assert len(summary.by_configuration) == len(soak.CONFIGURATIONS)
    assert set(summary.outcomes) == {"answered", "fallback", "taking longer", "hung up"}
    absorbed = [call for call in results if call.absorbed]
    assert len(absorbed) >= 100 and all(call.ended_on != "fallback" for call in absorbed)

    codes = Counter(call.error_code for call in results if call.ended_on == "fallback")
    rows = [
        ("calls", f"{summary.calls} (seed {summary.seed}; another: `python -m bench.soak --seed N`)"),
        ("configurations (backend/wait/channel)", _counts(summary.by_configuration)),
        (f"calls planned with each fault ({summary.fault_rate:.0%} each)", _counts(summary.planned)),
        ("tracker requests the faults struck", _counts(summary.injected)),
        ("calls with at least one fault", str(summary.calls_with_a_fault)),
        ("how the calls ended", _counts(summary.outcomes)),
        ("the fallback's error codes", _counts(dict(codes.most_common()))),
        (
            "calls whose every fault the module absorbs (each on one request)",
            f"{len(absorbed)}: none heard the fallback",
        ),
        ("promises broken (calls)", _counts(summary.broken)),
        (
            "worst time from a failure being readable to the fallback heard",
            f"{summary.worst_fault_to_fallback_ms / 1000:.1f} s",
        ),
        (
            "worst time from the result to the answer heard, under faults",
            f"{summary.worst_answer_latency_ms / 1000:.1f} s",
        ),
    ]
    for measure, value in rows:
        recorder.add("soak", measure=measure, value=value)
