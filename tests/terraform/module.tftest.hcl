# The root module's plan, with a mocked provider (offline, no credentials).
# Run with: terraform test -test-directory=tests/terraform   (make test runs it)

mock_provider "aws" {
  source = "./tests/mocks"
}

variables {
  name = "t"
}

run "tracker_table_uses_the_runtime_contract" {
  command = apply

  assert {
    condition     = aws_dynamodb_table.tracker[0].hash_key == jsondecode(file("modules/plan/contract.json")).table.hash_key
    error_message = "The table's hash key must be the runtime's task_id attribute."
  }
  assert {
    condition     = one(aws_dynamodb_table.tracker[0].ttl).attribute_name == "expires_at" && one(aws_dynamodb_table.tracker[0].ttl).enabled
    error_message = "TTL must be enabled on the runtime's expiry attribute."
  }
  assert {
    condition     = aws_dynamodb_table.tracker[0].billing_mode == "PAY_PER_REQUEST"
    error_message = "The table is on-demand by default."
  }
  assert {
    condition     = one(aws_dynamodb_table.tracker[0].point_in_time_recovery).enabled
    error_message = "Point-in-time recovery is on by default."
  }
}

run "functions_get_exactly_the_contracts_environment" {
  command = apply

  assert {
    condition = alltrue([
      for fn in ["start", "check", "worker"] :
      # start names either the worker or the state machine (backend "lambda" here).
      toset(keys(aws_lambda_function.function[fn].environment[0].variables)) == setsubtract(toset(jsondecode(file("modules/plan/contract.json")).environment[fn]), ["STATE_MACHINE_ARN"])
    ])
    error_message = "Each function's environment names must equal the runtime's list for it (modules/plan/contract.json)."
  }
  assert {
    condition     = aws_lambda_function.function["check"].environment[0].variables.CHECK_BUDGET_MS == "1000"
    error_message = "check gets its budget from the timing plan."
  }
  assert {
    condition     = aws_lambda_function.function["start"].environment[0].variables.RUN_DEADLINE_SECONDS == "330"
    error_message = "start's run deadline is the worker timeout plus the dispatch slack."
  }
  assert {
    condition     = aws_lambda_function.function["start"].timeout == 8 && aws_lambda_function.function["check"].timeout == 8 && aws_lambda_function.function["worker"].timeout == 300
    error_message = "Timeouts come from the timing plan."
  }
  assert {
    condition     = alltrue([for fn in ["start", "check", "worker"] : aws_lambda_function.function[fn].handler == jsondecode(file("modules/plan/contract.json")).handlers[fn]])
    error_message = "Handlers come from the contract."
  }
  assert {
    condition     = aws_lambda_function.function["worker"].source_code_hash == filebase64sha256("lambdas/dist/connect_async.zip")
    error_message = "The functions deploy the committed artifact, hashed from the file."
  }
  assert {
    condition     = aws_lambda_function.function["worker"].architectures == tolist(["arm64"]) && aws_lambda_function.function["worker"].runtime == "python3.12"
    error_message = "arm64 and python3.12 by default."
  }
}

run "dead_letter_queue_is_the_on_failure_destination" {
  command = apply

  assert {
    condition     = aws_lambda_function_event_invoke_config.worker[0].destination_config[0].on_failure[0].destination == aws_sqs_queue.dead_letter[0].arn
    error_message = "Failed worker events must go to the dead-letter queue."
  }
  assert {
    condition     = length(aws_lambda_function_event_invoke_config.worker[0].destination_config[0].on_success) == 0
    error_message = "No on-success destination unless one is given."
  }
  assert {
    condition     = aws_lambda_function_event_invoke_config.worker[0].maximum_retry_attempts == 2 && aws_lambda_function_event_invoke_config.worker[0].maximum_event_age_in_seconds == 3600
    error_message = "Retries and event age come from the variables."
  }
  assert {
    condition     = aws_sqs_queue.dead_letter[0].sqs_managed_sse_enabled
    error_message = "The dead-letter queue is encrypted."
  }
}

run "each_role_has_exactly_its_actions" {
  command = apply

  assert {
    condition = toset(flatten([for s in jsondecode(aws_iam_role_policy.function["start"].policy).Statement : s.Action])) == toset([
      "logs:CreateLogStream", "logs:PutLogEvents", "dynamodb:GetItem", "dynamodb:UpdateItem", "lambda:InvokeFunction",
    ])
    error_message = "start may read and update tracker items and invoke the worker, nothing else."
  }
  assert {
    condition = toset(flatten([for s in jsondecode(aws_iam_role_policy.function["check"].policy).Statement : s.Action])) == toset([
      "logs:CreateLogStream", "logs:PutLogEvents", "dynamodb:GetItem",
    ])
    error_message = "check may only read tracker items."
  }
  assert {
    condition = toset(flatten([for s in jsondecode(aws_iam_role_policy.function["worker"].policy).Statement : s.Action])) == toset([
      "logs:CreateLogStream", "logs:PutLogEvents", "dynamodb:UpdateItem", "sqs:SendMessage",
    ])
    error_message = "The worker may update tracker items and send to its dead-letter queue."
  }
  assert {
    condition = alltrue(flatten([for fn in ["start", "check", "worker"] : [
      for s in jsondecode(aws_iam_role_policy.function[fn].policy).Statement : [
        for r in s.Resource : r != "*" && !strcontains(r, "*") || endswith(r, ":log-group:/aws/lambda/mocked:*")
      ]
    ]]))
    error_message = "Resources are exact ARNs (the only wildcard is the log streams of the function's own log group)."
  }
  assert {
    condition = alltrue(flatten([for fn in ["start", "check", "worker"] : [
      for s in jsondecode(aws_iam_role_policy.function[fn].policy).Statement : [for a in s.Action : !strcontains(a, "*")]
    ]]))
    error_message = "No wildcard action."
  }
}

