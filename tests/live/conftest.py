"""The live suite's three ways to run, around one pytest-terraform fixture (tests/live/test_live.py).

- **emulator** (the default, part of `make test`): the deployment is applied to a moto server on
  127.0.0.1, the functions run in-process under their deployed roles.
- **live** (`make test-aws`, opt-in): the deployment is applied to your account with your
  credentials, the functions run in Lambda. It refuses to start without credentials, a Region, a
  Connect instance id and the confirmation variable, and prints what the run costs.
- **replay** (`pytest tests/live --tf-replay`): the recorded outputs (tests/live/recordings/),
  offline in a second; the checks that call AWS are skipped.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
from pytest_terraform import tf

from tests.support.emulator import Emulator, running_emulator
from tests.support.terraform_runner import mirror_cli_config

HERE = Path(__file__).resolve().parent
MODULES = HERE / "terraform"
MODULE = MODULES / "connect_async_live"
RECORDINGS = HERE / "recordings"
OVERRIDE = MODULE / "emulator_override.tf"
# Where the replay's recording came from (written when a run is re-recorded).
ORIGIN = RECORDINGS / MODULE.name / "recorded_on.json"
CONFIRM = "CONNECT_ASYNC_LIVE_CONFIRM"
CONFIRMATION = "create-and-destroy"
# What one live run creates and calls, priced on-demand in US East (N. Virginia), 2026-11-23.
COST_ESTIMATE = """What this run creates in your account, all tagged ConnectAsyncTestRun=<run id>
and all destroyed at the end: two deployments of the module (poll mode, and push mode beside
it), so 2 DynamoDB tables (on demand), 6 Lambda functions, 6 IAM roles, 6 log groups, 2 SQS
queues, an SNS topic, 5 CloudWatch alarms (poll only), and in your Connect instance 2 flows,
2 flow modules and 4 Lambda associations.
What it costs: about 20 Lambda invocations and 10 GB-seconds, 50 DynamoDB requests, 5 alarms for
about 10 minutes, a few SQS and SNS requests: under $0.01 (Connect flows and associations are
free; no call is placed)."""


def mode(config: pytest.Config) -> str:
    if config.getoption("dest_tf_replay"):
        return "replay"
    return "live" if os.environ.get("CONNECT_ASYNC_LIVE") else "emulator"


def _refuse(message: str) -> None:
    raise pytest.UsageError(f"the live suite cannot run: {message}")


def pytest_configure(config: pytest.Config) -> None:
    """Live runs check everything they need before anything is created."""
    if mode(config) != "live":
        return
    if boto3.session.Session().get_credentials() is None:
        _refuse("no AWS credentials (set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY)")
    if not (os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")):
        _refuse("no Region (set AWS_REGION)")
    if not re.fullmatch(r"[0-9a-f-]{36}", os.environ.get("CONNECT_INSTANCE_ID", "")):
        _refuse("set CONNECT_INSTANCE_ID to an existing Amazon Connect instance's id (a UUID)")
    if os.environ.get(CONFIRM) != CONFIRMATION:
        _refuse(f"it creates and destroys resources in your account: set {CONFIRM}={CONFIRMATION}")
    print(COST_ESTIMATE)  # noqa: T201 - the user asked for a live run: say what it costs


def _scrubbed(state: str) -> str:
    """A recording holds no account number of the account it was made in."""
    return re.sub(r"(?<![0-9])[0-9]{12}(?![0-9])", "123456789012", state)


def pytest_terraform_modify_state(tfstate: tf.TerraformStateJson) -> None:
    tfstate.update(_scrubbed(str(tfstate)))


@pytest.fixture(scope="session", autouse=True)
def deployment_settings(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, str]]:
    """Where pytest-terraform finds the module, and the variables and endpoint it applies with.

    Autouse and session-scoped, so it runs before the terraform fixture resolves its module."""
    run_mode = mode(request.config)
    if run_mode == "replay":
        tf.LazyModuleDir.value = str(RECORDINGS)
        yield {"mode": run_mode}
        return
    tf.LazyModuleDir.value = str(MODULES)
    run_id = uuid.uuid4().hex[:8]
    settings = {"mode": run_mode, "run_id": run_id, "name": f"cal-{run_id}"}
    saved = dict(os.environ)
    emulator_context = running_emulator() if run_mode == "emulator" else None
    try:
        if emulator_context is not None:
            emulator: Emulator = emulator_context.__enter__()
            settings["endpoint"] = emulator.url
            os.environ.update(emulator.credentials_env())
            instance = emulator.client("connect").create_instance(
                IdentityManagementType="CONNECT_MANAGED", InboundCallsEnabled=True, OutboundCallsEnabled=False
            )["Id"]
            os.environ["CONNECT_INSTANCE_ID"] = instance
            OVERRIDE.write_text(emulator.provider_override())
            if not Path(os.environ.get("TF_CLI_CONFIG_FILE", "-")).is_file():
                config = mirror_cli_config(tmp_path_factory.mktemp("terraformrc"))
                if config is not None:
                    os.environ["TF_CLI_CONFIG_FILE"] = str(config)
        region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION", "eu-west-2")
        os.environ.update(
            TF_VAR_region=region,
            TF_VAR_name=settings["name"],
            TF_VAR_run_id=run_id,
            TF_VAR_connect_instance_id=os.environ["CONNECT_INSTANCE_ID"],
        )
        settings["region"] = region
        settings["instance_id"] = os.environ["CONNECT_INSTANCE_ID"]
        yield settings
    finally:
        OVERRIDE.unlink(missing_ok=True)
        if os.environ.get("CONNECT_ASYNC_RECORD") and (MODULE / "tf_resources.json").exists():
            # A maintainer re-records: the fresh state (scrubbed) becomes the replay's.
            shutil.copy(MODULE / "tf_resources.json", RECORDINGS / MODULE.name / "tf_resources.json")
            ORIGIN.write_text(json.dumps({"mode": run_mode}) + "\n")
        (MODULE / "tf_resources.json").unlink(missing_ok=True)
        os.environ.clear()
        os.environ.update(saved)
        if emulator_context is not None:
            emulator_context.__exit__(None, None, None)


def recorded_outputs() -> dict[str, object]:
    data = json.loads((RECORDINGS / MODULE.name / "tf_resources.json").read_text())
    return {name: value["value"] for name, value in data["outputs"].items()}


def recording_origin() -> str:
    """Whose run the replay holds: "live" or "emulator" (a recording without its origin: the emulator's)."""
    if not ORIGIN.exists():
        return "emulator"
    return str(json.loads(ORIGIN.read_text())["mode"])


def pytest_report_header(config: pytest.Config) -> str | None:
    if mode(config) != "replay":
        return None
    if recording_origin() == "live":
        return "live suite: replaying a live run's recording"
    return (
        "live suite: replaying the EMULATOR's recording (no live run is recorded yet): it proves the "
        "suite's wiring, not that Connect accepts the flows; `make test-aws RECORD=1` records a live run"
    )
