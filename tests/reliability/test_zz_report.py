"""docs/reliability.md is the table of what this suite tried and saw (runs last in the suite).

RELIABILITY_REPORT=write .venv/bin/pytest -q tests/reliability    # make docs does this
"""

from __future__ import annotations

import os

import pytest

from tests.reliability.conftest import Recorder
from tests.support.terraform_runner import ROOT

REPORT = ROOT / "docs" / "reliability.md"
SECTIONS = {
    "faults": "Faults at every AWS call site",
    "races": "Races, a killed worker, clock skew",
    "liveness": "Liveness: a worker that dies is heard as a failure within one lease",
    "contract": "The contract's gaps an independent suite found, each class with a regression case",
    "load": "Load: 200 contacts at once (moto server on 127.0.0.1)",
    "abuse": "Hostile input",
    "security": "Security",
}
INTRO = """# Reliability report

Generated from the results of the reliability suite (`tests/reliability`), which `make test`
runs; regenerate with `make docs`. Every row is a test that passed: its expected outcome is
asserted, and so are the invariants every case ends with: start and check answer with a string
map (no exception reaches Connect), the run's record is final or becomes final for every reader
at its deadline (the flow can always leave its loop), the task runs at most once per attempt,
and replaying every delivery and call afterwards changes no final record.
"""


def _table(rows: list[dict[str, str]]) -> str:
    columns = list(rows[0])
    lines = ["| " + " | ".join(c.replace("_", " ") for c in columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(row[c].replace("|", "/") for c in columns) + " |" for row in rows]
    return "\n".join(lines)


def render(recorder: Recorder) -> str:
    parts = [INTRO]
    for key, title in SECTIONS.items():
        rows = recorder.rows[key]
        parts.append(f"## {title} ({len(rows)})\n\n{_table(rows)}\n")
    return "\n".join(parts)


def test_the_report_matches_this_runs_results(recorder: Recorder) -> None:
    if set(recorder.rows) != set(SECTIONS):
        pytest.skip("only part of the reliability suite ran; the report needs all of it")
    text = render(recorder)
    if os.environ.get("RELIABILITY_REPORT") == "write":
        REPORT.write_text(text)
    assert REPORT.read_text() == text, "docs/reliability.md is stale: run `make docs`"