run "task_layer_goes_first_on_the_worker" {
  command = apply

  variables {
    task_handler   = "transfers.task:run"
    task_layer_zip = "examples/custom-task/dist/transfer-layer.zip"
    worker_layers  = ["arn:aws:lambda:eu-west-2:123456789012:layer:shared:3"]
  }

  assert {
    condition     = aws_lambda_layer_version.task[0].source_code_hash == filebase64sha256("examples/custom-task/dist/transfer-layer.zip")
    error_message = "The layer is versioned by the zip's hash: a new build with new content is a new version."
  }
  assert {
    condition     = aws_lambda_layer_version.task[0].compatible_runtimes == toset(["python3.12"]) && aws_lambda_layer_version.task[0].compatible_architectures == toset(["arm64"])
    error_message = "The layer declares the worker's runtime and architecture."
  }
  assert {
    condition     = aws_lambda_function.function["worker"].layers == tolist([aws_lambda_layer_version.task[0].arn, "arn:aws:lambda:eu-west-2:123456789012:layer:shared:3"])
    error_message = "The task's own layer comes first, then the layers given."
  }
  assert {
    condition     = length(aws_lambda_function.function["start"].layers) == 0 && output.task_layer_arn == aws_lambda_layer_version.task[0].arn
    error_message = "Only the worker runs the task."
  }
}

run "no_task_layer_by_default" {
  command = plan

  assert {
    condition     = length(aws_lambda_layer_version.task) == 0
    error_message = "Without task_layer_zip the module publishes no layer."
  }
}

run "task_layer_that_does_not_exist" {
  command = plan
  variables { task_layer_zip = "dist/missing.zip" }
  expect_failures = [var.task_layer_zip]
}

run "step_functions_backend_runs_the_task_in_a_state_machine" {
  command = apply

  variables {
    backend               = "step_functions"
    result_attribute_keys = ["reference"]
    progress_messages = {
      debited   = { percent = 40, message = "Your account is debited." }
      confirmed = { percent = 90, message = "The bank confirmed." }
    }
    step_functions = {
      definition_file    = "tests/integration/asl/steps.asl.json"
      template_variables = { reference = "TX1" }
      policy_statements  = [{ actions = ["sns:Publish"], resources = ["arn:aws:sns:eu-west-2:123456789012:receipts"] }]
    }
    create_alarms       = true
    alarm_sns_topic_arn = "arn:aws:sns:eu-west-2:123456789012:alarms"
  }

  assert {
    condition     = !contains(keys(aws_lambda_function.function), "worker") && length(aws_sqs_queue.dead_letter) == 0 && length(aws_lambda_function_event_invoke_config.worker) == 0
    error_message = "No worker function, dead-letter queue or async configuration: the state machine runs the task."
  }
  assert {
    condition     = aws_lambda_function.function["start"].environment[0].variables.STATE_MACHINE_ARN == aws_sfn_state_machine.task[0].arn && !contains(keys(aws_lambda_function.function["start"].environment[0].variables), "WORKER_FUNCTION_NAME")
    error_message = "start starts the state machine."
  }
  assert {
    condition     = [for s in jsondecode(aws_iam_role_policy.function["start"].policy).Statement : s if s.Sid == "StartExecution"][0].Resource == [aws_sfn_state_machine.task[0].arn] && !strcontains(aws_iam_role_policy.function["start"].policy, "lambda:InvokeFunction")
    error_message = "start may start that state machine and invoke nothing."
  }
  assert {
    condition     = toset(flatten([for s in jsondecode(aws_iam_role_policy.state_machine[0].policy).Statement : s.Action if s.Sid != "LogDelivery"])) == toset(["dynamodb:UpdateItem", "sns:Publish"])
    error_message = "The state machine's role updates tracker items and calls what its steps declare, nothing else."
  }
  assert {
    condition     = jsondecode(aws_sfn_state_machine.task[0].definition).StartAt == "Claim" && jsondecode(aws_sfn_state_machine.task[0].definition).TimeoutSeconds == 300 && aws_sfn_state_machine.task[0].type == "STANDARD"
    error_message = "The definition is the wrapped one, timed out at worker_timeout_seconds."
  }
  assert {
    condition     = contains(keys(aws_cloudwatch_metric_alarm.this), "executions_failed") && !contains(keys(aws_cloudwatch_metric_alarm.this), "worker_errors")
    error_message = "The alarms watch the state machine, not a worker that does not exist."
  }
  assert {
    condition     = output.worker_function_name == null && output.state_machine_arn == aws_sfn_state_machine.task[0].arn
    error_message = "The outputs name the state machine."
  }
}

