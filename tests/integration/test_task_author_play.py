"""`connect-async play` from a task author's own repository (issue 32): a fresh environment with
the package's `play` extra, the example copied out as the author's root module, `terraform init`
recording where the module's source is, and the call played through the module's own flows with
the author's task from the layer it ships: both result keys heard, the failure and the crash
scenarios on the fallback path, and a stalled third party on the taking-longer path."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.integration.test_task_author_journey import ROOT, authors_project, fresh_environment, run_in
from tests.support.terraform_runner import TERRAFORM, Terraform

pytestmark = pytest.mark.terraform  # terraform init, and play renders the flows with Terraform

TRANSFER = ["--tfvars", "terraform.tfvars", "--task", "transfers.task:run", "--task-path", "src"]
CALLER = [
    "--task-env",
    "TRANSFER_API_URL=sandbox",
    "--attributes",
    "amount=120.00 to_account=GB33BUKB20201555555555",
]


def test_a_task_author_hears_their_task_through_the_modules_own_flows(
    tmp_path: Path, terraform: Terraform
) -> None:
    bin_dir, author = fresh_environment(tmp_path, "testing,play")
    project = authors_project(tmp_path)
    env = {**author, "PATH": f"{bin_dir}:{Path(TERRAFORM).parent}:/usr/bin:/bin"}

    # Before terraform init, play says what it needs.
    refused = subprocess.run(  # noqa: S603
        ["connect-async", "play", *TRANSFER],  # noqa: S607 - the fresh environment's command
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert refused.returncode == 2 and "run `terraform init` in your root module first" in refused.stderr

    main = project / "main.tf"
    main.write_text(main.read_text().replace('source = "../../"', f'source = "{ROOT}"'))
    terraform.init(project)
    env["TF_DATA_DIR"] = terraform.env(project)["TF_DATA_DIR"]

    # From the layer it ships: its dependency (tenacity) is in no environment but the layer's.
    from_layer = [
        "--tfvars",
        "terraform.tfvars",
        "--task",
        "transfers.task:run",
        "--task-layer",
        "dist/transfer-layer.zip",
    ]
    answered = run_in(["connect-async", "play", *from_layer, *CALLER], project, env)
    assert 'caller  hears "The bank is confirming your transfer."' in answered.stdout  # its progress
    assert (
        'caller  hears "Your transfer of 120.00 pounds is complete. Your reference is TX000001."'
        in answered.stdout
    )
    failed = run_in(["connect-async", "play", "--scenario", "fail", *from_layer, *CALLER], project, env)
    assert "check   -> failed demo_failure" in failed.stdout
    assert 'hears "Sorry, we could not make your transfer. Please try again later. Goodbye."' in failed.stdout
    slow = run_in(["connect-async", "play", "--scenario", "too-slow", *from_layer, *CALLER], project, env)
    assert "Outcome: taking longer (wait_exceeded, the run then completed)" in slow.stdout
    crashed = run_in(["connect-async", "play", "--scenario", "crash", *from_layer, *CALLER], project, env)
    assert "crashes (no update, ever)" in crashed.stdout and "check   -> failed worker_lost" in crashed.stdout
