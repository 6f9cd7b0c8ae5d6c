"""The README's demo command keeps working (it runs the real runtime on an emulator)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("outcome", "expected"),
    [
        ("succeed", "-> completed after"),
        ("fail", "-> failed: demo_failure"),
        ("crash", "-> failed: task_error"),
    ],
)
def test_demo_plays_a_whole_cycle(outcome: str, expected: str) -> None:
    done = subprocess.run(  # noqa: S603 - fixed interpreter and script
        [sys.executable, str(ROOT / "scripts" / "demo.py"), "--duration", "0.4", "--outcome", outcome],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert expected in done.stdout
    assert "new_run=false (the worker is not invoked again)" in done.stdout
    assert "delivered the same event again: duplicate" in done.stdout
    assert "+447700900123" not in done.stdout + done.stderr
