"""A generative-AI task: Amazon Bedrock's Converse API with a prompt filled from parameters.

Configuration (environment, set by the Terraform module):
- BEDROCK_MODEL_ID (required): a model or inference-profile id.
- BEDROCK_PROMPT_TEMPLATE (required): the user message, with ``$name`` placeholders filled from
  the flow's parameters (``string.Template``: a parameter can never inject a placeholder).
- BEDROCK_SYSTEM_PROMPT, BEDROCK_MAX_TOKENS (default 512), BEDROCK_TEMPERATURE (default 0.2),
  BEDROCK_MAX_ANSWER_CHARS (default 2000: the answer is spoken or shown to a caller).

Returns ``answer``, ``stop_reason``, ``input_tokens``, ``output_tokens``. Throttling and
service errors are raised as they are: the worker retries transient ones with backoff.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from functools import cache
from string import Template
from typing import TYPE_CHECKING

from connect_async.aws import bedrock_runtime_client
from connect_async.config import EnvVar, read_str
from connect_async.redaction import trim
from connect_async.tasks import TaskContext, TaskFailed
from connect_async.tunings import BedrockTaskTunings

if TYPE_CHECKING:
    from mypy_boto3_bedrock_runtime import BedrockRuntimeClient
    from mypy_boto3_bedrock_runtime.type_defs import ConverseRequestTypeDef

__all__ = ["BedrockSettings", "answer_question", "run"]


@dataclass(frozen=True)
class BedrockSettings(BedrockTaskTunings):
    """The tunings (max_tokens, temperature, max_answer_chars: the settings schema's bedrock.*
    rows), and the model and prompts."""

    model_id: str
    prompt_template: Template
    system_prompt: str

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> BedrockSettings:
        return cls(
            **asdict(BedrockTaskTunings.read(env)),
            model_id=read_str(env, EnvVar.BEDROCK_MODEL_ID),
            prompt_template=Template(read_str(env, EnvVar.BEDROCK_PROMPT_TEMPLATE)),
            system_prompt=env.get(EnvVar.BEDROCK_SYSTEM_PROMPT, "").strip(),
        )


def answer_question(
    client: BedrockRuntimeClient, settings: BedrockSettings, parameters: Mapping[str, str]
) -> dict[str, object]:
    # An empty value is as missing as an absent one: a flow passes an unset attribute as "".
    empty = sorted(
        name for name in settings.prompt_template.get_identifiers() if not parameters.get(name, "x").strip()
    )
    if empty:
        raise TaskFailed(f"the prompt needs parameter {empty[0]!r}, which is empty", "missing_parameter")
    try:
        prompt = settings.prompt_template.substitute(parameters)
    except KeyError as missing:
        raise TaskFailed(f"the prompt needs parameter {missing}", "missing_parameter") from None
    except ValueError:
        raise TaskFailed(
            "BEDROCK_PROMPT_TEMPLATE has an invalid placeholder", "configuration_error"
        ) from None

    request: ConverseRequestTypeDef = {
        "modelId": settings.model_id,
        "messages": [{"role": "user", "content": [{"text": prompt}]}],
        "inferenceConfig": {"maxTokens": settings.max_tokens, "temperature": settings.temperature},
    }
    if settings.system_prompt:
        request["system"] = [{"text": settings.system_prompt}]
    response = client.converse(**request)

    content = response.get("output", {}).get("message", {}).get("content", [])
    text = "".join(block.get("text", "") for block in content).strip()
    if not text:
        raise TaskFailed("the model returned no text", "empty_answer")
    usage = response.get("usage", {})
    return {
        "answer": trim(text, settings.max_answer_chars),
        "stop_reason": response.get("stopReason", ""),
        "input_tokens": usage.get("inputTokens", 0),
        "output_tokens": usage.get("outputTokens", 0),
    }


@cache
def _client() -> BedrockRuntimeClient:
    return bedrock_runtime_client()


def run(context: TaskContext) -> dict[str, object]:
    return answer_question(_client(), BedrockSettings.from_env(os.environ), context.parameters)
