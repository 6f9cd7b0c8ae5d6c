"""Real tasks with their outside service stubbed, for the simulator and the demo.

``bedrock_answer`` is the module's shipped Bedrock task (``connect_async.tasks.bedrock``) run
for real, prompt template, parameters and all, against a Converse API stubbed with botocore's
Stubber: the caller's question goes in through the flow's task parameters and the model's
answer comes back as the result the flow speaks. The model's latency passes on the simulator's
clock.
"""

from __future__ import annotations

from collections.abc import Callable
from string import Template
from typing import Any

import boto3
from botocore.stub import ANY, Stubber

from connect_async.tasks import TaskContext
from connect_async.tasks.bedrock import BedrockSettings, answer_question

__all__ = ["DEMO_MODEL_ID", "DEMO_PROMPT", "bedrock_answer"]

DEMO_MODEL_ID = "anthropic.claude-3-haiku-20240307-v1:0"
DEMO_PROMPT = "Answer the customer's question in one or two short sentences: $question"


def bedrock_answer(
    answer: str,
    *,
    model_seconds: float = 6.0,
    prompt_template: str = DEMO_PROMPT,
    progress: str = "I'm looking that up for you.",
) -> Callable[[TaskContext], object]:
    """The Bedrock task, whose model answers ``answer`` after ``model_seconds``."""
    settings = BedrockSettings(
        model_id=DEMO_MODEL_ID,
        prompt_template=Template(prompt_template),
        system_prompt="",
        max_tokens=256,
        temperature=0.2,
        max_answer_chars=2000,
    )
    response: dict[str, Any] = {
        "output": {"message": {"role": "assistant", "content": [{"text": answer}]}},
        "stopReason": "end_turn",
        "usage": {
            "inputTokens": 32,
            "outputTokens": len(answer.split()),
            "totalTokens": 32 + len(answer.split()),
        },
        "metrics": {"latencyMs": int(model_seconds * 1000)},
    }

    def task(context: TaskContext) -> object:
        client = boto3.client("bedrock-runtime", region_name="eu-west-2")
        with Stubber(client) as stub:
            stub.add_response(
                "converse", response, {"modelId": DEMO_MODEL_ID, "messages": ANY, "inferenceConfig": ANY}
            )
            context.report_progress(20, progress)
            context.sleep(model_seconds)
            return answer_question(client, settings, context.parameters)

    return task
