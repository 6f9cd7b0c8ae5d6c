"""A test-side extension of moto's IAM enforcement, so exact least-privilege policies are testable.

1. moto authorizes a request against the resource its response class names, and its DynamoDB,
   Lambda and Step Functions responses name none, so they are checked against "*": a policy on
   exact ARNs could never allow them. This names the table (from the request's TableName, or
   the one table of a BatchGetItem's RequestItems: IAM checks each table named there), the
   function (from the request path) and the state machine (stateMachineArn), as IAM does.
2. moto names the IAM action after the API operation; for Lambda's Invoke, IAM's action is
   lambda:InvokeFunction.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import unquote

from moto.awslambda.responses import LambdaResponse
from moto.dynamodb.responses import DynamoHandler
from moto.iam.access_control import IAMRequest
from moto.stepfunctions.responses import StepFunctionResponse

__all__ = ["install"]

_FUNCTION_IN_PATH = re.compile(r"/functions/([^/]+)")
# API operation -> IAM action, where the two differ (only those the module's roles use).
_IAM_ACTION = {"lambda:Invoke": "lambda:InvokeFunction"}
_original_init = IAMRequest.__init__


def _dynamodb_resource(self: DynamoHandler) -> str:
    # DynamoHandler has usually parsed the JSON body into a dict already. Any surprise here
    # must not raise (a 500 makes clients retry for minutes): fall back to moto's "*".
    body = self.body
    try:
        params = body if isinstance(body, dict) else json.loads(body or "{}")
    except (TypeError, ValueError):
        return "*"
    if not isinstance(params, dict):
        return "*"
    batch = params.get("RequestItems")
    name = params.get("TableName", "")
    if isinstance(batch, dict) and len(batch) == 1:
        name = next(iter(batch))
    if not isinstance(name, str) or not name:
        return "*"
    if name.startswith("arn:"):
        return str(name)
    return f"arn:aws:dynamodb:{self.region}:{self.current_account}:table/{name}"


def _lambda_resource(self: LambdaResponse) -> str:
    found = _FUNCTION_IN_PATH.search(self.path or "")
    if not found:
        return "*"
    name = unquote(found.group(1))
    if name.startswith("arn:"):
        return name
    return f"arn:aws:lambda:{self.region}:{self.current_account}:function:{name}"


def _stepfunctions_resource(self: StepFunctionResponse) -> str:
    # StartExecution names the machine in its JSON body; anything else falls back to moto's "*".
    try:
        params = json.loads(self.body or "{}")
    except (TypeError, ValueError):
        return "*"
    arn = params.get("stateMachineArn", "") if isinstance(params, dict) else ""
    return arn if isinstance(arn, str) and arn.startswith("arn:") else "*"


def _iam_request_init(self: IAMRequest, *args: Any, **kwargs: Any) -> None:
    _original_init(self, *args, **kwargs)
    self._action = _IAM_ACTION.get(self._action, self._action)


def install() -> None:
    DynamoHandler._determine_resource = _dynamodb_resource  # type: ignore[attr-defined]
    LambdaResponse._determine_resource = _lambda_resource  # type: ignore[attr-defined]
    StepFunctionResponse._determine_resource = _stepfunctions_resource  # type: ignore[attr-defined]
    IAMRequest.__init__ = _iam_request_init  # type: ignore[method-assign]
