"""Check, before applying, that TASK_HANDLER imports on the worker: from the runtime, the
packages the Lambda runtime provides, and your layers, and nothing else on this machine.

A fresh interpreter (``python -I -S``: no site-packages, no PYTHONPATH, no user site) gets
exactly that import path: each layer's ``python/`` folder (or a source folder, before it is built
into a layer), then a folder linking the runtime (``connect_async`` and what its zip vendors:
Powertools, the X-Ray SDK, wrapt) and the Lambda runtime's own packages (boto3 and what it
needs). It loads the handler as the worker does (``load_task``) and checks
that it takes the one argument the worker passes (the TaskContext).

``try_result_keys`` goes one step further, on request: it runs the task once here, as the
testing kit's ``run_task`` does (the worker's code, an emulated tracker), and fails as the worker
would when the result lacks one of the module's ``result_attribute_keys`` (``missing_result_key``).
It runs your code: give it parameters that are safe here (a sandbox account, a test model).
"""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from connect_async.testing import TaskRun

__all__ = [
    "ARTIFACT_IMPORTS",
    "LAMBDA_IMPORT_PATH",
    "LAMBDA_RUNTIME_IMPORTS",
    "HandlerError",
    "check_handler",
    "try_result_keys",
]

# What the worker can import besides your layers: the runtime's artifact (connect_async and
# the packages it vendors: scripts/build_lambda_zip.py builds it, and a test holds the zip's
# top-level packages to this list) and what the Lambda Python runtime provides.
ARTIFACT_IMPORTS: Final = (
    "connect_async",
    "aws_lambda_powertools",
    "aws_xray_sdk",
    "wrapt",
    "typing_extensions",
)
LAMBDA_RUNTIME_IMPORTS: Final = ("boto3", "botocore", "s3transfer", "jmespath", "dateutil", "urllib3", "six")
LAMBDA_IMPORT_PATH: Final = ARTIFACT_IMPORTS + LAMBDA_RUNTIME_IMPORTS
_PROBE: Final = """
import inspect, json, sys
handler, paths = sys.argv[1], json.loads(sys.argv[2])
sys.path[:0] = paths
from connect_async.config import ConfigurationError
from connect_async.tasks import load_task
try:
    task = load_task(handler)
except ConfigurationError as exc:
    print(json.dumps({"problem": str(exc)}))
    raise SystemExit(0)
try:
    inspect.signature(task).bind(object())
except TypeError:
    print(json.dumps({"problem": f"{handler} must take one argument (the TaskContext)"}))
    raise SystemExit(0)
except ValueError:
    pass  # a builtin or C function without a signature: the worker will find out
print(json.dumps({"problem": "", "module": getattr(task, "__module__", "")}))
"""


class HandlerError(Exception):
    """The handler would fail on the worker; the message says why (configuration_error there)."""


def _link_runtime(folder: Path) -> None:
    for name in LAMBDA_IMPORT_PATH:
        try:
            module = importlib.import_module(name)
        except ImportError:
            continue  # six and friends are not always installed; the worker's runtime has them
        origin = Path(module.__file__ or "")
        source = origin.parent if origin.name == "__init__.py" else origin
        (folder / source.name).symlink_to(source)


@contextmanager
def _task_path(tmp: str, layers: Sequence[Path], paths: Sequence[Path]) -> Iterator[list[str]]:
    """Each layer's python/ folder (extracted under ``tmp``), then the source folders."""
    search: list[str] = []
    for index, layer in enumerate(layers):
        target = Path(tmp) / f"layer{index}"
        with zipfile.ZipFile(layer) as archive:
            archive.extractall(target)
        if not (target / "python").is_dir():
            raise HandlerError(f"{layer} has no python/ folder: Lambda would not put it on the import path")
        search.append(str(target / "python"))
    yield search + [str(path.resolve()) for path in paths]


def check_handler(handler: str, layers: Sequence[Path] = (), paths: Sequence[Path] = ()) -> str:
    """Import ``handler`` with the worker's import path; return the module it came from, or
    raise HandlerError naming what is wrong. ``layers`` are layer zips, ``paths`` folders."""
    with tempfile.TemporaryDirectory() as tmp, _task_path(tmp, layers, paths) as search:
        runtime = Path(tmp) / "runtime"
        runtime.mkdir()
        _link_runtime(runtime)
        search.append(str(runtime))
        done = subprocess.run(  # noqa: S603 - this interpreter, fixed probe
            # -I: no PYTHONPATH, no user site, not the working folder; -S: no site-packages.
            [sys.executable, "-I", "-S", "-c", _PROBE, handler, json.dumps(search)],
            capture_output=True,
            text=True,
            check=False,
            cwd=tmp,
        )
    if done.returncode != 0:
        raise HandlerError(f"checking {handler} failed:\n{done.stderr.strip()[-2000:]}")
    answer = json.loads(done.stdout.strip().splitlines()[-1])
    if answer["problem"]:
        raise HandlerError(answer["problem"])
    return str(answer["module"])


def try_result_keys(
    handler: str,
    result_keys: Sequence[str],
    parameters: Mapping[str, str] | None = None,
    *,
    layers: Sequence[Path] = (),
    paths: Sequence[Path] = (),
    environment: Mapping[str, str] | None = None,
) -> TaskRun:
    """Run ``handler`` once, as the worker runs it (``connect_async.testing.run_task``), with
    ``parameters`` (and ``environment``, as ``worker_environment`` would set it); return the
    completed run, or raise HandlerError when it failed: with ``missing_result_key`` when its
    result lacks one of ``result_keys``. Call ``check_handler`` first: this runs in this
    interpreter, whose import path has more than the worker's."""
    try:
        from connect_async.testing import run_task  # noqa: PLC0415 - needs moto (the testing extra)
    except ImportError as exc:
        raise HandlerError(
            f"running the task needs the testing extra ({exc.name} is missing):"
            ' pip install "connect-async-lambda[testing]"'
        ) from exc
    from connect_async.config import ConfigurationError  # noqa: PLC0415 - beside load_task
    from connect_async.tasks import load_task  # noqa: PLC0415 - after the task's path is set

    with tempfile.TemporaryDirectory() as tmp, _task_path(tmp, layers, paths) as search:
        sys.path[:0] = search
        try:
            task = load_task(handler)
            run = run_task(task, parameters or {}, environment=environment, result_keys=tuple(result_keys))
        except ConfigurationError as exc:
            raise HandlerError(str(exc)) from exc
        finally:
            del sys.path[: len(search)]
    if run.status != "completed":
        raise HandlerError(f"the run failed with {run.error_code}: {run.error_message}")
    return run
