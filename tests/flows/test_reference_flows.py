"""The checker against 21 flows and modules exported from Connect (tests/corpus/connect_flows).

Connect accepted every one of them, so the checker must report no error on any: where one of
its rules would flag a real, accepted flow, the rule is wrong (or is a warning). The warnings
they do get are listed here, per file and rule, so a change in what the checker says about real
flows is a deliberate one.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from flowkit.checker import ERROR, WARNING, check_flow

pytestmark = pytest.mark.unit

CORPUS = Path(__file__).resolve().parents[1] / "corpus" / "connect_flows"
FLOW_TYPES: dict[str, str] = json.loads((CORPUS / "flow_types.json").read_text())

# What Connect accepts but a caller may notice: voice-only prompts on paths a chat contact could
# take ("channel"), attributes (or $.External keys) that must come from an earlier flow
# ("data-flow"), blocks nothing leads to ("unreachable"), and Loop-bounded retries around a
# Lambda whose worst case passes 20 s of silence ("lambda-chain").
EXPECTED_WARNINGS: dict[str, dict[str, int]] = {
    "ccarry_cfn_SampleCallback.json": {"channel": 1},
    "ccarry_cfn_SampleGetPhoneNumberModule.json": {"channel": 2},
    "ccarry_cfn_SampleGetServiceModule.json": {"data-flow": 6},
    "ccarry_cfn_SampleInitializeModule.json": {},
    "ccarry_cfn_SampleMainFlow.json": {"unreachable": 1},
    "ccarry_cfn_SampleTransferToAgentModule.json": {"data-flow": 1},
    "ccarry_flow_GTS-Partner-Assessment-Entry.json": {"channel": 5, "data-flow": 14},
    "ccarry_flow_GTS-Partner-Assessment-Update-Address.json": {"channel": 6, "data-flow": 47},
    "ccarry_flow_test.json": {"channel": 1, "data-flow": 6},
    "ccarry_general_contact_flow.json": {"unreachable": 1},
    "ccarry_module_GTS-Dynamic-General-Inbox-VM-Module.json": {},
    "danbloy_async_execution.json": {"channel": 1},
    "rulesengine_RulesEngineWait.json": {"data-flow": 2},
    "scvflow_AWSSCVAgentWhisper.json": {"data-flow": 1},
    "scvflow_AWSSCVAgentWhisperWithStreaming.json": {},
    "scvflow_AWS_Sample_SCV_Agent_Transfer.json": {"lambda-chain": 1},
    "scvflow_AWS_Sample_SCV_Inbound.json": {"data-flow": 1, "lambda-chain": 1},
    "scvflow_AWS_Sample_SCV_Inbound_Flow_with_Transcription.json": {"data-flow": 2, "lambda-chain": 1},
    "scvflow_AWS_Sample_SCV_Outbound_Flow_with_Transcription.json": {"data-flow": 1},
    "scvflow_AWS_Sample_SCV_Queue_Transfer.json": {},
    "scvflow_AWS_Sample_SCV_REST_Example.json": {"channel": 1, "data-flow": 1, "lambda-chain": 1},
}


def test_the_corpus_is_complete() -> None:
    assert sorted(p.name for p in CORPUS.glob("*.json") if p.name != "flow_types.json") == sorted(FLOW_TYPES)
    assert set(EXPECTED_WARNINGS) == set(FLOW_TYPES)


@pytest.mark.parametrize("name", sorted(FLOW_TYPES))
def test_no_error_on_a_flow_connect_accepted(name: str) -> None:
    content = (CORPUS / name).read_text()
    found = check_flow(content, flow_type=FLOW_TYPES[name])
    assert [str(v) for v in found if v.severity == ERROR] == []
    assert dict(Counter(v.rule for v in found if v.severity == WARNING)) == EXPECTED_WARNINGS[name]
    # Without being told the flow type, still no error (type-only rules become warnings).
    assert [str(v) for v in check_flow(content) if v.severity == ERROR] == []


def test_the_retry_loops_state_their_worst_case_silence() -> None:
    found = check_flow((CORPUS / "scvflow_AWS_Sample_SCV_Inbound.json").read_text(), flow_type="CONTACT_FLOW")
    chains = [v.message for v in found if v.rule == "lambda-chain"]
    assert chains == [
        "Lambda calls from here can run 24 s through a Loop-bounded retry loop with no prompt between "
        "them; Connect ends such a chain at 20 s (its error branch)"
    ]


def test_the_native_asynchronous_lambda_wait_is_flow_language_the_checker_knows() -> None:
    # InvokeLambdaFunction ASYNCHRONOUS with a 60 s limit, a keep-running Wait interrupted on
    # LambdaReturned, LoadLambdaFunctionResult with its InProgress error: no finding on any of them.
    flow = json.loads((CORPUS / "danbloy_async_execution.json").read_text())
    kinds = {a["Identifier"]: a["Type"] for a in flow["Actions"]}
    found = check_flow(flow, flow_type="CONTACT_FLOW", channels={"VOICE"})
    assert {kinds[v.action] for v in found} == set()
    assert {"InvokeLambdaFunction", "Wait", "LoadLambdaFunctionResult"} <= set(kinds.values())


def test_a_flow_entered_by_transfer_may_read_external_keys_an_earlier_flow_set() -> None:
    # The rules engine's wait flow reads $.External before any Lambda of its own: the engine's
    # main flow set it before TransferToFlow. A warning that says so, never an error.
    found = check_flow((CORPUS / "rulesengine_RulesEngineWait.json").read_text(), flow_type="CONTACT_FLOW")
    assert {(v.rule, v.severity) for v in found} == {("data-flow", WARNING)}
    assert all("TransferToFlow" in v.message for v in found)
    # Told that nothing transfers into it, the same reads are errors.
    strict = check_flow(
        (CORPUS / "rulesengine_RulesEngineWait.json").read_text(),
        flow_type="CONTACT_FLOW",
        self_contained=True,
    )
    assert {(v.rule, v.severity) for v in strict} == {("data-flow", ERROR)}
