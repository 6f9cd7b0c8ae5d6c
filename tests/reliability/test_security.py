"""Security: rendered IAM policies and stores (Terraform), who can read a run, and the logs.

The policy and store checks are terraform test runs (tests/reliability/terraform) against the
root module with every optional statement switched on; the log check runs over every line the
whole session produced (tests/conftest.py: LOG_CAPTURE, scanned again at session end).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from connect_async.contract import TrackingIdSource
from tests.conftest import LOG_CAPTURE, Stack, connect_event
from tests.reliability.report import Recorder
from tests.support.terraform_runner import ROOT, Terraform

pytestmark = pytest.mark.terraform

OWNER = "2b3c4d5e-1111-4222-8333-444455556666"
OTHER = "3c4d5e6f-1111-4222-8333-444455556666"


USER_STATEMENT_RULES = ("wildcard_action_in_task_statement", "wildcard_resource_in_task_statement")


def _terraform_test_runs(terraform: Terraform, module: Path, selection: str) -> dict[str, str]:
    """Each run of ``terraform test`` in ``module`` and its status."""
    terraform.init(module)
    done = terraform.run(module, "test", selection, "-json", check=False)
    runs: dict[str, str] = {}
    for line in done.stdout.splitlines():
        message = json.loads(line)
        if message.get("type") == "test_run" and message["test_run"].get("progress") == "complete":
            runs[message["test_run"]["run"]] = message["test_run"]["status"]
    assert runs, done.stdout[-3000:] + done.stderr[-3000:]
    assert done.returncode == 0, runs
    return runs


def test_rendered_policies_and_stores(terraform: Terraform, recorder: Recorder) -> None:
    runs = _terraform_test_runs(terraform, ROOT, "-test-directory=tests/reliability/terraform")
    # Refusing the user's own wildcard statements is the plan module's rule (it validates
    # worker_policy_statements): its runs of that rule.
    plan = _terraform_test_runs(terraform, ROOT / "modules" / "plan", "-filter=tests/plan.tftest.hcl")
    runs.update({name: plan[name] for name in USER_STATEMENT_RULES})
    assert set(runs.values()) == {"pass"}, runs
    for name, status in runs.items():
        recorder.add(
            "security", check=name.replace("_", " "), how="terraform test, every option on", result=status
        )


@pytest.mark.parametrize(
    ("source", "other_contacts_result_readable"),
    [
        (TrackingIdSource.INITIAL_CONTACT_ID, False),
        (TrackingIdSource.CONTACT_ID, False),
        (TrackingIdSource.PARAMETER, True),  # the operator's documented choice
    ],
)
def test_a_tracking_id_reads_another_contacts_result_only_when_the_operator_chose_it(
    stack: Stack, recorder: Recorder, source: TrackingIdSource, other_contacts_result_readable: bool
) -> None:
    stack.tracking_id_source = source
    stack.check_budget_ms = 0
    secret_run = connect_event(contact_id=OWNER, tracking_id=OWNER)
    stack.start(secret_run)
    stack.run_worker()
    assert stack.check(secret_run)["status"] == "completed"
    # Another contact names the first one's id as its tracking id.
    probe = stack.check(connect_event(contact_id=OTHER, tracking_id=OWNER))
    readable = probe["status"] == "completed"
    assert readable == other_contacts_result_readable, probe
    assert readable or not any(key.startswith("result_") for key in probe)
    recorder.add(
        "security",
        check=f"a contact asks for another contact's run (tracking_id_source = {source.value})",
        how="check with a tracking_id parameter naming the other contact",
        result="readable, as documented for this source" if readable else "not readable",
    )


def test_no_log_line_carries_personal_data(stack: Stack, recorder: Recorder) -> None:
    # A run of its own first, so the scan has lines whatever ran before: the event carries the
    # caller's number and a customer-input canary, and the task fails quoting a phone number.
    def leaky(context: object) -> None:
        raise RuntimeError("could not reach the customer on +44 7700 900123")

    stack.task = leaky
    stack.task_retry_attempts = 0
    before = len(LOG_CAPTURE.lines)
    stack.start()
    stack.run_worker()
    stack.check()
    assert len(LOG_CAPTURE.lines) > before, "this run logged nothing: the capture is broken"
    leaks = LOG_CAPTURE.leaks()
    assert not leaks, leaks[:3]
    recorder.add(
        "security",
        check="no phone number or customer input in any log line",
        how="every line the session logged so far, a failing run of its own included, scanned "
        "(and all of them again at the session's end)",
        result="none found",
    )
