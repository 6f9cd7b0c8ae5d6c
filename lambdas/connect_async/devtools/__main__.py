"""connect-async: build your task's layer, check its handler, and hear it in the module's flows.

connect-async build-layer --source src --requirements requirements.txt --out dist/task-layer.zip
connect-async check-handler transfers.task:run --layer dist/task-layer.zip
connect-async check-handler transfers.task:run --path src --result-keys reference \
    --parameter amount=12.00 --parameter to_account=GB33BUKB20201555555555 --env TRANSFER_API_URL=sandbox
connect-async play --tfvars terraform.tfvars --task transfers.task:run --task-path src \
    --task-env TRANSFER_API_URL=sandbox --attributes 'amount=120.00 to_account=GB33BUKB20201555555555'
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import io
import sys
from pathlib import Path

from connect_async.devtools.handler import HandlerError, check_handler, try_result_keys
from connect_async.devtools.layer import ARCHITECTURES, PYTHON_VERSIONS, build_layer
from connect_async.devtools.play import PlayError, play

__all__ = ["main"]


def main(argv: list[str] | None = None) -> int:
    given = sys.argv[1:] if argv is None else argv
    if given[:1] == ["play"]:
        return _play(given[1:])
    parser = argparse.ArgumentParser(prog="connect-async", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("play", help="hear a call through the module's flows with your task (play --help)")
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
    check.add_argument(
        "--result-keys",
        help="the module's result_attribute_keys, comma-separated: run the task once here, as the"
        " worker would, and fail (missing_result_key) if its result lacks one. It runs your code:"
        " give it parameters that are safe here",
    )
    check.add_argument(
        "--parameter",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a parameter of that run (repeat)",
    )
    check.add_argument(
        "--env", action="append", default=[], metavar="NAME=VALUE", help="the run's environment (repeat)"
    )
    args = parser.parse_args(argv)

    if args.command == "check-handler":
        return _check_handler(args)

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


def _check_handler(args: argparse.Namespace) -> int:
    try:
        module = check_handler(args.handler, args.layer, args.path)
        print(f"{args.handler}: imports from {module} with the worker's import path")
        if args.result_keys is None:
            return 0
        keys = [key.strip() for key in args.result_keys.split(",") if key.strip()]
        parameters = dict(_assignment("--parameter", text) for text in args.parameter)
        environment = dict(_assignment("--env", text) for text in args.env)
        # The runtime's logs and metrics (JSON on stdout, as on Lambda) would bury the answer.
        with contextlib.redirect_stdout(io.StringIO()):
            run = try_result_keys(
                args.handler, keys, parameters, layers=args.layer, paths=args.path, environment=environment
            )
    except HandlerError as exc:
        print(f"connect-async: {exc}", file=sys.stderr)
        return 1
    wanted, returned = ", ".join(keys), ", ".join(sorted(run.result))
    print(f"{args.handler}: a run here completed with each result key ({wanted}); it returned {returned}")
    return 0


def _play(arguments: list[str]) -> int:
    """play's own option (--module); the rest are the demo's (its --help lists them)."""
    chooser = argparse.ArgumentParser(prog="connect-async play", add_help=False)
    chooser.add_argument("--module", type=Path, help="the module's source (default: from .terraform/modules)")
    chosen, rest = chooser.parse_known_args(arguments)
    try:
        return play(rest, chosen.module, Path.cwd())
    except PlayError as exc:
        print(f"connect-async: {exc}", file=sys.stderr)
        return 2


def _assignment(flag: str, text: str) -> tuple[str, str]:
    name, equals, value = text.partition("=")
    if not equals or not name:
        raise HandlerError(f"{flag} {text!r} must be NAME=VALUE")
    return name, value


if __name__ == "__main__":
    raise SystemExit(main())
