"""boto3 clients with explicit timeouts and botocore's retries switched off (see ``retry.py``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

import boto3
from botocore.config import Config

if TYPE_CHECKING:
    from mypy_boto3_bedrock_runtime import BedrockRuntimeClient
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_lambda import LambdaClient
    from mypy_boto3_stepfunctions import SFNClient

__all__ = [
    "DYNAMODB_CONNECT_TIMEOUT_SECONDS",
    "DYNAMODB_READ_TIMEOUT_SECONDS",
    "SLOWEST_REQUEST_MS",
    "bedrock_runtime_client",
    "dynamodb_client",
    "lambda_client",
    "sqs_client",
    "stepfunctions_client",
]

# A DynamoDB (or Lambda, Step Functions) request of the runtime gives up after these.
DYNAMODB_CONNECT_TIMEOUT_SECONDS: Final = 1.0
DYNAMODB_READ_TIMEOUT_SECONDS: Final = 2.0
# The longest one request can hang before its client gives up: a call with less time left than
# this before its Lambda's end is not begun (it could be cut off mid-request).
SLOWEST_REQUEST_MS: Final = int((DYNAMODB_CONNECT_TIMEOUT_SECONDS + DYNAMODB_READ_TIMEOUT_SECONDS) * 1000)


def _config(connect_timeout: float, read_timeout: float) -> Config:
    return Config(
        connect_timeout=connect_timeout,
        read_timeout=read_timeout,
        retries={"mode": "standard", "total_max_attempts": 1},
    )


def dynamodb_client(
    connect_timeout: float = DYNAMODB_CONNECT_TIMEOUT_SECONDS,
    read_timeout: float = DYNAMODB_READ_TIMEOUT_SECONDS,
) -> DynamoDBClient:
    return boto3.client("dynamodb", config=_config(connect_timeout, read_timeout))


def lambda_client(connect_timeout: float = 1.0, read_timeout: float = 2.0) -> LambdaClient:
    return boto3.client("lambda", config=_config(connect_timeout, read_timeout))


def sqs_client(connect_timeout: float = 1.0, read_timeout: float = 5.0) -> Any:
    return boto3.client("sqs", config=_config(connect_timeout, read_timeout))


def stepfunctions_client(connect_timeout: float = 1.0, read_timeout: float = 2.0) -> SFNClient:
    return boto3.client("stepfunctions", config=_config(connect_timeout, read_timeout))


def bedrock_runtime_client(read_timeout: float = 60.0) -> BedrockRuntimeClient:
    return boto3.client("bedrock-runtime", config=_config(2.0, read_timeout))
