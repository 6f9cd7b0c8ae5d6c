"""Compare tunings before applying: the same call played under each, measured side by side.

    make compare TFVARS="examples/ops.tfvars"                  # the module's defaults against ops
    make compare TFVARS="a.tfvars b.tfvars" SCENARIO=slow      # two tunings of your own

Each tuning is applied by the module's own plan (a bad one fails with the module's message), the
scenario is played on the simulator as `make demo` plays it, and the measurements are printed
with their differences, then both calls as one Mermaid gantt chart.
"""

from __future__ import annotations

import argparse
import math
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from flowkit import demo
from flowkit.diagram import calls_gantt
from flowkit.plan import ROOT
from flowkit.prices import PRICES, price_per_1000
from flowkit.scenario import CATALOGUE
from flowkit.simulator import CallReport


@dataclass(frozen=True)
class Row:
    name: str
    measure: Callable[[CallReport, dict[str, int]], float]
    unit: str
    digits: int = 1


def _answer_latency_ms(report: CallReport, _: dict[str, int]) -> float:
    latency = report.answer_latency_ms
    return float("nan") if latency is None else float(latency)


def _gb_seconds(report: CallReport, memory: dict[str, int]) -> float:
    return sum(report.gb_seconds(memory).values())


def _price(report: CallReport, memory: dict[str, int]) -> float:
    # As the benchmarks price a contact; items stay under 1 KB: one unit per request.
    return price_per_1000(
        dict(report.invocations), report.gb_seconds(memory), report.dynamodb_reads, report.dynamodb_writes
    )


ROWS = (
    Row("caller's total time", lambda r, _: r.total_wait_seconds, "s"),
    Row("longest silence", lambda r, _: r.longest_silence_seconds, "s"),
    Row("answer latency (worker done -> the caller hears it)", _answer_latency_ms, "ms", 0),
    Row(
        "prompts heard per minute (each hold sentence one)",
        lambda r, _: len(r.speech) / max(r.total_wait_seconds / 60, 1e-9),
        "",
        1,
    ),
    Row("Lambda invocations", lambda r, _: float(sum(r.invocations.values())), "", 0),
    Row("Lambda GB-seconds (start, check)", _gb_seconds, "GB-s", 3),
    Row("DynamoDB reads", lambda r, _: float(r.dynamodb_reads), "", 0),
    Row("DynamoDB writes", lambda r, _: float(r.dynamodb_writes), "", 0),
    Row("Lambda + DynamoDB per 1,000 calls", _price, "USD", 4),
    Row(
        "Connect voice minutes per 1,000 calls",
        lambda r, _: r.total_wait_seconds / 60 * PRICES["connect_voice_minute"] * 1000,
        "USD",
        2,
    ),
)


def _cell(value: float, row: Row) -> str:
    if math.isnan(value):  # nothing to measure (the answer never came)
        return "n/a"
    return f"{value:.{row.digits}f} {row.unit}".rstrip()


def _difference(a: float, b: float, row: Row) -> str:
    if math.isnan(a) or math.isnan(b):
        return ""
    change = b - a
    return f"{change:+.{row.digits}f} {row.unit}".rstrip() if change else "same"


def compare(scenario: str, tunings: list[Path | None]) -> str:
    labels = [os.path.relpath(t, ROOT) if t else "module defaults" for t in tunings]
    played = [demo.play(scenario, tuning) for tuning in tunings]
    memory = [dict(rendered.deployment().memory_mb) for rendered, _ in played]
    reports = [report for _, report in played]
    header = f"| measurement | {' | '.join(labels)} |" + (" difference |" if len(labels) == 2 else "")
    lines = [header, "|" + "---|" * (len(labels) + 1 + (len(labels) == 2))]
    # How each call ended first: a shorter call that took the taking-longer path is not better.
    endings = [report.ended_on for report in reports]
    differ = len(set(endings)) > 1
    lines.append(
        f"| how the call ended | {' | '.join(report.outcome for report in reports)} |"
        + ((" **different: read this first** |" if differ else " same |") if len(labels) == 2 else "")
    )
    for row in ROWS:
        values = [row.measure(report, mem) for report, mem in zip(reports, memory, strict=True)]
        cells = [_cell(value, row) for value in values]
        extra = f" {_difference(values[0], values[1], row)} |" if len(values) == 2 else ""
        lines.append(f"| {row.name} | {' | '.join(cells)} |{extra}")
    loops = ", ".join(
        f"{label}: {demo.pacing(rendered.timing)}"
        for label, (rendered, _) in zip(labels, played, strict=True)
    )
    entry = CATALOGUE[scenario]
    chart = calls_gantt(dict(zip(labels, reports, strict=True)), f"make compare SCENARIO={scenario}")
    warning = (
        "The calls ended differently ("
        + ", ".join(f"{label}: {ending}" for label, ending in zip(labels, endings, strict=True))
        + "): compare the measurements with that in mind.\n\n"
        if differ
        else ""
    )
    return (
        f"Scenario {scenario}: {entry.about or f'{entry.call.work_seconds:g} s of work'}, "
        f"{entry.call.channel}\n"
        f"Tunings: {loops}\n\n" + warning + "\n".join(lines) + f"\n\n```mermaid\n{chart}```\n"
    )


@demo.on_the_emulator
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("tfvars", nargs="+", type=Path, help="one tfvars (against the defaults) or two")
    parser.add_argument("--scenario", choices=sorted(CATALOGUE), default="typical")
    args = parser.parse_args(argv)
    if len(args.tfvars) > 2:
        parser.error("compare one tfvars file against the module's defaults, or two against each other")
    for path in args.tfvars:
        if not path.is_file():
            parser.error(f"{path} is not a file")
    tunings: list[Path | None] = [None, *args.tfvars] if len(args.tfvars) == 1 else list(args.tfvars)
    print(compare(args.scenario, tunings), end="")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
