################################################################################
# Tracker
################################################################################

output "tracker_table_name" {
  description = "Name of the DynamoDB tracker table."
  value       = local.tracker_table_name
}

output "tracker_table_arn" {
  description = "ARN of the DynamoDB tracker table."
  value       = local.tracker_table_arn
}

################################################################################
# Functions
################################################################################

output "start_function_name" {
  description = "Name of the start function (invoke it first from the flow)."
  value       = aws_lambda_function.function["start"].function_name
}

output "start_function_arn" {
  description = "ARN of the start function."
  value       = aws_lambda_function.function["start"].arn
}

output "check_function_name" {
  description = "Name of the check function (invoke it in the flow's loop)."
  value       = aws_lambda_function.function["check"].function_name
}

output "check_function_arn" {
  description = "ARN of the check function."
  value       = aws_lambda_function.function["check"].arn
}

output "worker_function_name" {
  description = "Name of the worker function (invoked asynchronously by start; null with backend = step_functions)."
  value       = try(aws_lambda_function.function["worker"].function_name, null)
}

output "worker_function_arn" {
  description = "ARN of the worker function."
  value       = try(aws_lambda_function.function["worker"].arn, null)
}

output "lookup_function_name" {
  description = "Name of the configuration lookup function (null without config_lookup)."
  value       = try(aws_lambda_function.function["lookup"].function_name, null)
}

output "lookup_function_arn" {
  description = "ARN of the configuration lookup function (null without config_lookup)."
  value       = try(aws_lambda_function.function["lookup"].arn, null)
}

output "config_table_name" {
  description = "Name of the configuration table (null without config_lookup)."
  value       = try(aws_dynamodb_table.config[0].name, null)
}

output "config_table_arn" {
  description = "ARN of the configuration table (null without config_lookup)."
  value       = try(aws_dynamodb_table.config[0].arn, null)
}

output "task_layer_arn" {
  description = "ARN of the layer version made from task_layer_zip (null without it)."
  value       = try(aws_lambda_layer_version.task[0].arn, null)
}

output "role_arns" {
  description = "IAM role ARN of each function (start, check, worker, lookup): the module's, or the one you brought (execution_role_arns)."
  value       = local.role_arns
}

output "role_policy_documents" {
  description = "The least-privilege policy of each function's role, as JSON: what a role you bring (execution_role_arns) must allow, exactly what the module's own role has (plus the network interface actions for functions in vpc_config)."
  value = {
    for function in keys(local.function_names) : function => jsonencode({
      Version   = "2012-10-17"
      Statement = concat(local.function_statements[function], contains(local.vpc_functions, function) ? local.network_statements : [])
    })
  }
}

output "function_invoke_arns" {
  description = "What a flow should invoke for each function: the alias \"live\" ARN with provisioned concurrency, the function's ARN otherwise."
  value       = local.invoke_arns
}

output "log_group_names" {
  description = "CloudWatch log group of each function (start, check, worker, lookup, reconciler)."
  value       = { for key, group in aws_cloudwatch_log_group.function : key => group.name }
}

################################################################################
# Asynchronous handling
################################################################################

output "dead_letter_queue_url" {
  description = "URL of the worker's dead-letter queue (null with backend = step_functions)."
  value       = try(aws_sqs_queue.dead_letter[0].url, null)
}

output "dead_letter_queue_arn" {
  description = "ARN of the worker's dead-letter queue."
  value       = try(aws_sqs_queue.dead_letter[0].arn, null)
}

output "reconciler_function_name" {
  description = "Name of the reconciler function (null unless reconciler is set)."
  value       = try(aws_lambda_function.function["reconciler"].function_name, null)
}

output "reconciler_function_arn" {
  description = "ARN of the reconciler function (null unless reconciler is set)."
  value       = try(aws_lambda_function.function["reconciler"].arn, null)
}

output "unreconciled_queue_url" {
  description = "URL of the unreconciled queue: dead-letter messages the reconciler parked (with a reason attribute) or could not reconcile in reconciler.max_receive_count receives (null unless reconciler is set)."
  value       = try(aws_sqs_queue.unreconciled[0].url, null)
}

output "unreconciled_queue_arn" {
  description = "ARN of the unreconciled queue (null unless reconciler is set)."
  value       = try(aws_sqs_queue.unreconciled[0].arn, null)
}

output "state_machine_arn" {
  description = "ARN of the task's state machine (backend = step_functions; null otherwise)."
  value       = try(aws_sfn_state_machine.task[0].arn, null)
}

output "state_machine_role_arn" {
  description = "IAM role of the task's state machine (backend = step_functions; null otherwise)."
  value       = try(aws_iam_role.state_machine[0].arn, null)
}

################################################################################
# Amazon Connect
################################################################################

output "contact_flow_id" {
  description = "Id of the contact flow (null without connect_instance_id or with create_contact_flow = false)."
  value       = try(aws_connect_contact_flow.wait_for_task[0].contact_flow_id, null)
}

output "contact_flow_arn" {
  description = "ARN of the contact flow (null without connect_instance_id or with create_contact_flow = false)."
  value       = try(aws_connect_contact_flow.wait_for_task[0].arn, null)
}

output "flow_module_id" {
  description = "Id of the wait-for-the-task flow module (null without connect_instance_id or with create_flow_module = false)."
  value       = try(aws_connect_contact_flow_module.wait_for_task[0].contact_flow_module_id, null)
}

output "flow_module_arn" {
  description = "ARN of the wait-for-the-task flow module (null without connect_instance_id or with create_flow_module = false)."
  value       = try(aws_connect_contact_flow_module.wait_for_task[0].arn, null)
}

output "config_lookup_module_id" {
  description = "Id of the config lookup flow module (null unless created)."
  value       = try(aws_connect_contact_flow_module.config_lookup[0].contact_flow_module_id, null)
}

output "config_lookup_module_arn" {
  description = "ARN of the config lookup flow module (null unless created)."
  value       = try(aws_connect_contact_flow_module.config_lookup[0].arn, null)
}

output "requeue_disconnect_flow_id" {
  description = "Id of the re-queue disconnect flow (null unless requeue_disconnect_flow is set)."
  value       = try(aws_connect_contact_flow.requeue_disconnect[0].contact_flow_id, null)
}

output "requeue_disconnect_flow_arn" {
  description = "ARN of the re-queue disconnect flow (null unless requeue_disconnect_flow is set)."
  value       = try(aws_connect_contact_flow.requeue_disconnect[0].arn, null)
}

################################################################################
# Derived
################################################################################

output "dashboard_name" {
  description = "Name of the operators' CloudWatch dashboard (null unless create_dashboard)."
  value       = try(aws_cloudwatch_dashboard.this[0].dashboard_name, null)
}

output "timing_plan" {
  description = "The derived timing plan: Lambda timeouts, flow loop count, the run's deadline, the longest wait and the worst silences a caller can hear."
  value       = local.timing
}

output "runtime_contract" {
  description = "The runtime's contract: tracker attributes, statuses, error codes, response keys and each function's environment variable names."
  value       = local.contract
}

output "module_version" {
  description = "The release of this module, its runtime and its Lambda artifact (one version, CHANGELOG.md)."
  value       = local.contract.version
}

output "lambda_artifact_sha256" {
  description = "Base64 SHA-256 of the committed Lambda zip (the value Lambda reports as CodeSha256)."
  value       = local.lambda_artifact_sha256
}