run "worker_gets_task_statements_and_destinations" {
  command = apply

  variables {
    task_handler = "connect_async.tasks.bedrock:run"
    bedrock = {
      model_id        = "anthropic.claude-3-haiku-20240307-v1:0"
      prompt_template = "Answer: $question"
    }
    worker_policy_statements = [{
      sid       = "InvokeModel"
      actions   = ["bedrock:InvokeModel"]
      resources = ["arn:aws:bedrock:eu-west-2::foundation-model/anthropic.claude-3-haiku-20240307-v1:0"]
    }]
    on_success_destination_arn = "arn:aws:sns:eu-west-2:123456789012:finished-runs"
    worker_environment         = { BANK_API_URL = "https://bank.example" }
  }

  assert {
    condition = toset(flatten([for s in jsondecode(aws_iam_role_policy.function["worker"].policy).Statement : s.Action])) == toset([
      "logs:CreateLogStream", "logs:PutLogEvents", "dynamodb:UpdateItem", "sqs:SendMessage", "sns:Publish", "bedrock:InvokeModel",
    ])
    error_message = "The worker gets the task's statement and may publish to its on-success topic."
  }
  assert {
    condition     = aws_lambda_function_event_invoke_config.worker[0].destination_config[0].on_success[0].destination == "arn:aws:sns:eu-west-2:123456789012:finished-runs"
    error_message = "The on-success destination is wired."
  }
  assert {
    condition     = aws_lambda_function.function["worker"].environment[0].variables.BEDROCK_MODEL_ID == "anthropic.claude-3-haiku-20240307-v1:0" && aws_lambda_function.function["worker"].environment[0].variables.BANK_API_URL == "https://bank.example"
    error_message = "The worker gets the Bedrock settings and the task's own variables."
  }
}

run "backend_only_without_an_instance" {
  command = plan

  assert {
    condition     = length(aws_connect_contact_flow.wait_for_task) == 0 && length(aws_lambda_permission.connect) == 0 && length(aws_connect_lambda_function_association.this) == 0
    error_message = "Without connect_instance_id nothing touches Amazon Connect."
  }
}

run "connect_wiring_with_an_instance" {
  command = apply

  variables {
    connect_instance_id = "0e3b1d0a-1111-4222-8333-444455556666"
  }

  assert {
    condition     = toset(keys(aws_lambda_permission.connect)) == toset(["start", "check"]) && alltrue([for p in aws_lambda_permission.connect : p.principal == "connect.amazonaws.com" && p.source_arn == data.aws_connect_instance.this[0].arn])
    error_message = "Only start and check are permitted, for this instance alone."
  }
  assert {
    condition     = toset(keys(aws_connect_lambda_function_association.this)) == toset(["start", "check"])
    error_message = "start and check are associated with the instance."
  }
  assert {
    condition     = jsondecode(aws_connect_contact_flow.wait_for_task[0].content).StartAction == "SetVoice"
    error_message = "The flow sets the voice first."
  }
  assert {
    condition     = one([for a in jsondecode(aws_connect_contact_flow.wait_for_task[0].content).Actions : a if a.Identifier == "WaitLoop"]).Parameters.LoopCount == "30"
    error_message = "The flow loops as many times as the timing plan says."
  }
  assert {
    condition = one([for a in jsondecode(aws_connect_contact_flow.wait_for_task[0].content).Actions : a if a.Identifier == "SetVoice"]).Parameters == {
      TextToSpeechVoice = "Joanna", TextToSpeechEngine = "Neural"
    }
    error_message = "The voice comes from var.voice."
  }
  assert {
    condition = alltrue([for action in jsondecode(aws_connect_contact_flow.wait_for_task[0].content).Actions :
    length(try(action.Transitions.Errors, [])) > 0 if action.Type == "InvokeLambdaFunction"])
    error_message = "Every Lambda invocation in the flow has an error branch."
  }
}

run "flow_module_chat_needs_time_to_pause" {
  command = plan
  variables {
    connect_instance_id                = "0e3b1d0a-1111-4222-8333-444455556666"
    flow_invocation_time_limit_seconds = 1
    check_budget_ms                    = 0
  }
  expect_failures = [aws_connect_contact_flow_module.wait_for_task]
}

run "config_lookup_table_items_role_and_flows" {
  command = apply

  variables {
    connect_instance_id      = "0e3b1d0a-1111-4222-8333-444455556666"
    config_table_kms_key_arn = "arn:aws:kms:eu-west-2:123456789012:key/0e3b1d0a-1111-4222-8333-444455556666"
    reserved_concurrency     = { lookup = 10 }
    config_lookup = {
      items = {
        default         = { greeting = "Thank you for calling." }
        "+442071234567" = { language = "en-GB", voice = "Amy", greeting = "Welcome to mortgages." }
      }
    }
  }
  # The mocked provider gives every table one ARN: the configuration table gets its own.
  override_resource {
    target = aws_dynamodb_table.config
    values = { arn = "arn:aws:dynamodb:eu-west-2:123456789012:table/t-config", name = "t-config" }
  }

  assert {
    condition     = aws_dynamodb_table.config[0].hash_key == "config_key" && one(aws_dynamodb_table.config[0].point_in_time_recovery).enabled && one(aws_dynamodb_table.config[0].server_side_encryption).kms_key_arn == var.config_table_kms_key_arn
    error_message = "The configuration table is keyed by config_key, with point-in-time recovery and the given key."
  }
  assert {
    condition     = toset(keys(aws_dynamodb_table_item.config)) == toset(["default", "+442071234567"]) && jsondecode(aws_dynamodb_table_item.config["+442071234567"].item).voice.S == "Amy"
    error_message = "Each item of config_lookup.items is written to the table."
  }
  assert {
    condition = toset(flatten([for s in jsondecode(aws_iam_role_policy.function["lookup"].policy).Statement : s.Action])) == toset([
      "logs:CreateLogStream", "logs:PutLogEvents", "dynamodb:BatchGetItem", "kms:Decrypt", "kms:DescribeKey",
    ]) && one([for s in jsondecode(aws_iam_role_policy.function["lookup"].policy).Statement : s.Resource if s.Sid == "ConfigItems"]) == [aws_dynamodb_table.config[0].arn] && alltrue([for s in jsondecode(aws_iam_role_policy.function["lookup"].policy).Statement : !contains(s.Resource, aws_dynamodb_table.tracker[0].arn)])
    error_message = "The lookup may read configuration items (and decrypt with their key), and nothing of the tracker."
  }
  assert {
    condition     = toset(keys(aws_lambda_function.function["lookup"].environment[0].variables)) == toset(jsondecode(file("modules/plan/contract.json")).environment.lookup) && aws_lambda_function.function["lookup"].timeout == 3 && aws_lambda_function.function["lookup"].reserved_concurrent_executions == 10
    error_message = "The lookup gets exactly its contract's environment, times out with its flow block, and keeps its reserved concurrency."
  }
  assert {
    condition     = toset(keys(aws_connect_lambda_function_association.this)) == toset(["start", "check", "lookup"]) && toset(keys(aws_lambda_permission.connect)) == toset(["start", "check", "lookup"])
    error_message = "The lookup is associated with the instance and permitted, as start and check are."
  }
  assert {
    condition     = one([for a in jsondecode(aws_connect_contact_flow.wait_for_task[0].content).Actions : a if a.Identifier == "SetVoice"]).Transitions.NextAction == "LookupConfig" && one([for a in jsondecode(aws_connect_contact_flow.wait_for_task[0].content).Actions : a if a.Identifier == "LookupConfig"]).Parameters.LambdaFunctionARN == aws_lambda_function.function["lookup"].arn
    error_message = "The inbound flow calls the lookup right after setting its voice."
  }
  assert {
    condition     = jsondecode(aws_connect_contact_flow_module.config_lookup[0].content).StartAction == "LookupConfig" && output.config_lookup_module_id == aws_connect_contact_flow_module.config_lookup[0].contact_flow_module_id
    error_message = "The config lookup flow module is created for the instance."
  }
}

