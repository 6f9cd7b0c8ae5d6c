"""Write what is generated from the flows: the flows themselves (flows/*.json), flowcharts and
the table of shapes (which export shows each) in flows/README.md, and a call chart and the table
of `make demo`'s scenarios (from flowkit/scenario.py's CATALOGUE) and `make compare`'s worked
example in README.md.

The flows are rendered by Terraform from the module's defaults (as `make demo` does: modules/plan
with placeholder ARNs and ids), drawn with flowkit.diagram, and the README's chart is the demo's
25-second scenario played on the simulator. The virtual clock makes the replay deterministic, so
a test can compare.

    python -m scripts.flow_docs            # rewrite them (make gen runs this with the rest)
    python -m scripts.flow_docs --check    # exit 1 if any is stale
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

from flowkit import demo
from flowkit.diagram import call_gantt, flow_flowchart
from flowkit.plan import ROOT
from flowkit.scenario import CATALOGUE
from flowkit.shapes import shape_table
from scripts import compare, flow_layout

FLOWS_README = ROOT / "flows" / "README.md"
README = ROOT / "README.md"
FLOW_MARKERS = ("<!-- BEGIN_FLOW_DIAGRAMS -->", "<!-- END_FLOW_DIAGRAMS -->")
SHAPE_MARKERS = ("<!-- BEGIN_FLOW_SHAPES -->", "<!-- END_FLOW_SHAPES -->")
CALL_MARKERS = ("<!-- BEGIN_DEMO_CALL -->", "<!-- END_DEMO_CALL -->")
SCENARIO_MARKERS = ("<!-- BEGIN_SCENARIOS -->", "<!-- END_SCENARIOS -->")
COMPARE_MARKERS = ("<!-- BEGIN_COMPARE_OPS -->", "<!-- END_COMPARE_OPS -->")
TITLES = {
    "inbound_flow": "The inbound flow (`inbound.json.tftpl` + the wait actions)",
    "wait_module": "The flow module (`wait_for_task_module.json.tftpl` + the same wait actions)",
    "requeue_disconnect_flow": (
        "The re-queue disconnect flow (`requeue_disconnect.json.tftpl`, with the demo's settings)"
    ),
    "config_lookup_module": (
        "The config lookup flow module (`config_lookup_module.json.tftpl` + the lookup actions, "
        "with `examples/lookup.tfvars`)"
    ),
}
# The fast path is off by default: its flow module is drawn with the example's items.
LOOKUP_TFVARS = ROOT / "examples" / "lookup.tfvars"
SCENARIO = "typical"
# Each rendered flow, as the module's defaults give it, where a reader (or the console's import)
# can take it.
RENDERED = {
    "inbound_flow": ROOT / "flows" / "inbound.json",
    "wait_module": ROOT / "flows" / "wait_for_task_module.json",
    "requeue_disconnect_flow": ROOT / "flows" / "requeue_disconnect.json",
    "config_lookup_module": ROOT / "flows" / "config_lookup_module.json",
}


def _between(text: str, markers: tuple[str, str], body: str) -> str:
    begin, end = markers
    pattern = re.compile(re.escape(begin) + r".*?" + re.escape(end), re.DOTALL)
    if not pattern.search(text):
        raise SystemExit(f"markers {begin} ... {end} not found")
    return pattern.sub(lambda _: f"{begin}\n{body}{end}", text)


def _sections(text: str, bodies: dict[tuple[str, str], str]) -> str:
    for markers, body in bodies.items():
        text = _between(text, markers, body)
    return text


def flow_section(flows: dict[str, str]) -> str:
    parts = []
    for name, title in TITLES.items():
        parts.append(f"### {title}\n\n```mermaid\n{flow_flowchart(flows[name])}```\n")
    return "\n".join(parts)


def call_section() -> str:
    rendered, report = demo.play(SCENARIO, None)
    plan = rendered.timing
    work = CATALOGUE[SCENARIO].call.work_seconds
    latency = report.detection_latency_ms
    rows = [
        ("Caller's total time", f"{report.total_wait_seconds:.1f} s"),
        ("Longest silence", f"{report.longest_silence_seconds:.1f} s"),
        (
            "Longest prompt-free Lambda chain",
            f"{report.longest_lambda_chain_seconds:.1f} s (Connect's limit: 20 s)",
        ),
        ("Lambda invocations", ", ".join(f"{fn} {n}" for fn, n in report.invocations.items())),
        ("Billed ms", ", ".join(f"{fn} {ms}" for fn, ms in report.billed_ms.items())),
        ("DynamoDB reads / writes", f"{report.dynamodb_reads} / {report.dynamodb_writes}"),
        ("Detection latency (worker done -> flow knows)", f"{latency} ms"),
        ("Path end", " > ".join(report.path[-4:])),
    ]
    table = "\n".join(f"| {name} | {value} |" for name, value in rows)
    return (
        f"A {work:g}-second task with the module's defaults ({plan['loop_count']} loops, a "
        f"{plan['check_budget_ms']} ms check budget), as `make demo` plays it: what the caller hears, "
        "each Lambda call from the flow, and the worker.\n\n"
        f"```mermaid\n{call_gantt(report, f'make demo SCENARIO={SCENARIO}')}```\n\n"
        f"| measurement | value |\n|---|---|\n{table}\n"
    )


def scenario_section() -> str:
    """The catalogue as a table: each scenario's command, what it shows and the tuning it plays."""
    rows = []
    for name, entry in CATALOGUE.items():
        if not entry.about:
            raise SystemExit(
                f"scenario {name!r}: say what it shows in its Demo's about (flowkit/scenario.py)"
            )
        tuning = f"`{entry.tfvars}`" if entry.tfvars else "the module's defaults"
        rows.append(f"| `SCENARIO={name}` | {entry.about} | {tuning} |")
    return "| `make demo` | what the call shows | tuning |\n|---|---|---|\n" + "\n".join(rows) + "\n"


def compare_section() -> str:
    """`make compare TFVARS=examples/ops.tfvars`'s table for the 25-second task."""
    played = compare.compare(SCENARIO, [None, ROOT / "examples" / "ops.tfvars"])
    return "\n".join(line for line in played.splitlines() if line.startswith("|")) + "\n"


def generated_files() -> dict[Path, str]:
    """Each file (or README with its generated sections) and its exact text."""
    flows = {
        **demo.render(None).flows,
        "config_lookup_module": demo.render(LOOKUP_TFVARS).flows["config_lookup_module"],
    }
    # The shapes: every optional block on (queues, a recorded hold prompt, the lookup).
    richest = demo.render(None, flow_layout.TUNINGS[0]).flows
    flows_readme = _between(FLOWS_README.read_text(), FLOW_MARKERS, flow_section(flows))
    return {
        FLOWS_README: _between(flows_readme, SHAPE_MARKERS, shape_table({**flows, **richest})),
        README: _sections(
            README.read_text(),
            {
                CALL_MARKERS: call_section(),
                SCENARIO_MARKERS: scenario_section(),
                COMPARE_MARKERS: compare_section(),
            },
        ),
        **{path: json.dumps(json.loads(flows[name]), indent=2) + "\n" for name, path in RENDERED.items()},
    }


@demo.on_the_emulator
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args(argv)
    wanted = generated_files()
    stale = [path for path, text in wanted.items() if not path.exists() or path.read_text() != text]
    if args.check:
        for path in stale:
            print(f"{path.relative_to(ROOT)} is stale: run `make gen`", file=sys.stderr)
        return 1 if stale else 0
    for path in stale:
        path.write_text(wanted[path])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
