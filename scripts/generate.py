"""Regenerate every generated file, in one fixed order (`make gen`); --check lists the stale ones.

Each step computes its files from the sources and from the steps before it, so they run in order:

1. contract: modules/plan/contract.json, modules/plan/settings.tf, the generated part of
   variables.tf and the settings table in lambdas/README.md, from lambdas/connect_async;
2. artifact: lambdas/dist/connect_async.zip (byte-reproducible) from lambdas/connect_async;
3. example layer: examples/custom-task/dist/transfer-layer.zip from examples/custom-task/src and its
   requirements.txt;
4. layout: modules/plan/layout.json, where each block sits in the designer, from the renders;
5. flows: flows/*.json, the diagrams and shape table in flows/README.md and the call chart in
   README.md, from the renders and the demo;
6. terraform docs: the inputs/outputs tables of every README, from each module's files.

Measurements are not generated here: docs/performance.md is `make bench`'s, and
docs/reliability.md is written by the reliability suite (`make reliability-report`).

    python -m scripts.generate            # write what is stale
    python -m scripts.generate --check    # exit 1, naming each stale file and its step
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Final

from connect_async.devtools import build_layer
from flowkit import demo
from scripts import build_lambda_zip, flow_docs, flow_layout, terraform_docs, write_contract

__all__ = ["STEPS", "main", "stale"]

ROOT: Final = Path(__file__).resolve().parent.parent
EXAMPLE: Final = ROOT / "examples" / "custom-task"


def _example_layer() -> dict[Path, bytes]:
    built = build_layer(EXAMPLE / "src", EXAMPLE / "requirements.txt")
    return {EXAMPLE / "dist" / "transfer-layer.zip": built}


STEPS: Final[tuple[tuple[str, Callable[[], Mapping[Path, str | bytes]]], ...]] = (
    ("contract", write_contract.generated_files),
    ("artifact", build_lambda_zip.generated_files),
    ("example layer", _example_layer),
    ("layout", flow_layout.generated_files),
    ("flows", flow_docs.generated_files),
    ("terraform docs", terraform_docs.generated_files),
)


def _differs(path: Path, content: str | bytes) -> bool:
    if not path.exists():
        return True
    return (path.read_bytes() if isinstance(content, bytes) else path.read_text()) != content


def stale(step: Callable[[], Mapping[Path, str | bytes]]) -> list[Path]:
    """The files of one step that differ from what it generates."""
    return [path for path, content in step().items() if _differs(path, content)]


@demo.on_the_emulator  # the flow docs play their calls on moto
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 if a file is stale")
    args = parser.parse_args(argv)
    found = []
    for name, step in STEPS:
        for path, content in step().items():
            if not _differs(path, content):
                continue
            found.append(path)
            if args.check:
                print(f"{path.relative_to(ROOT)} is stale ({name}): run `make gen`", file=sys.stderr)
                continue
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(content)
            print(f"wrote {path.relative_to(ROOT)} ({name})")
    if not found:
        print("every generated file is up to date")
    return 1 if args.check and found else 0


if __name__ == "__main__":
    raise SystemExit(main())
