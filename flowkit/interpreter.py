"""The contact flow, played: each action as the flow-language reference documents it.

``InvokeLambdaFunction`` runs the function the block names (start and check from
``services``) with the block's time limit enforced: a call that takes longer goes down its error
branch, as in Connect. An asynchronous call (``InvocationType`` ASYNCHRONOUS) lets the flow go on
at once; a ``Wait`` on it plays its ``Continue`` branch until the call returns (interrupting the
prompt playing then), and ``LoadLambdaFunctionResult`` loads its answer.
``MessageParticipant`` takes the time the text needs to be spoken
(SPEECH_WORDS_PER_SECOND), the hold message (and each of its sentences, its share) the module's
hold_prompt_seconds, and no time in chat (the message is sent). ``InvokeFlowModule`` plays the
module's own content, ``Wait`` waits out its timeout or for the customer to come back (chat),
and Loop, Compare, attribute updates, queues and disconnects behave as documented;
flows/README.md lists what the interpreter assumes.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final

from connect_async.contract import (
    HOLD_SENTENCE_PATTERN,
    ConfigField,
    LookupKey,
    ResponseKey,
    ResponseStatus,
)
from connect_async.settings import CONSTANTS
from flowkit.clock import VirtualClock
from flowkit.deployment import Deployment
from flowkit.lambda_queue import ThreadDispatcher
from flowkit.report import CONTACT_ID, START_MS, CallReport, Event
from flowkit.scenario import Scenario

__all__ = ["SPEECH_WORDS_PER_SECOND", "FlowInterpreter", "UnknownBlockError", "hold_sentences", "load_flow"]

# The schema's speaking rate (an assumption: Polly publishes none), as the plan estimates with it.
SPEECH_WORDS_PER_SECOND: Final = CONSTANTS["speech_words_per_minute"] / 60
_REFERENCE: Final = re.compile(r"\$\.(External|Attributes|FlowAttributes)\.([A-Za-z0-9_]+)")
_VOICE_ONLY_PROMPTS: Final = ("SSML", "PromptId")


def hold_sentences(text: str) -> list[str]:
    """The hold message's sentences, as the module splits it (the contract's pattern)."""
    return [m.strip() for m in re.findall(HOLD_SENTENCE_PATTERN, text) if m.strip()]


# Blocks that take no time and change nothing a call report measures: played as passing on.
_PASS_THROUGH: Final = frozenset(
    {
        "UpdateFlowLoggingBehavior",
        "UpdateContactRecordingBehavior",
        "UpdateContactEventHooks",
        "UpdateContactMediaStreamingBehavior",
        "TagContact",
        "UnTagContact",
    }
)


# What may come between an asynchronous Lambda call and the Wait on it (none takes time).
_WHILE_ASYNC: Final = frozenset(
    {
        "Wait",
        "LoadLambdaFunctionResult",
        "Compare",
        "Loop",
        "UpdateFlowAttributes",
        "UpdateContactAttributes",
        "DisconnectParticipant",
    }
)


class UnknownBlockError(Exception):
    """A flow holds a block type the simulator cannot play: playing it as taking no time would
    make every measured silence and wait wrong, so the simulation stops instead."""


@dataclass(frozen=True)
class _AsyncCall:
    """An asynchronous Lambda call: played at once (its function only reads the tracker, so its
    answer does not depend on what the flow does meanwhile), then revealed to the flow in time."""

    function: str
    resumed_at_ms: int  # when the flow went on past the invoke block
    returned_at_ms: int  # when the function returned (or was cut off at its time limit)
    response: Mapping[str, str]
    failed: bool


class _FlowModuleReturned(Exception):  # noqa: N818 - a signal, not an error
    """EndFlowModuleExecution: control goes back to the flow that invoked the module."""


class FlowInterpreter:
    """One call's state while its flows run; ``step`` executes one action and returns the next."""

    def __init__(
        self,
        flow: Mapping[str, Any],
        clock: VirtualClock,
        *,
        functions: Mapping[str, str],
        modules: Mapping[str, Mapping[str, Any]],
        deployment: Deployment,
        report: CallReport,
        scenario: Scenario,
        services: Mapping[str, Any],
        dispatcher: ThreadDispatcher,
    ) -> None:
        self.flow = flow
        self.functions = functions
        self.modules = modules
        self.deployment = deployment
        self.clock = clock
        self.report = report
        self.scenario = scenario
        self.services = services
        self.dispatcher = dispatcher
        self.external: dict[str, str] = {}
        self.attributes: dict[str, str] = dict(scenario.attributes)
        self.failing = {
            "check": scenario.failing_check_calls,
            "start": scenario.failing_start_calls,
            "lookup": scenario.failing_lookup_calls,
        }
        self.chain_ms = 0  # Lambda time since the last prompt
        # The hold message's sentences and their words, split once per call (voice timing).
        self.hold_sentences = hold_sentences(deployment.hold_message)
        self.hold_words = sum(len(sentence.split()) for sentence in self.hold_sentences)
        self.ended = False
        # Per flow run (a module gets its own): loop counters and flow attributes.
        self.loops: dict[str, int] = {}
        self.flow_attributes: dict[str, str] = {}
        # The actions of the flow running now (a Wait plays its Continue branch from them), and
        # the last asynchronous Lambda call (the $.LambdaInvocation.InvocationId it sets).
        self.actions: Mapping[str, Mapping[str, Any]] = {}
        self.async_call: _AsyncCall | None = None
        # True from an asynchronous call until a Wait on it ends: the flow's time is still the
        # call's start, though the clock has played the call through.
        self.async_pending = False
        self.hung_up_at_ms: int | None = None
        # What each action type does (and _PASS_THROUGH); any other type stops the simulation.
        self.handlers: dict[str, Callable[[str, str, Mapping[str, Any], Mapping[str, Any]], str | None]] = {
            "InvokeLambdaFunction": self._invoke,
            "MessageParticipant": self._message,
            "Compare": self._compare,
            "Loop": self._loop,
            "UpdateContactAttributes": self._set_attributes,
            "UpdateFlowAttributes": self._set_flow_attributes,
            "UpdateContactTargetQueue": self._set_queue,
            "UpdateContactData": self._set_language,
            "UpdateContactTextToSpeechVoice": self._set_voice,
            "InvokeFlowModule": self._invoke_module,
            "EndFlowModuleExecution": self._return_from_module,
            "Wait": self._wait,
            "LoadLambdaFunctionResult": self._load_lambda_result,
            "DisconnectParticipant": self._end,
            "TransferContactToQueue": self._end,
        }

    def play(self) -> None:
        self._run_flow(self.flow, prefix="")
        # A caller who hangs up during a Wait's Continue branch leaves before the clock's now.
        ended_at = self.hung_up_at_ms if self.hung_up_at_ms is not None else self.clock.now_ms()
        self.report.total_wait_seconds = (ended_at - START_MS) / 1000
        self.report.contact_attributes = dict(self.attributes)

    def _run_flow(self, flow: Mapping[str, Any], prefix: str) -> None:
        actions = {a["Identifier"]: a for a in flow["Actions"]}
        outer, self.actions = self.actions, actions
        try:
            self._run_actions(actions, flow["StartAction"], prefix)
        finally:
            self.actions = outer

    def _run_actions(self, actions: Mapping[str, Mapping[str, Any]], start: str, prefix: str) -> None:
        current: str | None = start
        hang_up = self.scenario.hang_up_at_seconds
        while current and not self.ended:
            if hang_up is not None and self.clock.now_ms() - START_MS >= hang_up * 1000:
                self._hang_up(hang_up)
                return
            self.report.path.append(prefix + current)
            try:
                current = self.step(current, actions[current])
            except _FlowModuleReturned:
                return

    def _hang_up(self, at_seconds: float) -> None:
        """The caller hangs up: noticed between two blocks (or two prompts of a Wait's Continue
        branch), but they left at the moment they hung up."""
        self.hung_up_at_ms = START_MS + int(at_seconds * 1000)
        self.report.events.append(Event(self.hung_up_at_ms, "caller", "hangs up"))
        self.report.ending = "caller hung up"
        self.ended = True

    def step(self, identifier: str, action: Mapping[str, Any]) -> str | None:
        kind = str(action.get("Type"))
        transitions: Mapping[str, Any] = action.get("Transitions") or {}
        parameters: Mapping[str, Any] = action.get("Parameters") or {}
        if self.async_pending and kind not in _WHILE_ASYNC:
            raise UnknownBlockError(
                f"{identifier}: a {kind} block while an asynchronous Lambda call runs; the simulator plays "
                "the call at once, so only a Wait on it, LoadLambdaFunctionResult or blocks that take no "
                "time may come between the call and its Wait"
            )
        handler = self.handlers.get(kind)
        if handler is not None:
            return handler(identifier, kind, parameters, transitions)
        if kind in _PASS_THROUGH:
            return _next(transitions)
        raise UnknownBlockError(
            f"{identifier}: the simulator cannot play a {kind} block; teach flowkit/interpreter.py "
            "what it does (and how long it takes) before simulating this flow"
        )

    # -- Lambda ------------------------------------------------------------------------------

    def _invoke(
        self, identifier: str, kind: str, parameters: Mapping[str, Any], transitions: Mapping[str, Any]
    ) -> str | None:
        function = self.functions[parameters["LambdaFunctionARN"]]
        limit_ms = int(float(parameters.get("InvocationTimeLimitSeconds", 8)) * 1000)
        report = self.report
        began = self.clock.now_ms()
        asynchronous = parameters.get("InvocationType") == "ASYNCHRONOUS"
        self.clock.sleep_ms(self.deployment.latency.invoke_overhead_ms)
        resumed_at = self.clock.now_ms()
        failed = self.failing.get(function, 0) > 0
        response: Mapping[str, str] = {}
        if failed:
            self.failing[function] -= 1
            report.invoked(function)
            report.bill(function, 1)
        else:
            service = self.services[function]
            self._note_parameters(function, parameters)
            # Connect's own retries of one block (start_deliveries) each run the handler in full.
            deliveries = self.scenario.start_deliveries if function == "start" else 1
            for _ in range(deliveries):
                handler_began = self.clock.now_ms()
                remaining_ms = limit_ms - (handler_began - began)
                response = service.handle(self._contact_event(parameters), remaining_ms)
                report.invoked(function)
                if not getattr(service, "self_billed", False):
                    report.bill(function, max(self.clock.now_ms() - handler_began, 1))
        elapsed = self.clock.now_ms() - began
        report.calls.append((function, began, self.clock.now_ms()))
        if asynchronous:
            # The flow went on at once; a Wait or LoadLambdaFunctionResult reveals the answer.
            # (A call that could not even be made takes the block's error branch.)
            if failed and elapsed <= limit_ms:
                return _error_branch(transitions)
            self.async_call = _AsyncCall(
                function,
                resumed_at,
                min(self.clock.now_ms(), began + limit_ms),
                dict(response),
                failed or elapsed > limit_ms,
            )
            self.async_pending = True
            self.report.events.append(Event(resumed_at, "flow", f"{function} runs asynchronously"))
            return _next(transitions)
        self.chain_ms += elapsed
        report.longest_lambda_chain_seconds = max(report.longest_lambda_chain_seconds, self.chain_ms / 1000)
        if elapsed > limit_ms:  # Connect gives up on the call: the error branch, whatever it returned
            report.limit_overruns.append(f"{identifier}: {elapsed} ms > {limit_ms} ms")
            failed = True
        if failed:
            report.events.append(
                Event(self.clock.now_ms(), function, "fails: the flow takes the error branch")
            )
            return _error_branch(transitions)
        self.external = dict(response)
        self._note_response(function, response)
        return _next(transitions)

    def _note_parameters(self, function: str, parameters: Mapping[str, Any]) -> None:
        """What the flow passes to start (the task's inputs), as the timeline shows it."""
        if function != "start":
            return
        sent = {
            k: self._resolve(str(v)) for k, v in (parameters.get("LambdaInvocationAttributes") or {}).items()
        }
        if sent:
            shown = ", ".join(f"{k}={v!r}" for k, v in sorted(sent.items()))
            self.report.events.append(Event(self.clock.now_ms(), "flow", f"start gets {shown}"))

    def _note_response(self, function: str, response: Mapping[str, str]) -> None:
        if function == "lookup":
            said = response.get(LookupKey.SOURCE, "")
            error = response.get(LookupKey.ERROR_CODE, "")
            self._note_as(function, f"-> {said} {response.get(ConfigField.KEY, '')} {error}".rstrip())
            return
        status = response.get(ResponseKey.STATUS, "")
        detail = (
            f'"{response.get(ResponseKey.PROGRESS_MESSAGE, "")}"'
            if status == ResponseStatus.IN_PROGRESS and response.get(ResponseKey.PROGRESS_MESSAGE)
            else response.get(ResponseKey.ERROR_CODE, "")
        )
        now = self.clock.now_ms()
        self.report.events.append(Event(now, function, f"-> {status} {detail}".rstrip()))
        finished = self.dispatcher.finished_at_ms
        final = status in (ResponseStatus.COMPLETED, ResponseStatus.FAILED)
        if final and finished is not None and self.report.detection_latency_ms is None:
            self.report.detection_latency_ms = now - finished

    def _contact_event(self, parameters: Mapping[str, Any]) -> dict[str, Any]:
        invocation_attributes = parameters.get("LambdaInvocationAttributes") or {}
        return {
            "Name": "ContactFlowEvent",
            "Details": {
                "ContactData": {
                    "ContactId": CONTACT_ID,
                    "InitialContactId": CONTACT_ID,
                    "Channel": self.scenario.channel,
                    "Attributes": dict(self.attributes),
                    "CustomerEndpoint": {"Address": self.scenario.customer_phone, "Type": "TELEPHONE_NUMBER"},
                },
                "Parameters": {k: self._resolve(str(v)) for k, v in invocation_attributes.items()},
            },
        }

    # -- prompts -----------------------------------------------------------------------------

    def _message(
        self, identifier: str, kind: str, parameters: Mapping[str, Any], transitions: Mapping[str, Any]
    ) -> str | None:
        began = self.clock.now_ms()
        voice_only = [p for p in _VOICE_ONLY_PROMPTS if p in parameters]
        if voice_only and self.scenario.channel != "VOICE":
            self.report.voice_only_prompts_on_chat.append(f"{identifier}: {voice_only[0]}")
            self.report.events.append(Event(began, "flow", f"cannot send a {voice_only[0]} prompt to chat"))
            return _error_branch(transitions)
        self.clock.sleep_ms(self._say(parameters, began))
        self.report.speech.append((began, self.clock.now_ms()))
        self.chain_ms = 0  # a prompt between Lambda calls ends the chain
        return _next(transitions)

    def _say(self, parameters: Mapping[str, Any], at_ms: int) -> int:
        """What a prompt says, into the timeline at ``at_ms``, and how long it holds the flow: a
        recording its declared length (hold_prompt_seconds), a text ``_prompt_ms``."""
        verb = "reads" if self.scenario.channel == "CHAT" else "hears"
        if "PromptId" in parameters:
            self.report.events.append(Event(at_ms, "caller", f"{verb} the recorded prompt"))
            return int(self.deployment.hold_prompt_seconds * 1000)
        text = _REFERENCE.sub(lambda m: self._resolve(m.group(0)), str(parameters.get("Text", "")))
        self.report.events.append(Event(at_ms, "caller", f'{verb} "{text}"'))
        self.report.spoken.append(text)
        return self._prompt_ms(text)

    def _prompt_ms(self, text: str) -> int:
        """How long a text holds the flow. Voice: the time it takes to speak; the hold message's
        sentences take their share (by words) of the operator's measure of the whole message,
        hold_prompt_seconds, as the timing plan counts it. Chat: the flow goes on as soon as the
        message is sent (an assumption: flows/README.md)."""
        if self.scenario.channel != "VOICE":
            return 0
        settings = self.deployment
        if text in self.hold_sentences:
            return int(settings.hold_prompt_seconds * 1000 * len(text.split()) / self.hold_words)
        if text == settings.hold_message:
            return int(settings.hold_prompt_seconds * 1000)
        return int(max(len(text.split()), 1) / SPEECH_WORDS_PER_SECOND * 1000)

    def _wait(
        self, identifier: str, kind: str, parameters: Mapping[str, Any], transitions: Mapping[str, Any]
    ) -> str | None:
        if "LambdaReturned" in (parameters.get("InterruptibleEvents") or {}):
            return self._wait_on_lambda(identifier, parameters, transitions)
        limit_ms = int(float(self._resolve(str(parameters.get("TimeLimitSeconds", 0)))) * 1000)
        returns = self.scenario.customer_returns_at_seconds
        waited_ms = limit_ms
        outcome = "WaitCompleted"
        if returns is not None and "CustomerReturned" in parameters.get("Events", []):
            due_ms = START_MS + int(returns * 1000) - self.clock.now_ms()
            if due_ms <= limit_ms:
                waited_ms, outcome = max(due_ms, 0), "CustomerReturned"
        began = self.clock.now_ms()
        self.clock.sleep_ms(waited_ms)
        self.chain_ms = 0  # the flow paused for the customer (the checker's assumption too)
        self.report.away.append((began, self.clock.now_ms()))
        self.report.events.append(Event(self.clock.now_ms(), "flow", f"wait ends: {outcome}"))
        return _condition(transitions, outcome) or _next(transitions)

    def _wait_on_lambda(
        self, identifier: str, parameters: Mapping[str, Any], transitions: Mapping[str, Any]
    ) -> str | None:
        """The Wait on an asynchronous Lambda call. It began when the flow went on past the
        invoke; it ends on LambdaReturned when the call returns (not before
        MinimumWaitTimeSeconds: assumed a lower bound on the wait), or WaitCompleted at its time
        limit. Meanwhile, with ContinueExecution, its Continue branch plays (prompts and loops
        only), and the prompt playing when the Wait ends is cut off there."""
        call = self.async_call
        began = call.resumed_at_ms if call is not None and self.async_pending else self.clock.now_ms()
        self.async_pending = False
        limit_ms = int(float(parameters.get("TimeLimitSeconds", 0)) * 1000)
        minimum_ms = int(float(parameters.get("MinimumWaitTimeSeconds", 0)) * 1000)
        returned = max(call.returned_at_ms, began + minimum_ms) if call is not None else None
        if returned is not None and returned <= began + limit_ms:
            ends_at, outcome = returned, "LambdaReturned"
        else:
            ends_at, outcome = began + limit_ms, "WaitCompleted"
        if str(parameters.get("ContinueExecution", "")).upper() == "TRUE":
            self._play_continue_branch(identifier, _condition(transitions, "Continue"), began, ends_at)
        if self.ended:
            return None
        if self.clock.now_ms() < ends_at:
            self.clock.sleep_ms(ends_at - self.clock.now_ms())
        self.chain_ms = 0
        self._note(f"wait ends: {outcome}")
        return _condition(transitions, outcome) or _next(transitions)

    def _play_continue_branch(self, wait: str, current: str | None, began: int, ends_at: int) -> None:
        """What the caller hears from ``began`` until ``ends_at`` on the Wait's Continue branch."""
        at = began
        hang_up = self.scenario.hang_up_at_seconds
        while current is not None and at < ends_at:
            if hang_up is not None and START_MS + hang_up * 1000 <= at:
                self._hang_up(hang_up)
                return
            action = self.actions[current]
            self.report.path.append(current)
            kind = str(action.get("Type"))
            parameters: Mapping[str, Any] = action.get("Parameters") or {}
            transitions: Mapping[str, Any] = action.get("Transitions") or {}
            if kind == "Loop":
                current = self._loop(current, kind, parameters, transitions)
                continue
            if kind != "MessageParticipant":
                raise UnknownBlockError(
                    f"{wait}: its Continue branch reaches {current} ({kind}) while the Wait lasts; the "
                    "simulator plays only prompts and loops there (make the branch longer than the Wait)"
                )
            length_ms = self._say(parameters, at)
            end = min(at + length_ms, ends_at)
            self.report.speech.append((at, end))
            if at + length_ms > ends_at:
                self.report.events.append(Event(end, "flow", "the Wait cuts the prompt off"))
            at += length_ms
            current = _next(transitions)

    def _load_lambda_result(
        self, identifier: str, kind: str, parameters: Mapping[str, Any], transitions: Mapping[str, Any]
    ) -> str | None:
        """The asynchronous call's answer into $.External (an assumption: flows/README.md), or
        InProgress while it runs, NoMatchingError when it failed."""
        call = self.async_call
        if call is None or call.failed:
            return _error_branch(transitions)
        if self.async_pending and call.returned_at_ms > call.resumed_at_ms:
            # Loaded before any Wait on it: the call is still running at the flow's time.
            return _error_branch(transitions, "InProgress") or _error_branch(transitions)
        self.external = dict(call.response)
        self._note_response(call.function, call.response)
        return _next(transitions)

    # -- flow control ------------------------------------------------------------------------

    def _compare(
        self, identifier: str, kind: str, parameters: Mapping[str, Any], transitions: Mapping[str, Any]
    ) -> str | None:
        value = self._resolve(str(parameters.get("ComparisonValue", "")))
        return (
            _condition(transitions, value)
            or _error_branch(transitions, "NoMatchingCondition")
            or _next(transitions)
        )

    def _loop(
        self, identifier: str, kind: str, parameters: Mapping[str, Any], transitions: Mapping[str, Any]
    ) -> str | None:
        count = self.loops.get(identifier, 0)
        done = count >= int(float(parameters.get("LoopCount", 0)))
        self.loops[identifier] = 0 if done else count + 1  # the counter resets when done
        return _condition(transitions, "DoneLooping" if done else "ContinueLooping")

    def _set_attributes(
        self, identifier: str, kind: str, parameters: Mapping[str, Any], transitions: Mapping[str, Any]
    ) -> str | None:
        values = {k: self._resolve(str(v)) for k, v in (parameters.get("Attributes") or {}).items()}
        self.attributes.update(values)  # all or nothing, as in Connect
        return _next(transitions)

    def _set_flow_attributes(
        self, identifier: str, kind: str, parameters: Mapping[str, Any], transitions: Mapping[str, Any]
    ) -> str | None:
        for key, value in (parameters.get("FlowAttributes") or {}).items():
            self.flow_attributes[key] = self._resolve(str(value.get("Value", "")))
        return _next(transitions)

    def _set_queue(
        self, identifier: str, kind: str, parameters: Mapping[str, Any], transitions: Mapping[str, Any]
    ) -> str | None:
        self.report.target_queue = str(parameters.get("QueueId"))
        return _next(transitions)

    def _set_language(
        self, identifier: str, kind: str, parameters: Mapping[str, Any], transitions: Mapping[str, Any]
    ) -> str | None:
        if parameters.get("LanguageCode"):
            self.report.language = self._resolve(str(parameters["LanguageCode"]))
            self._note(f"sets the language {self.report.language}")
        return _next(transitions)

    def _set_voice(
        self, identifier: str, kind: str, parameters: Mapping[str, Any], transitions: Mapping[str, Any]
    ) -> str | None:
        voice = self._resolve(str(parameters.get("TextToSpeechVoice", "")))
        engine = self._resolve(str(parameters.get("TextToSpeechEngine", "")))
        first = not self.report.voice  # the flow's own opening Set voice is not news
        self.report.voice = f"{voice} ({engine})" if engine else voice
        if not first:
            self._note(f"sets the voice {self.report.voice}")
        return _next(transitions)

    def _note(self, text: str) -> None:
        self._note_as("flow", text)

    def _note_as(self, actor: str, text: str) -> None:
        self.report.events.append(Event(self.clock.now_ms(), actor, text))

    def _invoke_module(
        self, identifier: str, kind: str, parameters: Mapping[str, Any], transitions: Mapping[str, Any]
    ) -> str | None:
        module = self.modules.get(str(parameters.get("FlowModuleId")))
        if module is None:
            self.report.events.append(Event(self.clock.now_ms(), "flow", "unknown flow module"))
            return _error_branch(transitions)
        # A module run has its own loop counters and flow attributes.
        saved = (self.loops, self.flow_attributes)
        self.loops, self.flow_attributes = {}, {}
        try:
            self._run_flow(module, prefix=f"{identifier}/")
        finally:
            self.loops, self.flow_attributes = saved
        if self.ended:
            return None
        # Without a declared result branch the module continues at NextAction.
        return _next(transitions) or _error_branch(transitions, "NoMatchingCondition")

    def _return_from_module(
        self, identifier: str, kind: str, parameters: Mapping[str, Any], transitions: Mapping[str, Any]
    ) -> str | None:
        raise _FlowModuleReturned

    def _end(
        self, identifier: str, kind: str, parameters: Mapping[str, Any], transitions: Mapping[str, Any]
    ) -> str | None:
        self.report.ending = "disconnected" if kind == "DisconnectParticipant" else "transferred to a queue"
        self.report.events.append(Event(self.clock.now_ms(), "flow", self.report.ending))
        self.ended = True
        return None

    def _resolve(self, value: str) -> str:
        """A whole-value reference, or a literal."""
        system = {
            "$.Channel": self.scenario.channel,
            "$.SystemEndpoint.Address": self.scenario.dialled_number,
            "$.ContactId": CONTACT_ID,
            "$.InitialContactId": CONTACT_ID,
            "$.LanguageCode": self.report.language,
        }
        if value in system:
            return system[value]
        match = _REFERENCE.fullmatch(value)
        if not match:
            return value
        scope = {
            "External": self.external,
            "Attributes": self.attributes,
            "FlowAttributes": self.flow_attributes,
        }
        return scope[match.group(1)].get(match.group(2), "")


def load_flow(flow: str | Mapping[str, Any]) -> Mapping[str, Any]:
    loaded: Mapping[str, Any] = json.loads(flow) if isinstance(flow, str) else flow
    return loaded


def _next(transitions: Mapping[str, Any]) -> str | None:
    target = transitions.get("NextAction")
    return str(target) if target else None


def _condition(transitions: Mapping[str, Any], value: str) -> str | None:
    for branch in transitions.get("Conditions", []):
        if value in branch["Condition"]["Operands"]:
            return str(branch["NextAction"])
    return None


def _error_branch(transitions: Mapping[str, Any], error_type: str = "NoMatchingError") -> str | None:
    for branch in transitions.get("Errors", []):
        if branch.get("ErrorType") == error_type:
            return str(branch["NextAction"])
    return None
