"""Terraform reads the same contract and artifact hash as the Python (real terraform, no provider)."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from connect_async.manifest import contract_document

ROOT = Path(__file__).resolve().parents[2]
TERRAFORM = shutil.which("terraform")

pytestmark = pytest.mark.skipif(TERRAFORM is None, reason="terraform is not installed")


def _terraform(workdir: Path, *args: str) -> str:
    env = {**os.environ, "TF_IN_AUTOMATION": "1", "TF_DATA_DIR": str(workdir / ".terraform")}
    done = subprocess.run(  # noqa: S603 - terraform with fixed arguments
        [str(TERRAFORM), f"-chdir={workdir}", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def test_module_outputs_match_the_runtime(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(
        f'module "async" {{\n  source = "{ROOT}"\n}}\n'
        'output "contract" { value = module.async.runtime_contract }\n'
        'output "sha" { value = module.async.lambda_artifact_sha256 }\n'
    )
    _terraform(tmp_path, "init", "-backend=false", "-input=false")
    _terraform(tmp_path, "apply", "-auto-approve", "-input=false", f"-state={tmp_path / 'tf.tfstate'}")
    outputs = json.loads(_terraform(tmp_path, "output", "-json", f"-state={tmp_path / 'tf.tfstate'}"))
    assert outputs["contract"]["value"] == contract_document()
    digest = hashlib.sha256((ROOT / "lambdas" / "dist" / "connect_async.zip").read_bytes()).digest()
    assert outputs["sha"]["value"] == base64.b64encode(digest).decode()
