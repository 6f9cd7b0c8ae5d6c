"""A test-side extension of moto's Amazon Connect backend: contact flows and Lambda associations.

moto 5.2 implements Connect instances and tags only. The module also creates contact flows and
associates Lambda functions, so this adds, for the moto server the Terraform tests apply to:

- CreateContactFlow, DescribeContactFlow, UpdateContactFlowContent, UpdateContactFlowName,
  DeleteContactFlow, ListContactFlows;
- CreateContactFlowModule, DescribeContactFlowModule, UpdateContactFlowModuleContent,
  UpdateContactFlowModuleMetadata, DeleteContactFlowModule, ListContactFlowModules;
- AssociateLambdaFunction, ListLambdaFunctions, DisassociateLambdaFunction;
- DescribeInstanceAttribute (every attribute reads as "false"), which the provider's
  aws_connect_instance data source calls;
- and DescribeInstance answering CreatedTime as epoch seconds, as Connect's JSON protocol does
  (moto 5.2 sends an ISO string, which the provider's Go SDK refuses to parse).

Like Connect, it validates a flow's content on create and update and rejects it with
InvalidContactFlowException listing the ``problems`` (a module: InvalidContactFlowModuleException
and ``Problems``, as Connect's API model spells them): every error the project's flow checker
(flowkit) finds for the flow's type (its warnings are accepted, as Connect accepts such flows), and
any Lambda function the flow invokes that is not associated with the instance yet (why the
module creates its flow last), or any flow module it invokes that does not exist. A module's
content must carry a top-level Settings object, and a flow's must not.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import unquote

from moto.connect import urls as connect_urls
from moto.connect.models import connect_backends
from moto.connect.responses import ConnectResponse
from moto.core.exceptions import JsonRESTError

from flowkit.checker import check_flow, errors, module_key

__all__ = ["STORE", "flow_problems", "install"]


class InvalidContactFlowError(JsonRESTError):
    """Connect's answer to a flow it rejects: InvalidContactFlowException with ``problems``."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("InvalidContactFlowException", "The flow is not valid.")
        self.description = json.dumps(
            {
                "__type": "InvalidContactFlowException",
                "message": "The flow is not valid.",
                "problems": [{"message": p} for p in problems],
            }
        )


