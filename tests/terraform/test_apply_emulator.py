"""Terratest-style: apply the examples to a local AWS emulator, run the runtime as deployed, destroy.

A moto server on 127.0.0.1 (with the test-side Connect extension) stands in for AWS. For each
example: terraform apply with the real provider, read the outputs and the deployed function
configurations, run one start -> worker -> check cycle in-process with each function's deployed
environment **and its own deployed role** (assume-role credentials, moto's IAM enforcement on),
show that a forbidden call is denied, then terraform destroy and check nothing remains.
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from tests.conftest import connect_event
from tests.support.emulator import EMULATOR_PROVIDER, REGION, Emulator, running_emulator
from tests.support.lambda_context import LambdaContext
from tests.support.moto_connect import STORE
from tests.support.terraform_runner import ROOT, Terraform

pytestmark = [pytest.mark.terraform, pytest.mark.emulator]


@pytest.fixture(scope="module")
def emulator() -> Iterator[Emulator]:
    with running_emulator() as running:
        yield running


def _terraform_env(emulator: Emulator) -> dict[str, str]:
    return emulator.credentials_env()


@dataclass
class Deployed:
    workdir: Path
    state: Path
    flags: list[str]
    outputs: dict[str, Any]


def _with_emulator_provider(terraform: Terraform, emulator: Emulator, workdir: Path, *args: str) -> str:
    """Run terraform in an example with a provider override pointing it at the emulator."""
    override = workdir / "emulator_override.tf"
    override.write_text(EMULATOR_PROVIDER)
    try:
        return terraform.run(workdir, *args, env=_terraform_env(emulator)).stdout
    finally:
        override.unlink()


def _apply(
    terraform: Terraform,
    emulator: Emulator,
    example: str,
    tmp_path: Path,
    variables: dict[str, str],
    var_files: tuple[Path, ...] = (),
    state_name: str = "",
) -> Deployed:
    workdir = ROOT / "examples" / example
    state = tmp_path / f"{state_name or example}.tfstate"
    flags = [f"-var-file={path}" for path in var_files] + [
        f"-var={key}={value}" for key, value in variables.items()
    ]
    terraform.init(workdir)
    _with_emulator_provider(
        terraform,
        emulator,
        workdir,
        "apply",
        "-auto-approve",
        "-input=false",
        "-no-color",
        f"-state={state}",
        *flags,
    )
    outputs = json.loads(
        _with_emulator_provider(terraform, emulator, workdir, "output", "-json", f"-state={state}")
    )
    return Deployed(workdir, state, flags, {k: v["value"] for k, v in outputs.items()})


def _destroy(terraform: Terraform, emulator: Emulator, deployed: Deployed) -> None:
    _with_emulator_provider(
        terraform,
        emulator,
        deployed.workdir,
        "destroy",
        "-auto-approve",
        "-input=false",
        "-no-color",
        f"-state={deployed.state}",
        *deployed.flags,
    )


class RoleRunner:
    """Runs the real handlers in-process as a deployed function would: its environment, its role."""

    def __init__(self, emulator: Emulator, monkeypatch: pytest.MonkeyPatch, tester: dict[str, str]) -> None:
        self.emulator = emulator
        self.monkeypatch = monkeypatch
        self.tester = tester
        self.invoked: list[dict[str, Any]] = []

    def become(self, config: dict[str, Any]) -> None:
        """Take on a deployed function's environment and role (config read before auth was on)."""
        sts = self.emulator.client("sts", **self.tester)
        credentials = sts.assume_role(RoleArn=config["Role"], RoleSessionName=config["FunctionName"])[
            "Credentials"
        ]
        for key, value in config["Environment"]["Variables"].items():
            self.monkeypatch.setenv(key, value)
        self.monkeypatch.setenv("AWS_ENDPOINT_URL", self.emulator.url)
        self.monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
        self.monkeypatch.setenv("AWS_ACCESS_KEY_ID", credentials["AccessKeyId"])
        self.monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", credentials["SecretAccessKey"])
        self.monkeypatch.setenv("AWS_SESSION_TOKEN", credentials["SessionToken"])
        boto3.setup_default_session()
        events = boto3.DEFAULT_SESSION._session.get_component("event_emitter")  # type: ignore[union-attr]
        events.register("provide-client-params.lambda.Invoke", self._capture)
        from connect_async.handlers import check, lookup, start, worker

        for module in (start, check, worker, lookup):
            module._service.cache_clear()

    def _capture(self, params: dict[str, Any], **_: Any) -> None:
        if params.get("InvocationType") == "Event":
            self.invoked.append(json.loads(params["Payload"]))


