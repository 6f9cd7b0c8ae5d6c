"""What a simulated call leaves behind: the timeline and the measurements of one call."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final

__all__ = ["CONTACT_ID", "START_MS", "CallReport", "Event"]

# The call starts at this epoch millisecond on the virtual clock (2026-01-01T00:00:00Z).
START_MS: Final = 1_767_225_600_000
CONTACT_ID: Final = "5b8a0c1e-0000-4000-8000-0000000051a1"
# A silence this long or longer is written into the timeline, so a reader sees it.
_NOTABLE_SILENCE_MS: Final = 500


@dataclass(frozen=True)
class Event:
    at_ms: int
    actor: str
    text: str


@dataclass
class CallReport:
    path: list[str] = field(default_factory=list)
    channel: str = "VOICE"  # chat has no silence: a gap there is a stretch without a message
    events: list[Event] = field(default_factory=list)
    ending: str = ""
    total_wait_seconds: float = 0.0
    longest_silence_seconds: float = 0.0
    # The longest stretch of Lambda calls with no prompt between them (Connect allows 20 s).
    longest_lambda_chain_seconds: float = 0.0
    invocations: dict[str, int] = field(default_factory=dict)
    billed_ms: dict[str, int] = field(default_factory=dict)
    dynamodb_reads: int = 0
    dynamodb_writes: int = 0
    # The lookup's BatchGetItem requests on the configuration table (its retries included).
    config_requests: int = 0
    detection_latency_ms: int | None = None
    # When the run became final: its worker's completed or failed write, or the worker's death.
    run_finished_at_ms: int | None = None
    final_status: str = ""
    task_runs: int = 0  # how many times the task itself started (exactly-once is the goal)
    limit_overruns: list[str] = field(default_factory=list)
    # Voice-only prompts (SSML, PromptId) that a chat contact reached: Connect cannot send them.
    voice_only_prompts_on_chat: list[str] = field(default_factory=list)
    contact_attributes: dict[str, str] = field(default_factory=dict)
    target_queue: str | None = None
    # What Set language (UpdateContactData) and Set voice last set on the contact.
    language: str = ""
    voice: str = ""
    # (start, end) of each stretch the caller hears something, and what.
    speech: list[tuple[int, int]] = field(default_factory=list)
    spoken: list[str] = field(default_factory=list)
    # (function, start, end) of each Lambda call from the flow, and (name, start, end) of each
    # worker delivery.
    calls: list[tuple[str, int, int]] = field(default_factory=list)
    worker_runs: list[tuple[str, int, int]] = field(default_factory=list)
    # (start, end) of each stretch the customer is away (a Wait for them to come back): not silence.
    away: list[tuple[int, int]] = field(default_factory=list)
    # Worker events that ended in the dead-letter queue (every Lambda retry failed too).
    dead_lettered: int = 0
    # What the reconciler made of them (reconciler): reconciled, retry ... then unreconciled
    # when it kept failing; "" when there is no reconciler or nothing was dead-lettered.
    reconciliation: str = ""
    # What the reconcile function said, as recorded on the run's record (reconcile_outcome).
    reconcile_outcome: str = ""
    # backend step_functions: the states the execution entered (Standard bills each one).
    state_transitions: int = 0
    # The faults injected into this call's AWS requests, by kind (flowkit.faults).
    faults: dict[str, int] = field(default_factory=dict)

    @property
    def ended_on(self) -> str:
        """The path the call ended on: answered, fallback or taking longer (with the error code
        the flow saved), or, off those paths (a hang-up), the run's status."""
        code = str(self.contact_attributes.get("error_code", "") or "")
        if "Success" in self.path:
            return "answered"
        if "TakingLonger" in self.path:
            return f"taking longer ({code or 'wait_exceeded'}, the run then {self.final_status})"
        if "Fallback" in self.path:
            return f"fallback ({code})" if code else "fallback"
        return f"the run {self.final_status}"

    @property
    def outcome(self) -> str:
        """How the call ended, in a line: its path, what the caller heard last, where it went."""
        last = f'; heard last "{self.spoken[-1]}"' if self.spoken else ""
        return f"{self.ended_on}{last}; {self.ending}"

    def timeline(self) -> str:
        return "\n".join(f"{(e.at_ms - START_MS) / 1000:7.2f}s  {e.actor:<7} {e.text}" for e in self.events)

    @property
    def silence_before_first_words_ms(self) -> int | None:
        """From the call's start to the first thing the caller hears (the greeting, say)."""
        return min(begin for begin, _ in self.speech) - START_MS if self.speech else None

    def gb_seconds(self, memory_mb: Mapping[str, int]) -> dict[str, float]:
        """Billed GB-seconds per function (start and check; the worker's run is the task's)."""
        return {fn: ms / 1000 * memory_mb.get(fn, 128) / 1024 for fn, ms in self.billed_ms.items()}

    def bill(self, function: str, ms: int) -> None:
        self.billed_ms[function] = self.billed_ms.get(function, 0) + ms

    def invoked(self, function: str) -> None:
        self.invocations[function] = self.invocations.get(function, 0) + 1

    @property
    def answer_latency_ms(self) -> int | None:
        """The run's end -> the caller starts hearing the first prompt after the flow learnt of it
        (the answer, or the fallback). None when the flow never learnt of it."""
        if self.run_finished_at_ms is None or self.detection_latency_ms is None:
            return None
        learnt_ms = self.run_finished_at_ms + self.detection_latency_ms
        heard = [begin for begin, _ in self.speech if begin >= learnt_ms]
        return min(heard) - self.run_finished_at_ms if heard else None

    def finish(self, final_status: str) -> None:
        """Close the report once the call and its workers are done: order the timeline and measure
        the silences."""
        self.final_status = final_status
        self.events.sort(key=lambda e: e.at_ms)
        self.longest_silence_seconds = self._longest_silence()

    def _longest_silence(self) -> float:
        """Gaps between the end of one thing the caller hears and the start of the next.

        Each gap of half a second or more also goes into the timeline, so a reader sees it.
        """
        marks = (
            [START_MS]
            + [m for span in sorted(self.speech + self.away) for m in span]
            + [START_MS + int(self.total_wait_seconds * 1000)]
        )
        gaps = [(marks[i], marks[i + 1] - marks[i]) for i in range(0, len(marks) - 1, 2)]
        for begin, length in gaps:
            if length >= _NOTABLE_SILENCE_MS:
                gap = "of silence" if self.channel == "VOICE" else "without a message"
                self.events.append(Event(begin, "", f"... {length / 1000:.1f} s {gap}"))
        self.events.sort(key=lambda e: e.at_ms)
        return max((length for _, length in gaps), default=0) / 1000
