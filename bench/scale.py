"""Scale on paper: N concurrent long tasks against Lambda, DynamoDB and Connect quotas.

Every number comes from a formula over the module's timing plan (rendered by Terraform from the
defaults, or a tfvars file) and the documented quotas below, so the table says where the pattern
breaks first and why. No load is generated here (the fault and load suite does that).

    .venv/bin/python -m bench.scale [--tfvars FILE] [--task-seconds 120] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path
from typing import Any, Final

from flowkit import demo

ROOT = Path(__file__).resolve().parent.parent

__all__ = ["QUOTAS", "scale_table"]

CONCURRENT_TASKS: Final = (10, 100, 1000, 10_000)
# Documented defaults (the Amazon Connect and Lambda quota pages); all but the last are adjustable.
QUOTAS: Final = {
    "connect_concurrent_calls": 10,  # per instance, default
    "lambda_concurrency": 1000,  # per account and Region, shared by every function
    "dynamodb_on_demand_reads_per_second": 12_000,  # a new on-demand table's initial peak (RRU/s)
    "dynamodb_on_demand_writes_per_second": 4_000,  # idem (WRU/s)
    "connect_lambda_functions_per_instance": 50,  # not adjustable; this module uses 2
}
START_SECONDS: Final = 0.05  # start's duration (simulator latency model: write + async invoke)
CHECK_READ_SECONDS: Final = 0.04  # a check call that reads once (invoke round trip + one read)
PROGRESS_WRITES: Final = 3  # progress reports of a typical task, besides claim and result


def scale_table(plan: dict[str, Any], task_seconds: float) -> dict[str, Any]:
    budget = float(plan["check_budget_ms"]) / 1000
    interval = float(plan["check_poll_interval_ms"]) / 1000
    loop = float(plan["loop_seconds"])
    sentences = int(plan["hold_sentences"])
    always = plan["check_poll_when"] == "always"
    polls_per_check = max(1, math.floor(budget / interval) + 1)
    push = plan["wait_mode"]["inbound_voice"] == "push"
    # Per loop, one check call per sentence. With "always" the last of them polls for the budget;
    # with "due" each reads once, and a run polls for one budget as its end comes due. In push
    # mode each waiting caller holds a check for the whole wait, reading every poll interval,
    # and each round of push_wait_seconds adds one synchronous read.
    if push:
        check_duty = float(plan["check_executions_per_waiting_caller"])
        reads_per_task_second = 1 / interval + 1 / float(plan["push_wait_seconds"])
    elif always:
        check_duty = ((sentences - 1) * CHECK_READ_SECONDS + max(budget, CHECK_READ_SECONDS)) / loop
        reads_per_task_second = (sentences - 1 + polls_per_check) / loop
    else:
        check_duty = sentences * CHECK_READ_SECONDS / loop + budget / task_seconds
        reads_per_task_second = sentences / loop + polls_per_check / task_seconds
    writes_per_task = 1 + 1 + PROGRESS_WRITES + 1  # start, claim, progress, result
    rows = []
    for n in CONCURRENT_TASKS:
        lambda_concurrency = n * (1 + check_duty) + n * START_SECONDS / task_seconds
        reads = n * reads_per_task_second
        writes = n * writes_per_task / task_seconds
        limits = {
            "Connect concurrent calls": n / QUOTAS["connect_concurrent_calls"],
            "Lambda concurrency": lambda_concurrency / QUOTAS["lambda_concurrency"],
            "DynamoDB reads": reads / QUOTAS["dynamodb_on_demand_reads_per_second"],
            "DynamoDB writes": writes / QUOTAS["dynamodb_on_demand_writes_per_second"],
        }
        first = max(limits, key=lambda k: limits[k])
        rows.append(
            {
                "concurrent_tasks": n,
                "lambda_concurrency": round(lambda_concurrency, 1),
                "worker_concurrency": n,
                "check_concurrency": round(n * check_duty, 1),
                "dynamodb_reads_per_second": round(reads, 1),
                "dynamodb_writes_per_second": round(writes, 2),
                "connect_calls": n,
                "share_of_quota": {k: round(v, 3) for k, v in limits.items()},
                "breaks_first": first if limits[first] > 1 else None,
            }
        )
    # The largest N each quota allows alone.
    ceilings = {
        "Connect concurrent calls": QUOTAS["connect_concurrent_calls"],
        "Lambda concurrency": math.floor(
            QUOTAS["lambda_concurrency"] / (1 + check_duty + START_SECONDS / task_seconds)
        ),
        "DynamoDB reads": math.floor(QUOTAS["dynamodb_on_demand_reads_per_second"] / reads_per_task_second),
        "DynamoDB writes": math.floor(
            QUOTAS["dynamodb_on_demand_writes_per_second"] * task_seconds / writes_per_task
        ),
    }
    return {
        "task_seconds": task_seconds,
        "plan": {
            "check_budget_s": budget,
            "poll_interval_s": interval,
            "loop_seconds": loop,
            "hold_sentences": sentences,
            "check_poll_when": "always" if always else "due",
            "wait_mode": "push" if push else "poll",
            "push_wait_seconds": plan["push_wait_seconds"] if push else None,
        },
        "derived": {"polls_per_check": polls_per_check, "check_duty_cycle": round(check_duty, 3)},
        "formulas": {
            "lambda_concurrency": (
                "N x (1 + check duty cycle) + N x start_seconds / task_seconds; duty cycle (push): 1, "
                "a check held per waiting caller; (poll, due): "
                f"sentences x {CHECK_READ_SECONDS} s / loop_seconds + check_budget / task_seconds "
                "(one poll as the end comes due); (poll, always): the budget in every loop"
            ),
            "dynamodb_reads_per_second": (
                "N x (1 / poll_interval + 1 / push_wait_seconds)  (push); "
                "N x (sentences / loop_seconds + polls_per_check / task_seconds)  "
                "(poll, due); consistent reads, 1 RRU each"
            ),
            "dynamodb_writes_per_second": f"N x {writes_per_task} / task_seconds  (start claim progress end)",
            "connect_calls": "N (each caller holds a line while the flow loops)",
        },
        "quotas": QUOTAS,
        "rows": rows,
        "ceilings": ceilings,
    }


@demo.on_the_emulator
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tfvars", type=Path)
    parser.add_argument("--task-seconds", type=float, default=120)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    table = scale_table(demo.render(args.tfvars).timing, args.task_seconds)
    if args.json:
        args.json.write_text(json.dumps(table, indent=2) + "\n")
    print(json.dumps(table, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