class InvalidContactFlowModuleError(JsonRESTError):
    """Connect's answer to a module it rejects: InvalidContactFlowModuleException, whose list is
    ``Problems`` (capital P, as in Connect's API model)."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("InvalidContactFlowModuleException", "The module is not valid.")
        self.description = json.dumps(
            {
                "__type": "InvalidContactFlowModuleException",
                "message": "The module is not valid.",
                "Problems": [{"message": p} for p in problems],
            }
        )


class NotFoundError(JsonRESTError):
    def __init__(self, message: str) -> None:
        super().__init__("ResourceNotFoundException", message)


@dataclass
class Flow:
    instance_id: str
    arn: str
    id: str
    name: str
    type: str
    description: str
    content: str
    tags: dict[str, str]

    def to_dict(self) -> dict[str, Any]:
        return {
            "Arn": self.arn,
            "Id": self.id,
            "Name": self.name,
            "Type": self.type,
            "State": "ACTIVE",
            "Status": "PUBLISHED",
            "Description": self.description,
            "Content": self.content,
            "Tags": self.tags,
            "FlowContentSha256": hashlib.sha256(self.content.encode()).hexdigest(),
        }


@dataclass
class Store:
    """What the extension keeps, per instance id (instance ids are UUIDs: unique enough)."""

    flows: dict[str, dict[str, Flow]] = field(default_factory=dict)
    modules: dict[str, dict[str, Flow]] = field(default_factory=dict)
    lambdas: dict[str, list[str]] = field(default_factory=dict)

    def reset(self) -> None:
        self.flows.clear()
        self.modules.clear()
        self.lambdas.clear()


STORE = Store()


def flow_problems(
    content: str,
    associated_lambdas: list[str],
    modules: Collection[str] = (),
    *,
    is_module: bool = False,
    flow_type: str = "CONTACT_FLOW",
) -> list[str]:
    """What Connect would reject in this flow (or module) content (empty when it would accept it).

    The flow checker's errors, plus what only the instance knows: every Lambda function the
    flow invokes must already be associated with it, and every module it invokes must exist.
    """
    kind = "FLOW_MODULE" if is_module else flow_type
    problems = [str(violation) for violation in errors(check_flow(content, flow_type=kind))]
    try:
        document = json.loads(content)
    except ValueError:
        return problems
    if not isinstance(document, dict):
        return problems
    if is_module and not isinstance(document.get("Settings"), dict):
        problems.append("JSON field is missing or null for field name: settings")
    if not is_module and "Settings" in document:
        problems.append("a contact flow's content has no Settings (that is a flow module's)")
    actions = document.get("Actions", [])
    for action in actions if isinstance(actions, list) else []:
        if not isinstance(action, dict):
            continue
        parameters = action.get("Parameters") or {}
        if action.get("Type") == "InvokeLambdaFunction":
            arn = parameters.get("LambdaFunctionARN")
            if arn not in associated_lambdas:
                problems.append(
                    f"{action.get('Identifier')}: Lambda function {arn} is not associated with the instance."
                )
        if action.get("Type") == "InvokeFlowModule":
            module_id = module_key(parameters.get("FlowModuleId", ""))
            if module_id not in modules:
                problems.append(f"{action.get('Identifier')}: flow module {module_id} does not exist.")
    return problems


# -- responses (methods added to moto's ConnectResponse) -------------------------------------


def _instance(response: ConnectResponse) -> str:
    instance_id = unquote(response._get_param("InstanceId") or "")
    response.connect_backend._get_instance_or_raise(instance_id)  # ResourceNotFoundException
    return instance_id


def _flow(response: ConnectResponse, instance_id: str) -> Flow:
    flow_id = unquote(response._get_param("ContactFlowId") or "")
    flow = STORE.flows.get(instance_id, {}).get(flow_id)
    if flow is None:
        raise NotFoundError(f"Contact flow {flow_id} not found")
    return flow


def _body(response: ConnectResponse) -> dict[str, Any]:
    return json.loads(response.body) if response.body else {}


def _validate(
    instance_id: str, content: str, *, is_module: bool = False, flow_type: str = "CONTACT_FLOW"
) -> None:
    problems = flow_problems(
        content,
        STORE.lambdas.get(instance_id, []),
        STORE.modules.get(instance_id, {}),
        is_module=is_module,
        flow_type=flow_type,
    )
    if problems and is_module:
        raise InvalidContactFlowModuleError(problems)
    if problems:
        raise InvalidContactFlowError(problems)


def describe_instance(self: ConnectResponse) -> str:
    instance = self.connect_backend.describe_instance(instance_id=_instance(self))
    created = instance.get("CreatedTime")
    if isinstance(created, str):
        instance["CreatedTime"] = datetime.fromisoformat(created).timestamp()
    return json.dumps({"Instance": instance})


def describe_instance_attribute(self: ConnectResponse) -> str:
    _instance(self)
    attribute = unquote(self._get_param("AttributeType") or "")
    return json.dumps({"Attribute": {"AttributeType": attribute, "Value": "false"}})


def create_contact_flow(self: ConnectResponse) -> str:
    instance_id = _instance(self)
    params = _body(self)
    _validate(instance_id, params.get("Content", ""), flow_type=params.get("Type", "CONTACT_FLOW"))
    backend = self.connect_backend
    flow_id = str(uuid.uuid4())
    instance_arn = f"arn:aws:connect:{backend.region_name}:{backend.account_id}:instance/{instance_id}"
    arn = f"{instance_arn}/contact-flow/{flow_id}"
    flow = Flow(
        instance_id=instance_id,
        arn=arn,
        id=flow_id,
        name=params["Name"],
        type=params.get("Type", "CONTACT_FLOW"),
        description=params.get("Description", ""),
        content=params["Content"],
        tags=params.get("Tags") or {},
    )
    STORE.flows.setdefault(instance_id, {})[flow_id] = flow
    if flow.tags:
        backend.tag_resource(arn, flow.tags)
    return json.dumps(
        {
            "ContactFlowId": flow_id,
            "ContactFlowArn": arn,
            "FlowContentSha256": flow.to_dict()["FlowContentSha256"],
        }
    )


def describe_contact_flow(self: ConnectResponse) -> str:
    flow = _flow(self, _instance(self))
    return json.dumps(
        {"ContactFlow": {**flow.to_dict(), "Tags": self.connect_backend.list_tags_for_resource(flow.arn)}}
    )


def update_contact_flow_content(self: ConnectResponse) -> str:
    instance_id = _instance(self)
    flow = _flow(self, instance_id)
    content = _body(self).get("Content", "")
    _validate(instance_id, content, flow_type=flow.type)
    flow.content = content
    return "{}"


def update_contact_flow_name(self: ConnectResponse) -> str:
    flow = _flow(self, _instance(self))
    params = _body(self)
    flow.name = params.get("Name", flow.name)
    flow.description = params.get("Description", flow.description)
    return "{}"


def delete_contact_flow(self: ConnectResponse) -> str:
    instance_id = _instance(self)
    flow = _flow(self, instance_id)
    del STORE.flows[instance_id][flow.id]
    return "{}"


def list_contact_flows(self: ConnectResponse) -> str:
    instance_id = _instance(self)
    summaries = [
        {"Id": f.id, "Arn": f.arn, "Name": f.name, "ContactFlowType": f.type, "ContactFlowState": "ACTIVE"}
        for f in STORE.flows.get(instance_id, {}).values()
    ]
    return json.dumps({"ContactFlowSummaryList": summaries})


def _module(response: ConnectResponse, instance_id: str) -> Flow:
    module_id = unquote(response._get_param("ContactFlowModuleId") or "")
    module = STORE.modules.get(instance_id, {}).get(module_id)
    if module is None:
        raise NotFoundError(f"Contact flow module {module_id} not found")
    return module


def create_contact_flow_module(self: ConnectResponse) -> str:
    instance_id = _instance(self)
    params = _body(self)
    _validate(instance_id, params.get("Content", ""), is_module=True)
    backend = self.connect_backend
    module_id = str(uuid.uuid4())
    instance_arn = f"arn:aws:connect:{backend.region_name}:{backend.account_id}:instance/{instance_id}"
    arn = f"{instance_arn}/flow-module/{module_id}"
    module = Flow(
        instance_id=instance_id,
        arn=arn,
        id=module_id,
        name=params["Name"],
        type="MODULE",
        description=params.get("Description", ""),
        content=params["Content"],
        tags=params.get("Tags") or {},
    )
    STORE.modules.setdefault(instance_id, {})[module_id] = module
    if module.tags:
        backend.tag_resource(arn, module.tags)
    return json.dumps({"Id": module_id, "Arn": arn})


def describe_contact_flow_module(self: ConnectResponse) -> str:
    module = _module(self, _instance(self))
    document = module.to_dict()
    # A module's Status is lower case, and it has no Type.
    document.update(Status="published", Tags=self.connect_backend.list_tags_for_resource(module.arn))
    document["FlowModuleContentSha256"] = document.pop("FlowContentSha256")
    document.pop("Type")
    return json.dumps({"ContactFlowModule": document})


def update_contact_flow_module_content(self: ConnectResponse) -> str:
    instance_id = _instance(self)
    module = _module(self, instance_id)
    content = _body(self).get("Content", "")
    _validate(instance_id, content, is_module=True)
    module.content = content
    return "{}"


def update_contact_flow_module_metadata(self: ConnectResponse) -> str:
    module = _module(self, _instance(self))
    params = _body(self)
    module.name = params.get("Name", module.name)
    module.description = params.get("Description", module.description)
    return "{}"


def delete_contact_flow_module(self: ConnectResponse) -> str:
    instance_id = _instance(self)
    module = _module(self, instance_id)
    del STORE.modules[instance_id][module.id]
    return "{}"


def list_contact_flow_modules(self: ConnectResponse) -> str:
    instance_id = _instance(self)
    summaries = [
        {"Id": m.id, "Arn": m.arn, "Name": m.name, "State": "ACTIVE"}
        for m in STORE.modules.get(instance_id, {}).values()
    ]
    return json.dumps({"ContactFlowModulesSummaryList": summaries})


def associate_lambda_function(self: ConnectResponse) -> str:
    instance_id = _instance(self)
    arn = _body(self)["FunctionArn"]
    associated = STORE.lambdas.setdefault(instance_id, [])
    if arn not in associated:
        associated.append(arn)
    return "{}"


def list_lambda_functions(self: ConnectResponse) -> str:
    return json.dumps({"LambdaFunctions": list(STORE.lambdas.get(_instance(self), []))})


def disassociate_lambda_function(self: ConnectResponse) -> str:
    instance_id = _instance(self)
    arn = unquote(self._get_param("functionArn") or self.querystring.get("functionArn", [""])[0])
    if arn in STORE.lambdas.get(instance_id, []):
        STORE.lambdas[instance_id].remove(arn)
    return "{}"


_HANDLERS = [
    describe_instance,
    describe_instance_attribute,
    create_contact_flow,
    describe_contact_flow,
    update_contact_flow_content,
    update_contact_flow_name,
    delete_contact_flow,
    list_contact_flows,
    create_contact_flow_module,
    describe_contact_flow_module,
    update_contact_flow_module_content,
    update_contact_flow_module_metadata,
    delete_contact_flow_module,
    list_contact_flow_modules,
    associate_lambda_function,
    list_lambda_functions,
    disassociate_lambda_function,
]
_PATHS = [
    "{0}/contact-flows/(?P<InstanceId>[^/]+)$",
    "{0}/contact-flows/(?P<InstanceId>[^/]+)/(?P<ContactFlowId>[^/]+)$",
    "{0}/contact-flows/(?P<InstanceId>[^/]+)/(?P<ContactFlowId>[^/]+)/(content|name|metadata)$",
    "{0}/contact-flows-summary/(?P<InstanceId>[^/]+)$",
    "{0}/contact-flow-modules/(?P<InstanceId>[^/]+)$",
    "{0}/contact-flow-modules/(?P<InstanceId>[^/]+)/(?P<ContactFlowModuleId>[^/]+)$",
    "{0}/contact-flow-modules/(?P<InstanceId>[^/]+)/(?P<ContactFlowModuleId>[^/]+)/(content|metadata)$",
    "{0}/contact-flow-modules-summary/(?P<InstanceId>[^/]+)$",
    "{0}/instance/(?P<InstanceId>[^/]+)/lambda-function$",
    "{0}/instance/(?P<InstanceId>[^/]+)/lambda-functions$",
    "{0}/instance/(?P<InstanceId>[^/]+)/attribute/(?P<AttributeType>[^/]+)$",
]


def install() -> None:
    """Add the operations to moto's Connect service (call before the server takes requests)."""
    for handler in _HANDLERS:
        setattr(ConnectResponse, handler.__name__, handler)
    for path in _PATHS:
        connect_urls.url_paths.setdefault(path, ConnectResponse.dispatch)
    # Backends built before install() cached their URL map; drop it so it is rebuilt.
    for account in connect_backends.values():
        for backend in account.values():
            backend.__dict__.pop("urls", None)
