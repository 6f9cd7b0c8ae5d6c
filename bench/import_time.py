"""Cold-start import time of each handler module, against a bare ``import boto3``.

Each sample is a fresh interpreter (``python -S``) whose path holds only the extracted Lambda
zip and the packages the Lambda runtime provides, as in /var/task. Reports the median of
``--runs`` samples, tracing off and on, and the ratio to boto3. A benchmark, not a test: the
numbers depend on the machine; the ratios travel better.

    .venv/bin/python bench/import_time.py --runs 7
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from scripts.build_lambda_zip import lambda_layout

ROOT = Path(__file__).resolve().parent.parent
MODULES = {
    "boto3 (baseline)": "boto3",
    "handlers.start": "connect_async.handlers.start",
    "handlers.check": "connect_async.handlers.check",
    "handlers.worker": "connect_async.handlers.worker",
}
PROBE = (
    "import sys, time; sys.path[:0] = [sys.argv[1], sys.argv[2]]; t = time.perf_counter();"
    "__import__(sys.argv[3]); print(time.perf_counter() - t)"
)


def _sample(task: Path, runtime: Path, module: str, tracing: bool) -> float:
    env = {"TRACING_ENABLED": "true" if tracing else "false", "AWS_DEFAULT_REGION": "eu-west-2"}
    if tracing:
        # Powertools' Tracer only patches and loads the X-Ray SDK inside Lambda.
        env["AWS_LAMBDA_FUNCTION_NAME"] = "bench"
    done = subprocess.run(
        [sys.executable, "-S", "-B", "-c", PROBE, str(task), str(runtime), module],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    return float(done.stdout.strip()) * 1000


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="fresh interpreters per measurement (default 5)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        task, runtime = lambda_layout(Path(tmp))
        # One untimed import warms the OS file cache for every module.
        for module in MODULES.values():
            _sample(task, runtime, module, tracing=True)
        print(f"median of {args.runs} fresh interpreters, python {sys.version.split()[0]}, ms\n")
        print(f"{'module':<20} {'tracing off':>12} {'x boto3':>8} {'tracing on':>12} {'x boto3':>8}")
        baseline: dict[bool, float] = {}
        for label, module in MODULES.items():
            row = []
            for tracing in (False, True):
                median = statistics.median(_sample(task, runtime, module, tracing) for _ in range(args.runs))
                baseline.setdefault(tracing, median)
                row.append(f"{median:12.1f} {median / baseline[tracing]:8.2f}")
            print(f"{label:<20} {' '.join(row)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
