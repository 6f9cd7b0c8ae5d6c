"""Run every benchmark and write docs/performance.md (and the raw numbers, docs/performance.json).

make bench          # about 4 minutes on two cores (the workload is 8,000 simulated calls)
"""

from __future__ import annotations

import contextlib
import io
import json
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench import greeting, handler_overhead, import_time, per_contact, scale, soak, workload
from flowkit import demo
from flowkit.prices import PRICES, PRICES_DATE
from scripts.build_lambda_zip import lambda_python

ROOT = Path(__file__).resolve().parent.parent

DOC = ROOT / "docs" / "performance.md"
RAW = ROOT / "docs" / "performance.json"
PUSH = ROOT / "examples" / "push.tfvars"
TUNINGS = [
    ROOT / "bench" / "tunings" / "lowest_cost.tfvars",
    ROOT / "bench" / "tunings" / "long_poll.tfvars",
    PUSH,
]
TARGET_TASK_SECONDS = 30
BEFORE = ROOT / "bench" / "tunings" / "defaults_0_2.tfvars"
# The workload's runs: (key, label, design, tfvars, channel, progress), on the same calls.
WORKLOADS = [
    ("even", "voice, tasks that report their pace", "module", None, "VOICE", "even"),
    ("none", "voice, tasks that report nothing", "module", None, "VOICE", "none"),
    ("misleading", "voice, tasks whose pace is wrong", "module", None, "VOICE", "misleading"),
    ("early", "voice, tasks that report a step at once", "module", None, "VOICE", "early"),
    ("chat", "chat, tasks that report their pace", "module", None, "CHAT", "even"),
    ("push_even", "voice, push (push.tfvars), tasks that report their pace", "module", PUSH, "VOICE", "even"),
    ("push_none", "voice, push (push.tfvars), tasks that report nothing", "module", PUSH, "VOICE", "none"),
    ("naive", "voice, the naive pattern", "naive", None, "VOICE", "none"),
    ("alone", "voice, Connect's asynchronous Lambda alone", "connect_alone", None, "VOICE", "none"),
    ("before", "voice, the 0.2.0 defaults (defaults_0_2.tfvars)", "module", BEFORE, "VOICE", "even"),
]
LATENCY_P50_MS = 500
LATENCY_P90_MS = 1_200
SILENCE_TARGET_SECONDS = 1.05
PUSH_LATENCY_P50_MS = 150
PUSH_LATENCY_P90_MS = 300
PUSH_SILENCE_SECONDS = 0.3
PUSH_COST_SHARE = 0.01  # of the same call's Connect minutes


def _rows(measurements: list[dict[str, Any]], design: str) -> list[dict[str, Any]]:
    return [m for m in measurements if m["design"] == design]


def _gb(m: dict[str, Any], function: str) -> str:
    return f"{m['gb_seconds'].get(function, 0):.3f}"


def _per_contact_table(rows: list[dict[str, Any]], functions: tuple[str, ...]) -> str:
    head = (
        "| task | outcome | caller's wait | longest silence | longest Lambda chain | detection | invocations | "
        + " | ".join(f"GB-s {f}" for f in functions)
        + " | overhead GB-s | RRU / WRU | Lambda + DynamoDB per 1,000 | Connect minutes per 1,000 |"
    )
    lines = [head, "|" + "---|" * (head.count("|") - 1)]
    for m in rows:
        detection = "n/a" if m["detection_latency_ms"] is None else f"{m['detection_latency_ms']} ms"
        invocations = ", ".join(f"{k} {v}" for k, v in m["invocations"].items())
        lines.append(
            f"| {m['task_seconds']:g} s | {m['outcome']} | {m['total_wait_seconds']:.1f} s | "
            f"{m['longest_silence_seconds']:.1f} s | {m['longest_lambda_chain_seconds']:.1f} s | {detection} | "
            f"{invocations} | "
            + " | ".join(_gb(m, f) for f in functions)
            + f" | {m['overhead_gb_seconds']:.3f} | "
            f"{m['read_units']} / {m['write_units']} | ${m['price_per_1000']:.4f} | "
            f"${m['connect_minutes_price_per_1000']:.2f} |"
        )
    return "\n".join(lines)


def _tuning_table(measurements: list[dict[str, Any]], designs: list[str]) -> str:
    lines = [
        "| tuning | task | caller's wait | longest silence | detection | overhead GB-s | Lambda + DynamoDB per 1,000 |",
        "|---|---|---|---|---|---|---|",
    ]
    for design in designs:
        for m in _rows(measurements, design):
            if m["task_seconds"] not in (5, 30, 60):
                continue
            detection = "n/a" if m["detection_latency_ms"] is None else f"{m['detection_latency_ms']} ms"
            lines.append(
                f"| {design} | {m['task_seconds']:g} s | {m['total_wait_seconds']:.1f} s | "
                f"{m['longest_silence_seconds']:.1f} s | {detection} | {m['overhead_gb_seconds']:.3f} | "
                f"${m['price_per_1000']:.4f} |"
            )
    return "\n".join(lines)


