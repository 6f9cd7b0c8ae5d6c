"""The flight check a user runs before go-live: their tuning's flows created in their instance
under temporary names, Connect's verdict reported, everything deleted. Here against the emulator,
whose Connect validates a flow on create as Connect does (tests/support/moto_connect.py)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from scripts import flight_check
from tests.support.emulator import Emulator, running_emulator
from tests.support.moto_connect import STORE

pytestmark = [pytest.mark.terraform, pytest.mark.emulator]

ROOT = Path(__file__).resolve().parents[2]
FUNCTIONS = {
    name: f"arn:aws:lambda:eu-west-2:123456789012:function:prod-{name}"
    for name in ("start", "check", "lookup")
}


@pytest.fixture(scope="module")
def emulator() -> Iterator[Emulator]:
    with running_emulator() as running:
        yield running


@pytest.fixture
def instance(emulator: Emulator, monkeypatch: pytest.MonkeyPatch) -> str:
    for key, value in emulator.credentials_env().items():
        monkeypatch.setenv(key, value)
    connect = emulator.client("connect")
    instance_id = str(
        connect.create_instance(
            IdentityManagementType="CONNECT_MANAGED", InboundCallsEnabled=True, OutboundCallsEnabled=False
        )["Id"]
    )
    return instance_id


def _arguments(instance_id: str, tfvars: str) -> list[str]:
    return [
        "--tfvars",
        str(ROOT / tfvars),
        "--instance-id",
        instance_id,
        *(f"--function={name}={arn}" for name, arn in FUNCTIONS.items()),
    ]


def test_without_credentials_it_says_what_it_would_do_and_exits_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for key in (
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_PROFILE",
        "AWS_REGION",
        "AWS_DEFAULT_REGION",
    ):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    assert flight_check.main(["--tfvars", str(ROOT / "examples" / "ops.tfvars")]) == 2
    said = capsys.readouterr()
    assert "Would create" in said.err and "no AWS credentials and no --instance-id" in said.err
    assert "and no Region (--region, AWS_REGION or AWS_DEFAULT_REGION)." in said.err
    assert "inbound_flow: flow checker: no error" in said.out


@pytest.mark.parametrize(
    ("tfvars", "flows"),
    [
        ("examples/lookup.tfvars", ("wait_module", "config_lookup_module", "inbound_flow")),
        ("examples/push.tfvars", ("wait_module", "inbound_flow")),  # push: validated like any other
    ],
)
def test_connect_accepts_the_flows_and_every_one_is_deleted(
    emulator: Emulator, instance: str, capsys: pytest.CaptureFixture[str], tfvars: str, flows: tuple[str, ...]
) -> None:
    connect = emulator.client("connect")
    for arn in FUNCTIONS.values():
        connect.associate_lambda_function(InstanceId=instance, FunctionArn=arn)
    assert flight_check.main(_arguments(instance, tfvars)) == 0
    said = capsys.readouterr().out
    assert "inbound_flow: flow checker: no error" in said
    for name in flows:
        assert f"Connect on {name}: accepted" in said and f"{name}: deleted" in said
    assert "flight check passed" in said
    assert STORE.flows.get(instance, {}) == {} and STORE.modules.get(instance, {}) == {}


def test_connect_rejects_a_flow_whose_functions_are_not_associated(
    instance: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert flight_check.main(_arguments(instance, "examples/ops.tfvars")) == 1
    said = capsys.readouterr().out
    assert "Connect on inbound_flow: rejected: InvalidContactFlowException" in said
    assert "flight check FAILED" in said
    assert STORE.flows.get(instance, {}) == {}  # what was created is deleted all the same


def test_the_live_suite_without_credentials_fails_fast_with_a_clear_message() -> None:
    # What `make test-aws` runs, on a machine with no credentials: nothing is created.
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("AWS_") and key not in ("CONNECT_INSTANCE_ID", "CONNECT_ASYNC_LIVE_CONFIRM")
    }
    env.update(
        CONNECT_ASYNC_LIVE="1",
        AWS_SHARED_CREDENTIALS_FILE="/nonexistent",
        AWS_CONFIG_FILE="/nonexistent",
        AWS_EC2_METADATA_DISABLED="true",
    )
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/live"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 4, done.stdout + done.stderr
    assert "the live suite cannot run: no AWS credentials" in done.stderr
