"""Shipping your own task: the layer build (reproducible, Lambda's layout) and the handler check."""

from __future__ import annotations

import hashlib
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from connect_async.devtools import HandlerError, build_layer, check_handler
from connect_async.devtools.handler import ARTIFACT_IMPORTS, try_result_keys

pytestmark = pytest.mark.terraform

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "custom-task"


def _package(tmp_path: Path, body: str = "def run(context):\n    return {'answer': 'yes'}\n") -> Path:
    source = tmp_path / "src"
    (source / "mytask").mkdir(parents=True, exist_ok=True)
    (source / "mytask" / "__init__.py").write_text("")
    (source / "mytask" / "task.py").write_text(body)
    (source / "mytask" / "__pycache__").mkdir(exist_ok=True)
    (source / "mytask" / "__pycache__" / "task.cpython-312.pyc").write_bytes(b"machine-specific")
    return source


def _wheel(folder: Path) -> Path:
    """A minimal pure-Python wheel, so installing a requirement needs no network."""
    wheel = folder / "tinydep-1.0-py3-none-any.whl"
    info = "tinydep-1.0.dist-info"
    with zipfile.ZipFile(wheel, "w") as archive:
        archive.writestr("tinydep.py", "VALUE = 42\n")
        archive.writestr(f"{info}/METADATA", "Metadata-Version: 2.1\nName: tinydep\nVersion: 1.0\n")
        archive.writestr(
            f"{info}/WHEEL", "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
        )
        archive.writestr(f"{info}/RECORD", "")
    return wheel


def test_a_layer_is_the_same_bytes_on_every_build_with_pythons_folder(tmp_path: Path) -> None:
    source = _package(tmp_path)
    first, second = build_layer(source), build_layer(source)
    assert first == second
    (tmp_path / "layer.zip").write_bytes(first)
    with zipfile.ZipFile(tmp_path / "layer.zip") as archive:
        names = archive.namelist()
        assert {info.date_time for info in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}
    assert names == ["python/mytask/__init__.py", "python/mytask/task.py"]  # no bytecode


