"""docs/reliability.md: the table of what the reliability suite tried and saw, one section per kind.

The cases record rows as they run (``Recorder``); when the session ends, ``conftest.py`` checks
that the file shows every row that ran: a difference fails the session (``make reliability-report`` runs the
whole suite and writes the sections instead). Rows and sections that did not run are left
alone, so the check works in any order and when only part of the suite runs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from tests.support.terraform_runner import ROOT

__all__ = ["REPORT", "SECTIONS", "Recorder", "stale_sections", "update"]

REPORT = ROOT / "docs" / "reliability.md"
SECTIONS = {
    "faults": "Faults at every AWS call site",
    "races": "Races, a killed worker, clock skew",
    "liveness": (
        "Liveness: a worker that dies is heard as a failure within one lease, one that never starts at "
        "the claim bound"
    ),
    "contract": "The contract's gaps an independent suite found, each class with a regression case",
    "reconcile": "A lost run's ending: the reconciler on the dead-letter queue (reconciler)",
    "soak": "Chaos soak: calls through the flows with faults at every call site (bench/soak.py)",
    "load": "Load: 200 contacts at once (moto server on 127.0.0.1)",
    "abuse": "Hostile input",
    "security": "Security",
}
INTRO = """# Reliability report

Generated from the results of the reliability suite (`tests/reliability`), which `make test`
runs; regenerate with `make reliability-report`. Every row is a test that passed: its expected outcome is
asserted, and so are the invariants every case ends with: start and check answer with a string
map (no exception reaches Connect), the run's record is final or becomes final for every reader
at its deadline (the flow can always leave its loop), the task runs at most once per attempt,
and replaying every delivery and call afterwards changes no final record.

How a lost run ends (a worker that died mid-task, or one that never started): the caller hears
the fallback within one lease (or at the claim bound); Lambda's retries record the run
`failed`/`worker_lost` (or `worker_not_started`), never run the task again, and send the event
to the dead-letter queue (`RunsLost`, the `lost_runs` and `dead_letter_messages` alarms). With
`reconciler` set, the reconciler then calls your reconcile function once with the run (its
parameters, idempotency key, error code, last progress and Lambda's invocation record) to ask
the downstream system what happened, and records the answer on the run's record
(`reconcile_status`, `reconcile_outcome`) without changing its status. A message it cannot
reconcile (not a worker's invocation record, an unknown run) is parked on the unreconciled
queue at once; one whose function keeps failing or asking to retry moves there after
`reconciler.max_receive_count` receives; that queue's alarm (`unreconciled_messages`) fires.
"""


@dataclass
class Recorder:
    """Rows of the reliability report, by section, in the order the cases ran."""

    rows: dict[str, list[dict[str, str]]] = field(default_factory=dict)

    def add(self, section: str, **row: object) -> None:
        if section not in SECTIONS:
            raise KeyError(f"unknown report section {section!r}")
        self.rows.setdefault(section, []).append({k: str(v) for k, v in row.items()})


def _table(rows: list[dict[str, str]]) -> str:
    columns = list(rows[0])
    lines = ["| " + " | ".join(c.replace("_", " ") for c in columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(row[c].replace("|", "/") for c in columns) + " |" for row in rows]
    return "\n".join(lines)


def _section(key: str, rows: list[dict[str, str]]) -> str:
    return f"## {SECTIONS[key]} ({len(rows)})\n\n{_table(rows)}\n"


def _sections_in(text: str) -> dict[str, str]:
    """The file's sections by key (their heading without the row count)."""
    found: dict[str, str] = {}
    parts = re.split(r"(?m)^(?=## )", text)
    titles = {title: key for key, title in SECTIONS.items()}
    for part in parts[1:]:
        heading = part.splitlines()[0][3:]
        title = re.sub(r" \(\d+\)$", "", heading)
        if title in titles:
            found[titles[title]] = part.rstrip("\n") + "\n"
    return found


def stale_sections(recorder: Recorder) -> list[str]:
    """Keys of the sections whose recorded rows the file does not show.

    Row by row, so running part of a section (one test, say) checks just its rows: a changed
    outcome, a new case, or a section the file lacks is stale.
    """
    current = _sections_in(REPORT.read_text()) if REPORT.exists() else {}
    stale = []
    for key, rows in recorder.rows.items():
        lines = _table(rows).splitlines()
        shown = set(current.get(key, "").splitlines())
        if not all(line in shown for line in lines):
            stale.append(key)
    return stale


def update(recorder: Recorder) -> None:
    """Write the sections that ran; keep the others as the file has them, in SECTIONS order."""
    current = _sections_in(REPORT.read_text()) if REPORT.exists() else {}
    current.update({key: _section(key, rows) for key, rows in recorder.rows.items()})
    REPORT.write_text("\n".join([INTRO, *(current[key] for key in SECTIONS if key in current)]))
