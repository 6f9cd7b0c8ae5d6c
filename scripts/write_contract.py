"""Write (or --check) lambdas/contract.json, the runtime's contract for the Terraform module."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "lambdas"))

from connect_async.manifest import contract_json  # noqa: E402 - after the path is set

TARGET = ROOT / "lambdas" / "contract.json"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true", help="fail if the committed file differs")
    args = parser.parse_args(argv)
    text = contract_json()
    if args.check:
        if not TARGET.exists() or TARGET.read_text() != text:
            print("lambdas/contract.json is stale: run `make contract` and commit it", file=sys.stderr)
            return 1
        return 0
    TARGET.write_text(text)
    print(f"wrote {TARGET.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