def _tester(emulator: Emulator, role_arns: list[str]) -> dict[str, str]:
    """An IAM user that may only assume the three roles (set up while auth is off).

    As in an integration test on a real account, each role's trust policy also names the
    tester, next to the Lambda service principal the module put there.
    """
    iam = emulator.client("iam", aws_access_key_id="test", aws_secret_access_key="test")
    user_arn = iam.create_user(UserName="role-tester")["User"]["Arn"]
    iam.put_user_policy(
        UserName="role-tester",
        PolicyName="assume-function-roles",
        PolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": role_arns}],
            }
        ),
    )
    for role_arn in role_arns:
        role_name = role_arn.rsplit("/", 1)[-1]
        trust = json.loads(json.dumps(iam.get_role(RoleName=role_name)["Role"]["AssumeRolePolicyDocument"]))
        assert trust["Statement"][0]["Principal"] == {"Service": "lambda.amazonaws.com"}
        trust["Statement"][0]["Principal"]["AWS"] = user_arn
        iam.update_assume_role_policy(RoleName=role_name, PolicyDocument=json.dumps(trust))
    key = iam.create_access_key(UserName="role-tester")["AccessKey"]
    return {"aws_access_key_id": key["AccessKeyId"], "aws_secret_access_key": key["SecretAccessKey"]}


def _cycle_under_roles(
    emulator: Emulator,
    deployed: Deployed,
    monkeypatch: pytest.MonkeyPatch,
    parameters: dict[str, str] | None = None,
    layers: tuple[Path, ...] = (),
) -> dict[str, str]:
    """start, the worker and check, each under its deployed role and environment; the worker
    imports from the layers' python/ folders, as Lambda puts them on its path."""
    from connect_async.handlers import check, start, worker

    outputs = deployed.outputs
    admin = emulator.client("lambda", aws_access_key_id="test", aws_secret_access_key="test")
    configs = {
        name: admin.get_function_configuration(FunctionName=outputs[f"{name}_function_name"])
        for name in ("start", "check", "worker")
    }
    tester = _tester(emulator, list(outputs["role_arns"].values()))
    emulator.set_auth(enforced=True)
    try:
        runner = RoleRunner(emulator, monkeypatch, tester)
        event = connect_event(
            **(
                parameters
                or {"duration_seconds": "0", "steps": "1", "question": "What are your opening hours?"}
            )
        )

        runner.become(configs["start"])
        started = start.handler(event, LambdaContext("start-1"))
        assert started["status"] == "in_progress", started
        assert len(runner.invoked) == 1

        runner.become(configs["worker"])
        for layer in layers:
            monkeypatch.syspath_prepend(str(layer / "python"))
        outcome = worker.handler(runner.invoked[0], LambdaContext("worker-1", remaining_ms=60_000))

        runner.become(configs["check"])
        checked = check.handler(event, LambdaContext("check-1"))

        # check's role may read the tracker and nothing more.
        table = boto3.client("dynamodb", endpoint_url=emulator.url, region_name=REGION)
        with pytest.raises(ClientError) as denied:
            table.put_item(TableName=outputs["tracker_table_name"], Item={"task_id": {"S": "x"}})
        assert denied.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
        assert "not authorized to perform: dynamodb:PutItem" in str(denied.value)
        return {"worker": outcome["outcome"], **checked}
    finally:
        emulator.set_auth(enforced=False)
        _delete_tester(emulator)


def _delete_tester(emulator: Emulator) -> None:
    iam = emulator.client("iam", aws_access_key_id="test", aws_secret_access_key="test")
    for key in iam.list_access_keys(UserName="role-tester")["AccessKeyMetadata"]:
        iam.delete_access_key(UserName="role-tester", AccessKeyId=key["AccessKeyId"])
    iam.delete_user_policy(UserName="role-tester", PolicyName="assume-function-roles")
    iam.delete_user(UserName="role-tester")