def _chart(title: str, labels: list[str], series: list[list[float]], y_label: str) -> str:
    top = max(max(s) for s in series) * 1.1 or 1
    lines = [
        "```mermaid",
        "xychart-beta",
        f'    title "{title}"',
        f"    x-axis [{', '.join(labels)}]",
        f'    y-axis "{y_label}" 0 --> {top:.2f}',
    ]
    lines += [f"    bar [{', '.join(f'{v:.3f}' for v in series[0])}]"]
    lines += [f"    line [{', '.join(f'{v:.3f}' for v in s)}]" for s in series[1:]]
    lines.append("```")
    return "\n".join(lines)


def _targets(data: dict[str, Any]) -> str:
    measurements = data["per_contact"]["measurements"]
    naive = {m["task_seconds"]: m for m in _rows(measurements, "naive")}
    runs = {run["key"]: run for run in data["workload"]["runs"]}
    wait_seconds = float(data["plan"]["longest_wait_seconds"])
    voice = [run for run in _poll_runs(runs) if run["channel"] == "VOICE"]
    worst_silence = max(s["longest_silence_seconds"] for run in voice for s in run["summaries"])
    voice_calls = sum(s["calls"] for run in voice for s in run["summaries"])
    naive_overhead = naive[TARGET_TASK_SECONDS]["overhead_gb_seconds"]
    workload_gb = [
        (
            run["label"],
            next(s for s in run["summaries"] if s["median_seconds"] == TARGET_TASK_SECONDS)[
                "overhead_gb_seconds"
            ],
        )
        for run in voice
    ]
    fast = data["greeting"]
    greeting_bound = fast["lookup_budget_ms"] + 100
    module_rows = [r for r in fast["rows"] if r["design"] == "module defaults"]
    worst_greeting = max(r["silence_before_greeting_ms"] for r in module_rows)
    hand_made = max(r["silence_before_greeting_ms"] for r in fast["rows"] if r["design"] != "module defaults")
    imports = data["import_time"]["modules"]
    worst_import = max(imports[h]["tracing_off_vs_boto3"] for h in imports if h.startswith("handlers."))

    rows = [
        _latency_row(runs["even"], "tasks that report their pace", wait_seconds),
        _latency_row(runs["none"], "tasks that report nothing", wait_seconds),
        _invariants_row(_poll_runs(runs), wait_seconds),
        (
            f"Longest silence at most {SILENCE_TARGET_SECONDS} s in every call of the workload (voice, poll: "
            "tasks that report their pace, nothing, a wrong pace, a step at once)",
            f"worst {worst_silence:.3f} s over {voice_calls} calls",
            _verdict(worst_silence <= SILENCE_TARGET_SECONDS),
            "A check call answers after one read unless the run's end is due; then it polls for its budget "
            "(1 s), making its last read 50 ms before the budget ends, so a call with its way back to Connect "
            "is the budget and no more.",
        ),
        (
            f"Overhead GB-s per contact at most 1/10 of the naive pattern's at the {TARGET_TASK_SECONDS} s median",
            "; ".join(
                f"{label.split(', ', 1)[1]} {gb:.3f} ({gb / naive_overhead:.3f}x)"
                for label, gb in workload_gb
            )
            + f"; naive {naive_overhead:.3f} for a {TARGET_TASK_SECONDS} s task",
            _verdict(all(gb / naive_overhead <= 0.1 for _, gb in workload_gb)),
            "check polls only when the run's end is due, at most one budget per progress report (a pace that "
            "proved wrong stops it); every other call is one read, tens of milliseconds. A caller's extra "
            "second on the line costs Connect $0.0003, more than all the Lambda overhead of a call.",
        ),
        (
            f"Silence before the greeting at most `lookup_budget_ms` + 100 ms ({greeting_bound} ms) whatever "
            "the configuration table does",
            f"worst {worst_greeting} ms (hand-made lookup: {hand_made} ms)",
            _verdict(worst_greeting <= greeting_bound),
            "The lookup's reads are cut at half its budget and its retries end with it; the block's "
            "`lookup_time_limit_seconds` bounds a lookup that cannot answer at all.",
        ),
        (
            "Handler import at most 1.3x a bare boto3 import, tracing off",
            f"worst {worst_import:.2f}x (Python {data['import_time']['python']})",
            _verdict(worst_import <= 1.3),
            "The artifact ships bytecode for python3.12 and 3.13 (before: 1.5x, all of it compilation).",
        ),
    ]
    rows += _push_rows(runs, data["push_plan"])
    lines = ["| target | measured | verdict | why, and what closes a gap |", "|---|---|---|---|"]
    lines += [f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows]
    return "\n".join(lines)


def _verdict(ok: bool) -> str:
    return "met" if ok else "**missed**"


