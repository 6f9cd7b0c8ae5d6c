"""What happens on one simulated call: the work's length and outcome, the channel, the faults
injected (failing calls, duplicate deliveries, a crash, a hang-up), the attributes an earlier flow
set, the number dialled and how the configuration table behaves."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

__all__ = ["Scenario"]


@dataclass(frozen=True)
class Scenario:
    """What happens on this call."""

    work_seconds: float = 25.0
    outcome: str = "succeed"  # succeed | fail | crash (the worker dies after claiming: no update, ever)
    channel: str = "VOICE"
    hang_up_at_seconds: float | None = None
    failing_check_calls: int = 0  # the first N check invocations fail (Connect takes the error branch)
    failing_start_calls: int = 0  # the first N start invocations fail
    failing_lookup_calls: int = 0  # the first N lookup invocations fail (throttled by Lambda, say)
    # Connect retries a block's invocation (its first answers were lost): start runs this often.
    start_deliveries: int = 1
    # Lambda delivers an asynchronous event at least once: the worker gets the job this often.
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