def _nothing_remains(emulator: Emulator, prefix: str, instance_id: str | None = None) -> None:
    creds = {"aws_access_key_id": "test", "aws_secret_access_key": "test"}
    assert not [
        t for t in emulator.client("dynamodb", **creds).list_tables()["TableNames"] if t.startswith(prefix)
    ]
    assert not [
        f
        for f in emulator.client("lambda", **creds).list_functions()["Functions"]
        if f["FunctionName"].startswith(prefix)
    ]
    assert not [q for q in emulator.client("sqs", **creds).list_queues().get("QueueUrls", []) if prefix in q]
    assert not [
        r for r in emulator.client("iam", **creds).list_roles()["Roles"] if r["RoleName"].startswith(prefix)
    ]
    groups = emulator.client("logs", **creds).describe_log_groups(logGroupNamePrefix=f"/aws/lambda/{prefix}")[
        "logGroups"
    ]
    assert groups == []
    cloudwatch = emulator.client("cloudwatch", **creds)
    assert cloudwatch.describe_alarms(AlarmNamePrefix=prefix)["MetricAlarms"] == []
    assert [
        d for d in cloudwatch.list_dashboards()["DashboardEntries"] if d["DashboardName"].startswith(prefix)
    ] == []
    if instance_id:
        assert STORE.flows.get(instance_id, {}) == {}
        assert STORE.modules.get(instance_id, {}) == {}
        assert STORE.lambdas.get(instance_id, []) == []


