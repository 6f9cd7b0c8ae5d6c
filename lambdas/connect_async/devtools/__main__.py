"""connect-async: build your task's layer, and check its handler before applying.

connect-async build-layer --source src --requirements requirements.txt --out dist/task-layer.zip
connect-async check-handler transfers.task:run --layer dist/task-layer.zip
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from pathlib import Path

from connect_async.devtools.handler import HandlerError, check_handler
from connect_async.devtools.layer import ARCHITECTURES, PYTHON_VERSIONS, build_layer

__all__ = ["main"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="connect-async", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    build = commands.add_parser("build-layer", help="your task's code and dependencies as a layer zip")
    build.add_argument("--source", type=Path, help="the folder holding your task's packages")
    build.add_argument("--requirements", type=Path, help="a pip requirements file (pin every version)")
    build.add_argument("--out", type=Path, required=True, help="where to write the zip")
    build.add_argument(
        "--python", default="3.12", choices=PYTHON_VERSIONS, help="the module's lambda_runtime"
    )
    build.add_argument("--architecture", default="arm64", choices=sorted(ARCHITECTURES))
    build.add_argument("--check", action="store_true", help="fail if --out differs from a fresh build")
    check = commands.add_parser("check-handler", help="import TASK_HANDLER as the worker would")
    check.add_argument("handler", help="package.module:function")
    check.add_argument("--layer", type=Path, action="append", default=[], help="a layer zip (repeat)")
    check.add_argument("--path", type=Path, action="append", default=[], help="a source folder (repeat)")
    args = parser.parse_args(argv)

    if args.command == "check-handler":
        try:
            module = check_handler(args.handler, args.layer, args.path)
        except HandlerError as exc:
            print(f"connect-async: {exc}", file=sys.stderr)
            return 1
        print(f"{args.handler}: imports from {module} with the worker's import path")
        return 0

    try:
        built = build_layer(
            args.source, args.requirements, python_version=args.python, architecture=args.architecture
        )
    except (ValueError, RuntimeError) as exc:
        print(f"connect-async: {exc}", file=sys.stderr)
        return 1
    digest = hashlib.sha256(built).hexdigest()
    if args.check:
        current = args.out.read_bytes() if args.out.exists() else b""
        if current != built:
            print(f"connect-async: {args.out} is stale: build it again", file=sys.stderr)
            return 1
        print(f"{args.out} is up to date (sha256 {digest})")
        return 0
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_bytes(built)
    print(f"wrote {args.out}: {len(built)} bytes, sha256 {digest}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
