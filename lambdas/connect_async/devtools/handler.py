"""Check, before applying, that TASK_HANDLER imports on the worker: from the runtime, the
packages the Lambda runtime provides, and your layers, and nothing else on this machine.

A fresh interpreter (``python -S``: no site-packages) gets exactly that import path: each layer's
``python/`` folder (or a source folder, before it is built into a layer), then a folder linking
the runtime (``connect_async`` and what its zip vendors) and the Lambda runtime's own packages
(boto3 and what it needs). It loads the handler as the worker does (``load_task``) and checks
that it takes the one argument the worker passes (the TaskContext).
"""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Final

__all__ = ["LAMBDA_IMPORT_PATH", "HandlerError", "check_handler"]

# What the worker can import besides your layers: the runtime and what its zip vendors, and
# what the Lambda Python runtime provides (boto3, botocore and their dependencies).
LAMBDA_IMPORT_PATH: Final = (
    "connect_async",
    "aws_lambda_powertools",
    "typing_extensions",
    "boto3",
    "botocore",
    "s3transfer",
    "jmespath",
    "dateutil",
    "urllib3",
    "six",
)
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


def check_handler(handler: str, layers: Sequence[Path] = (), paths: Sequence[Path] = ()) -> str:
    """Import ``handler`` with the worker's import path; return the module it came from, or
    raise HandlerError naming what is wrong. ``layers`` are layer zips, ``paths`` folders."""
    with tempfile.TemporaryDirectory() as tmp:
        search: list[str] = []
        for index, layer in enumerate(layers):
            target = Path(tmp) / f"layer{index}"
            with zipfile.ZipFile(layer) as archive:
                archive.extractall(target)
            if not (target / "python").is_dir():
                raise HandlerError(
                    f"{layer} has no python/ folder: Lambda would not put it on the import path"
                )
            search.append(str(target / "python"))
        search += [str(path.resolve()) for path in paths]
        runtime = Path(tmp) / "runtime"
        runtime.mkdir()
        _link_runtime(runtime)
        search.append(str(runtime))
        done = subprocess.run(  # noqa: S603 - this interpreter, fixed probe
            [sys.executable, "-S", "-c", _PROBE, handler, json.dumps(search)],
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
