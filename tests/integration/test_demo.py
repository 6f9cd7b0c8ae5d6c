"""The README's demo command keeps working: a simulated call through the module's own flow."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(
    shutil.which("terraform") is None, reason="the demo renders the flow with Terraform"
)


def _demo(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - fixed interpreter and script
        [sys.executable, str(ROOT / "scripts" / "demo.py"), *args],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.mark.parametrize(
    ("scenario", "expected"),
    [
        ("typical", "Ending: disconnected; the tracker says completed"),
        ("fail", "check   -> failed scripted_failure"),
        ("hangup", "Ending: caller hung up; the tracker says completed"),
    ],
)
def test_demo_plays_a_call(scenario: str, expected: str) -> None:
    done = _demo("--scenario", scenario)
    assert done.returncode == 0, done.stderr[-2000:]
    assert expected in done.stdout
    assert "caller  hears" in done.stdout
    assert "longest silence:" in done.stdout


def test_demo_takes_an_operators_tfvars() -> None:
    done = _demo("--scenario", "slow", "--tfvars", str(ROOT / "examples" / "ops.tfvars"))
    assert done.returncode == 0, done.stderr[-2000:]
    assert "Tuning: " in done.stdout and "ops.tfvars" in done.stdout
    assert "We will text you when it is done." in done.stdout  # ops.tfvars' own timeout message
    assert "TakingLonger" in done.stdout


def test_demo_rejects_a_bad_tuning_with_the_modules_message(tmp_path: Path) -> None:
    bad = tmp_path / "bad.tfvars"
    bad.write_text("check_budget_ms = 7600\n")
    done = _demo("--tfvars", str(bad))
    assert done.returncode != 0
    assert "must fit within flow_invocation_time_limit_seconds" in " ".join(done.stderr.split())
