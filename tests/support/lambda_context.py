"""A stand-in for Lambda's context object, for running the real handlers in tests."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["LambdaContext"]


@dataclass
class LambdaContext:
    aws_request_id: str = "req-handler"
    remaining_ms: int = 8000
    function_name: str = "fn"
    function_version: str = "$LATEST"
    invoked_function_arn: str = "arn:aws:lambda:eu-west-2:123456789012:function:fn"
    memory_limit_in_mb: int = 256
    log_group_name: str = "/aws/lambda/fn"
    log_stream_name: str = "stream"

    def get_remaining_time_in_millis(self) -> int:
        return self.remaining_ms
