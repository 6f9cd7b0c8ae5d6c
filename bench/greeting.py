"""The fast path, from the simulator: the silence a caller hears before the greeting.

Each case plays one call through the inbound flow rendered with ``examples/lookup.tfvars`` (the
module's lookup first, then a 2-second task), with the configuration table answering, throttling
every read, hanging (each request cut by the client's read timeout), or missing, and with the
lookup's invocation itself failing. The baseline is the usual hand-made lookup: the block left
at Connect's 8 s limit, the SDK's default timeouts (a hanging read waits up to 60 s), no budget:
Connect cuts it at 8 s and the flow takes its error branch. Simulated time: the same numbers on
every machine.

    .venv/bin/python -m bench.greeting [--json out.json]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final

import moto

from flowkit import demo
from flowkit.plan import Rendered
from flowkit.simulator import (
    CallSimulator,
    Kit,
    Scenario,
    create_config_table,
    create_tracker_table,
)

ROOT = Path(__file__).resolve().parent.parent

__all__ = ["CASES", "measure"]

EXAMPLE: Final = ROOT / "examples" / "lookup.tfvars"
NUMBER: Final = "+442071234567"
# (what happens, the scenario): the task is short, the greeting is what is measured.
CASES: Final = (
    ("a number with its own item", Scenario(work_seconds=2, dialled_number=NUMBER)),
    ("another number: the default item", Scenario(work_seconds=2, dialled_number="+15550100")),
    (
        "the table throttles every read",
        Scenario(work_seconds=2, dialled_number=NUMBER, config_table="throttled"),
    ),
    ("the table hangs", Scenario(work_seconds=2, dialled_number=NUMBER, config_table="slow")),
    ("the table does not exist", Scenario(work_seconds=2, dialled_number=NUMBER, config_table="missing")),
    (
        "the lookup's invocation fails",
        Scenario(work_seconds=2, dialled_number=NUMBER, failing_lookup_calls=1),
    ),
)


class _HandMadeLookup:
    """A lookup with no budget: on a hanging table its read waits on the SDK's default timeout
    (60 s), past the block's limit, so Connect cuts the call and takes the error branch."""

    def __init__(self, kit: Kit) -> None:
        self._kit = kit

    def handle(self, event: object, remaining_ms: int) -> Mapping[str, str]:
        self._kit.clock.sleep_ms(remaining_ms + 1)
        return {}


def _play(rendered: Rendered, scenario: Scenario, hand_made: bool = False) -> dict[str, Any]:
    deployment = rendered.deployment()
    functions = {demo.START_ARN: "start", demo.CHECK_ARN: "check", demo.LOOKUP_ARN: "lookup"}
    custom: dict[str, Any] = {}
    if hand_made:
        functions[demo.LOOKUP_ARN] = "hand-made lookup"
        custom["hand-made lookup"] = _HandMadeLookup
    with moto.mock_aws():
        create_tracker_table(deployment.table_name)
        create_config_table(deployment)
        report = CallSimulator(
            str(rendered["inbound_flow"]), functions=functions, deployment=deployment, custom_functions=custom
        ).run(scenario)
    attributes = report.contact_attributes
    lookup = "hand-made lookup" if hand_made else "lookup"
    return {
        "silence_before_greeting_ms": report.silence_before_first_words_ms,
        "greeting": report.spoken[0] if report.spoken else "",
        "source": attributes.get("config_source", ""),
        "error_code": attributes.get("config_error_code", ""),
        "language": report.language,
        "voice": report.voice,
        "lookup_billed_ms": report.billed_ms.get(lookup, 0),
        "config_requests": report.config_requests,
    }


def measure() -> dict[str, Any]:
    rendered = demo.render(EXAMPLE)
    hand_made = demo.render(EXAMPLE, {"lookup_time_limit_seconds": 8})
    timing = rendered.timing
    rows = [
        {"case": case, "design": "module defaults", **_play(rendered, scenario)} for case, scenario in CASES
    ]
    rows.append(
        {
            "case": "the table hangs",
            "design": "hand-made lookup (8 s block, SDK defaults)",
            **_play(hand_made, dict(CASES)["the table hangs"], hand_made=True),
        }
    )
    return {
        "lookup_budget_ms": timing["lookup_budget_ms"],
        "lookup_time_limit_seconds": timing["lookup_time_limit_seconds"],
        "rows": rows,
    }


@demo.on_the_emulator
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    with contextlib.redirect_stdout(io.StringIO()):  # Powertools' metric flushes (EMF lines)
        result = measure()
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
