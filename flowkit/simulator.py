"""Play a contact flow on a virtual clock against the real runtime logic and an emulated AWS.

The simulator's parts, each in its own module:

- ``flowkit.scenario``: what happens on the call (``Scenario``);
- ``flowkit.interpreter``: the flow, action by action, as Connect runs it;
- ``flowkit.deployment``: what the module deploys (``Deployment``) and the latency model;
- ``flowkit.wiring``: the runtime's start, check, worker and lookup (connect_async) on moto,
  configured from the environment the module deploys;
- ``flowkit.lambda_queue``: Lambda's asynchronous invocation of the worker, emulated;
- ``flowkit.report``: the caller's experience as a ``CallReport``: the path, a readable
  timeline, the total wait, the longest silence, the longest prompt-free Lambda chain, Lambda
  invocations and billed milliseconds per function, DynamoDB reads and writes, and the detection
  latency (worker finished -> the flow knows).

This module puts them together for one call of a ``Scenario``. Time is modelled, not measured.
Call it inside moto's ``mock_aws`` (or give it an ``InProcessDynamoDB``, see ``flowkit.dynamodb``);
the tracker table must exist (see ``create_tracker_table``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from connect_async.contract import TASK_ID_SEPARATOR
from connect_async.retry import FLOW_CALL_RETRY
from connect_async.tasks import TaskContext, TaskFailed
from connect_async.tracker import TrackerTable
from flowkit.clock import VirtualClock
from flowkit.deployment import Deployment, create_config_table, create_tracker_table
from flowkit.dynamodb import DynamoDB, MotoDynamoDB
from flowkit.interpreter import FlowInterpreter, load_flow
from flowkit.lambda_queue import WorkerCrashed
from flowkit.report import CONTACT_ID, START_MS, CallReport
from flowkit.scenario import Scenario
from flowkit.states import Steps
from flowkit.wiring import FlowFunction, Kit, wire_services

__all__ = [
    "CONTACT_ID",
    "START_MS",
    "CallReport",
    "CallSimulator",
    "Deployment",
    "FlowFunction",
    "Kit",
    "Scenario",
    "create_config_table",
    "create_tracker_table",
]


# The call run() plays unless told otherwise (a Scenario is immutable, so one instance serves).
_TYPICAL_CALL = Scenario()


class CallSimulator:
    def __init__(
        self,
        flow: str | Mapping[str, Any],
        *,
        functions: Mapping[str, str],
        deployment: Deployment | None = None,
        modules: Mapping[str, str | Mapping[str, Any]] | None = None,
        custom_functions: Mapping[str, Callable[[Kit], FlowFunction]] | None = None,
        task: Callable[[TaskContext], object] | None = None,
        steps: Steps | None = None,
        dynamodb: DynamoDB | None = None,
    ) -> None:
        """``functions`` maps each LambdaFunctionARN to a function name: "start" or "check" (the
        runtime's), or a name in ``custom_functions`` (built per call from a ``Kit``: a baseline
        to compare with, for example). ``deployment`` is what the module deploys (default: the
        settings schema's defaults). ``modules`` maps each FlowModuleId the flow invokes to the
        module's content. ``dynamodb`` holds the tables (default: boto3 on moto's mock)."""
        self.flow: Mapping[str, Any] = load_flow(flow)
        self.functions = dict(functions)
        self.custom_functions = dict(custom_functions or {})
        self.deployment = deployment or Deployment()
        self.modules = {key: load_flow(content) for key, content in (modules or {}).items()}
        # The task the worker runs: a real one (the Bedrock task with its service stubbed, your
        # own), or None for the scenario's scripted task.
        self.task = task
        # With a state machine (deployment.state_machine): what stands in for its Task resources.
        self.steps = steps
        self.dynamodb = dynamodb or MotoDynamoDB()

    def run(self, scenario: Scenario = _TYPICAL_CALL) -> CallReport:
        clock = VirtualClock(START_MS)
        report = CallReport(channel=scenario.channel)
        services, dispatcher = wire_services(
            self.deployment,
            clock,
            report,
            task_loader=lambda _: (
                _counted(self.task, report) if self.task else _scripted_task(scenario, report)
            ),
            worker_deliveries=scenario.worker_deliveries,
            custom_functions=self.custom_functions,
            dynamodb=self.dynamodb,
            steps=self.steps,
            config_table=scenario.config_table,
            dynamodb_faults=scenario.dynamodb_faults,
            invoke_faults=scenario.invoke_faults,
        )
        with clock.participant():
            FlowInterpreter(
                self.flow,
                clock,
                functions=self.functions,
                modules=self.modules,
                deployment=self.deployment,
                report=report,
                scenario=scenario,
                services=services,
                dispatcher=dispatcher,
            ).play()
            dispatcher.join_all()
        report.run_finished_at_ms = dispatcher.finished_at_ms
        report.finish(self._final_status())
        return report

    def _final_status(self) -> str:
        """The record as the runs left it (read with a client the report does not count)."""
        table_name = self.deployment.table_name
        client = self.dynamodb.client()
        tracker = TrackerTable(client, table_name, clock=VirtualClock(0), retry_policy=FLOW_CALL_RETRY)
        records = [
            tracker.get(item["task_id"]["S"], give_up_at_ms=0)
            for item in client.scan(TableName=table_name)["Items"]
            if item["task_id"]["S"].startswith(CONTACT_ID + TASK_ID_SEPARATOR)
        ]
        return ",".join(sorted(r.status.value for r in records if r)) or "absent"


def _counted(task: Callable[[TaskContext], object], report: CallReport) -> Callable[[TaskContext], object]:
    def counted(context: TaskContext) -> object:
        report.task_runs += 1
        return task(context)

    return counted


def _scripted_task(scenario: Scenario, report: CallReport) -> Callable[[TaskContext], object]:
    """The scenario's work: progress messages along the way, then its outcome."""

    def task(context: TaskContext) -> dict[str, object]:
        report.task_runs += 1
        messages = scenario.progress_messages
        steps = len(messages) + 1
        for step in range(steps):
            context.sleep(scenario.work_seconds / steps)
            if step < len(messages) and scenario.outcome != "crash":
                context.report_progress(100 * (step + 1) // steps, messages[step])
        if scenario.outcome == "fail":
            raise TaskFailed("the scripted task failed", "scripted_failure")
        if scenario.outcome == "crash":
            raise WorkerCrashed
        return {"message": "Your request is complete.", "seconds": scenario.work_seconds}

    return task
