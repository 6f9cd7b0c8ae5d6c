"""Your task's code and its dependencies as a Lambda layer zip, reproducibly.

A layer's ``python/`` folder is on the worker's import path. The build copies your source folder
there and installs the requirements for the worker's runtime and architecture (pip's
``--platform``, wheels only, so a compiled dependency is the Linux build Lambda needs whatever
machine builds it), then writes a reproducible zip (``archive.py``). Files that only describe
the machine that built it (bytecode, pip's RECORD and INSTALLER, direct_url.json, console
scripts) are left out, so two builds of the same inputs are the same bytes.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Final

from connect_async.devtools.archive import reproducible_zip

__all__ = ["ARCHITECTURES", "PYTHON_VERSIONS", "build_layer"]

# The worker's possible runtimes and architectures (the module's lambda_runtime and
# lambda_architecture), and pip's platform tag for each architecture.
PYTHON_VERSIONS: Final = ("3.12", "3.13")
ARCHITECTURES: Final = {"arm64": "manylinux2014_aarch64", "x86_64": "manylinux2014_x86_64"}
_SKIP_PARTS: Final = {"__pycache__", "bin"}
_SKIP_SUFFIXES: Final = {".pyc", ".pyo"}
_SKIP_DIST_INFO: Final = {"RECORD", "INSTALLER", "REQUESTED", "direct_url.json"}


def _files(folder: Path) -> Iterator[tuple[str, bytes]]:
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder)
        if not path.is_file() or _SKIP_PARTS & set(relative.parts) or path.suffix in _SKIP_SUFFIXES:
            continue
        if relative.parts[0].endswith(".dist-info") and path.name in _SKIP_DIST_INFO:
            continue
        yield relative.as_posix(), path.read_bytes()


def _install(requirements: Path, target: Path, python_version: str, architecture: str) -> None:
    command = [
        sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
        "--no-compile", "--target", str(target), "--requirement", str(requirements),
        "--platform", ARCHITECTURES[architecture], "--implementation", "cp",
        "--python-version", python_version, "--only-binary=:all:",
    ]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        raise RuntimeError(f"pip could not install {requirements} for Lambda:\n{done.stderr.strip()[-2000:]}")


def build_layer(
    source: Path | None,
    requirements: Path | None = None,
    *,
    python_version: str = "3.12",
    architecture: str = "arm64",
) -> bytes:
    """The layer zip's bytes: ``source`` (a folder holding your packages) and ``requirements``
    (a pip requirements file, pinned) under ``python/``."""
    if python_version not in PYTHON_VERSIONS:
        raise ValueError(f"python_version must be one of {', '.join(PYTHON_VERSIONS)}")
    if architecture not in ARCHITECTURES:
        raise ValueError(f"architecture must be one of {', '.join(ARCHITECTURES)}")
    if source is None and requirements is None:
        raise ValueError("give a source folder, a requirements file, or both")
    entries: dict[str, bytes] = {}
    with tempfile.TemporaryDirectory() as tmp:
        if requirements is not None:
            _install(requirements, Path(tmp), python_version, architecture)
            entries.update((f"python/{name}", data) for name, data in _files(Path(tmp)))
    if source is not None:
        if not source.is_dir():
            raise ValueError(f"{source} is not a folder")
        for name, data in _files(source):
            if f"python/{name}" in entries:
                raise ValueError(f"{name} is both in {source} and installed by the requirements")
            entries[f"python/{name}"] = data
    if not entries:
        raise ValueError("the layer would be empty")
    return reproducible_zip(entries)
