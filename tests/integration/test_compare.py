"""make compare: the same call under two tunings, measured side by side, one chart for both."""

from __future__ import annotations

from pathlib import Path

import pytest

from scripts import compare

pytestmark = pytest.mark.terraform

ROOT = Path(__file__).resolve().parents[2]


def test_a_tuning_against_the_defaults(capsys: pytest.CaptureFixture[str]) -> None:
    assert compare.main([str(ROOT / "examples" / "ops.tfvars"), "--scenario", "typical"]) == 0
    said = capsys.readouterr().out
    assert "| measurement | module defaults | examples/ops.tfvars | difference |" in said
    for row in compare.ROWS:
        assert f"| {row.name} |" in said
    # The defaults' 30 loops against ops' 18, and both calls in one chart.
    assert "module defaults: 30 loops" in said and "examples/ops.tfvars: 18 loops" in said
    assert (
        "section module defaults: Caller hears" in said
        and "section examples/ops.tfvars: Caller hears" in said
    )


def test_the_difference_is_the_second_less_the_first(capsys: pytest.CaptureFixture[str]) -> None:
    ops = str(ROOT / "examples" / "ops.tfvars")
    assert compare.main([ops, ops, "--scenario", "fast"]) == 0
    rows = [line for line in capsys.readouterr().out.splitlines() if line.startswith("| caller")]
    assert rows and rows[0].endswith("| same |")


def test_a_bad_tuning_stops_with_the_modules_message(tmp_path: Path) -> None:
    bad = tmp_path / "bad.tfvars"
    bad.write_text("check_budget_ms = 9000\n")
    with pytest.raises(SystemExit, match="check_budget_ms"):
        compare.main([str(bad)])


def test_a_call_that_ended_differently_is_the_first_thing_to_read(capsys: pytest.CaptureFixture[str]) -> None:
    # ops.tfvars waits 90 s: its caller of a 90-second task hears "taking longer", in less time
    # than the defaults' caller who heard the answer; the shorter time is not the better call.
    assert compare.main([str(ROOT / "examples" / "ops.tfvars"), "--scenario", "slow"]) == 0
    said = capsys.readouterr().out
    assert "ended differently (module defaults: answered, examples/ops.tfvars: taking longer" in said
    table = [line for line in said.splitlines() if line.startswith("| ")]
    assert table[1].startswith("| how the call ended | answered; heard last")
    assert "taking longer (wait_exceeded, the run then completed)" in table[1]
    assert table[1].endswith("| **different: read this first** |")
    assert "Scenario slow: a 90-second task, VOICE" in said