def test_basic_example_applies_runs_under_its_roles_and_destroys(
    terraform: Terraform, emulator: Emulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    variables = {"name": "cab-basic"}
    deployed = _apply(terraform, emulator, "basic", tmp_path, variables)
    try:
        outputs = deployed.outputs
        assert outputs["tracker_table_name"] == "cab-basic-tracker"
        assert outputs["timing_plan"]["loop_count"] == 30  # 120 s of 4 s hold messages
        admin = emulator.client("lambda", aws_access_key_id="test", aws_secret_access_key="test")
        worker = admin.get_function_configuration(FunctionName=outputs["worker_function_name"])
        assert (worker["Runtime"], worker["Handler"], worker["Timeout"]) == (
            "python3.12",
            "connect_async.handlers.worker.handler",
            300,
        )
        assert worker["Architectures"] == ["arm64"]
        invoke_config = admin.get_function_event_invoke_config(FunctionName=outputs["worker_function_name"])
        assert invoke_config["DestinationConfig"]["OnFailure"]["Destination"].endswith(
            ":cab-basic-worker-dlq"
        )

        result = _cycle_under_roles(emulator, deployed, monkeypatch)
        assert result["worker"] == "completed"
        assert (result["status"], result["result_message"]) == ("completed", "Your request is complete.")
    finally:
        _destroy(terraform, emulator, deployed)
    _nothing_remains(emulator, "cab-basic")


def test_custom_task_example_ships_its_layer_and_the_worker_runs_it(
    terraform: Terraform, emulator: Emulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    variables = {"name": "cab-transfers"}
    deployed = _apply(terraform, emulator, "custom-task", tmp_path, variables)
    try:
        outputs = deployed.outputs
        admin = emulator.client("lambda", aws_access_key_id="test", aws_secret_access_key="test")
        worker = admin.get_function_configuration(FunctionName=outputs["worker_function_name"])
        assert worker["Environment"]["Variables"]["TASK_HANDLER"] == "transfers.task:run"
        assert [layer["Arn"] for layer in worker["Layers"]] == [outputs["task_layer_arn"]]
        # The layer published is the committed zip: the worker runs exactly what was tested.
        layer_name, version = outputs["task_layer_arn"].split(":")[-2:]
        layer = admin.get_layer_version(LayerName=layer_name, VersionNumber=int(version))
        archive = deployed.workdir / "dist" / "transfer-layer.zip"
        assert layer["Content"]["CodeSize"] == archive.stat().st_size
        # Its reconcile function (reconciler) runs from the same layer, on the dead-letter queue.
        reconciler = admin.get_function_configuration(FunctionName="cab-transfers-reconciler")
        assert reconciler["Environment"]["Variables"]["RECONCILE_HANDLER"] == "transfers.task:reconcile"
        assert reconciler["Environment"]["Variables"]["TRANSFER_API_URL"] == "sandbox"  # worker_environment
        assert [layer["Arn"] for layer in reconciler["Layers"]] == [outputs["task_layer_arn"]]
        mappings = admin.list_event_source_mappings()["EventSourceMappings"]
        (mapping,) = [m for m in mappings if m["FunctionArn"].startswith(reconciler["FunctionArn"])]
        assert mapping["EventSourceArn"].endswith(":cab-transfers-worker-dlq")
        extracted = tmp_path / "layer"
        with zipfile.ZipFile(archive) as zipped:
            zipped.extractall(extracted)

        result = _cycle_under_roles(
            emulator,
            deployed,
            monkeypatch,
            parameters={"amount": "120.00", "to_account": "GB33BUKB20201555555555"},
            layers=(extracted,),
        )
        assert result["worker"] == "completed"
        assert result["status"] == "completed" and result["result_reference"].startswith("TX")
    finally:
        _destroy(terraform, emulator, deployed)
    _nothing_remains(emulator, "cab-transfers")
    creds = {"aws_access_key_id": "test", "aws_secret_access_key": "test"}
    assert emulator.client("lambda", **creds).list_layers()["Layers"] == []


def test_step_functions_example_starts_one_execution_per_run_under_starts_role(
    terraform: Terraform, emulator: Emulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    variables = {
        "name": "cab-steps",
        "bank_function_arn": "arn:aws:lambda:eu-west-2:123456789012:function:bank",
    }
    deployed = _apply(terraform, emulator, "step-functions", tmp_path, variables)
    try:
        outputs = deployed.outputs
        creds = {"aws_access_key_id": "test", "aws_secret_access_key": "test"}
        sfn = emulator.client("stepfunctions", **creds)
        machine = sfn.describe_state_machine(stateMachineArn=outputs["state_machine_arn"])
        definition = json.loads(machine["definition"])
        assert (definition["StartAt"], machine["type"]) == ("Claim", "STANDARD")
        assert definition["States"]["Steps"]["Branches"][0]["StartAt"] == "Validate"
        admin = emulator.client("lambda", **creds)
        names = [
            f["FunctionName"]
            for f in admin.list_functions()["Functions"]
            if f["FunctionName"].startswith("cab-steps")
        ]
        assert sorted(names) == ["cab-steps-check", "cab-steps-start"]  # no worker function
        config = admin.get_function_configuration(FunctionName=outputs["start_function_name"])
        assert config["Environment"]["Variables"]["STATE_MACHINE_ARN"] == outputs["state_machine_arn"]

        from connect_async.handlers import start

        tester = _tester(emulator, [config["Role"]])
        emulator.set_auth(enforced=True)
        try:
            runner = RoleRunner(emulator, monkeypatch, tester)
            runner.become(config)
            event = connect_event(account="ACC-1001", amount="120.00", to_account="GB33BUKB20201555555555")
            answers = [start.handler(event, LambdaContext(f"start-{n}")) for n in range(2)]
        finally:
            emulator.set_auth(enforced=False)
            _delete_tester(emulator)
        assert [a["status"] for a in answers] == ["in_progress", "in_progress"], answers
        assert [a["new_run"] for a in answers] == ["true", "false"]
        executions = sfn.list_executions(stateMachineArn=outputs["state_machine_arn"])["executions"]
        assert len(executions) == 1  # start's role may start it; Connect's retry starts nothing
    finally:
        _destroy(terraform, emulator, deployed)
    _nothing_remains(emulator, "cab-steps")
    creds = {"aws_access_key_id": "test", "aws_secret_access_key": "test"}
    assert emulator.client("stepfunctions", **creds).list_state_machines()["stateMachines"] == []


def test_complete_example_wires_connect_and_destroys(
    terraform: Terraform, emulator: Emulator, tmp_path: Path
) -> None:
    connect = emulator.client("connect", aws_access_key_id="test", aws_secret_access_key="test")
    instance_id = connect.create_instance(
        IdentityManagementType="CONNECT_MANAGED", InboundCallsEnabled=True, OutboundCallsEnabled=False
    )["Id"]
    variables = {
        "name": "cab-complete",
        "connect_instance_id": instance_id,
        "requeue_queue_id": "7d0c5e1a-1111-4222-8333-444455556666",
    }
    deployed = _apply(terraform, emulator, "complete", tmp_path, variables)
    try:
        outputs = deployed.outputs
        flow = connect.describe_contact_flow(
            InstanceId=instance_id, ContactFlowId=outputs["contact_flow_id"]
        )["ContactFlow"]
        content = json.loads(flow["Content"])
        invoked = {
            a["Parameters"]["LambdaFunctionARN"]
            for a in content["Actions"]
            if a["Type"] == "InvokeLambdaFunction"
        }
        assert invoked == {outputs["start_function_arn"], outputs["check_function_arn"]}
        assert set(STORE.lambdas[instance_id]) == invoked
        # The flow module and the disconnect flow that invokes it (Connect checks the module exists).
        module = connect.describe_contact_flow_module(
            InstanceId=instance_id, ContactFlowModuleId=outputs["flow_module_id"]
        )["ContactFlowModule"]
        assert "Settings" in json.loads(module["Content"])
        requeue = connect.describe_contact_flow(
            InstanceId=instance_id, ContactFlowId=outputs["requeue_disconnect_flow_id"]
        )["ContactFlow"]
        assert outputs["flow_module_id"] in requeue["Content"]
        admin = emulator.client("lambda", aws_access_key_id="test", aws_secret_access_key="test")
        policy = json.loads(admin.get_policy(FunctionName=outputs["start_function_arn"])["Policy"])
        statement = policy["Statement"][0]
        assert statement["Principal"]["Service"] == "connect.amazonaws.com"
        assert instance_id in json.dumps(statement["Condition"])
        worker = admin.get_function_configuration(FunctionName=outputs["worker_function_name"])
        assert worker["Environment"]["Variables"]["TASK_HANDLER"] == "connect_async.tasks.bedrock:run"
        alarms = emulator.client(
            "cloudwatch", aws_access_key_id="test", aws_secret_access_key="test"
        ).describe_alarms(AlarmNamePrefix="cab-complete")
        assert len(alarms["MetricAlarms"]) == 5
        # The alarms' topic is encrypted with a key CloudWatch may use (not aws/sns, which drops them).
        sns = emulator.client("sns", aws_access_key_id="test", aws_secret_access_key="test")
        topic = next(
            t["TopicArn"]
            for t in sns.list_topics()["Topics"]
            if t["TopicArn"].endswith(":cab-complete-alarms")
        )
        key_id = sns.get_topic_attributes(TopicArn=topic)["Attributes"]["KmsMasterKeyId"]
        kms = emulator.client("kms", aws_access_key_id="test", aws_secret_access_key="test")
        assert "cloudwatch.amazonaws.com" in kms.get_key_policy(KeyId=key_id, PolicyName="default")["Policy"]
        assert {a["AlarmActions"][0] for a in alarms["MetricAlarms"]} == {topic}
    finally:
        _destroy(terraform, emulator, deployed)
    _nothing_remains(emulator, "cab-complete", instance_id)


def test_config_lookup_example_writes_its_items_and_the_lookup_reads_them_under_its_role(
    terraform: Terraform, emulator: Emulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    creds = {"aws_access_key_id": "test", "aws_secret_access_key": "test"}
    connect = emulator.client("connect", **creds)
    instance_id = connect.create_instance(
        IdentityManagementType="CONNECT_MANAGED", InboundCallsEnabled=True, OutboundCallsEnabled=False
    )["Id"]
    variables = {"name": "cab-lookup", "connect_instance_id": instance_id}
    example_items = ROOT / "examples" / "lookup.tfvars"
    deployed = _apply(terraform, emulator, "config-lookup", tmp_path, variables, var_files=(example_items,))
    try:
        outputs = deployed.outputs
        dynamodb = emulator.client("dynamodb", **creds)
        items = dynamodb.scan(TableName=outputs["config_table_name"])["Items"]
        by_key = {item["config_key"]["S"]: item for item in items}
        assert set(by_key) == {"default", "+442071234567", "+33142681234"}
        assert by_key["+442071234567"]["speech_profile"] == {"S": "en-GB/Amy/Neural"}
        # The flow calls the lookup first; Connect knows all three functions.
        content = json.loads(
            connect.describe_contact_flow(InstanceId=instance_id, ContactFlowId=outputs["contact_flow_id"])[
                "ContactFlow"
            ]["Content"]
        )
        first = next(a for a in content["Actions"] if a["Type"] == "InvokeLambdaFunction")
        assert first["Parameters"]["LambdaFunctionARN"] == outputs["lookup_function_arn"]
        assert outputs["lookup_function_arn"] in STORE.lambdas[instance_id]
        module = connect.describe_contact_flow_module(
            InstanceId=instance_id, ContactFlowModuleId=outputs["config_lookup_module_id"]
        )["ContactFlowModule"]
        assert json.loads(module["Content"])["StartAction"] == "LookupConfig"

        from connect_async.handlers import lookup

        config = emulator.client("lambda", **creds).get_function_configuration(
            FunctionName=outputs["lookup_function_name"]
        )
        assert (config["Timeout"], config["Handler"]) == (3, "connect_async.handlers.lookup.handler")
        tester = _tester(emulator, [config["Role"]])
        emulator.set_auth(enforced=True)
        try:
            RoleRunner(emulator, monkeypatch, tester).become(config)
            branded = lookup.handler(connect_event(key_1="+442071234567"), LambdaContext("lookup-1"))
            generic = lookup.handler(connect_event(key_1="+15550100"), LambdaContext("lookup-2"))
            # The lookup's role reads its table and nothing of the tracker.
            table = boto3.client("dynamodb", endpoint_url=emulator.url, region_name=REGION)
            with pytest.raises(ClientError) as denied:
                table.get_item(TableName=outputs["tracker_table_name"], Key={"task_id": {"S": "x"}})
        finally:
            emulator.set_auth(enforced=False)
            _delete_tester(emulator)
            lookup._service.cache_clear()
        assert (branded["source"], branded["voice"], branded["language"]) == ("item", "Amy", "en-GB"), branded
        assert branded["opening_hours"] == "Monday to Friday, 9 to 5"
        assert (generic["source"], generic["greeting"]) == (
            "default_item",
            "Thank you for calling Example Bank.",
        )
        assert "not authorized to perform: dynamodb:GetItem" in str(denied.value)
    finally:
        _destroy(terraform, emulator, deployed)
    _nothing_remains(emulator, "cab-lookup", instance_id)


def _platform(emulator: Emulator) -> dict[str, str]:
    """What an enterprise platform already owns, made in the emulator: a VPC with two subnets and
    a security group, the permissions boundary, a key and an alarm topic."""
    creds = {"aws_access_key_id": "test", "aws_secret_access_key": "test"}
    ec2 = emulator.client("ec2", **creds)
    vpc = ec2.create_vpc(CidrBlock="10.20.0.0/16")["Vpc"]["VpcId"]
    subnets = [
        ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.20.{n}.0/24")["Subnet"]["SubnetId"] for n in (1, 2)
    ]
    group = ec2.create_security_group(GroupName="worker", Description="worker egress", VpcId=vpc)["GroupId"]
    boundary = emulator.client("iam", **creds).create_policy(
        PolicyName="platform-boundary",
        PolicyDocument=json.dumps(
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
        ),
    )["Policy"]["Arn"]
    key = emulator.client("kms", **creds).create_key(Description="platform key")["KeyMetadata"]["Arn"]
    topic = emulator.client("sns", **creds).create_topic(Name="platform-alarms")["TopicArn"]
    return {
        "vpc_id": vpc,
        "subnet_ids": json.dumps(subnets),
        "security_group_ids": json.dumps([group]),
        "permissions_boundary_arn": boundary,
        "kms_key_arn": key,
        "alarm_topic_arn": topic,
        "ledger_api_arn": "arn:aws:execute-api:eu-west-2:123456789012:a1b2c3d4e5/prod/POST/transfers",
        # The emulator has no provisioned concurrency; the terraform test covers the alias.
        "provisioned_concurrency": "{}",
    }


def test_two_enterprise_instances_live_side_by_side_in_one_account(
    terraform: Terraform, emulator: Emulator, tmp_path: Path
) -> None:
    creds = {"aws_access_key_id": "test", "aws_secret_access_key": "test"}
    connect = emulator.client("connect", **creds)
    instance_id = connect.create_instance(
        IdentityManagementType="CONNECT_MANAGED", InboundCallsEnabled=True, OutboundCallsEnabled=False
    )["Id"]
    platform = _platform(emulator)
    names = ("cab-ent-a", "cab-ent-b")
    deployed = {}
    try:
        for name in names:
            variables = {**platform, "name": name, "connect_instance_id": instance_id}
            deployed[name] = _apply(terraform, emulator, "enterprise", tmp_path, variables, state_name=name)
        a, b = (deployed[name].outputs for name in names)
        admin = emulator.client("lambda", **creds)
        for name, outputs in zip(names, (a, b), strict=True):
            worker = admin.get_function_configuration(FunctionName=outputs["worker_function_name"])
            # A set in the provider: the order is not kept.
            assert sorted(worker["VpcConfig"]["SubnetIds"]) == sorted(json.loads(platform["subnet_ids"]))
            assert worker["KMSKeyArn"] == platform["kms_key_arn"]
            roles = emulator.client("iam", **creds).list_roles(PathPrefix="/service-roles/connect-async/")[
                "Roles"
            ]
            mine = [r for r in roles if r["RoleName"].startswith(name)]
            assert len(mine) == 3 and all(
                r["PermissionsBoundary"]["PermissionsBoundaryArn"] == platform["permissions_boundary_arn"]
                for r in (
                    emulator.client("iam", **creds).get_role(RoleName=r["RoleName"])["Role"] for r in mine
                )
            )
        # Nothing shared: functions, roles, log groups, tables, alarms, dashboards and flows.
        assert set(a["role_arns"].values()).isdisjoint(b["role_arns"].values())
        assert set(a["log_group_names"].values()).isdisjoint(b["log_group_names"].values())
        assert a["tracker_table_name"] != b["tracker_table_name"]
        assert a["contact_flow_id"] != b["contact_flow_id"]
        alarms = emulator.client("cloudwatch", **creds).describe_alarms()["MetricAlarms"]
        for name in names:
            assert len([alarm for alarm in alarms if alarm["AlarmName"].startswith(f"{name}-")]) == 5
        dashboards = emulator.client("cloudwatch", **creds).list_dashboards()["DashboardEntries"]
        assert {d["DashboardName"] for d in dashboards} >= set(names)
        # Destroying one leaves the other whole.
        _destroy(terraform, emulator, deployed.pop(names[0]))
        _nothing_remains(emulator, names[0])
        assert admin.get_function_configuration(FunctionName=b["worker_function_name"])["FunctionName"]
        assert connect.describe_contact_flow(InstanceId=instance_id, ContactFlowId=b["contact_flow_id"])
    finally:
        for left in deployed.values():
            _destroy(terraform, emulator, left)
    _nothing_remains(emulator, names[1], instance_id)


def test_connect_rejects_a_flow_whose_lambda_is_not_associated(emulator: Emulator) -> None:
    connect = emulator.client("connect", aws_access_key_id="test", aws_secret_access_key="test")
    instance_id = connect.create_instance(
        IdentityManagementType="CONNECT_MANAGED", InboundCallsEnabled=True, OutboundCallsEnabled=False
    )["Id"]
    invoke = {
        "Identifier": "Invoke",
        "Type": "InvokeLambdaFunction",
        "Parameters": {"LambdaFunctionARN": "arn:aws:lambda:eu-west-2:123456789012:function:x"},
        "Transitions": {"NextAction": "Gone", "Errors": []},
    }
    content = json.dumps({"Version": "2019-10-30", "StartAction": "Invoke", "Actions": [invoke]})
    with pytest.raises(ClientError) as rejected:
        connect.create_contact_flow(InstanceId=instance_id, Name="bad", Type="CONTACT_FLOW", Content=content)
    assert rejected.value.response["Error"]["Code"] == "InvalidContactFlowException"
    problems = " ".join(p["message"] for p in rejected.value.response["problems"])
    assert "not associated" in problems
    assert "transition to 'Gone', which is not an action of the flow" in problems


def test_connect_rejects_a_checker_error_and_accepts_what_connect_keeps(emulator: Emulator) -> None:
    connect = emulator.client("connect", aws_access_key_id="test", aws_secret_access_key="test")
    instance_id = connect.create_instance(
        IdentityManagementType="CONNECT_MANAGED", InboundCallsEnabled=True, OutboundCallsEnabled=False
    )["Id"]
    bye = {"Identifier": "Bye", "Type": "DisconnectParticipant", "Parameters": {}, "Transitions": {}}
    loop = {
        "Identifier": "Again",
        "Type": "Loop",
        "Parameters": {"LoopCount": "2"},
        "Transitions": {
            "Conditions": [
                {"NextAction": "Bye", "Condition": {"Operator": "Equals", "Operands": ["ContinueLooping"]}},
                {"NextAction": "Bye", "Condition": {"Operator": "Equals", "Operands": ["DoneLooping"]}},
            ]
        },
    }
    content = {"Version": "2019-10-30", "StartAction": "Again", "Actions": [loop, bye]}
    with pytest.raises(ClientError) as rejected:  # a Loop without NextAction: reported rejected
        connect.create_contact_flow(
            InstanceId=instance_id, Name="no-next", Type="CONTACT_FLOW", Content=json.dumps(content)
        )
    problems = " ".join(p["message"] for p in rejected.value.response["problems"])
    assert "missing the required property Transitions.NextAction" in problems
    loop["Transitions"]["NextAction"] = "Bye"
    orphan = {**bye, "Identifier": "Orphan"}  # Connect keeps orphan blocks: a warning, accepted
    content["Actions"] = [loop, bye, orphan]
    created = connect.create_contact_flow(
        InstanceId=instance_id, Name="fixed", Type="CONTACT_FLOW", Content=json.dumps(content)
    )
    assert created["ContactFlowId"]


def test_connect_rejects_a_module_with_its_own_exception_and_a_stale_wait_name(emulator: Emulator) -> None:
    connect = emulator.client("connect", aws_access_key_id="test", aws_secret_access_key="test")
    instance_id = connect.create_instance(
        IdentityManagementType="CONNECT_MANAGED", InboundCallsEnabled=True, OutboundCallsEnabled=False
    )["Id"]
    end = {"Identifier": "End", "Type": "EndFlowModuleExecution", "Parameters": {}, "Transitions": {}}
    wait = {
        "Identifier": "Pause",
        "Type": "Wait",
        "Parameters": {"TimeLimitSeconds": "5"},
        "Transitions": {
            "NextAction": "End",
            "Conditions": [
                {"NextAction": "End", "Condition": {"Operator": "Equals", "Operands": ["WaitCompleted"]}}
            ],
            "Errors": [{"NextAction": "End", "ErrorType": "NoMatchingError"}],
        },
    }
    settings = {"InputParameters": [], "OutputParameters": [], "Transitions": []}
    module = {"Version": "2019-10-30", "StartAction": "Pause", "Actions": [wait, end], "Settings": settings}
    # Connect allows no Wait block in a flow module; its exception lists "Problems" (capital P).
    with pytest.raises(ClientError) as rejected:
        connect.create_contact_flow_module(InstanceId=instance_id, Name="waits", Content=json.dumps(module))
    assert rejected.value.response["Error"]["Code"] == "InvalidContactFlowModuleException"
    assert "Wait is not allowed in a FLOW_MODULE flow" in " ".join(
        p["message"] for p in rejected.value.response["Problems"]
    )
    # In an inbound flow the same Wait is accepted, but not with the stale reference page's name.
    bye = {"Identifier": "End", "Type": "DisconnectParticipant", "Parameters": {}, "Transitions": {}}
    flow = {"Version": "2019-10-30", "StartAction": "Pause", "Actions": [wait, bye]}
    wait["Parameters"] = {"TimeoutSeconds": "5"}
    with pytest.raises(ClientError) as stale:
        connect.create_contact_flow(
            InstanceId=instance_id, Name="stale", Type="CONTACT_FLOW", Content=json.dumps(flow)
        )
    assert "Connect writes 'TimeLimitSeconds'" in " ".join(
        p["message"] for p in stale.value.response["problems"]
    )
    wait["Parameters"] = {"TimeLimitSeconds": "5"}
    assert connect.create_contact_flow(
        InstanceId=instance_id, Name="fixed", Type="CONTACT_FLOW", Content=json.dumps(flow)
    )["ContactFlowId"]
