"""The runtime as a package a task author installs: built from the repository, importable on its
own, carrying the task API, the testing kit and the layer tools, and nothing of the repository's."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import connect_async

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # What the package is built from, copied out so the build writes nothing into the repository.
    tree = tmp_path_factory.mktemp("tree")
    shutil.copy(ROOT / "pyproject.toml", tree)
    skip = shutil.ignore_patterns("__pycache__", "dist", "*.egg-info")
    shutil.copytree(ROOT / "lambdas", tree / "lambdas", ignore=skip)
    out = tmp_path_factory.mktemp("wheel")
    pip = [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation"]
    subprocess.run([*pip, "-w", str(out), str(tree)], check=True, capture_output=True)  # noqa: S603
    (built,) = out.glob("*.whl")
    return built


def test_the_wheel_holds_the_runtime_and_nothing_else(wheel: Path) -> None:
    assert wheel.name == f"connect_async_lambda-{connect_async.__version__}-py3-none-any.whl"
    names = zipfile.ZipFile(wheel).namelist()
    packages = {name.split("/")[0] for name in names}
    assert packages == {"connect_async", f"connect_async_lambda-{connect_async.__version__}.dist-info"}
    assert {"connect_async/testing.py", "connect_async/devtools/layer.py", "connect_async/py.typed"} <= set(
        names
    )
    entry_points = zipfile.ZipFile(wheel).read(
        f"connect_async_lambda-{connect_async.__version__}.dist-info/entry_points.txt"
    )
    assert b"connect-async = connect_async.devtools.__main__:main" in entry_points


def test_the_installed_package_runs_a_task_through_the_kit(wheel: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    subprocess.run(  # noqa: S603
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(site), str(wheel)],
        check=True,
        capture_output=True,
    )
    probe = (
        "import json, connect_async\n"
        "from connect_async.tasks import TaskContext\n"
        "from connect_async.testing import run_task\n"
        "def task(context: TaskContext):\n"
        "    context.report_progress(50, 'half way')\n"
        "    return {'answer': context.parameters['q'].upper()}\n"
        "run = run_task(task, {'q': 'ok'})\n"
        "print(json.dumps([connect_async.__file__, run.status, dict(run.result), run.progress]))\n"
    )
    done = subprocess.run(  # noqa: S603 - the installed package, from outside the repository
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        check=True,
        cwd=tmp_path,
        env={"PYTHONPATH": str(site), "PATH": "/usr/bin:/bin"},
    )
    origin, status, result, progress = json.loads(done.stdout.strip().splitlines()[-1])
    assert origin.startswith(str(site))  # not the repository's lambdas/
    assert (status, result, progress) == ("completed", {"answer": "OK"}, [[50, "half way"]])
