"""Cold-start import time of each handler module, against a bare ``import boto3``.

Each sample is a fresh interpreter (``python -S -B``, a python3.12 by default: the artifact
carries bytecode for Lambda's 3.12 and 3.13) whose path holds only the extracted Lambda zip and
the packages the Lambda runtime provides, as in /var/task. Reports the median of
``--runs`` samples, tracing off and on, and the ratio to boto3. A benchmark, not a test: the
numbers depend on the machine; the ratios travel better.

    .venv/bin/python -m bench.import_time --runs 5
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import tempfile
from pathlib import Path

from scripts.build_lambda_zip import lambda_layout, lambda_python

ROOT = Path(__file__).resolve().parent.parent
# Fresh interpreters per measurement: five keeps `make bench` within its five minutes on two cores.
DEFAULT_RUNS = 5
MODULES = {
    "boto3 (baseline)": "boto3",
    "handlers.start": "connect_async.handlers.start",
    "handlers.check": "connect_async.handlers.check",
    "handlers.worker": "connect_async.handlers.worker",
    "handlers.lookup": "connect_async.handlers.lookup",
}
# Import the module, then (handlers) build what the first invocation builds: settings from the
# environment and the boto3 clients. Prints both times in seconds.
PROBE = (
    "import sys, time; sys.path[:0] = [sys.argv[1], sys.argv[2]]; t = time.perf_counter();"
    "module = __import__(sys.argv[3], fromlist=['_']); t1 = time.perf_counter();"
    "getattr(module, '_service', lambda: None)(); print(t1 - t, time.perf_counter() - t1)"
)
# The names the module sets for each function (placeholders; nothing is called). The settings
# are left unset: each function then reads the settings schema's default, as the module sets it.
ENVIRONMENT = {
    "TRACKER_TABLE_NAME": "bench-tracker",
    "CONFIG_TABLE_NAME": "bench-config",
    "WORKER_FUNCTION_NAME": "bench-worker",
    "TASK_HANDLER": "connect_async.tasks.demo:run",
    "POWERTOOLS_SERVICE_NAME": "bench",
    "POWERTOOLS_METRICS_NAMESPACE": "Bench",
    "AWS_DEFAULT_REGION": "eu-west-2",
}


def _sample(python: str, task: Path, runtime: Path, module: str, tracing: bool) -> tuple[float, float]:
    """(import ms, initialisation ms) in a fresh interpreter."""
    env = {**ENVIRONMENT, "TRACING_ENABLED": "true" if tracing else "false"}
    if tracing:
        # Powertools' Tracer only patches and loads the X-Ray SDK inside Lambda.
        env["AWS_LAMBDA_FUNCTION_NAME"] = "bench"
    done = subprocess.run(
        [python, "-S", "-B", "-c", PROBE, str(task), str(runtime), module],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    imported, initialised = (float(x) * 1000 for x in done.stdout.split())
    return imported, initialised


def _runtime_with_bytecode(python: str, linked: Path, folder: Path) -> Path:
    """The runtime's packages copied and compiled for ``python``, as Lambda's runtime ships them
    (the linked ones in this venv have bytecode for its own Python only)."""
    folder.mkdir()
    for entry in linked.iterdir():
        source = entry.resolve()
        if source.is_dir():
            shutil.copytree(source, folder / entry.name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy(source, folder / entry.name)
    subprocess.run([python, "-m", "compileall", "-q", str(folder)], check=True)
    return folder


def measure(runs: int, python: str) -> dict[str, dict[str, float]]:
    """Median import time (ms) per module, tracing off and on, with the ratio to boto3."""
    results: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        task, linked = lambda_layout(Path(tmp))
        runtime = _runtime_with_bytecode(python, linked, Path(tmp) / "runtime-compiled")
        # One untimed import warms the OS file cache for every module.
        for module in MODULES.values():
            _sample(python, task, runtime, module, tracing=True)
        baseline: dict[bool, float] = {}
        for label, module in MODULES.items():
            row: dict[str, float] = {}
            for tracing in (False, True):
                samples = [_sample(python, task, runtime, module, tracing) for _ in range(runs)]
                median = statistics.median(s[0] for s in samples)
                baseline.setdefault(tracing, median)
                key = "tracing_on" if tracing else "tracing_off"
                row[f"{key}_ms"] = round(median, 1)
                row[f"{key}_vs_boto3"] = round(median / baseline[tracing], 2)
                row[f"{key}_init_ms"] = round(statistics.median(s[1] for s in samples), 1)
            results[label] = row
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--runs",
        type=int,
        default=DEFAULT_RUNS,
        help=f"fresh interpreters per measurement (default {DEFAULT_RUNS})",
    )
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument("--python", help="the interpreter to time (default: a python3.12, as Lambda runs)")
    args = parser.parse_args(argv)
    python = args.python or lambda_python("3.12")
    probe = subprocess.run([python, "--version"], capture_output=True, text=True, check=True)
    version = probe.stdout.split()[1]
    results = measure(args.runs, python)
    if args.json:
        document = {"python": version, "runs": args.runs, "modules": results}
        args.json.write_text(json.dumps(document, indent=2) + "\n")
    print(f"median of {args.runs} fresh interpreters, python {version}, ms\n")
    columns = ("tracing off", "x boto3", "init", "tracing on", "x boto3", "init")
    print(f"{'module':<20}" + "".join(f"{c:>12}" for c in columns))
    for label, row in results.items():
        values = [
            row[f"{key}{suffix}"]
            for key in ("tracing_off", "tracing_on")
            for suffix in ("_ms", "_vs_boto3", "_init_ms")
        ]
        print(f"{label:<20}" + "".join(f"{v:12.2f}" for v in values))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
