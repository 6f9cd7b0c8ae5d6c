"""One repository address: every document, the package's metadata and the runtime say the same."""

from __future__ import annotations

import re
import subprocess
import tomllib
from pathlib import Path

import pytest

from connect_async import REPOSITORY

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]
ADDRESS = re.compile(r"github\.com/([^/\s)\"'`]+)/terraform-aws-connect-async-lambda")


def _tracked_text_files() -> list[Path]:
    listed = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True)  # noqa: S607
    suffixes = {".md", ".toml", ".tf", ".py", ".hcl", ".tfvars", ".txt"}
    return [ROOT / name for name in listed.stdout.split() if Path(name).suffix in suffixes]


def test_every_address_of_the_repository_is_the_one_the_runtime_names() -> None:
    owner = REPOSITORY.split("/")[-2]
    wrong = [
        f"{path.relative_to(ROOT)}: {match.group(0)}"
        for path in _tracked_text_files()
        if path.exists()
        for match in ADDRESS.finditer(path.read_text(errors="replace"))
        if match.group(1) != owner
    ]
    assert not wrong, f"use {REPOSITORY} (connect_async.REPOSITORY): " + "; ".join(wrong)


def test_the_package_metadata_names_the_same_repository() -> None:
    urls = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["urls"]
    assert urls["Repository"] == REPOSITORY
    assert urls["Changelog"].startswith(REPOSITORY + "/")