run "no_lookup_by_default" {
  command = apply

  assert {
    condition     = length(aws_dynamodb_table.config) == 0 && !contains(keys(aws_lambda_function.function), "lookup") && output.lookup_function_arn == null
    error_message = "Without config_lookup there is no table, no lookup function and no module."
  }
}

run "bad_config_table_key" {
  command = plan
  variables { config_table_kms_key_arn = "alias/mine" }
  expect_failures = [var.config_table_kms_key_arn]
}

run "enterprise_platform_options" {
  command = apply

  variables {
    connect_instance_id = "0e3b1d0a-1111-4222-8333-444455556666"
    vpc_config = {
      subnet_ids         = ["subnet-0123456789abcdef0", "subnet-0fedcba9876543210"]
      security_group_ids = ["sg-0123456789abcdef0"]
      functions          = ["worker", "start"]
    }
    role_path                     = "/service-roles/connect/"
    role_permissions_boundary_arn = "arn:aws:iam::123456789012:policy/platform-boundary"
    provisioned_concurrency       = { start = 2, check = 3 }
    reserved_concurrency          = { start = 5, check = 5 }
    lambda_kms_key_arn            = "arn:aws:kms:eu-west-2:123456789012:key/0e3b1d0a-1111-4222-8333-444455556666"
    create_dashboard              = true
    worker_policy_statements = [{
      sid        = "ReadTheLedger"
      actions    = ["s3:GetObject"]
      resources  = ["arn:aws:s3:::ledger/accounts.json"]
      conditions = [{ test = "StringEquals", variable = "aws:SourceVpce", values = ["vpce-0123456789abcdef0"] }]
    }]
  }
  # The mocked provider gives every function one ARN: start's alias gets its own.
  override_resource {
    target = aws_lambda_alias.live["start"]
    values = { arn = "arn:aws:lambda:eu-west-2:123456789012:function:t-start:live", name = "live" }
  }

  assert {
    condition     = length(aws_lambda_function.function["worker"].vpc_config) == 1 && length(aws_lambda_function.function["start"].vpc_config) == 1 && length(aws_lambda_function.function["check"].vpc_config) == 0 && toset(one(aws_lambda_function.function["worker"].vpc_config).subnet_ids) == toset(var.vpc_config.subnet_ids)
    error_message = "Only the functions vpc_config names run in the VPC."
  }
  assert {
    condition     = toset(keys(aws_iam_role_policy.network)) == toset(["worker", "start"]) && !strcontains(aws_iam_role_policy.function["check"].policy, "ec2:")
    error_message = "The network interface actions go to the functions in the VPC alone."
  }
  assert {
    condition     = alltrue([for role in aws_iam_role.function : role.path == var.role_path && role.permissions_boundary == var.role_permissions_boundary_arn])
    error_message = "Every role the module makes takes the path and the permissions boundary."
  }
  assert {
    condition     = toset(keys(aws_lambda_alias.live)) == toset(["start", "check"]) && aws_lambda_function.function["start"].publish && !aws_lambda_function.function["worker"].publish && aws_lambda_provisioned_concurrency_config.live["check"].provisioned_concurrent_executions == 3 && aws_lambda_function.function["start"].reserved_concurrent_executions == 5
    error_message = "start and check publish versions behind the alias live with their provisioned concurrency; reserved concurrency is kept."
  }
  assert {
    condition     = one([for a in jsondecode(aws_connect_contact_flow.wait_for_task[0].content).Actions : a if a.Identifier == "StartTask"]).Parameters.LambdaFunctionARN == aws_lambda_alias.live["start"].arn && aws_lambda_permission.connect["start"].qualifier == "live" && aws_connect_lambda_function_association.this["start"].function_arn == aws_lambda_function.function["start"].arn
    error_message = "The flow invokes start's alias, Connect may call the alias, and the association names the unqualified function."
  }
  assert {
    condition     = alltrue([for fn in aws_lambda_function.function : fn.kms_key_arn == var.lambda_kms_key_arn]) && strcontains(aws_iam_role_policy.function["check"].policy, "EnvironmentKey")
    error_message = "The functions' environment is encrypted with the key, which their roles may decrypt with."
  }
  assert {
    condition     = one([for s in jsondecode(aws_iam_role_policy.function["worker"].policy).Statement : s if s.Sid == "ReadTheLedger"]).Condition == { StringEquals = { "aws:SourceVpce" = ["vpce-0123456789abcdef0"] } }
    error_message = "A task statement's conditions reach the worker's policy."
  }
  assert {
    condition     = length(jsondecode(aws_cloudwatch_dashboard.this[0].dashboard_body).widgets) == 5 && output.dashboard_name == "t"
    error_message = "The dashboard draws runs, failures by code, durations, errors and the dead-letter queue."
  }
}

