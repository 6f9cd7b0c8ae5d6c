"""moto's Step Functions, answering the calls the AWS provider makes around a state machine.

hashicorp/aws validates a definition with ValidateStateMachineDefinition at plan time and reads
the machine's versions after creating it (ListStateMachineVersions); moto 5.2 implements
neither (a 500), and the provider retries until it gives up. This answers as Step Functions
does: the validation from moto's own Amazon States Language parser (OK for a definition it
parses, an ERROR diagnostic otherwise), and no published versions (the module publishes none).
"""

from __future__ import annotations

from moto.core.responses import ActionResult
from moto.stepfunctions.parser.asl.parse.asl_parser import AmazonStateLanguageParser
from moto.stepfunctions.responses import StepFunctionResponse

__all__ = ["install"]


def _validate_state_machine_definition(self: StepFunctionResponse) -> ActionResult:
    definition = str(self._get_param("definition"))
    try:
        AmazonStateLanguageParser.parse(definition)
    except Exception as exc:
        diagnostic = {"severity": "ERROR", "code": "SCHEMA_VALIDATION_FAILED", "message": str(exc)[:500]}
        return ActionResult({"result": "FAIL", "diagnostics": [diagnostic], "truncated": False})
    return ActionResult({"result": "OK", "diagnostics": [], "truncated": False})


def _list_state_machine_versions(self: StepFunctionResponse) -> ActionResult:
    return ActionResult({"stateMachineVersions": []})


def install() -> None:
    StepFunctionResponse.validate_state_machine_definition = _validate_state_machine_definition  # type: ignore[attr-defined]
    StepFunctionResponse.list_state_machine_versions = _list_state_machine_versions  # type: ignore[attr-defined]
