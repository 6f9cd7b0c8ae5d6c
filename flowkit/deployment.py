"""What the module deploys, as the call simulator plays it: each function's environment and
memory (modules/plan's ``functions`` output, or the settings schema's defaults), the latency model,
and the tables a simulated call needs on moto."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from connect_async.aws import dynamodb_client
from connect_async.config import EnvVar
from connect_async.contract import Attr, ConfigField
from connect_async.settings import environments, setting

__all__ = ["FUNCTIONS", "Deployment", "LatencyModel", "create_config_table", "create_tracker_table"]

FUNCTIONS: Final = ("start", "check", "worker", "lookup")


@dataclass(frozen=True)
class LatencyModel:
    """Time the simulator charges for what happens outside the handlers' own code."""

    # Connect -> Lambda -> Connect round trip of a warm invocation, outside the handler.
    invoke_overhead_ms: int = 30
    # One DynamoDB request from a Lambda in the same Region.
    dynamodb_call_ms: int = 5
    # start's asynchronous Invoke of the worker (the API call, not the worker's run).
    async_invoke_ms: int = 15


def _default_memory() -> dict[str, int]:
    return {fn: int(setting(f"memory_size.{fn}").default) for fn in FUNCTIONS}


@dataclass(frozen=True)
class Deployment:
    """What the module deploys, as a call meets it.

    ``environment`` is each function's settings environment (modules/plan's ``functions``
    output); an unset variable is the settings schema's default, as in the functions themselves.
    """

    environment: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    worker_timeout_seconds: int = int(setting("worker_timeout_seconds").default)
    memory_mb: Mapping[str, int] = field(default_factory=_default_memory)
    # How long the hold message plays on voice, recorded (PromptId) or spoken text equal to
    # hold_message: the module's hold_prompt_seconds, which the timing plan counts loops with.
    hold_prompt_seconds: float = float(setting("hold_prompt_seconds").default)
    hold_message: str = ""
    table_name: str = "simulated-tracker"
    latency: LatencyModel = LatencyModel()
    # backend = "step_functions": the wrapped definition the module deploys (modules/plan's
    # state_machine output); None runs the worker function.
    state_machine: Mapping[str, Any] | None = None
    # config_lookup: the configuration table's items (DynamoDB JSON by key, modules/plan's
    # config_items output), which create_config_table writes.
    config_table_name: str = "simulated-config"
    config_items: Mapping[str, str] = field(default_factory=dict)
    # reconciler: its function's timeout (0: no reconciler; its environment is
    # environment["reconciler"]) and how often SQS delivers a message before it moves to the
    # unreconciled queue.
    reconciler_timeout_seconds: int = 0
    reconciler_max_receives: int = 0

    @classmethod
    def with_settings(cls, *, table_name: str = "simulated-tracker", **values: object) -> Deployment:
        """The schema's defaults, but for these settings (by schema name, ``result_keys`` too),
        each put in the environment of every function that reads it."""
        result_keys = values.pop("result_keys", ())
        lambda_settings = {
            name: values.pop(name)
            for name in ("worker_timeout_seconds", "hold_prompt_seconds")
            if name in values
        }
        environment = environments(values)
        if result_keys:
            environment["check"][EnvVar.RESULT_KEYS] = ",".join(map(str, result_keys))  # type: ignore[call-overload]
        return cls(
            environment=environment,
            worker_timeout_seconds=int(
                str(lambda_settings.get("worker_timeout_seconds", cls.worker_timeout_seconds))
            ),
            hold_prompt_seconds=float(
                str(lambda_settings.get("hold_prompt_seconds", cls.hold_prompt_seconds))
            ),
            table_name=table_name,
        )

    @classmethod
    def from_plan(
        cls,
        functions: Mapping[str, Any],
        timing: Mapping[str, Any],
        call: Mapping[str, Any],
        state_machine: Mapping[str, Any] | None = None,
        config_items: Mapping[str, str] | None = None,
    ) -> Deployment:
        """From modules/plan's outputs ``functions``, ``timing``, ``call``, ``state_machine`` and
        ``config_items``."""
        present = [fn for fn in (*FUNCTIONS, "reconciler") if fn in functions]
        reconciler = functions.get("reconciler") or {}
        return cls(
            config_items=dict(config_items or {}),
            state_machine=json.loads(state_machine["definition"]) if state_machine else None,
            environment={
                fn: {str(k): str(v) for k, v in functions[fn]["environment"].items()} for fn in present
            },
            reconciler_timeout_seconds=int(reconciler.get("timeout", 0)),
            reconciler_max_receives=int(reconciler.get("max_receive_count", 0)),
            worker_timeout_seconds=int(functions["worker"]["timeout"]),
            memory_mb={fn: int(functions[fn]["memory_size"]) for fn in FUNCTIONS},
            hold_prompt_seconds=float(timing["hold_prompt_seconds"]),
            hold_message=str(call["hold_message"]),
        )

    def env(self, function: str, **wiring: str) -> dict[str, str]:
        """A function's environment as Lambda would give it: the settings, and the wiring names."""
        return {**self.environment.get(function, {}), **wiring}


def create_config_table(deployment: Deployment, client: Any = None) -> None:
    """The configuration table as the module creates it, holding the deployment's items."""
    client = client or dynamodb_client()
    name = deployment.config_table_name
    client.create_table(
        TableName=name,
        KeySchema=[{"AttributeName": ConfigField.KEY.value, "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": ConfigField.KEY.value, "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    for item in deployment.config_items.values():
        client.put_item(TableName=name, Item=json.loads(item))


def create_tracker_table(name: str, client: Any = None) -> None:
    """A tracker table shaped as the module creates it (hash key and TTL from the contract)."""
    client = client or dynamodb_client()
    client.create_table(
        TableName=name,
        KeySchema=[{"AttributeName": Attr.TASK_ID.value, "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": Attr.TASK_ID.value, "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    client.update_time_to_live(
        TableName=name, TimeToLiveSpecification={"Enabled": True, "AttributeName": Attr.EXPIRES_AT.value}
    )
