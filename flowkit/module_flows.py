"""Checking the module's own rendered flows: each one's flow type, the channels it serves, the
contact attributes a caller sets before it runs, and what the module's start and check always
answer (from the runtime's contract), so a reference to a key they do not return is an error."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Final

from connect_async.check import answer_keys
from connect_async.contract import START_RESPONSE_KEYS, FlowAttr
from connect_async.lookup import lookup_answer_keys
from flowkit.checker import Violation, check_flow

__all__ = ["FLOW_CHANNELS", "FLOW_TYPES", "attributes_set", "check_module_flows", "module_responses"]

# modules/plan's flows output, and the type each is created as.
FLOW_TYPES: Final = {
    "inbound_flow": "CONTACT_FLOW",
    "wait_module": "FLOW_MODULE",
    "requeue_disconnect_flow": "CONTACT_FLOW",
    "config_lookup_module": "FLOW_MODULE",
}
# The inbound flow and the module serve voice and chat; the re-queue flow is a chat disconnect flow.
FLOW_CHANNELS: Final = {
    "inbound_flow": frozenset({"VOICE", "CHAT"}),
    "wait_module": frozenset({"VOICE", "CHAT"}),
    "requeue_disconnect_flow": frozenset({"CHAT"}),
    "config_lookup_module": frozenset({"VOICE", "CHAT"}),
}
# The module's inputs: contact attributes the calling flow sets first (flows/README.md).
_MODULE_INPUTS: Final = frozenset({FlowAttr.TASK_NAME.value, FlowAttr.TASK_INPUT.value})
_ATTRIBUTE: Final = "$.Attributes."


def module_responses(
    start_arn: str,
    check_arn: str,
    result_keys: Sequence[str],
    lookup_arn: str | None = None,
    config_fields: Sequence[str] = (),
) -> dict[str, frozenset[str]]:
    """The keys start, check (and the lookup) always return, by function ARN."""
    responses = {
        start_arn: frozenset(str(k) for k in START_RESPONSE_KEYS),
        check_arn: frozenset(answer_keys(result_keys)),
    }
    if lookup_arn is not None:
        responses[lookup_arn] = frozenset(lookup_answer_keys(tuple(config_fields)))
    return responses


def attributes_set(content: str) -> frozenset[str]:
    """The contact attributes a flow (or flow module) sets anywhere in its content."""
    document = json.loads(content)
    return frozenset(
        str(name)
        for action in document.get("Actions", [])
        if action.get("Type") == "UpdateContactAttributes"
        for name in action.get("Parameters", {}).get("Attributes", {})
    )


def check_module_flows(
    flows: Mapping[str, str | None],
    *,
    start_arn: str,
    check_arn: str,
    result_keys: Sequence[str],
    task_parameters: Mapping[str, str] | None = None,
    tracking_id_reference: str | None = None,
    lookup_arn: str | None = None,
    config_lookup: Mapping[str, Sequence[str]] | None = None,
    flow_module_id: str | None = None,
) -> dict[str, list[Violation]]:
    """Every violation of each rendered flow (None: not rendered with this tuning).

    ``task_parameters`` and ``tracking_id_reference`` are the module's variables: the contact
    attributes they name come from an earlier flow, and the flow module reads each task
    parameter from the contact attribute of the same name. ``config_lookup`` is modules/plan's
    call.config_lookup (the lookup's keys and fields) when the lookup is rendered.
    ``flow_module_id``: the id the wait-for-task module is created with (the re-queue flow must
    invoke that one; what it sets is read from its content). The module's flows depend on no
    earlier flow's Lambda answers, so a ``$.External`` read before their own Lambdas is an error.
    """
    lookup = config_lookup or {}
    responses = module_responses(
        start_arn, check_arn, result_keys, lookup_arn if lookup else None, lookup.get("fields", ())
    )
    parameters = dict(task_parameters or {})
    references = [*parameters.values(), tracking_id_reference or "", *lookup.get("keys", ())]
    referenced = frozenset(r.removeprefix(_ATTRIBUTE) for r in references if r.startswith(_ATTRIBUTE))
    upstream = {
        "inbound_flow": referenced,
        "wait_module": _MODULE_INPUTS | frozenset(parameters) | referenced,
        "requeue_disconnect_flow": referenced,
        "config_lookup_module": referenced,
    }
    module = flows.get("wait_module")
    modules = None if flow_module_id is None or module is None else {flow_module_id: attributes_set(module)}
    return {
        name: check_flow(
            content,
            flow_type=FLOW_TYPES[name],
            channels=FLOW_CHANNELS[name],
            lambda_responses=responses,
            upstream_attributes=upstream[name],
            self_contained=True,
            flow_modules=modules,
        )
        for name, content in flows.items()
        if content is not None
    }
