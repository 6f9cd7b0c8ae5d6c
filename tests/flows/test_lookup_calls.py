"""The fast path played: a branded call, a fallback call and a slow lookup, through the module's
own rendered flows (examples/lookup.tfvars), on the virtual clock against moto."""

from __future__ import annotations

from pathlib import Path

import moto
import pytest

from connect_async.settings import setting
from flowkit import plan
from flowkit.checker import ERROR
from flowkit.module_flows import check_module_flows
from flowkit.simulator import CallReport, CallSimulator, Scenario, create_config_table, create_tracker_table
from tests.support.flows import CHECK_ARN, FLOW_MODULE_ID, LOOKUP_ARN, START_ARN, render_plan

pytestmark = pytest.mark.terraform

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "lookup.tfvars"
FUNCTIONS = {START_ARN: "start", CHECK_ARN: "check", LOOKUP_ARN: "lookup"}
MORTGAGES = "+442071234567"
BRANDED = "Welcome to Example Bank mortgages. We are finding your application now."
GENERIC = "Thank you for calling Example Bank."
FALLBACK = "Thank you for calling. One moment please."
BUDGET_MS = int(setting("lookup_budget_ms").default)


@pytest.fixture(scope="module")
def rendered() -> plan.Rendered:
    return render_plan(tfvars=EXAMPLE)


def _play(rendered: plan.Rendered, scenario: Scenario, flow: str = "inbound_flow") -> CallReport:
    deployment = rendered.deployment()
    with moto.mock_aws():
        create_tracker_table(deployment.table_name)
        create_config_table(deployment)
        return CallSimulator(
            str(rendered[flow]),
            functions=FUNCTIONS,
            deployment=deployment,
            modules={FLOW_MODULE_ID: str(rendered["wait_module"])},
        ).run(scenario)


def test_the_rendered_flows_keep_connects_rules(rendered: plan.Rendered) -> None:
    call = rendered["call"]
    checked = check_module_flows(
        rendered.flows,
        start_arn=START_ARN,
        check_arn=CHECK_ARN,
        result_keys=call["result_keys"],
        lookup_arn=LOOKUP_ARN,
        config_lookup=call["config_lookup"],
    )
    assert set(checked) >= {"inbound_flow", "config_lookup_module"}
    assert {name: [p for p in problems if p.severity == ERROR] for name, problems in checked.items()} == {
        name: [] for name in checked
    }


@pytest.mark.parametrize("channel", ["VOICE", "CHAT"])
def test_a_branded_call(rendered: plan.Rendered, channel: str) -> None:
    report = _play(rendered, Scenario(work_seconds=6, dialled_number=MORTGAGES, channel=channel))
    assert report.spoken[0] == BRANDED
    assert (report.language, report.voice) == ("en-GB", "Amy (Neural)")
    attributes = report.contact_attributes
    assert attributes["config_source"] == "item" and attributes["config_key"] == MORTGAGES
    assert attributes["config_line_of_business"] == "mortgages"
    assert attributes["config_opening_hours"] == "Monday to Friday, 9 to 5"
    # Then the long work runs as before, and the caller hears its answer.
    assert report.final_status == "completed" and report.spoken[-1] == "Thank you. Your request is complete."
    assert report.invocations["lookup"] == 1
    assert report.silence_before_first_words_ms is not None and report.silence_before_first_words_ms < 100


def test_a_number_without_its_own_item_gets_the_default_item(rendered: plan.Rendered) -> None:
    report = _play(rendered, Scenario(work_seconds=2, dialled_number="+15550100"))
    assert report.spoken[0] == GENERIC
    assert report.contact_attributes["config_source"] == "default_item"
    assert report.language == "" and report.voice == "Joanna (Neural)"  # the flow's own voice


def test_a_contact_attribute_is_the_second_key(rendered: plan.Rendered) -> None:
    # An earlier flow set line_of_business: the dialled number has no item, the attribute does.
    scenario = Scenario(
        work_seconds=2, dialled_number="+15550100", attributes={"line_of_business": "+33142681234"}
    )
    report = _play(rendered, scenario)
    assert report.spoken[0] == "Bienvenue chez Example Bank."
    assert (report.language, report.voice) == ("fr-FR", "Lea (Neural)")


@pytest.mark.parametrize(
    ("table", "code"),
    [("throttled", "config_unavailable"), ("missing", "config_unavailable")],
)
def test_a_failing_table_is_the_fallback_greeting_and_the_task_still_runs(
    rendered: plan.Rendered, table: str, code: str
) -> None:
    report = _play(rendered, Scenario(work_seconds=6, dialled_number=MORTGAGES, config_table=table))
    assert report.spoken[0] == FALLBACK
    assert report.contact_attributes["config_source"] == "fallback"
    assert report.contact_attributes["config_error_code"] == code
    assert report.language == ""
    assert report.final_status == "completed"


def test_a_slow_table_is_cut_at_the_budget(rendered: plan.Rendered) -> None:
    report = _play(rendered, Scenario(work_seconds=6, dialled_number=MORTGAGES, config_table="slow"))
    assert report.spoken[0] == FALLBACK
    # The read hangs until the client's read timeout (half the budget) cuts it; another attempt as
    # long would end after the budget, so none is made and the fallback comes at once.
    assert report.config_requests == 1
    silence = report.silence_before_first_words_ms
    assert silence is not None and BUDGET_MS // 2 <= silence <= BUDGET_MS
    assert report.limit_overruns == []  # answered inside the block's time limit


def test_a_lookup_call_that_fails_takes_the_error_branch_to_the_fallback(rendered: plan.Rendered) -> None:
    # The invocation itself fails (throttled by Lambda, a crash, a timeout): Connect's error branch.
    report = _play(rendered, Scenario(work_seconds=2, dialled_number=MORTGAGES, failing_lookup_calls=1))
    assert report.spoken[0] == FALLBACK
    assert report.path[:3] == ["SetVoice", "LookupConfig", "LookupFailed"]
    assert report.contact_attributes["config_error_code"] == "call_failed"
    assert report.final_status == "completed"


def test_the_config_lookup_module_returns_after_either_greeting(rendered: plan.Rendered) -> None:
    branded = _play(rendered, Scenario(dialled_number=MORTGAGES), flow="config_lookup_module")
    assert branded.path[-1] == "ReturnGreeted" and branded.spoken == [BRANDED]
    fallback = _play(
        rendered, Scenario(dialled_number=MORTGAGES, config_table="throttled"), flow="config_lookup_module"
    )
    assert fallback.path[-1] == "ReturnFallback" and fallback.spoken == [FALLBACK]


def test_a_lookup_only_flow_greets_and_sends_the_caller_on(rendered: plan.Rendered) -> None:
    lookup_only = render_plan(
        tfvars=EXAMPLE,
        config_lookup={
            "run_task": False,
            "items": {"default": {"greeting": GENERIC}},
        },
        success_queue_id="0d0e0a0d-0000-4000-8000-00000000e0e0",
    )
    report = _play(lookup_only, Scenario(dialled_number=MORTGAGES))
    assert report.spoken == [GENERIC]
    assert report.invocations == {"lookup": 1}
    assert report.ending == "transferred to a queue"
