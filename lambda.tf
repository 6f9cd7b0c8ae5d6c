locals {
  # What each function reads besides its settings (modules/plan gives those): the names of what
  # the module creates, and the task's own configuration.
  wiring_environment = {
    TRACKER_TABLE_NAME           = local.tracker_table_name
    TRACING_ENABLED              = tostring(var.tracing_enabled)
    POWERTOOLS_SERVICE_NAME      = var.name
    POWERTOOLS_METRICS_NAMESPACE = var.metrics_namespace
    WORKER_FUNCTION_NAME         = try(local.function_names.worker, "")
    STATE_MACHINE_ARN            = try(aws_sfn_state_machine.task[0].arn, "")
    TASK_HANDLER                 = var.task_handler
    CONFIG_TABLE_NAME            = try(aws_dynamodb_table.config[0].name, "")
    UNRECONCILED_QUEUE_URL       = try(aws_sqs_queue.unreconciled[0].url, "")
  }
  # The shipped Bedrock task's settings; an unset limit is left out, so the runtime's default
  # (the settings schema) applies.
  bedrock_environment = module.plan.inputs.bedrock == null ? {} : {
    BEDROCK_MODEL_ID         = module.plan.inputs.bedrock.model_id
    BEDROCK_PROMPT_TEMPLATE  = module.plan.inputs.bedrock.prompt_template
    BEDROCK_SYSTEM_PROMPT    = module.plan.inputs.bedrock.system_prompt
    BEDROCK_MAX_TOKENS       = try(tostring(module.plan.inputs.bedrock.max_tokens), "")
    BEDROCK_TEMPERATURE      = try(tostring(module.plan.inputs.bedrock.temperature), "")
    BEDROCK_MAX_ANSWER_CHARS = try(tostring(module.plan.inputs.bedrock.max_answer_chars), "")
  }

  # Each function gets exactly the names its contract lists (a test checks it).
  function_environment = {
    for function, settings in module.plan.functions : function => merge(
      contains(["worker", "reconciler"], function) ? var.worker_environment : {},
      {
        for key in local.contract.environment[function] : key => lookup(
          settings.environment, key, lookup(local.wiring_environment, key, "")
        )
      },
      function == "worker" ? {
        for key in local.contract.environment.bedrock_task : key => lookup(local.bedrock_environment, key, "")
      } : {},
    )
  }

  # Functions with provisioned concurrency publish versions behind the alias "live"; the flows
  # and Connect's permission use the alias, so its warm instances take the calls.
  aliased = { for function, count in var.provisioned_concurrency : function => count if count > 0 && contains(keys(local.function_names), function) }
  invoke_arns = {
    for function in keys(local.function_names) : function => (
      contains(keys(local.aliased), function) ? aws_lambda_alias.live[function].arn : aws_lambda_function.function[function].arn
    )
  }

  # Your task's own layer first, then the layers you publish yourself (Lambda allows five). The
  # reconciler imports your reconcile function from the same code.
  task_layers     = concat(aws_lambda_layer_version.task[*].arn, var.worker_layers)
  function_layers = { start = [], check = [], lookup = [], worker = local.task_layers, reconciler = local.task_layers }
}

# Your task's code and dependencies (task_layer_zip, built by `connect-async build-layer`): a new
# version whenever the zip's content changes, since the build gives the same bytes for the same inputs.
resource "aws_lambda_layer_version" "task" {
  count = var.task_layer_zip == null ? 0 : 1

  layer_name               = "${var.name}-task"
  description              = "Task code for ${var.name}-worker (connect-async-lambda)"
  filename                 = var.task_layer_zip
  source_code_hash         = filebase64sha256(var.task_layer_zip)
  compatible_runtimes      = [var.lambda_runtime]
  compatible_architectures = [var.lambda_architecture]
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
  # checkov:skip=CKV_AWS_116:start, check and lookup are synchronous (a DLQ only serves async calls); the worker's failures go to an on-failure destination queue (async.tf), which supersedes a DLQ.
  # checkov:skip=CKV_AWS_117:In a VPC only when you say so (vpc_config, default the worker): start, check and the lookup reach only AWS endpoints, and a VPC adds cold-start time and NAT cost to calls a caller waits on.
  # checkov:skip=CKV_AWS_272:The artifact is committed, reproducible and pinned by source_code_hash; code signing needs a signing profile the module cannot assume.
  # checkov:skip=CKV_AWS_173:The environment holds names and numbers, no secrets; Lambda encrypts it at rest with its own key unless lambda_kms_key_arn names yours.
  for_each = local.function_names

  function_name = each.value
  description   = "connect-async-lambda ${local.contract.version} ${each.key}"
  role          = local.role_arns[each.key]
  runtime       = var.lambda_runtime
  architectures = [var.lambda_architecture]
  handler       = local.contract.handlers[each.key]
  memory_size   = module.plan.functions[each.key].memory_size
  timeout       = module.plan.functions[each.key].timeout
  layers        = local.function_layers[each.key]

  filename         = local.lambda_artifact_path
  source_code_hash = local.lambda_artifact_sha256
  publish          = contains(keys(local.aliased), each.key)
  kms_key_arn      = var.lambda_kms_key_arn

  reserved_concurrent_executions = coalesce(lookup(var.reserved_concurrency, each.key, null), -1)

  environment {
    variables = { for key, value in local.function_environment[each.key] : key => value if value != "" }
  }

  tracing_config {
    mode = var.tracing_enabled ? "Active" : "PassThrough"
  }

  dynamic "vpc_config" {
    for_each = contains(local.vpc_functions, each.key) ? [module.plan.inputs.vpc_config] : []
    content {
      subnet_ids                  = vpc_config.value.subnet_ids
      security_group_ids          = vpc_config.value.security_group_ids
      ipv6_allowed_for_dual_stack = vpc_config.value.ipv6_allowed_for_dual_stack
    }
  }

  tags = var.tags

  # The least-privilege policies attach after (start's names the worker's ARN); nothing runs
  # before apply ends. The network policy comes first: Lambda checks it at CreateFunction.
  depends_on = [aws_cloudwatch_log_group.function, aws_iam_role_policy.network]
}

resource "aws_lambda_alias" "live" {
  for_each = local.aliased

  name             = "live"
  description      = "What the flows call: the published version with provisioned concurrency."
  function_name    = aws_lambda_function.function[each.key].function_name
  function_version = aws_lambda_function.function[each.key].version
}

resource "aws_lambda_provisioned_concurrency_config" "live" {
  for_each = local.aliased

  function_name                     = aws_lambda_function.function[each.key].function_name
  qualifier                         = aws_lambda_alias.live[each.key].name
  provisioned_concurrent_executions = each.value
}
