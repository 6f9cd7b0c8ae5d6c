"""What happens on one simulated call (``Scenario``): the work's length and outcome, the channel,
the faults injected (failing calls, duplicate deliveries, a crash, a hang-up), the attributes an
earlier flow set, the number dialled and how the configuration table behaves; and the catalogue
`make demo` plays (``CATALOGUE``): adding a scenario is one entry there."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Final

from connect_async.tasks import TaskContext
from flowkit.faults import DynamoDBFault
from flowkit.stub_tasks import bedrock_answer

__all__ = ["ASK_ANSWER", "CATALOGUE", "Demo", "Scenario"]


@dataclass(frozen=True)
class Scenario:
    """What happens on this call."""

    work_seconds: float = 25.0
    outcome: str = "succeed"  # succeed | fail | crash (the worker dies after claiming: no update, ever)
    # With your own task (connect-async play, make demo TASK=): it stalls this long after its
    # first progress report (a slow third party), then goes on; 0: it runs as it is.
    stall_seconds: float = 0
    channel: str = "VOICE"
    hang_up_at_seconds: float | None = None
    failing_check_calls: int = 0  # the first N check invocations fail (Connect takes the error branch)
    failing_start_calls: int = 0  # the first N start invocations fail
    failing_lookup_calls: int = 0  # the first N lookup invocations fail (throttled by Lambda, say)
    # Connect retries a block's invocation (its first answers were lost): start runs this often.
    start_deliveries: int = 1
    # Lambda delivers an asynchronous event at least once: the worker gets the job this often
    # (0: the event is throttled past its retries or dropped, and no worker ever starts).
    worker_deliveries: int = 1
    # A chat customer comes back this many seconds into a disconnect flow's Wait (None: never).
    customer_returns_at_seconds: float | None = None
    progress_messages: tuple[str, ...] = ("Checking your details.", "Almost done.")
    # Contact attributes set before this flow runs (by an earlier flow: the caller's question, say).
    attributes: Mapping[str, str] = field(default_factory=dict)
    # The number the customer dialled ($.SystemEndpoint.Address), which the lookup may key on.
    dialled_number: str = "+15550100"
    # The configuration table on this call: ok | throttled | slow | missing (config_lookup).
    config_table: str = "ok"
    # Faults in the tracker's requests: whose, which, and how they fail (flowkit.faults).
    dynamodb_faults: tuple[DynamoDBFault, ...] = ()
    # How start's invoke attempts fail, in order (start retries them as it does in Lambda):
    # "error" (refused, throttled: nothing is delivered) or "lost_answer" (delivered, but start
    # sees a timeout).
    invoke_faults: tuple[str, ...] = ()
    # The caller's number ($.CustomerEndpoint.Address): personal data no log or prompt may carry.
    customer_phone: str = "+447700900456"


@dataclass(frozen=True)
class Demo:
    """A scenario of `make demo`'s catalogue: the call, what it shows (one line: the README's
    scenario table is generated from it), the flow it plays, the tuning it needs unless TFVARS
    names another (a path from the repository's root), and the real task it runs instead of the
    scripted one (its outside service stubbed)."""

    call: Scenario
    about: str = ""
    flow: str = "inbound_flow"
    tfvars: str | None = None
    task: Callable[[TaskContext], object] | None = None


# What the Bedrock task's stubbed model answers in the "ask" scenarios.
ASK_ANSWER: Final = "Your parcel is out for delivery and arrives today before 6 pm."
_ASKED: Final = {"question": "When will my parcel arrive?"}
_MORTGAGES: Final = "+442071234567"

CATALOGUE: dict[str, Demo] = {
    "fast": Demo(Scenario(work_seconds=2), "a 2-second task: answered within the first sentence"),
    "typical": Demo(Scenario(work_seconds=25), "a 25-second task that reports its progress twice"),
    "slow": Demo(Scenario(work_seconds=90), "a 90-second task"),
    "too-slow": Demo(
        Scenario(work_seconds=200, stall_seconds=200),
        "200 s, longer than the 120 s wait: the taking-longer path; the run completes later, readable",
    ),
    "fail": Demo(Scenario(work_seconds=8, outcome="fail"), "the task raises: the fallback path"),
    "crash": Demo(
        Scenario(work_seconds=8, outcome="crash"),
        "the worker dies after its claim: heard within one lease; then the reconciler settles the run",
        tfvars="examples/reconcile.tfvars",
    ),
    "lost-event": Demo(
        Scenario(work_seconds=8, worker_deliveries=0),
        "Lambda's queue drops the worker's event: the fallback at the 30 s claim bound, not after the wait",
    ),
    "hangup": Demo(Scenario(work_seconds=25, hang_up_at_seconds=10), "the caller hangs up after 10 s"),
    "flaky-check": Demo(Scenario(work_seconds=12, failing_check_calls=1), "one check call fails: retried"),
    "duplicates": Demo(
        Scenario(work_seconds=12, start_deliveries=3, worker_deliveries=2),
        "Connect retries start twice, Lambda delivers the worker twice: the task runs once",
    ),
    "chat": Demo(Scenario(work_seconds=25, channel="CHAT"), "the typical task on a chat contact"),
    "requeue": Demo(
        Scenario(work_seconds=6, channel="CHAT", customer_returns_at_seconds=30),
        "the chat re-queue disconnect flow: the customer comes back 30 s after the agent left",
        flow="requeue_disconnect_flow",
    ),
    "ask": Demo(
        Scenario(work_seconds=6, attributes=_ASKED),
        "a caller's question (a contact attribute set upstream) answered aloud by the Bedrock task",
        tfvars="examples/ask.tfvars",
        task=bedrock_answer(ASK_ANSWER, model_seconds=6),
    ),
    "ask-chat": Demo(
        Scenario(work_seconds=6, channel="CHAT", attributes=_ASKED),
        "the same question on chat",
        tfvars="examples/ask.tfvars",
        task=bedrock_answer(ASK_ANSWER, model_seconds=6),
    ),
    "branded": Demo(
        Scenario(work_seconds=6, dialled_number=_MORTGAGES),
        "the configuration lookup at the start of the call: a number with its own branded greeting",
        tfvars="examples/lookup.tfvars",
    ),
    "lookup-fail": Demo(
        Scenario(work_seconds=6, dialled_number=_MORTGAGES, config_table="throttled"),
        "the configuration table throttles every read: the default greeting",
        tfvars="examples/lookup.tfvars",
    ),
    "lookup-slow": Demo(
        Scenario(work_seconds=6, dialled_number=_MORTGAGES, config_table="slow"),
        "the configuration table hangs: the lookup's budget ends it",
        tfvars="examples/lookup.tfvars",
    ),
}
