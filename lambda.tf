locals {
  # Every value the runtime may read; each function gets exactly the names its contract lists.
  environment_values = {
    TRACKER_TABLE_NAME           = local.tracker_table_name
    TRACING_ENABLED              = tostring(var.tracing_enabled)
    POWERTOOLS_SERVICE_NAME      = var.name
    POWERTOOLS_METRICS_NAMESPACE = var.metrics_namespace
    POWERTOOLS_LOG_LEVEL         = var.log_level
    TRACKING_ID_SOURCE           = var.tracking_id_source
    WORKER_FUNCTION_NAME         = local.function_names.worker
    RUN_DEADLINE_SECONDS         = tostring(local.timing.run_deadline_seconds)
    RECORD_TTL_SECONDS           = tostring(local.timing.record_ttl_seconds)
    CHECK_BUDGET_MS              = tostring(local.timing.check_budget_ms)
    CHECK_POLL_INTERVAL_MS       = tostring(local.timing.check_poll_interval_ms)
    RESULT_KEYS                  = join(",", var.result_attribute_keys)
    TASK_HANDLER                 = var.task_handler
    TASK_RETRY_ATTEMPTS          = tostring(var.task_retry_attempts)
    WORKER_SAFETY_MARGIN_MS      = tostring(local.timing.worker_safety_margin_ms)
    MAX_RESULT_BYTES             = tostring(var.max_result_bytes)
    WORKER_LEASE_MS              = tostring(var.worker_lease_ms)
    BEDROCK_MODEL_ID             = try(var.bedrock.model_id, "")
    BEDROCK_PROMPT_TEMPLATE      = try(var.bedrock.prompt_template, "")
    BEDROCK_SYSTEM_PROMPT        = try(var.bedrock.system_prompt, "")
    BEDROCK_MAX_TOKENS           = tostring(try(var.bedrock.max_tokens, ""))
    BEDROCK_TEMPERATURE          = tostring(try(var.bedrock.temperature, ""))
    BEDROCK_MAX_ANSWER_CHARS     = tostring(try(var.bedrock.max_answer_chars, ""))
  }

  function_environment = {
    start = { for key in local.contract.environment.start : key => local.environment_values[key] }
    check = { for key in local.contract.environment.check : key => local.environment_values[key] }
    worker = merge(
      var.worker_environment,
      { for key in local.contract.environment.worker : key => local.environment_values[key] },
      var.bedrock == null ? {} : { for key in local.contract.environment.bedrock_task : key => local.environment_values[key] },
    )
  }

  function_settings = {
    start  = { timeout = local.timing.start_timeout_seconds, layers = [] }
    check  = { timeout = local.timing.check_timeout_seconds, layers = [] }
    worker = { timeout = local.timing.worker_timeout_seconds, layers = var.worker_layers }
  }
}

# Created before the functions, with retention, so Lambda never creates them unbounded.
resource "aws_cloudwatch_log_group" "function" {
  # checkov:skip=CKV_AWS_338:Retention is the log_retention_days variable; its 30-day default keeps cost down, and the logs hold ids, not personal data.
  for_each = local.function_names

  name              = "/aws/lambda/${each.value}"
  retention_in_days = var.log_retention_days
  kms_key_id        = var.logs_kms_key_arn

  tags = var.tags
}

resource "aws_lambda_function" "function" {
  # checkov:skip=CKV_AWS_116:start and check are synchronous (a DLQ only serves async calls); the worker's failures go to an on-failure destination queue (async.tf), which supersedes a DLQ.
  # checkov:skip=CKV_AWS_117:The functions reach only DynamoDB, Lambda and the task's APIs over AWS endpoints; a VPC would add cold-start time and NAT cost to every call.
  # checkov:skip=CKV_AWS_272:The artifact is committed, reproducible and pinned by source_code_hash; code signing needs a signing profile the module cannot assume.
  # checkov:skip=CKV_AWS_173:The environment holds names and numbers, no secrets; Lambda encrypts it at rest with its service key.
  for_each = local.function_names

  function_name = each.value
  description   = "connect-async-lambda ${each.key}"
  role          = aws_iam_role.function[each.key].arn
  runtime       = var.lambda_runtime
  architectures = [var.lambda_architecture]
  handler       = local.contract.handlers[each.key]
  memory_size   = var.memory_size[each.key]
  timeout       = local.function_settings[each.key].timeout
  layers        = local.function_settings[each.key].layers

  filename         = local.lambda_artifact_path
  source_code_hash = local.lambda_artifact_sha256

  reserved_concurrent_executions = coalesce(var.reserved_concurrency[each.key], -1)

  environment {
    variables = { for key, value in local.function_environment[each.key] : key => value if value != "" }
  }

  tracing_config {
    mode = var.tracing_enabled ? "Active" : "PassThrough"
  }

  tags = var.tags

  # Policies attach after (start's names the worker's ARN); nothing runs before apply ends.
  depends_on = [aws_cloudwatch_log_group.function]
}
