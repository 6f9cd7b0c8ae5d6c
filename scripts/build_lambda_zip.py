"""Build the Lambda artifact reproducibly: the same sources always give the same bytes.

The zip holds ``lambdas/connect_async`` and the vendored pure-Python packages (Powertools with
its tracer extra: aws-xray-sdk and wrapt's pure-Python fallback; typing-extensions), taken file
by file from their installed distributions at the versions pinned in requirements/dev.txt.
It is written by connect_async.devtools.archive: entries sorted, stamped 1980-01-01, mode 0644
and stored uncompressed (deflate output differs between zlib builds; stored bytes do not). The
testing kit and the layer tools (connect_async.testing, .devtools) are for task authors and are
left out.

It also holds bytecode for the Lambda runtimes the module supports (python3.12, python3.13), for
the modules the handlers import: Lambda cannot write __pycache__ into /var/task, so without it
every cold start compiles them again (about 50 ms). The .pyc files are unchecked-hash based (no
timestamps; the runtime trusts them without reading the source) and compiled with /var/task as
their path, so they are the same bytes on every machine with those interpreters: a python3.12 and
a python3.13 found on the PATH, under ~/.pyenv/versions, or named by LAMBDA_PYTHON_3_12 /
LAMBDA_PYTHON_3_13.

    python -m scripts.build_lambda_zip                 # (re)write lambdas/dist/connect_async.zip
    python -m scripts.build_lambda_zip --check         # exit 1 if the committed zip is stale
"""

from __future__ import annotations

import argparse
import glob
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Iterator
from importlib import metadata
from pathlib import Path, PurePosixPath

from connect_async.devtools.archive import reproducible_zip
from connect_async.devtools.handler import LAMBDA_RUNTIME_IMPORTS

ROOT = Path(__file__).resolve().parent.parent

SOURCE = ROOT / "lambdas" / "connect_async"
# For task authors, never imported on Lambda: the testing kit and the layer tools.
_NOT_DEPLOYED = ("connect_async/testing.py", "connect_async/devtools/")
ARTIFACT = ROOT / "lambdas" / "dist" / "connect_async.zip"

# Distribution name -> exact version. The build refuses any other installed version.
VENDORED = {
    "aws-lambda-powertools": "3.37.0",
    "aws-xray-sdk": "2.15.0",
    "wrapt": "2.5.2",
    # Powertools needs it and the Lambda runtime does not promise it (jmespath it does: botocore).
    "typing-extensions": "4.16.0",
}
# What the Lambda python3.12/3.13 runtimes provide besides the standard library (the handler
# check gives a task the same: one list).
RUNTIME_PACKAGES = LAMBDA_RUNTIME_IMPORTS
# Machine-specific or binary files that must not enter the artifact.
_SKIP_SUFFIXES = (".pyc", ".so", ".c", ".h", ".pyd")
# WHEEL names the platform the wheel was built for (wrapt ships binary wheels).
_SKIP_DIST_INFO = {"RECORD", "INSTALLER", "REQUESTED", "direct_url.json", "WHEEL"}
BYTECODE_VERSIONS = ("3.12", "3.13")
# What a cold start imports (the handler modules and the built-in tasks), with tracing off and on.
_ENTRY_MODULES = (
    "connect_async.handlers.start",
    "connect_async.handlers.check",
    "connect_async.handlers.worker",
    "connect_async.tasks.demo",
    "connect_async.tasks.bedrock",
)
# Run by each Lambda Python: import the entry modules from the extracted artifact, then print the
# artifact files that were loaded.
_LIST_IMPORTS = """
import json, os, sys
task, runtime, modules = sys.argv[1], sys.argv[2], sys.argv[3:]
sys.path[:0] = [task, runtime]
for name in modules:
    __import__(name)
files = {os.path.relpath(m.__file__, task) for m in list(sys.modules.values())
         if getattr(m, "__file__", None) and os.path.abspath(m.__file__).startswith(task + os.sep)}
print(json.dumps(sorted(files)))
"""
# Run by each Lambda Python: compile the listed files, as /var/task would hold them.
_COMPILE = """
import importlib.util, json, os, py_compile, sys
task, files = sys.argv[1], json.loads(sys.argv[2])
for name in files:
    source = os.path.join(task, name)
    py_compile.compile(source, cfile=importlib.util.cache_from_source(source), dfile="/var/task/" + name,
                       doraise=True, invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH)
"""


def _source_files() -> Iterator[tuple[str, bytes]]:
    for path in sorted(SOURCE.rglob("*.py")):
        name = path.relative_to(SOURCE.parent).as_posix()
        if "__pycache__" in path.parts or name.startswith(_NOT_DEPLOYED):
            continue
        yield name, path.read_bytes()


