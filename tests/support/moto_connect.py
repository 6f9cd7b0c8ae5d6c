"""A test-side extension of moto's Amazon Connect backend: contact flows and Lambda associations.

moto 5.2 implements Connect instances and tags only. The module also creates contact flows and
associates Lambda functions, so this adds, for the moto server the Terraform tests apply to:

- CreateContactFlow, DescribeContactFlow, UpdateContactFlowContent, UpdateContactFlowName,
  DeleteContactFlow, ListContactFlows;
- AssociateLambdaFunction, ListLambdaFunctions, DisassociateLambdaFunction;
- DescribeInstanceAttribute (every attribute reads as "false"), which the provider's
  aws_connect_instance data source calls;
- and DescribeInstance answering CreatedTime as epoch seconds, as Connect's JSON protocol does
  (moto 5.2 sends an ISO string, which the provider's Go SDK refuses to parse).

Like Connect, it validates a flow's content on create and update and rejects it with
InvalidContactFlowException: every violation the project's flow checker (flowkit) finds, and
any Lambda function the flow invokes that is not associated with the instance yet (why the
module creates its flow last).
"""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import unquote

from moto.connect import urls as connect_urls
from moto.connect.models import connect_backends
from moto.connect.responses import ConnectResponse
from moto.core.exceptions import JsonRESTError

from flowkit.checker import check_flow

__all__ = ["STORE", "flow_problems", "install"]


class InvalidContactFlowError(JsonRESTError):
    def __init__(self, problems: list[str]) -> None:
        super().__init__("InvalidContactFlowException", "The flow is not valid.")
        self.description = json.dumps(
            {
                "__type": "InvalidContactFlowException",
                "message": "The flow is not valid.",
                "problems": [{"message": p} for p in problems],
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
    lambdas: dict[str, list[str]] = field(default_factory=dict)

    def reset(self) -> None:
        self.flows.clear()
        self.lambdas.clear()


STORE = Store()


def flow_problems(content: str, associated_lambdas: list[str]) -> list[str]:
    """What Connect would reject in this flow content (empty when it would accept it).

    The flow checker's violations, plus what only the instance knows: every Lambda function
    the flow invokes must already be associated with it.
    """
    problems = [str(violation) for violation in check_flow(content)]
    try:
        document = json.loads(content)
    except ValueError:
        return problems
    actions = document.get("Actions", []) if isinstance(document, dict) else []
    for action in actions if isinstance(actions, list) else []:
        if isinstance(action, dict) and action.get("Type") == "InvokeLambdaFunction":
            arn = (action.get("Parameters") or {}).get("LambdaFunctionARN")
            if arn not in associated_lambdas:
                problems.append(
                    f"{action.get('Identifier')}: Lambda function {arn} is not associated with the instance."
                )
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


def _validate(instance_id: str, content: str) -> None:
    problems = flow_problems(content, STORE.lambdas.get(instance_id, []))
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
    _validate(instance_id, params.get("Content", ""))
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
    _validate(instance_id, content)
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
    associate_lambda_function,
    list_lambda_functions,
    disassociate_lambda_function,
]
_PATHS = [
    "{0}/contact-flows/(?P<InstanceId>[^/]+)$",
    "{0}/contact-flows/(?P<InstanceId>[^/]+)/(?P<ContactFlowId>[^/]+)$",
    "{0}/contact-flows/(?P<InstanceId>[^/]+)/(?P<ContactFlowId>[^/]+)/(content|name|metadata)$",
    "{0}/contact-flows-summary/(?P<InstanceId>[^/]+)$",
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