def test_requirements_are_installed_for_lambda_next_to_the_code(tmp_path: Path) -> None:
    requirements = tmp_path / "requirements.txt"
    requirements.write_text(f"tinydep @ {_wheel(tmp_path).as_uri()}\n")
    built = build_layer(_package(tmp_path), requirements, architecture="x86_64")
    assert built == build_layer(_package(tmp_path), requirements, architecture="x86_64")
    (tmp_path / "layer.zip").write_bytes(built)
    names = set(zipfile.ZipFile(tmp_path / "layer.zip").namelist())
    assert {"python/tinydep.py", "python/tinydep-1.0.dist-info/METADATA"} <= names
    assert not {name for name in names if name.endswith(("RECORD", "INSTALLER", "direct_url.json"))}


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"python_version": "3.9"}, "python_version must be one of"),
        ({"architecture": "arm"}, "architecture must be one of"),
    ],
)
def test_a_layer_for_a_runtime_the_module_does_not_run_is_refused(
    tmp_path: Path, kwargs: dict[str, str], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        build_layer(_package(tmp_path), **kwargs)


def test_a_requirement_pip_cannot_install_for_lambda_says_so(tmp_path: Path) -> None:
    requirements = tmp_path / "requirements.txt"
    requirements.write_text(f"nosuchpackage @ {(tmp_path / 'missing.whl').as_uri()}\n")
    with pytest.raises(RuntimeError, match="pip could not install"):
        build_layer(None, requirements)


def test_the_handler_check_imports_as_the_worker_would(tmp_path: Path) -> None:
    layer = tmp_path / "layer.zip"
    layer.write_bytes(build_layer(_package(tmp_path)))
    assert check_handler("mytask.task:run", layers=[layer]) == "mytask.task"
    with pytest.raises(HandlerError, match="'runn' is not a function"):
        check_handler("mytask.task:runn", layers=[layer])
    # Only the runtime, Lambda's packages and the layers: this machine's site-packages (pytest,
    # say) is not on the worker.
    with pytest.raises(HandlerError, match="cannot be imported"):
        check_handler("mytask.task:run")
    imports_pytest = _package(tmp_path / "other", "import pytest\n\ndef run(context):\n    return {}\n")
    with pytest.raises(HandlerError, match="No module named 'pytest'"):
        check_handler("mytask.task:run", paths=[imports_pytest])


def test_the_handler_check_refuses_a_function_the_worker_cannot_call(tmp_path: Path) -> None:
    source = _package(tmp_path, "def run():\n    return {}\n")
    with pytest.raises(HandlerError, match="must take one argument"):
        check_handler("mytask.task:run", paths=[source])
    with pytest.raises(HandlerError, match=r"must look like package\.module:function"):
        check_handler("mytask.task.run", paths=[source])
    flat = tmp_path / "flat.zip"
    with zipfile.ZipFile(flat, "w") as archive:
        archive.writestr("mytask/task.py", "def run(context):\n    return {}\n")
    with pytest.raises(HandlerError, match="no python/ folder"):
        check_handler("mytask.task:run", layers=[flat])


def test_the_command_line_builds_checks_and_says_what_is_wrong(tmp_path: Path) -> None:
    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(  # noqa: S603 - this interpreter, the package's own command
            [sys.executable, "-m", "connect_async.devtools", *args],
            capture_output=True,
            text=True,
            check=False,
        )

    out = tmp_path / "dist" / "layer.zip"
    built = cli("build-layer", "--source", str(_package(tmp_path)), "--out", str(out))
    assert built.returncode == 0 and hashlib.sha256(out.read_bytes()).hexdigest() in built.stdout
    assert (
        cli("build-layer", "--source", str(_package(tmp_path)), "--out", str(out), "--check").returncode == 0
    )
    assert cli("check-handler", "mytask.task:run", "--layer", str(out)).returncode == 0
    refused = cli("check-handler", "mytask.task:missing", "--layer", str(out))
    assert refused.returncode == 1 and "'missing' is not a function" in refused.stderr
    assert cli("build-layer", "--out", str(out)).returncode == 1  # nothing to build


def test_the_examples_committed_layer_passes_the_handler_check() -> None:
    # (That it is what the build makes: test_generated.py.)
    assert (
        check_handler("transfers.task:run", layers=[EXAMPLE / "dist" / "transfer-layer.zip"])
        == "transfers.task"
    )
    # Its reconcile function (reconciler.handler) imports from the same layer.
    assert (
        check_handler("transfers.task:reconcile", layers=[EXAMPLE / "dist" / "transfer-layer.zip"])
        == "transfers.task"
    )
    # The README's step 5: its result holds the key the example's messages.success speaks.
    run = try_result_keys(
        "transfers.task:run",
        ["reference", "amount"],
        {"amount": "120.00", "to_account": "GB33BUKB20201555555555"},
        layers=[EXAMPLE / "dist" / "transfer-layer.zip"],
        environment={"TRANSFER_API_URL": "sandbox"},
    )
    assert run.result["reference"].startswith("TX")


def test_the_handler_check_runs_the_task_for_the_result_keys_on_request(tmp_path: Path) -> None:
    # A task returning "state" where the flow speaks {result.status}: the worker fails the run
    # with missing_result_key, and the check says so before anything is deployed.
    body = "def run(context):\n    return {'state': 'shipped', 'eta': context.parameters['eta']}\n"
    source = _package(tmp_path, body)
    with pytest.raises(HandlerError, match=r"missing_result_key: .*status"):
        try_result_keys("mytask.task:run", ["status", "eta"], {"eta": "today"}, paths=[source])
    run = try_result_keys("mytask.task:run", ["state", "eta"], {"eta": "today"}, paths=[source])
    assert dict(run.result) == {"state": "shipped", "eta": "today"}
    # A run that fails for another reason says which, rather than passing the keys.
    with pytest.raises(HandlerError, match="the run failed with"):
        try_result_keys("mytask.task:run", ["state"], {}, paths=[source])
    assert str(source.resolve()) not in sys.path  # the task's path is taken off again


def test_the_command_line_checks_the_result_keys(tmp_path: Path) -> None:
    source = _package(tmp_path, "def run(context):\n    return {'state': 'shipped'}\n")

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(  # noqa: S603 - this interpreter, the package's own command
            [
                sys.executable,
                "-m",
                "connect_async.devtools",
                "check-handler",
                "mytask.task:run",
                "--path",
                str(source),
                *args,
            ],
            capture_output=True,
            text=True,
            check=False,
        )

    refused = cli("--result-keys", "status,eta")
    assert refused.returncode == 1 and "missing_result_key" in refused.stderr and "status" in refused.stderr
    passed = cli("--result-keys", "state", "--parameter", "order=42")
    assert passed.returncode == 0 and "completed with each result key (state)" in passed.stdout
    assert cli("--result-keys", "state", "--parameter", "order").returncode == 1  # not NAME=VALUE


def test_the_handler_check_imports_what_the_worker_can_and_only_that(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The packages the runtime's artifact vendors import on the worker, so they import here.
    body = "import aws_xray_sdk, wrapt\n\ndef run(context):\n    return {}\n"
    assert check_handler("mytask.task:run", paths=[_package(tmp_path / "vendored", body)]) == "mytask.task"
    # A handler that is on this machine's PYTHONPATH only is not on the worker.
    elsewhere = _package(tmp_path / "elsewhere")
    monkeypatch.setenv("PYTHONPATH", str(elsewhere))
    with pytest.raises(HandlerError, match="cannot be imported"):
        check_handler("mytask.task:run")


def test_the_handler_checks_list_is_what_the_artifact_holds() -> None:
    with zipfile.ZipFile(ROOT / "lambdas" / "dist" / "connect_async.zip") as archive:
        tops = {name.split("/")[0] for name in archive.namelist()}
    packages = {
        top.removesuffix(".py")
        for top in tops
        if not top.endswith((".dist-info", "-stubs")) and top != "__pycache__"
    }
    assert packages == set(ARTIFACT_IMPORTS)
