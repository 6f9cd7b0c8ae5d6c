"""Amazon States Language, played on the virtual clock: the Step Functions backend in a simulated call.

Covers what the module's wrapper and the examples use: Pass, Task, Wait, Choice, Parallel, Fail
and Succeed; Parameters (with ``.$`` paths, the context object ``$$``), ResultPath, Retry and
Catch; the machine's TimeoutSeconds. Task resources: the DynamoDB service integration
(``arn:aws:states:::dynamodb:updateItem``, ``getItem``, ``putItem``) runs against the call's
counted DynamoDB client; every other resource (``lambda:invoke`` by FunctionName, ``sns:publish``,
``http:invoke``...) is looked up in ``steps``, Python callables standing in for your functions.

The tests run the same definitions through moto's own interpreter and compare the records they
leave, so this stays honest about what Step Functions does.
"""

from __future__ import annotations

import fnmatch
import re
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final

from botocore.exceptions import BotoCoreError

from flowkit.clock import VirtualClock

__all__ = ["ExecutionResult", "StateMachineRunner", "StatesError", "Step", "Steps"]

# A stand-in for a Task's resource: takes the state's input (after Parameters), returns its
# result; sleeps on the clock for the time it takes; raises StatesError for a named error.
Step = Callable[[Any], Any]
# The steps of one call: given the call's clock (to take the time a real step would), by resource
# or FunctionName.
Steps = Callable[[VirtualClock], Mapping[str, Step]]
_PATH: Final = re.compile(r"\.([A-Za-z0-9_:#@-]+)|\[(\d+)\]")


class StatesError(Exception):
    """An error as Step Functions names it (States.Timeout, DynamoDB.ConditionalCheckFailedException)."""

    def __init__(self, error: str, cause: str = "") -> None:
        super().__init__(f"{error}: {cause}")
        self.error = error
        self.cause = cause


@dataclass(frozen=True)
class ExecutionResult:
    status: str  # SUCCEEDED | FAILED | TIMED_OUT
    output: Any = None
    error: str = ""
    cause: str = ""


def _read(document: Any, path: str) -> Any:
    """``$``, ``$.a.b[0].c``; raises KeyError when a part is missing."""
    if path == "$":
        return document
    value = document
    for key, index in _PATH.findall(path[1:]):
        value = value[key] if key else value[int(index)]
    return value


def _write(document: Any, path: str | None, result: Any) -> Any:
    if path is None:
        return document
    if path == "$":
        return result
    parts = [key for key, _ in _PATH.findall(path[1:])]
    updated = dict(document) if isinstance(document, Mapping) else {}
    target = updated
    for key in parts[:-1]:
        target[key] = dict(target.get(key) or {})
        target = target[key]
    target[parts[-1]] = result
    return updated