run "bring_your_own_roles" {
  command = apply

  variables {
    execution_role_arns = {
      start  = "arn:aws:iam::123456789012:role/platform/connect-start"
      worker = "arn:aws:iam::123456789012:role/platform/connect-worker"
    }
  }

  assert {
    condition     = toset(keys(aws_iam_role.function)) == toset(["check"]) && toset(keys(aws_iam_role_policy.function)) == toset(["check"])
    error_message = "No role and no policy is made for a function whose role you bring."
  }
  assert {
    condition     = aws_lambda_function.function["start"].role == var.execution_role_arns.start && output.role_arns.worker == var.execution_role_arns.worker
    error_message = "The functions run with the roles you bring."
  }
  assert {
    condition     = toset(flatten([for s in jsondecode(output.role_policy_documents.start).Statement : s.Action])) == toset(["logs:CreateLogStream", "logs:PutLogEvents", "dynamodb:GetItem", "dynamodb:UpdateItem", "lambda:InvokeFunction"])
    error_message = "role_policy_documents says exactly what the module's own start role would allow."
  }
}

run "provisioned_over_reserved" {
  command = plan
  variables {
    provisioned_concurrency = { start = 10 }
    reserved_concurrency    = { start = 5 }
  }
  expect_failures = [var.provisioned_concurrency]
}

run "bad_role_path" {
  command = plan
  variables { role_path = "service-roles" }
  expect_failures = [var.role_path]
}

run "bad_permissions_boundary" {
  command = plan
  variables { role_permissions_boundary_arn = "platform-boundary" }
  expect_failures = [var.role_permissions_boundary_arn]
}

run "bad_own_role" {
  command = plan
  variables { execution_role_arns = { check = "arn:aws:iam::123456789012:user/me" } }
  expect_failures = [var.execution_role_arns]
}

run "bad_environment_key" {
  command = plan
  variables { lambda_kms_key_arn = "alias/aws/lambda" }
  expect_failures = [var.lambda_kms_key_arn]
}

run "flow_module_and_requeue_disconnect_flow" {
  command = apply

  variables {
    connect_instance_id     = "0e3b1d0a-1111-4222-8333-444455556666"
    requeue_disconnect_flow = { queue_id = "1e3b1d0a-1111-4222-8333-444455556666", task_name = "record_return" }
  }

  assert {
    condition     = jsondecode(aws_connect_contact_flow_module.wait_for_task[0].content).Settings.Transitions[*].ReferenceName == ["Success", "Error"]
    error_message = "The flow module declares Success and Error."
  }
  assert {
    condition = (
      one([for a in jsondecode(aws_connect_contact_flow_module.wait_for_task[0].content).Actions : a if a.Identifier == "WaitLoop"])
      == one([for a in jsondecode(aws_connect_contact_flow.wait_for_task[0].content).Actions : a if a.Identifier == "WaitLoop"])
    )
    error_message = "The module waits exactly as the inbound flow does."
  }
  assert {
    condition     = one([for a in jsondecode(aws_connect_contact_flow.requeue_disconnect[0].content).Actions : a if a.Type == "InvokeFlowModule"]).Parameters.FlowModuleId == aws_connect_contact_flow_module.wait_for_task[0].contact_flow_module_id
    error_message = "The disconnect flow invokes the module the module created."
  }
  assert {
    condition     = one([for a in jsondecode(aws_connect_contact_flow.requeue_disconnect[0].content).Actions : a if a.Identifier == "SetRequeueQueue"]).Parameters.QueueId == "1e3b1d0a-1111-4222-8333-444455556666"
    error_message = "The disconnect flow re-queues to requeue_disconnect_flow.queue_id."
  }
  assert {
    condition     = output.requeue_disconnect_flow_id == aws_connect_contact_flow.requeue_disconnect[0].contact_flow_id && output.flow_module_id == aws_connect_contact_flow_module.wait_for_task[0].contact_flow_module_id
    error_message = "The new flows are outputs."
  }
}

run "no_flow_module_when_switched_off" {
  command = plan

  variables {
    connect_instance_id = "0e3b1d0a-1111-4222-8333-444455556666"
    create_flow_module  = false
  }

  assert {
    condition     = length(aws_connect_contact_flow_module.wait_for_task) == 0 && length(aws_connect_contact_flow.requeue_disconnect) == 0
    error_message = "create_flow_module = false creates neither the module nor the disconnect flow."
  }
}

run "requeue_needs_the_flow_module" {
  command = plan
  variables {
    create_flow_module      = false
    requeue_disconnect_flow = { queue_id = "1e3b1d0a-1111-4222-8333-444455556666" }
  }
  expect_failures = [var.create_flow_module]
}

run "bad_flow_module_name" {
  command = plan
  variables { flow_module_name = "" }
  expect_failures = [var.flow_module_name]
}

