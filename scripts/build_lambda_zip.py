"""Build the Lambda artifact reproducibly: the same sources always give the same bytes.

The zip holds ``lambdas/connect_async`` and the vendored pure-Python packages (Powertools with
its tracer extra: aws-xray-sdk and wrapt's pure-Python fallback; typing-extensions), taken file
by file from their installed distributions at the versions pinned in requirements/dev.txt.
Entries are sorted, stamped 1980-01-01, mode 0644 and stored uncompressed: deflate output
differs between zlib builds (zlib-ng, for one), stored bytes do not.

    python scripts/build_lambda_zip.py                 # (re)write lambdas/dist/connect_async.zip
    python scripts/build_lambda_zip.py --check         # exit 1 if the committed zip is stale
"""

from __future__ import annotations

import argparse
import hashlib
import io
import sys
import zipfile
from collections.abc import Iterator
from importlib import metadata
from pathlib import Path, PurePosixPath

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "lambdas" / "connect_async"
ARTIFACT = ROOT / "lambdas" / "dist" / "connect_async.zip"

# Distribution name -> exact version. The build refuses any other installed version.
VENDORED = {
    "aws-lambda-powertools": "3.37.0",
    "aws-xray-sdk": "2.15.0",
    "wrapt": "2.5.2",
    # Powertools needs it and the Lambda runtime does not promise it (jmespath it does: botocore).
    "typing-extensions": "4.16.0",
}
# What the Lambda python3.12/3.13 runtimes provide besides the standard library.
RUNTIME_PACKAGES = ("boto3", "botocore", "s3transfer", "jmespath", "dateutil", "urllib3", "six")
# Machine-specific or binary files that must not enter the artifact.
_SKIP_SUFFIXES = (".pyc", ".so", ".c", ".h", ".pyd")
# WHEEL names the platform the wheel was built for (wrapt ships binary wheels).
_SKIP_DIST_INFO = {"RECORD", "INSTALLER", "REQUESTED", "direct_url.json", "WHEEL"}
_EPOCH = (1980, 1, 1, 0, 0, 0)


def _source_files() -> Iterator[tuple[str, bytes]]:
    for path in sorted(SOURCE.rglob("*.py")):
        if "__pycache__" in path.parts:
            continue
        yield path.relative_to(SOURCE.parent).as_posix(), path.read_bytes()


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


def build_bytes() -> bytes:
    entries = dict(_source_files())
    for name, data in _vendored_files():
        if name in entries:
            raise SystemExit(f"two sources provide {name}")
        entries[name] = data
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
        for name in sorted(entries):
            info = zipfile.ZipInfo(name, date_time=_EPOCH)
            info.external_attr = 0o100644 << 16  # regular file, rw-r--r--
            info.create_system = 3  # Unix, whatever machine builds it
            archive.writestr(info, entries[name])
    return buffer.getvalue()


def lambda_layout(workdir: Path) -> tuple[Path, Path]:
    """The artifact as Lambda sees it: the zip extracted (like /var/task) and a folder holding
    only the runtime's own packages, linked from this environment. Used by the artifact tests
    and bench/import_time.py."""
    task, runtime = workdir / "task", workdir / "runtime"
    with zipfile.ZipFile(ARTIFACT) as archive:
        archive.extractall(task)
    runtime.mkdir()
    for name in RUNTIME_PACKAGES:
        origin = Path(__import__(name).__file__ or "")
        source = origin.parent if origin.name == "__init__.py" else origin
        (runtime / source.name).symlink_to(source)
    return task, runtime


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if the committed zip differs")
    args = parser.parse_args(argv)
    built = build_bytes()
    digest = hashlib.sha256(built).hexdigest()
    if args.check:
        current = ARTIFACT.read_bytes() if ARTIFACT.exists() else b""
        if current != built:
            print(f"{ARTIFACT.relative_to(ROOT)} is stale: run `make zip` and commit it", file=sys.stderr)
            return 1
        print(f"{ARTIFACT.relative_to(ROOT)} is up to date (sha256 {digest})")
        return 0
    ARTIFACT.parent.mkdir(parents=True, exist_ok=True)
    ARTIFACT.write_bytes(built)
    print(f"wrote {ARTIFACT.relative_to(ROOT)}: {len(built)} bytes, sha256 {digest}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
