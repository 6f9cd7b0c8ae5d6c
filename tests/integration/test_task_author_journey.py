"""The task author's journey outside this repository (issue 32): a fresh virtual environment in a
temporary folder, the runtime package installed from its wheel with the testing kit (pinned by
requirements/dev.txt), the custom-task example copied there as the author's own project (a task
with a third-party dependency, two result keys and progress); its tests run with plain `pytest`
(no path edits), its committed layer (with the dependency) is what a fresh build makes, and both
of its handlers pass the handler check. Hearing it: test_task_author_play.py."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

import pytest

pytestmark = pytest.mark.moto  # the author's tests run the testing kit on moto, in a subprocess

ROOT = Path(__file__).resolve().parents[2]


def run_in(args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=600, check=False)  # noqa: S603
    assert done.returncode == 0, f"{' '.join(args)} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done


def fresh_environment(tmp_path: Path, extras: str) -> tuple[Path, dict[str, str]]:
    """A new virtual environment with the runtime package's wheel and ``extras`` (pinned by
    requirements/dev.txt), and the environment a command there runs with: its bin first, nothing
    of this repository's."""
    wheels = tmp_path / "wheels"
    here = {**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    build = [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation"]
    run_in([*build, "--wheel-dir", str(wheels), str(ROOT)], ROOT, here)
    (wheel,) = wheels.glob("connect_async_lambda-*.whl")
    environment = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(environment)
    bin_dir = environment / "bin"
    constraints = str(ROOT / "requirements" / "dev.txt")
    run_in(
        [str(bin_dir / "pip"), "install", "--quiet", "-c", constraints, f"{wheel}[{extras}]"], tmp_path, here
    )
    author = {
        "PATH": f"{bin_dir}:/usr/bin:/bin",
        "HOME": str(tmp_path),
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
        **{key: value for key, value in os.environ.items() if key.startswith("PIP_")},
    }
    return bin_dir, author


def authors_project(tmp_path: Path) -> Path:
    """The custom-task example, copied out as the author's own repository."""
    project = tmp_path / "transfers"
    shutil.copytree(ROOT / "examples" / "custom-task", project, ignore=shutil.ignore_patterns(".terraform*"))
    return project


def test_a_task_author_installs_tests_and_checks_a_task_from_their_own_folder(tmp_path: Path) -> None:
    _, author = fresh_environment(tmp_path, "testing")
    project = authors_project(tmp_path)
    # The task's own dependency (tenacity), as the author installs it for their tests.
    run_in(["pip", "install", "--quiet", "-r", "requirements.txt"], project, author)

    tested = run_in(["pytest", "-q", "-p", "no:cacheprovider"], project, author)
    assert " passed" in tested.stdout and "failed" not in tested.stdout

    # The layer holds the task and its dependency, built for Lambda's platform: the same bytes.
    layer = ["connect-async", "build-layer", "--source", "src", "--requirements", "requirements.txt"]
    run_in([*layer, "--out", "dist/transfer-layer.zip", "--check"], project, author)
    for handler in ("transfers.task:run", "transfers.task:reconcile"):
        checked = run_in(
            ["connect-async", "check-handler", handler, "--layer", "dist/transfer-layer.zip"], project, author
        )
        assert "imports from transfers.task" in checked.stdout