run "alarms_when_asked" {
  command = apply

  variables {
    create_alarms       = true
    alarm_sns_topic_arn = "arn:aws:sns:eu-west-2:123456789012:ops"
  }

  assert {
    condition     = toset(keys(aws_cloudwatch_metric_alarm.this)) == toset(["dead_letter_messages", "lost_runs", "worker_errors", "worker_throttles", "check_duration"])
    error_message = "Five alarms."
  }
  assert {
    condition     = aws_cloudwatch_metric_alarm.this["check_duration"].threshold == 4500
    error_message = "check's duration alarm fires halfway between its budget and the flow's limit (1000 + 7000 / 2)."
  }
}

run "own_tracker_table" {
  command = plan

  variables {
    create_tracker_table = false
    tracker_table_name   = "existing"
    tracker_table_arn    = "arn:aws:dynamodb:eu-west-2:123456789012:table/existing"
  }

  assert {
    condition     = length(aws_dynamodb_table.tracker) == 0 && aws_lambda_function.function["check"].environment[0].variables.TRACKER_TABLE_NAME == "existing"
    error_message = "With create_tracker_table = false the functions use the given table."
  }
}

# One run per root validation rule (the plan's rules, settings included, are tested in modules/plan).

run "bad_name" {
  command = plan
  variables { name = "has spaces" }
  expect_failures = [var.name]
}

run "own_table_without_its_arn" {
  command = plan
  variables {
    create_tracker_table = false
    tracker_table_name   = "existing"
  }
  expect_failures = [var.tracker_table_name]
}

run "bad_table_arn" {
  command = plan
  variables { tracker_table_arn = "existing" }
  expect_failures = [var.tracker_table_arn]
}

run "bad_table_key" {
  command = plan
  variables { tracker_table_kms_key_arn = "alias/mine" }
  expect_failures = [var.tracker_table_kms_key_arn]
}

run "unsupported_runtime" {
  command = plan
  variables { lambda_runtime = "python3.9" }
  expect_failures = [var.lambda_runtime]
}

run "unsupported_architecture" {
  command = plan
  variables { lambda_architecture = "arm" }
  expect_failures = [var.lambda_architecture]
}

run "negative_reserved_concurrency" {
  command = plan
  variables { reserved_concurrency = { check = -5 } }
  expect_failures = [var.reserved_concurrency]
}

run "check_reserved_at_zero" {
  command = plan
  variables {
    wait_mode            = "push"
    reserved_concurrency = { check = 0 }
  }
  expect_failures = [var.reserved_concurrency]
}

run "retention_not_offered_by_cloudwatch" {
  command = plan
  variables { log_retention_days = 10 }
  expect_failures = [var.log_retention_days]
}

run "bad_logs_key" {
  command = plan
  variables { logs_kms_key_arn = "key" }
  expect_failures = [var.logs_kms_key_arn]
}

run "reserved_metrics_namespace" {
  command = plan
  variables { metrics_namespace = "AWS/Lambda" }
  expect_failures = [var.metrics_namespace]
}

run "bad_task_handler" {
  command = plan
  variables { task_handler = "my_task.run" }
  expect_failures = [var.task_handler]
}

run "bad_worker_layer" {
  command = plan
  variables { worker_layers = ["my-layer"] }
  expect_failures = [var.worker_layers]
}

run "bad_worker_environment_name" {
  command = plan
  variables { worker_environment = { "1BAD" = "x" } }
  expect_failures = [var.worker_environment]
}

run "worker_environment_overriding_the_runtime" {
  command = plan
  variables { worker_environment = { TRACKER_TABLE_NAME = "elsewhere" } }
  expect_failures = [var.worker_environment]
}

# An object input's misspelt attribute is refused by name (Terraform would drop it silently and
# apply the default): the root declares these inputs type = any and checks the names.
run "misspelt_vpc_config_attribute" {
  command = plan
  variables {
    vpc_config = { subnet_ids = ["subnet-0123456789abcdef0"], security_group_ids = ["sg-0123456789abcdef0"], functons = ["start"] }
  }
  expect_failures = [var.vpc_config]
}

run "misspelt_config_lookup_item_attribute" {
  command = plan
  variables {
    config_lookup = { items = { default = { greeting = "Hello.", voice = "Joanna" }, "+442071234567" = { gretting = "Hi." } } }
  }
  expect_failures = [var.config_lookup]
}

run "misspelt_statement_condition_attribute" {
  command = plan
  variables {
    worker_policy_statements = [{ actions = ["s3:GetObject"], resources = ["arn:aws:s3:::b/k"], conditions = [{ test = "StringEquals", variable = "aws:SourceVpce", value = ["vpce-1"] }] }]
  }
  expect_failures = [var.worker_policy_statements]
}

run "misspelt_bedrock_attribute" {
  command = plan
  variables {
    bedrock = { model_id = "m", prompt_template = "p", max_token = 100 }
  }
  expect_failures = [var.bedrock]
}

run "misspelt_requeue_attribute" {
  command = plan
  variables {
    requeue_disconnect_flow = { queue_id = "1e3b1d0a-1111-4222-8333-444455556666", wait_second = 60 }
  }
  expect_failures = [var.requeue_disconnect_flow]
}

run "misspelt_progress_message_attribute" {
  command = plan
  variables {
    progress_messages = { debited = { percent = 50, mesage = "Paid." } }
  }
  expect_failures = [var.progress_messages]
}

