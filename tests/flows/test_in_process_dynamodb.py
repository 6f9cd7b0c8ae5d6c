"""The benchmarks' in-process DynamoDB measures what boto3 on moto measures: a sample of the
workload's calls (every design, every kind of task, push and chat) played both ways gives equal
``Call`` records, field by field."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench import workload
from flowkit import demo

pytestmark = pytest.mark.terraform  # renders the module's flows with the Terraform CLI

ROOT = Path(__file__).resolve().parents[2]
PUSH = str(ROOT / "examples" / "push.tfvars")

SAMPLE: list[workload.Job] = [
    (design, tfvars, channel, progress, median, workload.task_seconds(median, index))
    for design, tfvars, channel, progress in (
        ("module", None, "VOICE", "even"),
        ("module", None, "VOICE", "early"),
        ("module", None, "VOICE", "misleading"),
        ("module", None, "CHAT", "none"),
        ("module", PUSH, "VOICE", "none"),
        ("naive", None, "VOICE", "none"),
        ("connect_alone", None, "VOICE", "none"),
    )
    for median, index in ((5, 0), (30, 1))
]


@pytest.mark.parametrize("job", SAMPLE, ids=lambda job: f"{job[0]}-{job[2]}-{job[3]}-{job[4]}s")
def test_in_process_and_moto_measure_the_same_call(job: workload.Job) -> None:
    with demo.emulator_environment():
        assert workload.play(job, dynamodb="in-process") == workload.play(job, dynamodb="moto")