class StateMachineRunner:
    def __init__(
        self,
        definition: Mapping[str, Any],
        *,
        clock: VirtualClock,
        dynamodb: Any,
        steps: Mapping[str, Step] | None = None,
        spawn: Callable[[str, Callable[[], None]], None] | None = None,
    ) -> None:
        self.definition = definition
        self.clock = clock
        self.dynamodb = dynamodb
        self.steps = dict(steps or {})
        self.spawn = spawn
        self.visited: list[str] = []

    def run(self, document: Any, execution_id: str) -> ExecutionResult:
        context = {
            "Execution": {"Id": execution_id, "Name": execution_id.rsplit(":", 1)[-1], "Input": document}
        }
        timeout = self.definition.get("TimeoutSeconds")
        deadline = self.clock.now_ms() + int(timeout) * 1000 if timeout else None
        try:
            output = self._machine(self.definition, document, context, deadline)
        except StatesError as exc:
            status = "TIMED_OUT" if exc.error == "States.ExecutionTimeout" else "FAILED"
            return ExecutionResult(status, error=exc.error, cause=exc.cause)
        return ExecutionResult("SUCCEEDED", output)

    # -- the machine -------------------------------------------------------------------------

    def _machine(self, machine: Mapping[str, Any], document: Any, context: Any, deadline: int | None) -> Any:
        states = machine["States"]
        name: str | None = machine["StartAt"]
        while name is not None:
            if deadline is not None and self.clock.now_ms() >= deadline:
                raise StatesError("States.ExecutionTimeout", "the execution ran past TimeoutSeconds")
            state = states[name]
            self.visited.append(name)
            # $$.State: when and as what the state was entered (ISO 8601, milliseconds, Z).
            entered = datetime.fromtimestamp(self.clock.now_ms() / 1000, UTC)
            context = {
                **context,
                "State": {
                    "Name": name,
                    "EnteredTime": entered.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
                },
            }
            kind = state["Type"]
            if kind == "Succeed":
                return document
            if kind == "Fail":
                raise StatesError(str(state.get("Error", "States.Fail")), str(state.get("Cause", "")))
            if kind == "Choice":
                name = self._choose(state, document)
                continue
            try:
                document = self._with_retries(kind, state, document, context, deadline)
            except StatesError as exc:
                handler = next(
                    (c for c in state.get("Catch", []) if _matches(c["ErrorEquals"], exc.error)), None
                )
                if handler is None:
                    raise
                document = _write(
                    document, handler.get("ResultPath", "$"), {"Error": exc.error, "Cause": exc.cause}
                )
                name = handler["Next"]
                continue
            name = None if state.get("End") else state["Next"]
        return document

    def _with_retries(
        self, kind: str, state: Mapping[str, Any], document: Any, context: Any, deadline: int | None
    ) -> Any:
        attempts: dict[int, int] = {}
        while True:
            try:
                return self._once(kind, state, document, context, deadline)
            except StatesError as exc:
                retriers = state.get("Retry", [])
                index = next(
                    (i for i, r in enumerate(retriers) if _matches(r["ErrorEquals"], exc.error)), None
                )
                if index is None:
                    raise
                retrier = retriers[index]
                attempts[index] = attempts.get(index, 0) + 1
                if attempts[index] > int(retrier.get("MaxAttempts", 3)):
                    raise
                interval = float(retrier.get("IntervalSeconds", 1)) * float(
                    retrier.get("BackoffRate", 2)
                ) ** (attempts[index] - 1)
                self.clock.sleep_ms(int(interval * 1000))

    def _once(
        self, kind: str, state: Mapping[str, Any], document: Any, context: Any, deadline: int | None
    ) -> Any:
        effective = _read(document, state.get("InputPath", "$"))
        if "Parameters" in state:
            effective = self._resolve(state["Parameters"], effective, context)
        if kind == "Pass":
            result = state.get("Result", effective)
        elif kind == "Wait":
            seconds = _read(document, state["SecondsPath"]) if "SecondsPath" in state else state["Seconds"]
            self.clock.sleep_ms(int(float(seconds) * 1000))
            return document
        elif kind == "Task":
            result = self._task(state, effective)
        elif kind == "Parallel":
            result = self._parallel(state, effective, context, deadline)
        else:
            raise StatesError("States.Runtime", f"the simulator does not play {kind} states")
        return _write(document, state.get("ResultPath", "$"), result)

    # -- the states ---------------------------------------------------------------------------

    def _task(self, state: Mapping[str, Any], payload: Any) -> Any:
        resource = str(state["Resource"])
        began = self.clock.now_ms()
        if resource.startswith("arn:aws:states:::dynamodb:"):
            result = self._dynamodb(resource.rsplit(":", 1)[-1], payload)
        elif resource.startswith("arn:aws:states:::lambda:invoke"):
            result = {"Payload": self._step(str(payload["FunctionName"]))(payload.get("Payload"))}
        else:
            result = self._step(resource)(payload)
        timeout = state.get("TimeoutSeconds")
        if timeout is not None and self.clock.now_ms() - began > int(timeout) * 1000:
            raise StatesError("States.Timeout", f"{resource} ran past its TimeoutSeconds")
        return result

    def _step(self, name: str) -> Step:
        if name not in self.steps:
            raise StatesError("States.TaskFailed", f"no step plays {name} in this simulation")
        return self.steps[name]

    def _dynamodb(self, action: str, parameters: Mapping[str, Any]) -> Any:
        method = {"updateItem": "update_item", "getItem": "get_item", "putItem": "put_item"}[action]
        try:
            answer = getattr(self.dynamodb, method)(**parameters)
        except self.dynamodb.exceptions.ClientError as exc:
            raise StatesError(f"DynamoDB.{exc.response['Error']['Code']}", str(exc)) from None
        except BotoCoreError as exc:  # the integration's request timed out or failed to connect
            raise StatesError("States.TaskFailed", f"DynamoDB: {type(exc).__name__}") from None
        return {k: v for k, v in answer.items() if k != "ResponseMetadata"}

    def _parallel(
        self, state: Mapping[str, Any], document: Any, context: Any, deadline: int | None
    ) -> list[Any]:
        """Branches run at once, as participants on the clock; the state ends with the last."""
        branches = state["Branches"]
        outputs: list[Any] = [None] * len(branches)
        errors: list[StatesError] = []
        if self.spawn is None or len(branches) == 1:
            return [self._machine(branch, document, context, deadline) for branch in branches]
        done = threading.Event()
        left = [len(branches)]
        lock = threading.Lock()

        def branch_body(index: int) -> Callable[[], None]:
            def body() -> None:
                try:
                    outputs[index] = self._machine(branches[index], document, context, deadline)
                except StatesError as exc:
                    errors.append(exc)
                finally:
                    with lock:
                        left[0] -= 1
                        if left[0] == 0:
                            done.set()

            return body

        for index in range(len(branches)):
            self.spawn(f"branch-{index}", branch_body(index))
        while not done.is_set():
            self.clock.sleep_ms(10)
        if errors:
            raise errors[0]
        return outputs

    def _choose(self, state: Mapping[str, Any], document: Any) -> str:
        for rule in state.get("Choices", []):
            if _rule(rule, document):
                return str(rule["Next"])
        if "Default" not in state:
            raise StatesError("States.NoChoiceMatched", "no choice matched")
        return str(state["Default"])

    def _resolve(self, template: Any, document: Any, context: Any) -> Any:
        if isinstance(template, Mapping):
            resolved: dict[str, Any] = {}
            for key, value in template.items():
                if key.endswith(".$"):
                    source = context if value.startswith("$$") else document
                    path = value[1:] if value.startswith("$$") else value
                    try:
                        resolved[key[:-2]] = _read(source, path)
                    except (KeyError, IndexError, TypeError):
                        raise StatesError("States.Runtime", f"{value} is not in the state's input") from None
                else:
                    resolved[key] = self._resolve(value, document, context)
            return resolved
        if isinstance(template, list):
            return [self._resolve(item, document, context) for item in template]
        return template