run "misspelt_step_functions_statement_attribute" {
  command = plan
  variables {
    step_functions = { definition_file = "tests/integration/asl/steps.asl.json", policy_statements = [{ actions = ["s3:GetObject"], resource = ["arn:aws:s3:::b/k"] }] }
  }
  expect_failures = [var.step_functions]
}

run "dead_letter_retention_over_sqs_maximum" {
  command = plan
  variables { dead_letter_queue_retention_seconds = 2000000 }
  expect_failures = [var.dead_letter_queue_retention_seconds]
}

run "bad_dead_letter_key" {
  command = plan
  variables { dead_letter_queue_kms_key_arn = "key" }
  expect_failures = [var.dead_letter_queue_kms_key_arn]
}

run "unsupported_on_success_destination" {
  command = plan
  variables { on_success_destination_arn = "arn:aws:s3:::bucket" }
  expect_failures = [var.on_success_destination_arn]
}

run "instance_arn_instead_of_id" {
  command = plan
  variables { connect_instance_id = "arn:aws:connect:eu-west-2:123456789012:instance/x" }
  expect_failures = [var.connect_instance_id]
}

run "flow_name_too_long" {
  command = plan
  variables { contact_flow_name = "x" }
  expect_failures = []
}

# The flow language takes the console's capitalised engine names only.
run "alarms_without_a_topic" {
  command = plan
  variables { create_alarms = true }
  expect_failures = [var.alarm_sns_topic_arn]
}

# -- the caller's words in, the answer out ------------------------------------------------------

run "task_parameters_reach_start_and_the_answer_is_spoken" {
  command = apply

  variables {
    connect_instance_id   = "0e3b1d0a-1111-4222-8333-444455556666"
    task_parameters       = { question = "$.Attributes.question", account = "$.Lex.Slots.account", brand = "acme" }
    result_attribute_keys = ["answer"]
    messages              = { success = "Here is what I found. {result.answer}" }
  }

  assert {
    condition = one([for a in jsondecode(aws_connect_contact_flow.wait_for_task[0].content).Actions : a if a.Identifier == "StartTask"]).Parameters.LambdaInvocationAttributes == {
      question = "$.Attributes.question", account = "$.Lex.Slots.account", brand = "acme"
    }
    error_message = "The inbound flow's start block passes task_parameters as they are."
  }
  assert {
    condition = one([for a in jsondecode(aws_connect_contact_flow_module.wait_for_task[0].content).Actions : a if a.Identifier == "StartTask"]).Parameters.LambdaInvocationAttributes == {
      task_name = "$.Attributes.task_name", task_input = "$.Attributes.task_input", question = "$.Attributes.question", account = "$.Attributes.account", brand = "$.Attributes.brand"
    }
    error_message = "The flow module passes each task parameter from the contact attribute of the same name."
  }
  assert {
    condition     = one([for a in jsondecode(aws_connect_contact_flow.wait_for_task[0].content).Actions : a if a.Identifier == "Success"]).Parameters.Text == "Here is what I found. $.External.result_answer"
    error_message = "{result.answer} becomes a dynamic reference to check's answer."
  }
  assert {
    condition     = aws_lambda_function.function["check"].environment[0].variables.RESULT_KEYS == "answer"
    error_message = "check always answers the keys the flow speaks and saves."
  }
}

run "tracking_by_a_customer_reference" {
  command = apply

  variables {
    connect_instance_id   = "0e3b1d0a-1111-4222-8333-444455556666"
    tracking_id_source    = "parameter"
    tracking_id_reference = "$.Attributes.customer_reference"
  }

  assert {
    condition = alltrue([for a in jsondecode(aws_connect_contact_flow.wait_for_task[0].content).Actions :
    a.Parameters.LambdaInvocationAttributes.tracking_id == "$.Attributes.customer_reference" if a.Type == "InvokeLambdaFunction"])
    error_message = "start and check both get the tracking id the flow names."
  }
}

run "parameter_tracking_without_a_reference" {
  command = plan
  variables {
    connect_instance_id = "0e3b1d0a-1111-4222-8333-444455556666"
    tracking_id_source  = "parameter"
  }
  expect_failures = [var.connect_instance_id]
}

# A misspelt name in a per-function input is refused, not dropped (an object type would drop it
# and the function would run with the default).
run "execution_role_arns_name_misspelt" {
  command = plan
  variables { execution_role_arns = { workr = "arn:aws:iam::123456789012:role/worker" } }
  expect_failures = [var.execution_role_arns]
}

run "reserved_concurrency_name_misspelt" {
  command = plan
  variables { reserved_concurrency = { chek = 10 } }
  expect_failures = [var.reserved_concurrency]
}

run "provisioned_concurrency_for_the_worker" {
  command = plan
  variables { provisioned_concurrency = { worker = 2 } }
  expect_failures = [var.provisioned_concurrency]
}

run "reserved_concurrency_for_some_functions_leaves_the_others_unreserved" {
  command = plan
  variables { reserved_concurrency = { check = 10 } }

  assert {
    condition     = aws_lambda_function.function["check"].reserved_concurrent_executions == 10 && aws_lambda_function.function["worker"].reserved_concurrent_executions == -1
    error_message = "reserved_concurrency = { check = 10 } reserves check only."
  }
}

# -- the reconciler (reconciler): the dead-letter queue's consumer --------------------------------