def _vendored_files() -> Iterator[tuple[str, bytes]]:
    for name, version in VENDORED.items():
        dist = metadata.distribution(name)
        if dist.version != version:
            raise SystemExit(f"{name} {dist.version} is installed; the artifact needs {version} (make venv)")
        for file in dist.files or []:
            path = PurePosixPath(file.as_posix())
            if path.suffix in _SKIP_SUFFIXES or "__pycache__" in path.parts or ".." in path.parts:
                continue
            if path.parts[0].endswith(".dist-info") and path.name in _SKIP_DIST_INFO:
                continue
            yield path.as_posix(), Path(str(file.locate())).read_bytes()


def lambda_python(version: str) -> str:
    """An interpreter of this Python version, to compile bytecode for the Lambda runtime."""
    override = os.environ.get(f"LAMBDA_PYTHON_{version.replace('.', '_')}")
    candidates = [
        override,
        shutil.which(f"python{version}"),
        *sorted(glob.glob(os.path.expanduser(f"~/.pyenv/versions/{version}.*/bin/python{version}"))),
    ]
    for candidate in filter(None, candidates):
        probe = [candidate, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"]
        done = subprocess.run(probe, capture_output=True, text=True, check=False)
        if done.returncode == 0 and done.stdout.strip() == version:
            return candidate
    raise SystemExit(
        f"building the artifact needs a python{version} interpreter for its bytecode: put one on the PATH "
        f"or name it in LAMBDA_PYTHON_{version.replace('.', '_')}"
    )


def _bytecode(entries: dict[str, bytes]) -> dict[str, bytes]:
    """unchecked-hash .pyc files, per Lambda Python, for the modules a cold start imports."""
    compiled: dict[str, bytes] = {}
    with tempfile.TemporaryDirectory() as tmp:
        task = Path(tmp) / "task"
        for name, data in entries.items():
            (task / name).parent.mkdir(parents=True, exist_ok=True)
            (task / name).write_bytes(data)
        runtime = _runtime_packages(Path(tmp) / "runtime")
        for version in BYTECODE_VERSIONS:
            python = lambda_python(version)
            imported: set[str] = set()
            for tracing in ("false", "true"):
                env = {
                    "TRACING_ENABLED": tracing,
                    "AWS_DEFAULT_REGION": "us-east-1",
                    "PYTHONDONTWRITEBYTECODE": "1",
                }
                if tracing == "true":
                    env["AWS_LAMBDA_FUNCTION_NAME"] = "build"  # Powertools patches only inside Lambda
                listed = subprocess.run(
                    [python, "-S", "-c", _LIST_IMPORTS, str(task), str(runtime), *_ENTRY_MODULES],
                    capture_output=True,
                    text=True,
                    env=env,
                    check=True,
                )
                imported.update(json.loads(listed.stdout))
            files = sorted(name for name in imported if name in entries)
            subprocess.run([python, "-S", "-c", _COMPILE, str(task), json.dumps(files)], check=True)
        for path in sorted(task.rglob("*.pyc")):
            compiled[path.relative_to(task).as_posix()] = path.read_bytes()
    return compiled


def _runtime_packages(folder: Path) -> Path:
    """A folder holding only the packages the Lambda runtime provides, linked from this environment."""
    folder.mkdir()
    for name in RUNTIME_PACKAGES:
        origin = Path(__import__(name).__file__ or "")
        source = origin.parent if origin.name == "__init__.py" else origin
        (folder / source.name).symlink_to(source)
    return folder


def build_bytes() -> bytes:
    entries = dict(_source_files())
    for name, data in _vendored_files():
        if name in entries:
            raise SystemExit(f"two sources provide {name}")
        entries[name] = data
    entries.update(_bytecode(entries))
    return reproducible_zip(entries)


def lambda_layout(workdir: Path) -> tuple[Path, Path]:
    """The artifact as Lambda sees it: the zip extracted (like /var/task) and a folder holding
    only the runtime's own packages, linked from this environment. Used by the artifact tests
    and bench/import_time.py."""
    task = workdir / "task"
    with zipfile.ZipFile(ARTIFACT) as archive:
        archive.extractall(task)
    return task, _runtime_packages(workdir / "runtime")


def generated_files() -> dict[Path, bytes]:
    return {ARTIFACT: build_bytes()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if the committed zip differs")
    args = parser.parse_args(argv)
    built = build_bytes()
    digest = hashlib.sha256(built).hexdigest()
    if args.check:
        current = ARTIFACT.read_bytes() if ARTIFACT.exists() else b""
        if current != built:
            print(f"{ARTIFACT.relative_to(ROOT)} is stale: run `make gen` and commit it", file=sys.stderr)
            return 1
        print(f"{ARTIFACT.relative_to(ROOT)} is up to date (sha256 {digest})")
        return 0
    ARTIFACT.parent.mkdir(parents=True, exist_ok=True)
    ARTIFACT.write_bytes(built)
    print(f"wrote {ARTIFACT.relative_to(ROOT)}: {len(built)} bytes, sha256 {digest}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
