"""The module with real Terraform and the real AWS provider: validate, terraform test, bad tfvars."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.terraform_runner import ROOT, Terraform, offline_provider

pytestmark = pytest.mark.terraform

MODULES = [
    ROOT,
    ROOT / "modules" / "plan",
    *sorted(main.parent for main in (ROOT / "examples").glob("*/main.tf")),
]

OFFLINE_PROVIDER = offline_provider()


@pytest.mark.parametrize("module", MODULES, ids=lambda p: str(p.relative_to(ROOT)) or "root")
def test_validate(terraform: Terraform, module: Path) -> None:
    terraform.init(module)
    terraform.run(module, "validate", "-no-color")


def test_root_module_terraform_test(terraform: Terraform) -> None:
    terraform.init(ROOT)
    done = terraform.run(ROOT, "test", "-no-color", "-test-directory=tests/terraform")
    assert " 0 failed" in done.stdout and "Success!" in done.stdout


def test_plan_rules_terraform_test(terraform: Terraform) -> None:
    module = ROOT / "modules" / "plan"
    terraform.init(module)
    done = terraform.run(module, "test", "-no-color")
    assert " 0 failed" in done.stdout and "Success!" in done.stdout


@pytest.fixture
def offline_basic(terraform: Terraform) -> Iterator[Path]:
    """examples/basic with an override file that lets the real provider plan offline."""
    example = ROOT / "examples" / "basic"
    override = example / "offline_override.tf"
    override.write_text(OFFLINE_PROVIDER)
    try:
        terraform.init(example)
        yield example
    finally:
        override.unlink()


def test_operators_tfvars_plans(terraform: Terraform, offline_basic: Path) -> None:
    done = terraform.run(
        offline_basic, "plan", "-no-color", "-input=false", "-var-file=../ops.tfvars", "-refresh=false"
    )
    assert "Plan:" in done.stdout


# About 17 s spoken (42 words): a text that fits a 30 s hold_prompt_seconds within the plan's factor.
LONG_HOLD = (
    "Thank you for holding. We are still working on your request and will be with you shortly, so"
    " please stay on the line while we finish checking every detail of your account with our team"
    " in the back office today, thank you."
)


@pytest.mark.parametrize(
    ("assignments", "message"),
    [
        (["check_budget_ms=7600"], "must fit within flow_invocation_time_limit_seconds"),
        (
            # A one-second text: the plan holds hold_prompt_seconds against the hold text's length.
            [
                "hold_prompt_seconds=1",
                'messages={hold="Please hold."}',
                "check_budget_ms=1000",
                "max_wait_seconds=300",
            ],
            "needs more than 100 flow loops",
        ),
        (["worker_timeout_seconds=60"], "must be at least max_wait_seconds"),
        (["record_ttl_seconds=200"], "a record must outlive its run"),
        (
            ["hold_prompt_seconds=30", f'messages={{hold="{LONG_HOLD}"}}', "max_wait_seconds=20"],
            "longer than the whole wait",
        ),
        (["max_wait_seconds=90.5"], "must be a whole number of seconds"),
        (["flow_invocation_time_limit_seconds=9"], "Connect cuts a synchronous Lambda call at 8 seconds"),
    ],
)
def test_bad_tuning_fails_at_plan_with_a_clear_message(
    terraform: Terraform, offline_basic: Path, assignments: list[str], message: str
) -> None:
    flags = [f"-var={assignment}" for assignment in assignments]
    done = terraform.run(offline_basic, "plan", "-no-color", "-input=false", *flags, check=False)
    assert done.returncode != 0
    assert message in " ".join(done.stderr.split())
