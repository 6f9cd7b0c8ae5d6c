# terraform-aws-connect-async-lambda: the tracker table, the start/worker/check functions,
# the worker's asynchronous handling, least-privilege IAM, and the Amazon Connect wiring.
#
# The runtime's contract (tracker attribute names, each function's environment variable names,
# handler paths, the settings schema) is generated from lambdas/connect_async into
# modules/plan/contract.json; modules/plan reads it and gives it here as its contract output, so
# the Terraform and the Python cannot drift: a renamed variable fails the plan. modules/plan
# turns every setting into what the functions and the flows use; `make demo`, the benchmarks and
# the tests call that same module.

locals {
  contract = module.plan.contract
  settings = local.contract.settings

  # The committed, reproducible Lambda artifact: the same bytes and hash on every machine,
  # and nothing for module consumers to build.
  lambda_artifact_path   = "${path.module}/lambdas/dist/connect_async.zip"
  lambda_artifact_sha256 = filebase64sha256(local.lambda_artifact_path)

  tracker_table_name = var.create_tracker_table ? aws_dynamodb_table.tracker[0].name : var.tracker_table_name
  tracker_table_arn  = var.create_tracker_table ? aws_dynamodb_table.tracker[0].arn : var.tracker_table_arn

  lambda_backend = var.backend == "lambda"
  lookup_enabled = var.config_lookup != null
  # The plan refuses a reconciler without the lambda backend (its queue is the worker's).
  reconciler = local.lambda_backend ? module.plan.inputs.reconciler : null
  # The worker function runs the task only with the lambda backend; with step_functions the
  # state machine (step_functions.tf) does. The lookup exists with config_lookup (config_lookup.tf),
  # the reconciler with reconciler (reconciler.tf).
  function_names = merge(
    { start = "${var.name}-start", check = "${var.name}-check" },
    local.lambda_backend ? { worker = "${var.name}-worker" } : {},
    local.lookup_enabled ? { lookup = "${var.name}-lookup" } : {},
    local.reconciler != null ? { reconciler = "${var.name}-reconciler" } : {},
  )
  connect_enabled = var.connect_instance_id != null
  timing          = module.plan.timing
}

module "plan" {
  source = "./modules/plan"

  # BEGIN GENERATED (make gen): each optional input of the plan, as the root variable of its name
  flow_invocation_time_limit_seconds = var.flow_invocation_time_limit_seconds
  check_budget_ms                    = var.check_budget_ms
  check_poll_interval_ms             = var.check_poll_interval_ms
  check_poll_when                    = var.check_poll_when
  hold_prompt_seconds                = var.hold_prompt_seconds
  max_wait_seconds                   = var.max_wait_seconds
  start_retry_attempts               = var.start_retry_attempts
  check_retry_attempts               = var.check_retry_attempts
  wait_mode                          = var.wait_mode
  push_wait_seconds                  = var.push_wait_seconds
  backend                            = var.backend
  worker_timeout_seconds             = var.worker_timeout_seconds
  worker_safety_margin_ms            = var.worker_safety_margin_ms
  record_ttl_seconds                 = var.record_ttl_seconds
  worker_lease_ms                    = var.worker_lease_ms
  worker_start_timeout_seconds       = var.worker_start_timeout_seconds
  task_retry_attempts                = var.task_retry_attempts
  max_result_bytes                   = var.max_result_bytes
  worker_maximum_retry_attempts      = var.worker_maximum_retry_attempts
  worker_maximum_event_age_seconds   = var.worker_maximum_event_age_seconds
  tracking_id_source                 = var.tracking_id_source
  log_level                          = var.log_level
  memory_size                        = var.memory_size
  lookup_time_limit_seconds          = var.lookup_time_limit_seconds
  lookup_budget_ms                   = var.lookup_budget_ms
  task_parameters                    = var.task_parameters
  tracking_id_reference              = var.tracking_id_reference
  result_attribute_keys              = var.result_attribute_keys
  messages                           = var.messages
  voice                              = var.voice
  voice_hold_prompt_arn              = var.voice_hold_prompt_arn
  success_queue_id                   = var.success_queue_id
  fallback_queue_id                  = var.fallback_queue_id
  requeue_disconnect_flow            = var.requeue_disconnect_flow
  config_lookup                      = var.config_lookup
  step_functions                     = var.step_functions
  progress_messages                  = var.progress_messages
  vpc_config                         = var.vpc_config
  worker_policy_statements           = var.worker_policy_statements
  bedrock                            = var.bedrock
  reconciler                         = var.reconciler
  # END GENERATED

  # The wiring: what the flows call and invoke.
  start_function_arn  = local.invoke_arns["start"]
  check_function_arn  = local.invoke_arns["check"]
  lookup_function_arn = try(local.invoke_arns["lookup"], null)
  flow_module_id      = try(aws_connect_contact_flow_module.wait_for_task[0].contact_flow_module_id, null)
  tracker_table_name  = local.tracker_table_name
}

################################################################################
# Tracker table
################################################################################

resource "aws_dynamodb_table" "tracker" {
  # checkov:skip=CKV_AWS_119:Encrypted at rest with DynamoDB's AWS-owned key by default; tracker_table_kms_key_arn switches to a customer-managed key.
  count = var.create_tracker_table ? 1 : 0

  name                        = "${var.name}-tracker"
  billing_mode                = "PAY_PER_REQUEST"
  hash_key                    = local.contract.table.hash_key
  deletion_protection_enabled = var.tracker_table_deletion_protection

  attribute {
    name = local.contract.table.hash_key
    type = "S"
  }

  # DynamoDB deletes expired items lazily; the runtime also checks the expiry on every read.
  ttl {
    attribute_name = local.contract.table.ttl_attribute
    enabled        = true
  }

  server_side_encryption {
    enabled     = var.tracker_table_kms_key_arn != null
    kms_key_arn = var.tracker_table_kms_key_arn
  }

  point_in_time_recovery {
    enabled = var.tracker_table_point_in_time_recovery
  }

  tags = var.tags
}
