"""Play one contact's start -> worker -> check cycle against an in-process AWS emulator (moto).

No AWS account is needed. The real runtime (lambdas/connect_async) runs exactly as on Lambda:
start writes the tracker record and invokes the worker asynchronously, the worker runs the demo
task in the background, and the contact flow's loop is scripted here: play a hold message,
call check, branch on its status. Then it shows the duplicate protections at work.

    make demo
    make demo DEMO_ARGS="--duration 6 --outcome fail"
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "lambdas"))

# Configuration first: the runtime reads it at import and at cold start, as on Lambda.
os.environ.update(
    AWS_ACCESS_KEY_ID="demo",
    AWS_SECRET_ACCESS_KEY="demo",  # noqa: S106 - the emulator's fake credentials
    AWS_DEFAULT_REGION="eu-west-2",
    POWERTOOLS_LOG_LEVEL="CRITICAL",  # the timeline below is the demo's output, not the JSON logs
    POWERTOOLS_METRICS_DISABLED="true",
    TRACKER_TABLE_NAME="demo-tracker",
    WORKER_FUNCTION_NAME="demo-worker",
    TASK_HANDLER="connect_async.tasks.demo:run",
    RUN_DEADLINE_SECONDS="60",
    RECORD_TTL_SECONDS="3600",
    CHECK_BUDGET_MS="1500",
    CHECK_POLL_INTERVAL_MS="250",
)

import moto  # noqa: E402 - must patch botocore before any client exists

HOLD_MESSAGE = "Thanks for waiting, we are still working on your request."
MAX_LOOPS = 20


class Context:
    """The parts of Lambda's context object the handlers use."""

    def __init__(self, request_id: str, timeout_ms: int) -> None:
        self.aws_request_id = request_id
        self.function_name = "demo"
        self.memory_limit_in_mb = 256
        self.invoked_function_arn = "arn:aws:lambda:eu-west-2:123456789012:function:demo"
        self._deadline = time.monotonic() + timeout_ms / 1000

    def get_remaining_time_in_millis(self) -> int:
        return max(int((self._deadline - time.monotonic()) * 1000), 0)


class Timeline:
    def __init__(self) -> None:
        self._t0 = time.monotonic()

    def say(self, who: str, text: str) -> None:
        print(f"  {time.monotonic() - self._t0:6.2f}s  {who:<8} {text}", flush=True)


def _contact_event(parameters: dict[str, str]) -> dict[str, Any]:
    return {
        "Name": "ContactFlowEvent",
        "Details": {
            "ContactData": {
                "ContactId": "5b8a0c1e-0000-4000-8000-00000000d3m0",
                "InitialContactId": "5b8a0c1e-0000-4000-8000-00000000d3m0",
                "Channel": "VOICE",
                "InstanceARN": "arn:aws:connect:eu-west-2:123456789012:instance/demo",
                "CustomerEndpoint": {"Address": "+447700900123", "Type": "TELEPHONE_NUMBER"},
            },
            "Parameters": parameters,
        },
    }


def _provision() -> list[dict[str, Any]]:
    """Create the table and the worker function in the emulator; capture async invocations."""
    import boto3  # noqa: PLC0415 - only once moto has patched botocore

    ddb = boto3.client("dynamodb")
    ddb.create_table(
        TableName="demo-tracker",
        KeySchema=[{"AttributeName": "task_id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "task_id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    role = boto3.client("iam").create_role(RoleName="demo", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    artifact = (ROOT / "lambdas" / "dist" / "connect_async.zip").read_bytes()
    boto3.client("lambda").create_function(
        FunctionName="demo-worker",
        Runtime="python3.12",
        Role=role,
        Handler="connect_async.handlers.worker.handler",
        Code={"ZipFile": artifact},
    )
    queued: list[dict[str, Any]] = []

    def capture(params: dict[str, Any], **_: Any) -> None:
        # moto accepts the Event invocation but cannot run Lambda code here: the demo runs the
        # worker itself, in a thread, with the payload start sent.
        if params.get("InvocationType") == "Event":
            queued.append(json.loads(params["Payload"]))

    events = boto3.DEFAULT_SESSION._session.get_component("event_emitter")  # type: ignore[union-attr]
    events.register("provide-client-params.lambda.Invoke", capture)
    return queued


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=4.0, help="seconds the demo task works (default 4)")
    parser.add_argument("--outcome", choices=["succeed", "fail", "crash"], default="succeed")
    args = parser.parse_args(argv)

    with moto.mock_aws(config={"lambda": {"use_docker": False}}):
        queued = _provision()
        from connect_async.handlers import check, start, worker  # noqa: PLC0415 - inside the emulator

        timeline = Timeline()
        print("\nA caller asks for something slow. The contact flow starts the task:\n")
        event = _contact_event(
            {"duration_seconds": str(args.duration), "steps": "4", "outcome": args.outcome}
        )
        started = start.handler(event, Context("start-1", 8000))
        timeline.say(
            "start",
            f"-> status={started['status']} task_id={started['task_id']} new_run={started['new_run']}",
        )

        retry = start.handler(event, Context("start-2", 8000))
        timeline.say(
            "start",
            f"-> Connect retried the block: new_run={retry['new_run']} (the worker is not invoked again)",
        )

        payload = queued[0]
        worker_done: dict[str, str] = {}
        thread = threading.Thread(
            target=lambda: worker_done.update(worker.handler(payload, Context("worker-1", 60_000))),
            daemon=True,
        )
        thread.start()
        timeline.say("worker", f"invoked asynchronously ({len(queued)} invocation queued)")

        spoken = ""
        for loop in range(1, MAX_LOOPS + 1):
            timeline.say("caller", f'hears: "{HOLD_MESSAGE}"')
            response = check.handler(event, Context(f"check-{loop}", 8000))
            status = response["status"]
            if status == "in_progress":
                message = response["progress_message"]
                note = f' and hears: "{message}"' if message and message != spoken else ""
                spoken = message or spoken
                timeline.say("check", f"-> in_progress {response['progress_percent']}%{note}")
                continue
            if status == "completed":
                results = {k: v for k, v in response.items() if k.startswith("result_")}
                timeline.say("check", f"-> completed after {response['elapsed_seconds']} s: {results}")
                timeline.say("caller", "hears the answer; the flow saves result_* as contact attributes")
            else:
                timeline.say("check", f"-> {status}: {response['error_code']}: {response['error_message']}")
                timeline.say("caller", "hears the fallback message and is transferred to an agent")
            break
        else:
            timeline.say("flow", "waited too long: the fallback path (the work goes on)")

        thread.join(timeout=30)
        timeline.say("worker", f"ended: {worker_done.get('outcome', 'still running')}")
        duplicate = worker.handler(payload, Context("worker-duplicate", 60_000))
        timeline.say(
            "worker", f"Lambda delivered the same event again: {duplicate['outcome']} (nothing changed)"
        )
        print(f"\n{loop} check call(s); the worker ran the task once.\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