def _poll_runs(runs: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """The module's runs with its defaults (poll mode)."""
    return [run for run in runs.values() if run["design"] == "module" and run["tfvars"] is None]


def _push_rows(runs: dict[str, dict[str, Any]], plan: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    wait_seconds = float(plan["push_longest_wait_seconds"])
    interval_ms = plan["check_poll_interval_ms"]
    push = [runs["push_even"], runs["push_none"]]
    summaries = [s for run in push for s in run["summaries"]]
    latency_met = all(
        s["latency_p50_ms"] <= PUSH_LATENCY_P50_MS and s["latency_p90_ms"] <= PUSH_LATENCY_P90_MS
        for s in summaries
    )
    answered = all(_all_answered(s, wait_seconds) for s in summaries)
    worst_silence = max(s["longest_silence_seconds"] for s in summaries)
    calls = sum(s["calls"] for s in summaries)
    shares = [
        (
            run["label"],
            s["median_seconds"],
            s["overhead_price_per_1000"] / s["connect_minutes_price_per_1000"],
        )
        for run in push
        for s in run["summaries"]
    ]
    worst_share = max(share for _, _, share in shares)
    poll_share = max(
        s["overhead_price_per_1000"] / s["connect_minutes_price_per_1000"] for s in runs["none"]["summaries"]
    )

    return [
        (
            f"Push: answer latency p50 <= {PUSH_LATENCY_P50_MS} ms and p90 <= {PUSH_LATENCY_P90_MS} ms, tasks that "
            "report their pace and tasks that report nothing; every call within the wait answered",
            "; ".join(
                f"{run['progress']} {s['median_seconds']:g} s: p50 {s['latency_p50_ms']} / p90 "
                f"{s['latency_p90_ms']} ms"
                for run in push
                for s in run["summaries"]
            )
            + _over_the_wait(summaries)
            + ("" if answered else "; not every call within the wait answered"),
            _verdict(latency_met and answered),
            f"check holds the asynchronous call, reading the tracker every `check_poll_interval_ms` ({interval_ms} ms "
            "in push.tfvars), and returns the moment the run ends; the Wait interrupts the hold prompt on "
            "LambdaReturned. The max is MinimumWaitTimeSeconds (1 s, the export's value, an assumption: "
            "flows/README.md) when a run ends in a round's first second.",
        ),
        (
            f"Push: longest silence at most {PUSH_SILENCE_SECONDS} s in every call",
            f"worst {worst_silence:.3f} s over {calls} calls",
            _verdict(worst_silence <= PUSH_SILENCE_SECONDS),
            "The hold message plays on the Wait's Continue branch throughout; the silences left are the "
            "start call and the synchronous read that follows each round.",
        ),
        (
            f"Push: the waiting's Lambda and DynamoDB (all but the task's own run) at most {PUSH_COST_SHARE:.0%} "
            "of the same call's Connect minutes",
            f"worst {worst_share:.2%} ("
            + ", ".join(f"{m:g} s {v:.2%}" for label, m, v in shares if "nothing" in label)
            + f" for tasks that report nothing); poll at most {poll_share:.2%}",
            _verdict(worst_share <= PUSH_COST_SHARE),
            f"A held check costs its GB-seconds for the whole wait ({plan['memory_mb']['check']} MB in push.tfvars) "
            f"and {1000 / interval_ms:.3g} consistent reads a second; Connect bills the caller's minutes either way. "
            "`check_poll_interval_ms` trades reads against latency: a longer interval reads less and "
            "answers later (the answer waits half an interval on average).",
        ),
    ]


def _all_answered(summary: dict[str, Any], wait_seconds: float) -> bool:
    """Every call answered, but those whose task outlasted the caller's wait (they rightly take
    the "taking longer" path while the work goes on)."""
    shortest = summary["shortest_task_that_took_longer_seconds"]
    return summary["answered"] + summary["took_longer"] == summary["calls"] and (
        shortest is None or shortest >= wait_seconds
    )


def _over_the_wait(summaries: list[dict[str, Any]]) -> str:
    longer = [s for s in summaries if s["took_longer"]]
    if not longer:
        return ""
    counted = sum(s["took_longer"] for s in longer)
    shortest = min(s["shortest_task_that_took_longer_seconds"] for s in longer)
    return (
        f" ({counted} tasks longer than the caller's wait, the shortest {shortest:.0f} s, took the "
        "taking-longer path: the work goes on)"
    )


def _latency_row(run: dict[str, Any], tasks: str, wait_seconds: float) -> tuple[str, str, str, str]:
    summaries = run["summaries"]
    measured = "; ".join(
        f"{s['median_seconds']:g} s: p50 {s['latency_p50_ms']} / p90 {s['latency_p90_ms']} ms"
        for s in summaries
    )
    met = all(
        s["latency_p50_ms"] <= LATENCY_P50_MS and s["latency_p90_ms"] <= LATENCY_P90_MS for s in summaries
    )
    answered = all(_all_answered(s, wait_seconds) for s in summaries)
    why = (
        "check polls when the last progress report puts the run's end within its budget, so the result is read "
        "within a poll interval (250 ms) of landing; when the end falls in a sentence that began before the "
        "budget's reach, the sentence's remainder. The 60 s median's p90 is the pace's rounding: a percent is "
        "a whole number, so 66% at 40 s puts the end at 60.6 s."
        if run["progress"] == "even"
        else "The limit: Connect cannot interrupt a prompt, so with nothing to say the end is near the answer "
        "waits for the sentence playing to end: half a sentence on average (the default sentences take "
        "1.0, 1.3 and 1.7 s). Closes it: report progress (`context.report_progress`), or shorter sentences "
        "in `messages.hold`; polling blindly (`check_poll_when = always`) buys it with silence and GB-s."
    )
    return (
        f"Answer latency p50 <= {LATENCY_P50_MS} ms and p90 <= {LATENCY_P90_MS:,} ms, {tasks} (voice, "
        f"log-normal task lengths, CV {workload.CV}, {summaries[0]['calls']} calls per median)",
        measured
        + _over_the_wait(summaries)
        + ("" if answered else "; not every call within the wait answered"),
        _verdict(met and answered),
        why,
    )


def _invariants_row(runs: list[dict[str, Any]], wait_seconds: float) -> tuple[str, str, str, str]:
    summaries = [s for run in runs for s in run["summaries"]]
    calls = sum(s["calls"] for s in summaries)
    answered = sum(s["answered"] for s in summaries)
    all_answered = all(_all_answered(s, wait_seconds) for s in summaries)
    chain = max(s["longest_lambda_chain_seconds"] for s in summaries)
    overruns = sum(s["limit_overruns"] for s in summaries)
    return (
        "Nothing else regresses: every call of the workload (voice and chat, every kind of task) whose task "
        "ends within the caller's wait answered, no Lambda call cut off by its time limit, no prompt-free "
        "chain of Lambda calls near Connect's 20 s",
        f"{answered} of {calls} answered{_over_the_wait(summaries)}; {overruns} calls cut off; "
        f"longest chain {chain:.2f} s",
        _verdict(all_answered and overruns == 0 and chain < 20),
        "Duplicates, crashes, failures, hang-ups and the other scenarios keep their own invariants in the "
        "test suite (tests/flows/test_simulator.py, tests/reliability), which plays them on these defaults.",
    )


def _workload_section(data: dict[str, Any]) -> str:
    block = data["workload"]
    runs = block["runs"]
    lines = [
        "| workload | median task | answered | answer latency p50 / p90 / max | longest silence | overhead GB-s "
        "| hold messages per minute (sentences) | check calls per minute |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for run in runs:
        for s in run["summaries"]:
            voice = run["channel"] == "VOICE"
            held = (
                f"{s['hold_messages_per_minute']} ({s['hold_sentences_per_minute']})"
                if voice
                else f"{s['hold_messages_per_minute']} texts ({s['hold_messages_per_call']} per contact)"
            )
            silence = f"{s['longest_silence_seconds']:.3f} s" if voice else "(chat)"
            lines.append(
                f"| {run['label']} | {s['median_seconds']:g} s | {s['answered']}/{s['calls']} | "
                f"{s['latency_p50_ms']} / {s['latency_p90_ms']} / {s['latency_max_ms']} ms | "
                f"{silence} | {s['overhead_gb_seconds']:.3f} | {held} | "
                f"{s['check_calls_per_minute']} |"
            )
    keyed = {run["key"]: run for run in runs}
    headline, before = keyed["even"]["summaries"], keyed["before"]["summaries"]
    labels = [f'"{s["median_seconds"]:g} s"' for s in headline]
    chart = _chart(
        "Answer latency, ms (bars: p90 with the defaults; lines: their p50, and the p90 of the 0.2.0 defaults)",
        labels,
        [
            [s["latency_p90_ms"] for s in headline],
            [s["latency_p50_ms"] for s in headline],
            [s["latency_p90_ms"] for s in before],
        ],
        "ms",
    )
    no_pace = keyed["none"]["summaries"]
    no_pace_chart = _chart(
        "Answer latency when tasks report nothing, ms (bars: p50, line: p90)",
        labels,
        [[s["latency_p50_ms"] for s in no_pace], [s["latency_p90_ms"] for s in no_pace]],
        "ms",
    )
    push = keyed["push_none"]["summaries"]
    push_chart = _chart(
        "Answer latency in push mode, tasks that report nothing, ms (bars: p90, line: p50)",
        labels,
        [[s["latency_p90_ms"] for s in push], [s["latency_p50_ms"] for s in push]],
        "ms",
    )
    return f"""The workload: for each median task length (5, 15, 30 and 60 s), {headline[0]["calls"]}
calls whose task lengths are drawn from a log-normal distribution with that median and a
coefficient of variation of {block["cv"]} (seed {block["seed"]}: the same calls on every run), each played
through the module's rendered inbound flow (`bench/workload.py`). Answer latency is the work's end
to the moment the caller starts hearing the answer. Four kinds of task: one that reports progress
through its run (at one and two thirds, as the simulator's scripted task does: a
`context.report_progress` call with a percent and no message, so only the pace is told), one that
also reports a 5 % step in its first 20 ms (a "started" report, which says nothing of the pace),
one that reports nothing, and one whose reports assume the median length whatever its own (a
timer-based estimate: its pace is wrong on most calls). Chat is the first kind on a chat contact;
push mode plays `examples/push.tfvars`; the baselines play the same calls (see "Poll, push and the
baselines" below); the last rows replay the 0.2.0 defaults (one 4 s hold prompt, then a check
call polling for 1 s every loop).

{chr(10).join(lines)}

{chart}

{no_pace_chart}

{push_chart}

What the caller hears in poll mode: the same hold message as before, about 14 times a minute, as
its three sentences ("Thanks for waiting." / "We're still working on it." / "Thank you for your
patience.") with a check call of a few tens of milliseconds at each sentence end, the length of a
pause between sentences: no filler is added, and progress messages are spoken once each. In push
mode the hold message plays whole on the Wait's `Continue` branch and is cut off when check
returns. A chat contact is sent the hold text when the wait begins and then about twice a minute;
between, the flow waits (a `Wait` block) and reads the run.

Physical limits, beside every number here: check makes one consistent read per poll (a
consistent GetItem, 5 ms in the latency model); in poll mode Connect cannot interrupt a playing
prompt, so a result that lands mid-sentence waits for the sentence's end (push mode's Wait
interrupts it); each call from the flow costs the
Lambda invoke round trip (30 ms in the latency model). The simulator times a sentence as its share,
by words, of `hold_prompt_seconds` (4 s for the whole message); Connect's own text-to-speech
start-up before each prompt is not in the model (an assumption: it would add the same delay before
every prompt, the answer included)."""


def _comparison_section(data: dict[str, Any]) -> str:
    """Poll, push and the two baselines on the same calls (tasks that report nothing)."""
    runs = {run["key"]: run for run in data["workload"]["runs"]}
    designs = [
        ("module, poll (defaults)", runs["none"], 'any (the wait\'s end: "taking longer", the work goes on)'),
        ("module, push (push.tfvars)", runs["push_none"], "any (idem)"),
        ("naive pattern", runs["naive"], "about 24 s, then the fallback (killed at 30 s: lost)"),
        (
            "Connect's asynchronous Lambda alone",
            runs["alone"],
            "60 s, then the fallback (the result is lost)",
        ),
    ]
    lines = [
        "| design | median task | answered | answer latency p50 / p90 | longest silence | waiting's Lambda + "
        "DynamoDB per 1,000 | Connect minutes per 1,000 | share | longest task answered |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for name, run, longest in designs:
        for s in run["summaries"]:
            latency = (
                f"{s['latency_p50_ms']} / {s['latency_p90_ms']} ms" if s["latency_p50_ms"] >= 0 else "n/a"
            )
            share = s["overhead_price_per_1000"] / s["connect_minutes_price_per_1000"]
            lines.append(
                f"| {name} | {s['median_seconds']:g} s | {s['answered']}/{s['calls']} | {latency} | "
                f"{s['longest_silence_seconds']:.2f} s | ${s['overhead_price_per_1000']:.4f} | "
                f"${s['connect_minutes_price_per_1000']:.2f} | {share:.2%} | {longest} |"
            )
    return (
        "The same calls (the workload above, tasks that report nothing) through each design. The waiting's "
        "Lambda and DynamoDB cost counts every request, GB-second and read and write unit (items well under "
        "1 KB: one unit each) except the task's own run, which is the same in every design (at the worker's "
        "512 MB, $0.20 per 1,000 calls of a 30 s task); share is that cost against the Connect minutes of the "
        "same calls (the caller's time on the line, which a caller who hears the fallback sooner also "
        "spends less of).\n\n"
        + "\n".join(lines)
        + "\n\nWhat the table cannot show: only the module keeps the run. Its tracker outlives the contact (a "
        "dropped call, a transfer, a callback can still read the answer), its worker is retried by Lambda and "
        "claimed once under a lease (no duplicate money transfer), and a crash ends in a dead-letter queue and a "
        "`worker_lost` answer instead of silence. Connect's asynchronous Lambda alone answers as fast as push "
        "mode, but only within 60 s and one invocation, and nothing of the work survives the call; the naive "
        "pattern leaves the caller in silence and breaks Connect's 20 s rule."
    )


def _scale_section(table: dict[str, Any]) -> str:
    lines = [
        "| concurrent tasks | Lambda concurrency (worker + check + start) | check concurrency | DynamoDB reads/s | "
        "DynamoDB writes/s | Connect calls | breaks first |",
        "|---|---|---|---|---|---|---|",
    ]
    for row in table["rows"]:
        lines.append(
            f"| {row['concurrent_tasks']} | {row['lambda_concurrency']} | {row['check_concurrency']} | "
            f"{row['dynamodb_reads_per_second']} | {row['dynamodb_writes_per_second']} | {row['connect_calls']} | "
            f"{row['breaks_first'] or 'nothing'} |"
        )
    formulas = "\n".join(f"- {name}: `{text}`" for name, text in table["formulas"].items())
    ceilings = "\n".join(f"- {name}: N <= {value:,}" for name, value in table["ceilings"].items())
    quotas = ", ".join(f"{k} {v:,}" for k, v in table["quotas"].items())
    plan = table["plan"]
    if plan["wait_mode"] == "push":
        heading = (
            f"Push mode (`examples/push.tfvars`), tasks of {table['task_seconds']:g} s: each waiting caller holds "
            f"one running check for the whole wait (rounds of {plan['push_wait_seconds']} s), reading every "
            f"{plan['poll_interval_s']} s.\n\n"
        )
    else:
        heading = (
            f"Poll mode (the defaults), tasks of {table['task_seconds']:g} s (check budget {plan['check_budget_s']} s, "
            f"poll {plan['poll_interval_s']} s, loop {plan['loop_seconds']} s of "
            f"{plan['hold_sentences']} sentences, check polling when the end is "
            f"{plan['check_poll_when']}: {table['derived']['polls_per_check']} reads when it polls, check busy "
            f"{table['derived']['check_duty_cycle']:.1%} of a caller's wait).\n\n"
        )
    return (
        heading
        + "\n".join(lines)
        + "\n\nFormulas (N = concurrent tasks):\n\n"
        + formulas
        + "\n\nThe largest N each quota allows on its own:\n\n"
        + ceilings
        + f"\n\nQuotas used (documented defaults): {quotas}."
    )


def _scale_sections(scale: dict[str, dict[str, Any]]) -> str:
    return (
        _scale_section(scale["poll"])
        + "\n\n"
        + _scale_section(scale["push"])
        + "\n\nBoth break first at Connect's concurrent-call quota (10 per instance by default: raise it before "
        "go-live). Raised, the next wall is the account's Lambda concurrency (1,000 by default, shared with every "
        "other function): workers hold one execution each for the whole task, and check adds its duty cycle, a "
        "few percent in poll mode and one execution per waiting caller in push mode, so push reaches the "
        "default concurrency at half the callers poll does. Push also reads ten times a second per caller: "
        "past about a thousand callers waiting at once its reads pass a new on-demand table's initial 12,000 "
        "RRU/s (on-demand tables scale up as traffic grows; before a launch, pre-warm the table "
        "(DynamoDB warm throughput) or raise `check_poll_interval_ms`). Reserve concurrency for start and check (`reserved_concurrency`) so a "
        "burst of workers cannot starve the calls callers wait on: at least N x check duty cycle in poll mode, "
        "and N (the callers who wait at once) in push mode, as the `timing_plan` output's "
        "`check_executions_per_waiting_caller` says. Every task is its own partition key, so there is no hot key."
    )


def _step_functions_section(measurements: list[dict[str, Any]]) -> str:
    lambda_rows = {m["task_seconds"]: m for m in _rows(measurements, "module defaults")}
    rows = [
        "| task | caller | caller's total time | state transitions | USD / 1000 contacts, Step Functions backend | "
        "USD / 1000 contacts, Lambda backend |",
        "|---|---|---|---|---|---|",
    ]
    for m in _rows(measurements, "module on Step Functions (Standard)"):
        same = lambda_rows[m["task_seconds"]]
        rows.append(
            f"| {m['task_seconds']:g} s | {m['outcome']} | {m['total_wait_seconds']:.1f} s | {m['state_transitions']} | "
            f"${m['price_per_1000']:.4f} | ${same['price_per_1000']:.4f} |"
        )
    return (
        'The same calls with `backend = "step_functions"` (a Standard workflow whose one step takes the '
        "task's length; the module's wrapper claims, records and answers): start, check and DynamoDB as "
        "above, plus state transitions at $0.025 per 1,000 (US East, N. Virginia). The Lambda backend's "
        "column includes the worker's GB-seconds for running the task; with Step Functions, what your "
        "steps call (a Lambda, an HTTPS endpoint) is billed on top, and a Wait state costs nothing while "
        "it waits. Below the free tier (4,000 transitions a month) the transitions cost nothing.\n\n"
        + "\n".join(rows)
    )


def _greeting_section(data: dict[str, Any]) -> str:
    fast = data["greeting"]
    overhead = data["handler_overhead"]
    ratios = overhead["ratios"]
    rows = [
        "| case | design | silence before the greeting | the caller hears | source / error code | lookup billed |",
        "|---|---|---|---|---|---|",
    ]
    for row in fast["rows"]:
        code = f" / {row['error_code']}" if row["error_code"] else ""
        rows.append(
            f'| {row["case"]} | {row["design"]} | {row["silence_before_greeting_ms"]} ms | "{row["greeting"]}" '
            f"| {row['source']}{code} | {row['lookup_billed_ms']} ms |"
        )
    lookup_import = data["import_time"]["modules"]["handlers.lookup"]
    return (
        f"With `examples/lookup.tfvars` and the module's defaults (`lookup_budget_ms` = {fast['lookup_budget_ms']}, "
        f"`lookup_time_limit_seconds` = {fast['lookup_time_limit_seconds']}), each case one call in the simulator "
        "(`bench/greeting.py`): the lookup is the first Lambda call of the contact, so the silence before the "
        "greeting is the lookup's invocation. A throttled table is retried (up to 4 attempts, jittered backoff) "
        "and then answered as fallback; a hanging one is cut by the client's read timeout (half the budget) "
        "once, and not retried, since another attempt as long would end after the budget; a failed invocation takes the block's error branch. The hand-made lookup is the usual one: "
        "its block left at Connect's 8 s, the SDK's default timeouts, no budget, so a hanging table is 8 s "
        "of dead air before Connect gives up.\n\n"
        + "\n".join(rows)
        + "\n\nIn process against moto, on one client "
        f"({overhead['samples']['count']} calls each): the lookup (an item and the default item, one "
        f"BatchGetItem) p50 {overhead['lookup']['p50_ms']} ms, p99 {overhead['lookup']['p99_ms']} ms; a bare "
        f"eventually consistent GetItem p50 {overhead['get_item_eventual']['p50_ms']} ms, p99 "
        f"{overhead['get_item_eventual']['p99_ms']} ms; a bare BatchGetItem of the same two keys p50 "
        f"{overhead['batch_get_item']['p50_ms']} ms. Ratios to the bare GetItem: p50 "
        f"{ratios['lookup_vs_get_item_p50']}, p99 {ratios['lookup_vs_get_item_p99']} (moto's own time "
        "dominates; the lookup's work beyond the read is parsing one event and two items). Cold start: "
        f"`handlers.lookup` imports in {lookup_import['tracing_off_ms']} ms, "
        f"{lookup_import['tracing_off_vs_boto3']}x a bare boto3 import (tracing off)."
    )


def _soak_section(summary: dict[str, Any]) -> str:
    """The bench's soak: the suite's (docs/reliability.md) on another seed, so each run adds calls."""
    counts = ", ".join(f"{kind} {n}" for kind, n in summary["outcomes"].items())
    broken = sum(summary["broken"].values())
    return (
        f"{summary['calls']} more calls on seed {summary['seed']} (the suite plays seed {soak.SEED}: "
        "[`docs/reliability.md`](reliability.md)), each fault at "
        f"{summary['fault_rate']:.0%} of calls: {counts}; promises broken: {broken}. Worst time from a "
        f"failure being readable to the fallback heard: {summary['worst_fault_to_fallback_ms'] / 1000:.1f} s; "
        f"from the result to the answer heard: {summary['worst_answer_latency_ms'] / 1000:.1f} s."
    )


def render(data: dict[str, Any]) -> str:
    measurements = data["per_contact"]["measurements"]
    defaults = _rows(measurements, "module defaults")
    naive = _rows(measurements, "naive")
    labels = [f'"{m["task_seconds"]:g} s"' for m in defaults]
    overhead_chart = _chart(
        "Overhead GB-seconds per contact (bars: module defaults, line: naive)",
        labels,
        [[m["overhead_gb_seconds"] for m in defaults], [m["overhead_gb_seconds"] for m in naive]],
        "GB-s",
    )
    silence_chart = _chart(
        "Longest silence the caller hears, s (bars: module defaults, line: naive)",
        labels,
        [[m["longest_silence_seconds"] for m in defaults], [m["longest_silence_seconds"] for m in naive]],
        "seconds",
    )
    overhead = data["handler_overhead"]
    prices = data["per_contact"]["prices"]
    imports = data["import_time"]
    import_rows = "\n".join(
        f"| {name} | {row['tracing_off_ms']} ms | {row['tracing_off_vs_boto3']} | {row['tracing_off_init_ms']} ms "
        f"| {row['tracing_on_ms']} ms | {row['tracing_on_vs_boto3']} | {row['tracing_on_init_ms']} ms |"
        for name, row in imports["modules"].items()
    )
    return f"""# Performance

Generated by `make bench` (`bench/report.py`) on {data["generated"]}; do not edit by hand. Raw
numbers: [`performance.json`](performance.json). Per-contact numbers come from the call simulator
(virtual clock, moto, latency model: {data["latency_model"]}), so they are the same on every
machine; handler overhead and cold start are measured on this machine, so read their ratios, not
their milliseconds.

## Targets

{_targets(data)}

## Answer latency: the workload

{_workload_section(data)}

## Poll, push and the baselines

{_comparison_section(data)}

## Per contact: this module against the naive approach

The naive approach (bench/naive.py, built from its description): the work function is invoked
synchronously and left to hit Connect's 8 s limit while it keeps running to its own 30 s
timeout; then a status function reads the result every second until it sees it or reaches its
own 8 s timeout, looped twice, with no prompt in between. Both designs use the module's default
memory sizes (work = worker 512 MB, status = check 256 MB) and the same latency model.
Overhead GB-s is everything except the task's own run. Prices: {data["per_contact"]["prices_date"]},
US East (N. Virginia), on demand: Lambda Arm ${prices["lambda_gb_second_arm"]}/GB-s and
${prices["lambda_request"] * 1_000_000:.2f}/million requests; DynamoDB ${
        prices["dynamodb_read_unit"] * 1_000_000:.3f}
per million read units and ${prices["dynamodb_write_unit"] * 1_000_000:.3f} per million write units;
Connect voice usage ${prices["connect_voice_minute"]}/minute, shown apart because it depends only on
how long the caller is on the line.

### Module defaults

{_per_contact_table(defaults, ("start", "check", "worker"))}

### Naive

{_per_contact_table(naive, ("work", "status"))}

What the naive table shows: the caller hears up to 24 s of silence, its prompt-free chain of
Lambda calls (24 s) breaks Connect's 20 s rule, and every task over about 24 s ends in the
fallback, although the work goes on (and, past 30 s, is killed by its own timeout: the result is
lost). The module answers every task up to its wait limit, and a 120 s task takes the "taking
longer" path while the work finishes and stays readable by tracking id.

{overhead_chart}

{silence_chart}

### Other tunings of the module

`bench/tunings/lowest_cost.tfvars` sets `check_budget_ms = 0` (check reads once and answers,
even when the run's end is due); `long_poll.tfvars` polls for 5 s on every call
(`check_poll_when = "always"`, the default before it was measured); `examples/push.tfvars` is
push mode (check held on an asynchronous call, reading every 100 ms, at 128 MB).

{
        _tuning_table(
            measurements,
            [
                "module defaults",
                "module (lowest_cost.tfvars)",
                "module (long_poll.tfvars)",
                "module (push.tfvars)",
            ],
        )
    }

## The Step Functions backend

{_step_functions_section(measurements)}

## Under faults: the chaos soak

{_soak_section(data["soak"])}

## The fast path: the configuration lookup

{_greeting_section(data)}

## Handler overhead (in-process, moto)

{overhead["samples"]["count"]} calls each, on one client. start's write is a conditional UpdateItem
whose expressions moto evaluates slowly (DynamoDB does not), so start is also set against that same
write made through the tracker alone (`begin_run`).

| call | p50 | p90 | p99 |
|---|---|---|---|
| bare PutItem | {overhead["put_item"]["p50_ms"]} ms | {overhead["put_item"]["p90_ms"]} ms | {
        overhead["put_item"]["p99_ms"]
    } ms |
| start's write alone (begin_run) | {overhead["begin_run"]["p50_ms"]} ms | {
        overhead["begin_run"]["p90_ms"]
    } ms | {overhead["begin_run"]["p99_ms"]} ms |
| start (StartService.handle) | {overhead["start"]["p50_ms"]} ms | {overhead["start"]["p90_ms"]} ms | {
        overhead["start"]["p99_ms"]
    } ms |
| bare GetItem (consistent) | {overhead["get_item"]["p50_ms"]} ms | {overhead["get_item"]["p90_ms"]} ms | {
        overhead["get_item"]["p99_ms"]
    } ms |
| check (budget 0) | {overhead["check"]["p50_ms"]} ms | {overhead["check"]["p90_ms"]} ms | {
        overhead["check"]["p99_ms"]
    } ms |

Ratios of medians: start / PutItem {overhead["ratios"]["start_vs_put_item"]} (almost all of it
moto's expression evaluation), start / its own write {overhead["ratios"]["start_vs_its_own_write"]},
check / GetItem {overhead["ratios"]["check_vs_get_item"]}.

## Cold start

Import of each handler module from the extracted artifact in a fresh interpreter (Python
{imports["python"]}, the runtime's packages compiled for it as Lambda ships them), median of
{imports["runs"]}:

| module | import, tracing off | x boto3 | then initialisation | import, tracing on | x boto3 | then initialisation |
|---|---|---|---|---|---|---|
{import_rows}

Initialisation is what the first invocation builds before it can work: the settings from the
environment and the boto3 clients (DynamoDB, and Lambda for start). Almost all of it is botocore
loading the service models; it is the same for any function using those clients, and it happens
once per execution environment.

## Scale on paper

{_scale_sections(data["scale"])}
"""


def _version(python: str) -> str:
    done = subprocess.run([python, "--version"], capture_output=True, text=True, check=True)
    return done.stdout.split()[1]


@demo.on_the_emulator
def main() -> int:
    python = lambda_python("3.12")
    tunings = per_contact.render_tunings(TUNINGS)
    defaults = tunings[0][1]  # the module's defaults
    plan = {**defaults.timing, "memory_mb": defaults.deployment().memory_mb}
    latency = defaults.deployment().latency
    with contextlib.redirect_stdout(io.StringIO()):
        measurements = per_contact.measure(tunings)
        on_step_functions = per_contact.render_step_functions()
        measurements += [
            per_contact.measure_step_functions(on_step_functions, seconds)
            for seconds in per_contact.TASK_SECONDS
        ]
        overhead = handler_overhead.measure(300)
        fast_path = greeting.measure()
    push = dict(tunings)[f"module ({PUSH.name})"]
    runs = []
    for key, label, design, tfvars, channel, progress in WORKLOADS:
        print(f"workload: {label} ...", flush=True)
        calls = workload.run(tfvars=tfvars, channel=channel, progress=progress, design=design)
        runs.append(
            {
                "key": key,
                "label": label,
                "design": design,
                "tfvars": str(tfvars.relative_to(ROOT)) if tfvars else None,
                "channel": channel,
                "progress": progress,
                "summaries": [s.__dict__ for s in workload.summarise(calls)],
            }
        )
    print(f"chaos soak: {soak.CALLS} calls, seed {soak.BENCH_SEED} ...", flush=True)
    soaked = soak.summarise(soak.run(soak.CALLS, soak.BENCH_SEED), soak.BENCH_SEED)
    data = {
        "soak": soaked.__dict__,
        "generated": datetime.now(UTC).strftime("%Y-%m-%d"),
        "latency_model": (
            f"Lambda invoke {latency.invoke_overhead_ms} ms, DynamoDB call {latency.dynamodb_call_ms} ms, "
            f"async Invoke {latency.async_invoke_ms} ms"
        ),
        "plan": plan,
        "push_plan": {**push.timing, "memory_mb": push.deployment().memory_mb},
        "per_contact": {
            "prices": PRICES,
            "prices_date": PRICES_DATE,
            "measurements": [m.__dict__ for m in measurements],
        },
        "handler_overhead": overhead,
        "greeting": fast_path,
        "workload": {
            "calls_per_median": workload.CALLS_PER_MEDIAN,
            "cv": workload.CV,
            "seed": workload.SEED,
            "runs": runs,
        },
        "import_time": {
            "python": _version(python),
            "runs": import_time.DEFAULT_RUNS,
            "modules": import_time.measure(import_time.DEFAULT_RUNS, python),
        },
        "scale": {"poll": scale.scale_table(plan, 120), "push": scale.scale_table(push.timing, 120)},
    }
    DOC.parent.mkdir(exist_ok=True)
    RAW.write_text(json.dumps(data, indent=2, default=str) + "\n")
    DOC.write_text(render(data))
    print(f"wrote {DOC.relative_to(ROOT)} and {RAW.relative_to(ROOT)}")
    if any(soaked.broken.values()):
        print(
            f"the chaos soak broke promises: {soaked.broken} (replay: python -m bench.soak --seed "
            f"{soak.BENCH_SEED} --call N)"
        )
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