run "reconciler_reads_the_dead_letter_queue_and_parks_on_its_own" {
  command = apply
  variables {
    reconciler = {
      handler = "my_tasks.transfers:reconcile", max_receive_count = 4, timeout_seconds = 90
      policy_statements = [{
        actions    = ["secretsmanager:GetSecretValue"]
        resources  = ["arn:aws:secretsmanager:eu-west-2:123456789012:secret:bank"]
        conditions = [{ test = "StringEquals", variable = "aws:RequestedRegion", values = ["eu-west-2"] }]
      }]
    }
    task_layer_zip      = "examples/custom-task/dist/transfer-layer.zip"
    create_alarms       = true
    alarm_sns_topic_arn = "arn:aws:sns:eu-west-2:123456789012:ops"
    create_dashboard    = true
  }

  assert {
    condition     = aws_lambda_function.function["reconciler"].handler == jsondecode(file("modules/plan/contract.json")).handlers.reconciler && aws_lambda_function.function["reconciler"].timeout == 90
    error_message = "The reconciler runs the contract's handler with its own timeout."
  }
  assert {
    condition     = aws_lambda_function.function["reconciler"].environment[0].variables.RECONCILE_HANDLER == "my_tasks.transfers:reconcile"
    error_message = "The reconciler calls the user's reconcile function."
  }
  assert {
    condition     = toset(keys(aws_lambda_function.function["reconciler"].environment[0].variables)) == toset(jsondecode(file("modules/plan/contract.json")).environment.reconciler)
    error_message = "The reconciler gets exactly the contract's environment."
  }
  assert {
    condition     = aws_lambda_function.function["reconciler"].layers == aws_lambda_function.function["worker"].layers && length(aws_lambda_function.function["reconciler"].layers) == 1
    error_message = "The reconciler imports the user's code from the worker's layers."
  }
  assert {
    condition     = aws_lambda_event_source_mapping.reconciler[0].event_source_arn == aws_sqs_queue.dead_letter[0].arn && aws_lambda_event_source_mapping.reconciler[0].function_response_types == toset(["ReportBatchItemFailures"])
    error_message = "The reconciler reads the dead-letter queue and reports batch item failures."
  }
  assert {
    condition     = aws_lambda_event_source_mapping.reconciler[0].batch_size == 10 && aws_lambda_event_source_mapping.reconciler[0].scaling_config[0].maximum_concurrency == 2
    error_message = "The event source mapping takes the reconciler's batch size and concurrency."
  }
  assert {
    condition     = jsondecode(aws_sqs_queue_redrive_policy.dead_letter[0].redrive_policy).deadLetterTargetArn == aws_sqs_queue.unreconciled[0].arn && jsondecode(aws_sqs_queue_redrive_policy.dead_letter[0].redrive_policy).maxReceiveCount == 4
    error_message = "A message received max_receive_count times moves to the unreconciled queue."
  }
  assert {
    condition     = aws_sqs_queue.dead_letter[0].visibility_timeout_seconds == 540
    error_message = "The dead-letter queue hides a message six times the reconciler's timeout (Lambda's advice for SQS)."
  }
  assert {
    condition     = aws_cloudwatch_metric_alarm.this["unreconciled_messages"].dimensions.QueueName == aws_sqs_queue.unreconciled[0].name && aws_cloudwatch_metric_alarm.this["unreconciled_messages"].threshold == 0
    error_message = "An alarm fires on the first unreconciled message."
  }
  assert {
    condition = toset(flatten([for s in jsondecode(aws_iam_role_policy.function["reconciler"].policy).Statement : s.Action])) == toset([
      "logs:CreateLogStream", "logs:PutLogEvents", "dynamodb:GetItem", "dynamodb:UpdateItem",
      "sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:SendMessage",
      "secretsmanager:GetSecretValue",
    ])
    error_message = "The reconciler may read tracker items, update their reconciliation fields, read the dead-letter queue, park on the unreconciled queue, and call what its statements name."
  }
  assert {
    condition     = one([for s in jsondecode(aws_iam_role_policy.function["reconciler"].policy).Statement : s if s.Sid == "Reconcile0"]).Condition == { StringEquals = { "aws:RequestedRegion" = ["eu-west-2"] } }
    error_message = "The reconciler's own statements keep their conditions."
  }
  assert {
    condition     = one([for s in jsondecode(aws_iam_role_policy.function["reconciler"].policy).Statement : s if s.Sid == "TrackerReconcileFields"]).Condition["ForAllValues:StringEquals"]["dynamodb:Attributes"] == jsondecode(file("modules/plan/contract.json")).reconcile.fields
    error_message = "The reconciler's writes are held to the reconciliation fields."
  }
  assert {
    condition     = one([for s in jsondecode(aws_iam_role_policy.function["reconciler"].policy).Statement : s if s.Sid == "UnreconciledQueue"]).Resource == [aws_sqs_queue.unreconciled[0].arn]
    error_message = "The reconciler sends only to the unreconciled queue."
  }
  assert {
    condition     = output.unreconciled_queue_url == aws_sqs_queue.unreconciled[0].url && output.reconciler_function_name == "t-reconciler"
    error_message = "The outputs name the reconciler and its queue."
  }
  assert {
    condition     = contains([for w in jsondecode(aws_cloudwatch_dashboard.this[0].dashboard_body).widgets : w.properties.title], "Lost runs reconciled, retried, parked; the unreconciled queue")
    error_message = "The dashboard draws what the reconciler made of the dead-letter queue."
  }
}

run "no_reconciler_by_default" {
  command = plan

  assert {
    condition     = length(aws_sqs_queue.unreconciled) == 0 && length(aws_lambda_event_source_mapping.reconciler) == 0 && !contains(keys(aws_lambda_function.function), "reconciler")
    error_message = "The reconciler is off unless asked for."
  }
}

run "misspelt_reconciler_attribute" {
  command = plan
  variables { reconciler = { handler = "a.b:c", max_receives = 3 } }
  expect_failures = [var.reconciler]
}