def _matches(names: list[str], error: str) -> bool:
    if error == "States.Runtime":
        return False  # never caught or retried, as in Step Functions
    return "States.ALL" in names or error in names


_MISSING: Final = object()


def _rule(rule: Mapping[str, Any], document: Any) -> bool:
    if "And" in rule:
        return all(_rule(r, document) for r in rule["And"])
    if "Or" in rule:
        return any(_rule(r, document) for r in rule["Or"])
    if "Not" in rule:
        return not _rule(rule["Not"], document)
    try:
        value = _read(document, rule["Variable"])
    except (KeyError, IndexError, TypeError):
        value = _MISSING
    tests: dict[str, Callable[[Any, Any], bool]] = {
        "IsPresent": lambda v, want: (v is not _MISSING) == want,
        "IsString": lambda v, want: isinstance(v, str) == want,
        "IsNumeric": lambda v, want: (isinstance(v, int | float) and not isinstance(v, bool)) == want,
        "StringEquals": lambda v, want: isinstance(v, str) and v == want,
        "StringMatches": lambda v, want: isinstance(v, str) and fnmatch.fnmatchcase(v, want),
        "NumericEquals": lambda v, want: isinstance(v, int | float) and v == want,
        "NumericGreaterThan": lambda v, want: isinstance(v, int | float) and v > want,
        "NumericLessThan": lambda v, want: isinstance(v, int | float) and v < want,
        "BooleanEquals": lambda v, want: isinstance(v, bool) and v == want,
    }
    for operator, test in tests.items():
        if operator in rule:
            return test(value, rule[operator])
    raise StatesError("States.Runtime", f"the simulator does not play the choice rule {sorted(rule)}")
